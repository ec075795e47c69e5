# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect status and settings → the live state and counters of a machine.

A refresh costs one call (``status``) for a machine that is on and idle:
its ``OperationState`` says it is on (a machine in standby or off is
``Inactive``), so ``settings`` (``PowerState``) is read only for an
``Inactive`` machine, and ``programs/active`` (the program and its progress)
only while it brews. The mapper reads a plain dict ``{"status": {key:
value}, "settings": {key: value}, "active": Program or None}``; the counters
(``...Status.BeverageCounter*``) go to ``coffee.machine._record_counters``,
which turns their growth since the last refresh into brew-log entries of
origin "machine panel" (see ``models/coffee_machine/counters.py``).

A machine seen ready that has never had its catalogue imported (it was off
at the first attempt) gets a catalogue import queued.
"""

from odoo import fields

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.queue_job.job import identity_exact

from coffee_machine.homeconnect import keys

from .keys import operation_state_of, power_state_of

BREWING_STATES = ("run", "pause", "delayedstart", "aborting")


class HomeConnectStateImportMapper(Component):
    _name = "coffee.homeconnect.state.import.mapper"
    _inherit = "coffee.import.mapper"
    _usage = "state.import.mapper"
    _apply_on = "coffee.machine"
    _api_type = "homeconnect"

    @mapping
    def operation(self, record):
        status = record["status"]
        return {
            "operation_state": operation_state_of(
                status.get(keys.STATUS_OPERATION_STATE)
            ),
            "remote_start_allowed": bool(status.get(keys.STATUS_REMOTE_START_ALLOWED)),
            "remote_control_active": bool(
                status.get(keys.STATUS_REMOTE_CONTROL_ACTIVE)
            ),
            "local_control_active": bool(status.get(keys.STATUS_LOCAL_CONTROL_ACTIVE)),
        }

    @mapping
    def power(self, record):
        power = record["settings"].get(keys.SETTING_POWER_STATE)
        if power is None and operation_state_of(
            record["status"].get(keys.STATUS_OPERATION_STATE)
        ) not in ("inactive", "unknown"):
            return {"power_state": "on"}  # settings not read: it works, it is on
        return {"power_state": power_state_of(power)}

    @mapping
    def door(self, record):
        door = record["status"].get(keys.STATUS_DOOR_STATE)
        return {"door_state": keys.short_name(door) if door else False}

    @mapping
    def active_program(self, record):
        program = record["active"]
        if program is None:
            return {
                "active_program_key": False,
                "program_progress": 0,
                "remaining_seconds": 0,
            }
        return {
            "active_program_key": program.key,
            "program_progress": int(
                program.option_value(keys.OPTION_PROGRAM_PROGRESS, 0) or 0
            ),
            "remaining_seconds": int(
                program.option_value(keys.OPTION_REMAINING_PROGRAM_TIME, 0) or 0
            ),
        }

    @mapping
    def connected(self, record):
        """It answered: it is connected."""
        return {"connected": True, "sync_message": False}


class HomeConnectStateImporter(Component):
    _name = "coffee.homeconnect.state.importer"
    _inherit = "coffee.importer"
    _apply_on = "coffee.machine"
    _usage = "state.importer"
    _api_type = "homeconnect"

    def run(self, machine):
        """Refresh ``machine``; return what was seen."""
        adapter = self.backend_adapter
        ha_id = machine.external_id
        status = {item.key: item.value for item in adapter.call("get_status", ha_id)}
        operation = operation_state_of(status.get(keys.STATUS_OPERATION_STATE))
        settings = {}
        if operation in ("inactive", "unknown"):
            settings = {
                item.key: item.value for item in adapter.call("get_settings", ha_id)
            }
        active = None
        if operation in BREWING_STATES:
            active = adapter.call("get_active_program", ha_id)
        mapper = self.component(usage="state.import.mapper")
        values = mapper.map_record(
            {"status": status, "settings": settings, "active": active}
        ).values()
        if active and active.key != machine.active_program_key:
            # a start the event stream did not show: whose is it?
            options = {option.key: option.value for option in active.options}
            values["panel_run"] = machine._panel_run(
                active.key, options, values["local_control_active"]
            )
        now = fields.Datetime.now()
        counters = {
            key: value
            for key, value in status.items()
            if key.startswith(keys.COUNTER_PREFIX) and isinstance(value, int)
        }
        panel_run = machine._ended_panel_run(values["active_program_key"])
        logged = machine._record_counters(counters, now, panel_run)
        machine.write(dict(values, state_sync_date=now, state_read_date=now))
        self._after_refresh(machine)
        return machine._state_summary(logged)

    def _after_refresh(self, machine):
        if machine.display_state == "ready" and not machine.catalogue_sync_date:
            machine.with_delay(identity_key=identity_exact)._import_catalogue()
