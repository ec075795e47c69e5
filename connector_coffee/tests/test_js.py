# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The JavaScript unit tests of the addon (Hoot, ``web.assets_unit_tests``).

Run in headless Chromium as Odoo's own ``web/tests/test_js.py`` runs its
suites, filtered to ours: the files under ``static/tests/`` (tours aside)
form the suite ``@connector_coffee``.
"""

from odoo.tests import HttpCase, tagged


def hoot_id(name):
    """The id Hoot gives a suite or a test, from its full name."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


def hoot_error(message):
    return "[HOOT]" not in message


@tagged("post_install", "-at_install")
class TestJavaScript(HttpCase):
    def test_hoot_id_is_hoots(self):
        # the values of Odoo's own test of its hash
        self.assertEqual(hoot_id("@web/core"), "e39ce9ba")
        self.assertEqual(hoot_id("@web/core/autocomplete"), "69a6561d")

    def test_unit_tests(self):
        self.browser_js(
            "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000"
            f"&id={hoot_id('@connector_coffee')}",
            "",
            "",
            login="admin",
            timeout=600,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=hoot_error,
        )
