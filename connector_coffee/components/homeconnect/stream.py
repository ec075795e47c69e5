# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect STATUS and NOTIFY frames → the live state of a machine, free.

The event stream already says everything a state refresh would read, as it
happens, and costs no call of the daily quota:

==========================================  ==================================
item (frame)                                field of ``coffee.machine``
==========================================  ==================================
``Status.OperationState`` (STATUS)          ``operation_state``
``Status.RemoteControlStartAllowed``,       ``remote_start_allowed``,
``RemoteControlActive``,                    ``remote_control_active``,
``LocalControlActive`` (STATUS)             ``local_control_active``
``Status.DoorState`` (STATUS)               ``door_state``
``Status.BeverageCounter*`` (STATUS)        the counters (and the panel
                                            brew-log entries their growth
                                            implies, see ``counters.py``)
``Setting.PowerState`` (NOTIFY)             ``power_state``
``Root.ActiveProgram`` (NOTIFY)             ``active_program_key`` (the
                                            values of its options, in the
                                            same frame, tell whose start it
                                            is: ``panel_run``)
``Option.ProgramProgress``,                 ``program_progress``,
``RemainingProgramTime`` (NOTIFY)           ``remaining_seconds`` (and the
                                            progress of the Odoo brew)
==========================================  ==================================

The event reader (``odoo coffee-events``) hands each frame of a known machine
to :meth:`HomeConnectStreamState.apply`, in order, one frame per transaction:
the order of the frames is the order of the changes, which a job queue would
not keep. Everything else (alerts, programs ended, machines paired) still
goes through jobs.
"""

from odoo.addons.component.core import Component

from coffee_machine.homeconnect import keys

from .keys import operation_state_of, power_state_of

#: status key → (field, how its value becomes the field's)
STATUS_FIELDS = {
    keys.STATUS_OPERATION_STATE: ("operation_state", operation_state_of),
    keys.STATUS_REMOTE_START_ALLOWED: ("remote_start_allowed", bool),
    keys.STATUS_REMOTE_CONTROL_ACTIVE: ("remote_control_active", bool),
    keys.STATUS_LOCAL_CONTROL_ACTIVE: ("local_control_active", bool),
    keys.STATUS_DOOR_STATE: ("door_state", keys.short_name),
    keys.SETTING_POWER_STATE: ("power_state", power_state_of),
    keys.ROOT_ACTIVE_PROGRAM: ("active_program_key", lambda value: value or False),
    keys.OPTION_PROGRAM_PROGRESS: ("program_progress", lambda value: int(value or 0)),
    keys.OPTION_REMAINING_PROGRAM_TIME: (
        "remaining_seconds",
        lambda value: int(value or 0),
    ),
}


class HomeConnectStreamState(Component):
    _name = "coffee.homeconnect.stream.state"
    _inherit = "base.coffee.connector"
    _apply_on = "coffee.machine"
    _usage = "stream.state"
    _api_type = "homeconnect"

    def apply(self, machine, items):
        """Apply the items of one STATUS or NOTIFY frame to ``machine``.

        ``items`` are the library's ``EventItem`` (``key``, ``value``).
        Returns whether the counters changed: the brews the machine was
        making may then be settled (``coffee.brew._settle_from_stream``).
        """
        values, counters = self.values(items)
        options = {
            item.key: item.value
            for item in items
            if item.key.startswith(keys.OPTION_PREFIX)
        }
        machine._apply_stream_state(values, counters, options or None)
        return bool(counters)

    @staticmethod
    def values(items):
        """``(field values, counters)`` said by ``items``; unknown keys ignored."""
        values, counters = {}, {}
        for item in items:
            if item.key.startswith(keys.COUNTER_PREFIX):
                if isinstance(item.value, int) and not isinstance(item.value, bool):
                    counters[item.key] = item.value
                continue
            known = STATUS_FIELDS.get(item.key)
            if known:
                field, convert = known
                values[field] = convert(item.value)
        return values, counters
