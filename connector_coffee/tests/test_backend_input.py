# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Bad input is a clear error on save, never a request sent somewhere.

The backend's API address decides where the tokens go: ``https``, or plain
``http`` on this host only (the local simulator). Timeouts, brew quantities
and options are checked as they are written.
"""

import re

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase

REFUSED_LOCATIONS = (
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/",
    "ftp://127.0.0.1/",
    "http://api.home-connect.com",
    "http://10.0.0.7:8765",
    "https://",
    "api.home-connect.com",
    "https://user:password@api.home-connect.com",
    "http://127.0.0.1:99999",
    "http://127.0.0.1:port",
)
ACCEPTED_LOCATIONS = (
    "https://api.home-connect.com",
    "https://simulator.home-connect.com/",
    "http://127.0.0.1:8765",
    "http://localhost:8765",
    "http://[::1]:8765",
)


@tagged("post_install", "-at_install")
class TestBackendInput(CoffeeBrewCase):
    def test_unsafe_api_addresses_are_refused_on_save(self):
        for location in REFUSED_LOCATIONS:
            with (
                self.subTest(location=location),
                self.assertRaisesRegex(ValidationError, re.escape(location)),
            ):
                self.backend.location = location
                self.backend.flush_recordset()

    def test_https_and_loopback_addresses_are_accepted(self):
        for location in ACCEPTED_LOCATIONS:
            with self.subTest(location=location):
                self.backend.location = location
                self.backend.flush_recordset()
                self.assertEqual(self.backend.location, location)

    def test_a_new_backend_with_an_unsafe_address_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "in clear"):
            self.env["coffee.backend"].create(
                {"name": "Plain", "location": "http://coffee.example.com"}
            )

    def test_request_timeout_must_be_sane(self):
        for timeout in (-5, 0, 3600):
            with (
                self.subTest(timeout=timeout),
                self.assertRaisesRegex(ValidationError, "between 1 and 120"),
            ):
                self.backend.request_timeout = timeout
                self.backend.flush_recordset()

    def test_brew_of_no_beverage_is_refused(self):
        for quantity in (0, -2):
            with (
                self.subTest(quantity=quantity),
                self.assertRaisesRegex(ValidationError, "at least one"),
            ):
                self.new_brew(quantity=quantity)

    def test_options_sent_as_a_list_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "mapping"):
            self.new_brew(options=[keys.OPTION_FILL_QUANTITY, 50])

    def test_ordering_options_as_a_list_is_a_clear_error(self):
        espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        )
        with trap_jobs() as trap, self.assertRaisesRegex(UserError, "mapping"):
            self.env["coffee.brew"]._place_order(
                self.machine,
                espresso.beverage_id,
                espresso.key,
                [keys.OPTION_FILL_QUANTITY, 50],
            )
        trap.assert_jobs_count(0)
        self.assertEqual(
            espresso._brew_option_errors([keys.OPTION_FILL_QUANTITY]),
            ["The options of a brew are a mapping of option keys to values."],
        )
