# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A JURA machine's status, progress and counters → its live state and alerts.

One connection per refresh: the status the dongle pushes (its alert bits),
or the progress of the product it brews, and the per-product counters
(``@TR:32``). The counters go to ``coffee.machine._record_counters`` (panel
beverages logged, see ``models/coffee_machine/counters.py``); the alert
bits Odoo follows (``keys.ALERTS``) open a maintenance request each, and a
request whose bit is gone is closed: with no event stream, each refresh
compares what the machine shows with what is open.

JURA has no cloud and no quota, so the machines are polled: the state cron
(every 15 minutes by default) can run far more often on a LAN; one
connection at a time per machine is kept by the adapter.
"""

from odoo import _, fields

from odoo.addons.component.core import Component

from .keys import ALERT_KINDS, alerts_of, operation_state_of


class JuraStateImporter(Component):
    _name = "coffee.jura.state.importer"
    _inherit = "coffee.importer"
    _apply_on = "coffee.machine"
    _usage = "state.importer"
    _api_type = "jura"

    def run(self, machine):
        """Refresh ``machine``; return what was seen."""
        adapter = self.backend_adapter
        with adapter.session() as client:
            reading = adapter.read_machine(client)
        now = fields.Datetime.now()
        logged = machine._record_counters(reading.counters, now)
        values = {
            "connected": True,
            "sync_message": False,
            "power_state": "on",
            "remote_start_allowed": True,
            "operation_state": (
                "run"
                if reading.brewing
                else operation_state_of(reading.status, reading.progress)
            ),
            "active_program_key": reading.product or False,
            "program_progress": (reading.progress.percent or 0)
            if reading.brewing
            else 0,
            "state_sync_date": now,
            "state_read_date": now,
        }
        machine.write(values)
        summary = machine._state_summary(logged)
        if reading.status is not None:
            changes = self._sync_alerts(machine, alerts_of(reading.status))
            if changes:
                summary += " " + changes
        return summary

    def _sync_alerts(self, machine, present):
        opened = closed = 0
        for kind, (priority, name) in present.items():
            if machine._open_alert(kind, priority, name) == "opened":
                opened += 1
        for kind in ALERT_KINDS:
            if kind not in present and machine._close_alert(kind, kind) == "closed":
                closed += 1
        if not (opened or closed):
            return ""
        return _(
            "%(opened)d alert(s) opened, %(closed)d closed.",
            opened=opened,
            closed=closed,
        )
