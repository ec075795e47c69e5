# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The JURA hooks of the brew exporter (the flow is ``components/brew_exporter.py``).

* reading the machine: one connection, its pushed status (or progress) and
  its per-product counters; the counters of a brew are the total and its
  product's;
* the start: ``JuraClient.brew(product, strength=, ml=, temperature=)``,
  the parameters ``jura-connect`` verified by brewing on hardware, validated
  against the machine's profile before they go on the wire. A lost answer
  is a ``MachineUnreachable``: the exporter then looks at the counters
  before anything is sent again;
* no wake and no stop: switching a machine on and stopping a product over
  the network are not verified on hardware by ``jura-connect``, so Odoo
  never asks for them (a brew for a machine that is off fails with a
  message; a JURA brew cannot be stopped from Odoo).

The progress a JURA machine pushes names the product, not the options it
brews with: a product running after a start whose answer was lost is taken
for the brew, and its counters settle it.
"""

from odoo import _

from odoo.addons.component.core import Component

from ...exceptions import MachineRefused
from ..brew_exporter import ActiveProgram, MachineReading
from .keys import TOTAL_COUNTER, counter_key, operation_state_of

#: option key of a brew → keyword of ``JuraClient.brew``
BREW_KEYWORDS = {
    "coffee_strength": "strength",
    "water_amount": "ml",
    "temperature": "temperature",
}


class JuraBrewExporter(Component):
    _name = "coffee.jura.brew.exporter"
    _inherit = "coffee.brew.exporter"
    _api_type = "jura"

    #: a LAN dongle has no start quota; one product at a time is the machine's
    _starts_per_minute = None
    _busy_retry_seconds = 10
    _follow_margin_seconds = 3

    def _reading(self, counters=True):
        adapter = self.backend_adapter
        with adapter.session() as client:
            return adapter.read_machine(client, counters=counters)

    def _read_machine(self, brew):
        reading = self._reading()
        return MachineReading(
            power="on",
            operation="run"
            if reading.brewing
            else operation_state_of(reading.status, reading.progress),
            remote_start=True,
            counters=reading.counters,
        )

    def _read_active_program(self, brew):
        reading = self._reading(counters=False)
        if not reading.brewing:
            return None
        return ActiveProgram(key=reading.product, progress=reading.progress.percent)

    def _is_this_brew(self, brew, active):
        """The product is all the machine says of what it brews."""
        return active.key == brew.program_key

    def _wake(self, brew):
        raise MachineRefused(
            _("A JURA machine is not switched on from Odoo: switch it on.")
        )

    def _start(self, brew):
        kwargs = {
            BREW_KEYWORDS[key]: value
            for key, value in (brew.options or {}).items()
            if key in BREW_KEYWORDS
        }
        reply = self.backend_adapter.call(
            "brew",
            brew.program_key,
            timeout=brew.backend_id.request_timeout or 10,
            **kwargs,
        )
        if reply.strip().lower() != "@tp":  # @tp:00, @an:error: not taken
            raise MachineRefused(
                _("The machine refused the product (%(reply)s).", reply=reply)
            )

    def _stop(self, brew):
        raise MachineRefused(
            _(
                "Stopping a JURA machine from Odoo is not verified on hardware: "
                "stop it at its panel."
            )
        )

    def _brewed_counters(self, brew):
        return [TOTAL_COUNTER, counter_key(brew.program_key)]

    def _refusal_is_temporary(self, error):
        return False
