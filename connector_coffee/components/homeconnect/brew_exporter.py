# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The brew exporter's Home Connect words: how to read, wake, start and stop.

The flow (exactly once, start slots, follow) is protocol-neutral and lives in
``components/brew_exporter.py``; this component says how Home Connect does
each step:

* reading a machine: ``status`` (``OperationState``,
  ``RemoteControlStartAllowed`` and the ``BeverageCounter*`` counters), one
  call; ``settings`` (``PowerState``) as well only when it is ``Inactive``
  (in standby or off);
* the active program (``programs/active``, with ``ProgramProgress``);
* waking: ``PowerState`` set to ``On``;
* starting: ``PUT programs/active`` with the program key and options;
* stopping: ``DELETE programs/active``;
* at most 5 starts a minute per account.
"""

from odoo import _

from odoo.addons.component.core import Component

from ..brew_exporter import ActiveProgram, MachineReading
from .keys import operation_state_of, power_state_of

try:
    from coffee_machine.homeconnect import client as hc
    from coffee_machine.homeconnect import keys
except ImportError:  # pragma: no cover - declared in external_dependencies
    hc = keys = None


class HomeConnectBrewExporter(Component):
    _name = "coffee.homeconnect.brew.exporter"
    _inherit = "coffee.brew.exporter"
    _api_type = "homeconnect"

    _starts_per_minute = 5

    @staticmethod
    def _ha_id(brew):
        return brew.machine_id.external_id

    def _read_machine(self, brew):
        """One call (``status``) for a machine that works; ``settings`` too
        for one that is ``Inactive``, to tell standby from off."""
        ha_id = self._ha_id(brew)
        status = {
            item.key: item.value
            for item in self.backend_adapter.call("get_status", ha_id)
        }
        operation = operation_state_of(status.get(keys.STATUS_OPERATION_STATE))
        power = "on"
        if operation in ("inactive", "unknown"):
            settings = {
                item.key: item.value
                for item in self.backend_adapter.call("get_settings", ha_id)
            }
            power = power_state_of(settings.get(keys.SETTING_POWER_STATE))
        return MachineReading(
            power=power,
            operation=operation,
            remote_start=bool(status.get(keys.STATUS_REMOTE_START_ALLOWED)),
            counters={
                key: value
                for key, value in status.items()
                if key.startswith(keys.COUNTER_PREFIX) and isinstance(value, int)
            },
        )

    def _read_active_program(self, brew):
        program = self.backend_adapter.call("get_active_program", self._ha_id(brew))
        if program is None:
            return None
        progress = program.option_value(keys.OPTION_PROGRAM_PROGRESS)
        remaining = program.option_value(keys.OPTION_REMAINING_PROGRAM_TIME)
        return ActiveProgram(
            key=program.key,
            options={option.key: option.value for option in program.options},
            progress=int(progress) if isinstance(progress, int | float) else None,
            remaining=int(remaining) if isinstance(remaining, int | float) else None,
        )

    def _wake(self, brew):
        self.backend_adapter.call(
            "put_setting", self._ha_id(brew), keys.SETTING_POWER_STATE, keys.POWER_ON
        )

    def _start(self, brew):
        self.backend_adapter.call(
            "start_program", self._ha_id(brew), brew.program_key, brew.options or {}
        )

    def _stop(self, brew):
        self.backend_adapter.call("stop_program", self._ha_id(brew))

    def _brewed_counters(self, brew):
        """The total and the counters of the brew's family (ground coffee, not
        beans, counts as ``PowderCoffee``)."""
        families = keys.counter_families(brew.program_key)
        bean_amount = (brew.options or {}).get(keys.OPTION_BEAN_AMOUNT) or ""
        if families and keys.short_name(bean_amount) == "CoffeeGround":
            families = ("PowderCoffee",)
        return [keys.COUNTER_PREFIX] + [
            keys.COUNTER_PREFIX + family for family in families
        ]

    def _refusal_is_temporary(self, error):
        api_error = error.api_error
        return isinstance(api_error, hc.WrongOperationStateError) and not isinstance(
            api_error, hc.RemoteStartNotAllowedError
        )

    def _refusal_message(self, brew, error):
        api_error = error.api_error
        if isinstance(api_error, hc.RemoteStartNotAllowedError):
            return _(
                "Remote start is switched off on the machine: enable it on the "
                "machine's panel, then order again."
            )
        if isinstance(api_error, hc.WrongOperationStateError):
            return _(
                "The machine is busy, or not ready (%(detail)s): the brew will "
                "be sent again shortly.",
                detail=api_error.description or api_error,
            )
        if isinstance(api_error, hc.UnsupportedError):
            return _(
                "The machine refused %(brew)s with these options "
                "(%(detail)s): its programs may have changed; refresh its "
                "catalogue and order again.",
                brew=brew.name,
                detail=api_error.description or api_error,
            )
        return str(error)
