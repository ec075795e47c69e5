# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect events → maintenance requests, activities, connection state.

Home Connect has no endpoint to poll a machine's alerts: they come only on
the event stream, as EVENT items whose value is
``BSH.Common.EnumType.EventPresentState.Present`` (the condition appeared),
``Off`` (it is gone) or ``Confirmed`` (a person acknowledged it on the
machine). The event reader (``odoo coffee-events``) queues them, as plain
dicts ``{"ha_id", "key", "value", "timestamp"}``, for
``coffee.backend._handle_events``, which hands them to this component.

Which event is what (``ALERTS`` and ``LIGHT_ALERTS`` below):

* a condition that stops the machine or needs a person with a tool or a
  product (beans, water, drip tray, descaling, cleaning, calc'n'clean: due,
  overdue, blocked) opens a **maintenance request** on the equipment. One
  kind of alert has at most one open request per machine: "descaling
  overdue" raises the priority of the open "descaling" request instead of
  opening another one. ``Off`` or ``Confirmed`` closes it;
* a countdown warning ("descaling in 20 cups", "calc'n'clean in 5 cups") or
  "keep the milk tank cool" is only a heads-up: it becomes a **to-do
  activity** on the equipment, updated as the countdown goes on, and marked
  done when the machine clears it. Four maintenance requests for one
  descaling would only bury the one that matters;
* ``BSH.Common.Appliance.Connected`` / ``Disconnected`` update whether the
  machine is online;
* ``BSH.Common.Event.ProgramFinished`` / ``ProgramAborted`` settle the brews
  ordered from Odoo that the machine was brewing (done or failed) at once,
  instead of at the next look of their follow job.

Other keys (option changes...) are ignored here.
"""

from odoo import _

from odoo.addons.component.core import Component

from coffee_machine.homeconnect import keys

#: event key → (alert kind, priority of the maintenance request)
ALERTS = {
    keys.EVENT_BEAN_CONTAINER_EMPTY: ("beans_empty", "2"),
    keys.EVENT_WATER_TANK_EMPTY: ("water_empty", "2"),
    keys.EVENT_DRIP_TRAY_FULL: ("drip_tray_full", "2"),
    keys.EVENT_SHOULD_BE_DESCALED: ("descaling", "1"),
    keys.EVENT_DESCALING_OVERDUE: ("descaling", "2"),
    keys.EVENT_DESCALING_BLOCKAGE: ("descaling", "3"),
    keys.EVENT_SHOULD_BE_CLEANED: ("cleaning", "1"),
    keys.EVENT_CLEANING_OVERDUE: ("cleaning", "2"),
    keys.EVENT_SHOULD_BE_CALC_N_CLEANED: ("calc_n_clean", "1"),
    keys.EVENT_CALC_N_CLEAN_OVERDUE: ("calc_n_clean", "2"),
    keys.EVENT_CALC_N_CLEAN_BLOCKAGE: ("calc_n_clean", "3"),
}
#: event key → alert kind of a to-do activity
LIGHT_ALERTS = {
    **{key: "descaling_soon" for key in keys.EVENT_DESCALING_IN.values()},
    **{key: "calc_n_clean_soon" for key in keys.EVENT_CALC_N_CLEAN_IN.values()},
    keys.EVENT_KEEP_MILK_TANK_COOL: "milk_tank_cool",
}
CLEARED = (keys.EVENT_OFF, keys.EVENT_CONFIRMED)
PROGRAM_ENDED = (keys.EVENT_PROGRAM_FINISHED, keys.EVENT_PROGRAM_ABORTED)


class HomeConnectEventHandler(Component):
    _name = "coffee.homeconnect.event.handler"
    _inherit = "base.coffee.connector"
    _apply_on = "coffee.machine"
    _usage = "event.handler"
    _api_type = "homeconnect"

    def run(self, events):
        """Apply ``events`` (dicts); return a summary in words."""
        done = {"opened": 0, "closed": 0, "updated": 0, "ignored": 0}
        binder = self.binder_for("coffee.machine")
        for event in events:
            machine = binder.to_internal(event.get("ha_id") or "")
            outcome = self._handle(machine, event) if machine else "ignored"
            done[outcome or "ignored"] += 1
        return _(
            "%(opened)d alert(s) opened, %(closed)d closed, %(updated)d "
            "updated, %(ignored)d event(s) ignored.",
            **done,
        )

    def _handle(self, machine, event):
        key, value = event.get("key"), event.get("value")
        if key in ALERTS:
            kind, priority = ALERTS[key]
            if value == keys.EVENT_PRESENT:
                return machine._open_alert(kind, priority, key)
            if value in CLEARED:
                return machine._close_alert(kind, key)
        elif key in LIGHT_ALERTS:
            kind = LIGHT_ALERTS[key]
            if value == keys.EVENT_PRESENT:
                return machine._schedule_alert_activity(kind, key)
            if value in CLEARED:
                return machine._close_alert_activity(kind, key)
        elif key in PROGRAM_ENDED:
            if value == keys.EVENT_PRESENT and self.env[
                "coffee.brew"
            ]._on_program_ended(machine):
                return "updated"
        elif key in (keys.EVENT_APPLIANCE_CONNECTED, keys.EVENT_APPLIANCE_DISCONNECTED):
            connected = key == keys.EVENT_APPLIANCE_CONNECTED
            if machine.connected != connected:
                machine.connected = connected
                return "updated"
        return None
