# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""JURA's words, read for the neutral layer (the ``vocabulary``).

A JURA machine names its products in its profile (``espresso``,
``cappuccino``, ``hotwater_portion``...; the profile of its EF code, bundled
with ``jura-connect``) and counts each product on a counter of its own, plus
a total: its *families* are its products. Odoo keys them as:

====================  =========================================
Odoo                  JURA
====================  =========================================
program key           the product's name (``espresso``)
counter key           ``product:<name>``, and ``total``
option key            the recipe parameter (``coffee_strength``,
                      ``water_amount``, ``temperature``)
====================  =========================================

Its status bits are its alerts; those Odoo follows map to the connector's
alert kinds (``ALERTS``).
"""

from odoo.addons.component.core import Component

TOTAL_COUNTER = "total"
PRODUCT_COUNTER_PREFIX = "product:"
#: the recipe parameters verified on hardware (jura-connect's own table):
#: the only options an Odoo brew may set
BREW_OPTIONS = ("coffee_strength", "water_amount", "temperature")
#: status bit name → (alert kind, priority of the maintenance request)
ALERTS = {
    "no_beans": ("beans_empty", "2"),
    "left_bean_alert": ("beans_empty", "2"),
    "right_bean_alert": ("beans_empty", "2"),
    "fill_water": ("water_empty", "2"),
    "empty_tray": ("drip_tray_full", "2"),
    "empty_grounds": ("drip_tray_full", "2"),
    "cleaning_alert": ("cleaning", "1"),
    "descale_alert": ("descaling", "1"),
    "filter_alert": ("filter", "1"),
}
#: the alert kinds a JURA machine reports (opened and closed from its status)
ALERT_KINDS = sorted({kind for kind, __ in ALERTS.values()})


def counter_key(product):
    return PRODUCT_COUNTER_PREFIX + product


def alerts_of(status):
    """``{kind: (priority, bit name)}`` of the alerts ``status`` shows."""
    found = {}
    for name in status.active_alerts:
        if name in ALERTS:
            kind, priority = ALERTS[name]
            if priority > found.get(kind, ("0",))[0]:
                found[kind] = (priority, name)
    return found


def operation_state_of(status, progress=None):
    """The neutral operation state of a ``MachineStatus`` (and the progress
    frame seen with it, while brewing)."""
    if progress is not None and not progress.is_complete:
        return "run"
    if status is not None and status.errors:
        return "actionrequired"
    return "ready"


class JuraVocabulary(Component):
    _name = "coffee.jura.vocabulary"
    _inherit = "coffee.vocabulary"
    _api_type = "jura"

    def program_kind(self, program_key):
        return "beverage"

    def counter_family(self, counter_key):
        key = counter_key or ""
        if key.startswith(PRODUCT_COUNTER_PREFIX):
            return key[len(PRODUCT_COUNTER_PREFIX) :]
        return None

    def is_total_counter(self, counter_key):
        return counter_key == TOTAL_COUNTER

    def counter_label(self, counter_key):
        return self.counter_family(counter_key) or ""

    def brew_family(self, program_key):
        return program_key or None
