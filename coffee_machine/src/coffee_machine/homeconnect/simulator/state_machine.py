"""One coffee machine, as its manual would describe it.

Read this like the manual of a bean-to-cup machine: :class:`CoffeeMachine`
does what it says. This module holds the machine's core: its state, power,
remote start, settings, connection, and the OperationState they add up to.
The rest comes in layers below it (drawn in :mod:`.machine_base`): what the
API reads (:mod:`.machine_api`), brewing (:mod:`.brewing`), supplies and
maintenance (:mod:`.care`), and how every change is published
(:mod:`.machine_base`).

*Switching on.* The machine is ``On``, in ``Standby`` or ``Off``
(``BSH.Common.Setting.PowerState``). Only when it is on is it ``Ready``;
otherwise its ``OperationState`` is ``Inactive``.

*Remote start.* The machine brews on a remote order only while
``RemoteControlStartAllowed`` is true. The user switches it on at the machine
(:meth:`CoffeeMachine.allow_remote_start`); it lapses by itself after
``remote_start_ttl`` seconds.

*Asking for a beverage* (:meth:`CoffeeMachine.start_program`). The machine
checks, in this order, and refuses with the first that fails (HTTP 409):

1. it is connected to the cloud .......... ``SDK.Error.HomeAppliance.Connection.
   Initialization.Failed``
2. it is switched on ...................... ``SDK.Error.WrongOperationState``
3. remote start is allowed ............... ``SDK.Error.RemoteStartNotAllowed``
4. nothing is brewing ..................... ``SDK.Error.WrongOperationState``
5. it knows the program ................. ``SDK.Error.UnsupportedProgram``
   and the program can run now ......... ``SDK.Error.ProgramNotAvailable``
6. it knows every option ................. ``SDK.Error.UnsupportedOption``
7. every value is allowed (range, step, list) ``SDK.Error.InvalidOptionValue``
8. no action is required (beans, water, drip tray, descaling or
   calc'n'clean blockage, error) ........ ``SDK.Error.WrongOperationState``

A beverage ordered at the machine's own panel (:meth:`brew_at_panel`) skips
1 and 3: the machine is standing in front of its user.

*Choosing before brewing.* An app may select a beverage
(:meth:`select_program`) and adjust its options
(:meth:`set_selected_options`) while the machine is on and idle; the user
then starts it at the machine. With nothing selected that is refused
(``SDK.Error.SelectedProgramNotSet``), and an option is checked like a
start's (6 and 7 above). The beverage being brewed takes no change: an
option it has is refused with ``SDK.Error.WrongOperationState``, one it does
not have with ``SDK.Error.UnsupportedOption``, and with nothing brewing
``SDK.Error.ActiveProgramNotSet`` (:meth:`set_active_options`).

*Brewing.* A beverage takes ``brew_seconds``; the active program carries
``BSH.Common.Option.ProgramProgress`` (%) and ``RemainingProgramTime`` (s).
When it is done the machine is ``Finished`` for ``finished_seconds``, then
``Ready`` again; it has grown its beverage counters, used beans and water,
filled its drip tray a little and counted down to its next descaling,
cleaning and calc'n'clean. Stopping it (:meth:`stop_program`) aborts it.

*Needing care.* When the beans or the water run out or the drip tray is full,
the machine says so (an EVENT ``Present``), goes to ``ActionRequired`` and
brews nothing until someone fills, empties, descales or cleans it (the
helpers of :mod:`.care`; the EVENT then turns ``Off``). Twenty cups before
descaling is due it starts warning (DescalingIn20Cups, 15, 10, 5), then asks
to be descaled, then says it is overdue, and at last blocks.

*Settings and commands.* PowerState, ChildLock and CupWarmer are changed one
at a time (:meth:`put_setting`) or together (:meth:`put_settings`: all
known, or none changed). The one command a coffee maker takes is
``BSH.Common.Command.AcknowledgeEvent`` with value ``true``: the alerts that
ask to be acknowledged turn ``Confirmed`` (:meth:`run_commands`); any other
command is refused with 403 ``SDK.Error.UnsupportedCommand``, the only
refusal the specification gives commands.

Every change is published (STATUS, EVENT, NOTIFY) through the ``publish``
callback the simulator gives; nothing is published while the machine is
offline. All time comes from the simulator's clock.

>>> from .clock import ManualClock
>>> clock = ManualClock()
>>> machine = CoffeeMachine("BOSCH-HCS06COM1-000000000001", "Kitchen", clock=clock)
>>> machine.start_program(keys.PROGRAM_ESPRESSO, {keys.OPTION_FILL_QUANTITY: 40})
>>> machine.operation_state == keys.OPERATION_RUN
True
>>> clock.advance(30)
>>> machine.counters[keys.COUNTER_PREFIX + "RistrettoEspresso"]
1
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import keys
from .brewing import TOTAL_COUNTER, ActiveProgram
from .care import Countdown, make_countdowns
from .catalogue import Catalogue, build_catalogue
from .clock import Clock
from .errors import MachineError
from .machine_api import MachineApi
from .machine_base import Publish

__all__ = [
    "TOTAL_COUNTER",
    "ActiveProgram",
    "CoffeeMachine",
    "Countdown",
    "MachineError",
    "MachineSettings",
    "Publish",
]


@dataclass
class MachineSettings:
    """How a simulated machine behaves: times in simulated seconds."""

    brew_seconds: float = 30.0
    finished_seconds: float = 5.0
    remote_start_ttl: float = 86400.0
    remote_start_allowed: bool = True  # at power-up, as on the hosted simulator
    progress_steps: int = 4  # NOTIFY ProgramProgress every 25 %
    allowed_power_states: tuple[str, ...] = (keys.POWER_ON, keys.POWER_STANDBY)
    bean_capacity_g: int = 250
    bean_empty_below_g: int = 7  # less than the mildest cup
    water_capacity_ml: int = 1800
    water_empty_below_ml: int = 35
    drip_tray_capacity_cups: int = 16
    descale_every_cups: int = 200
    clean_every_cups: int = 200
    calc_n_clean_every_cups: int = 400
    overdue_after_cups: int = 20  # cups after "should be" → "overdue"
    blockage_after_cups: int = 40  # cups after "should be" → blocked


class CoffeeMachine(MachineApi):
    """A simulated Home Connect coffee machine (see the module docstring)."""

    def __init__(
        self,
        ha_id: str,
        name: str,
        *,
        clock: Clock,
        catalogue: Catalogue | None = None,
        settings: MachineSettings | None = None,
        brand: str = "Bosch",
        vib: str = "HCS06COM1",
        enumber: str = "HCS06COM1/03",
        publish: Publish | None = None,
        lock: threading.RLock | None = None,
    ):
        self.ha_id = ha_id
        self.name = name
        self.brand = brand
        self.vib = vib
        self.enumber = enumber
        self.clock = clock
        self.catalogue = catalogue or build_catalogue()
        self.settings = settings or MachineSettings()
        self._publish = publish
        self._lock = lock or threading.RLock()
        s = self.settings

        self.connected = True
        self.power_state = keys.POWER_ON
        self.operation_state = keys.OPERATION_READY
        self.remote_control_active = True
        self.remote_start_allowed = False
        self.local_control_active = False
        self.door_state = keys.DOOR_CLOSED
        self.child_lock = False
        self.cup_warmer = False
        self.error = False
        self.active = None
        self.selected = None
        self.counters = {TOTAL_COUNTER: 0}
        self.counters.update((counter, 0) for counter in keys.COUNTERS)
        self.beans_g = s.bean_capacity_g
        self.water_ml = s.water_capacity_ml
        self.drip_tray_cups = 0
        self.countdowns = make_countdowns(s)
        self.present_events = set()
        self.confirmed_events = set()
        self.brews = []
        self._remote_start_timer = None
        self._finished_timer = None
        if s.remote_start_allowed:  # as delivered: allowed, lapsing (no event)
            self.remote_start_allowed = True
            self.allow_remote_start()

    # ------------------------------------------------------------------ power --
    def set_power(self, state: str) -> None:
        """Switch On, to Standby or Off (a value outside the allowed ones: 409)."""
        with self._lock:
            if state not in self.settings.allowed_power_states:
                raise MachineError(
                    keys.ERROR_INVALID_SETTING_STATE,
                    f"{keys.SETTING_POWER_STATE} cannot be set to {state}",
                )
            if state == self.power_state:
                return
            if state != keys.POWER_ON and self.active is not None:
                self._abort()
            self.power_state = state
            self._notify(keys.SETTING_POWER_STATE, state, uri=self._setting_uri)
            self._settle_operation_state()

    # ------------------------------------------------------------ remote start --
    def allow_remote_start(self) -> None:
        """The user presses "remote start" on the machine: allowed for a while."""
        with self._lock:
            if self._remote_start_timer is not None:
                self._remote_start_timer.cancel()
            self._remote_start_timer = self.clock.call_later(
                self.settings.remote_start_ttl, self.disallow_remote_start
            )
            if not self.remote_start_allowed:
                self.remote_start_allowed = True
                self._status(keys.STATUS_REMOTE_START_ALLOWED, True)

    def disallow_remote_start(self) -> None:
        """Remote start lapses (or the user switches it off)."""
        with self._lock:
            if self._remote_start_timer is not None:
                self._remote_start_timer.cancel()
                self._remote_start_timer = None
            if self.remote_start_allowed:
                self.remote_start_allowed = False
                self._status(keys.STATUS_REMOTE_START_ALLOWED, False)

    # --------------------------------------------------------------- settings --
    def settings_items(self) -> list[tuple[str, Any, str | None]]:
        with self._lock:
            self._require_connected()
            return [
                (keys.SETTING_POWER_STATE, self.power_state, None),
                (keys.SETTING_CHILD_LOCK, self.child_lock, None),
                (keys.SETTING_CUP_WARMER, self.cup_warmer, None),
            ]

    def setting_item(self, key: str) -> tuple[str, Any, str | None]:
        for item in self.settings_items():
            if item[0] == key:
                return item
        raise MachineError(keys.ERROR_UNSUPPORTED_SETTING, f"Setting {key} unsupported")

    def put_setting(self, key: str, value: Any) -> None:
        """Change a setting through the API."""
        with self._lock:
            self._require_connected()
            if key == keys.SETTING_POWER_STATE:
                self.set_power(value)
                return
            attribute = {
                keys.SETTING_CHILD_LOCK: "child_lock",
                keys.SETTING_CUP_WARMER: "cup_warmer",
            }.get(key)
            if attribute is None:
                raise MachineError(
                    keys.ERROR_UNSUPPORTED_SETTING, f"Setting {key} unsupported"
                )
            if not isinstance(value, bool):
                raise MachineError(
                    keys.ERROR_INVALID_SETTING_STATE, f"{key} takes true or false"
                )
            if getattr(self, attribute) != value:
                setattr(self, attribute, value)
                self._notify(key, value, uri=self._setting_uri)

    def put_settings(self, items: Mapping[str, Any]) -> None:
        """Change several settings at once: every key known, or none changed."""
        with self._lock:
            for key in items:
                self.setting_item(key)
            for key, value in items.items():
                self.put_setting(key, value)

    # --------------------------------------------------------------- commands --
    def run_commands(self, commands: Mapping[str, Any]) -> None:
        """Run commands (``{key: value}``): all are checked before any runs."""
        with self._lock:
            self._require_connected()
            for key, value in commands.items():
                self._check_command(key, value)
            if commands:
                self.acknowledge_events()

    def _check_command(self, key: str, value: Any) -> None:
        if key != keys.COMMAND_ACKNOWLEDGE_EVENT:
            raise MachineError(
                keys.ERROR_UNSUPPORTED_COMMAND,
                f"Command {key} is not supported by a coffee maker",
                403,
            )
        if value is not True:
            raise MachineError(
                keys.ERROR_UNSUPPORTED_COMMAND, f"{key} takes the value true", 403
            )

    # -------------------------------------------------------- care and errors --
    def set_error(self, error: bool = True) -> None:
        """Put the machine in (or out of) OperationState Error."""
        with self._lock:
            self.error = error
            if self.active is None:
                self._settle_operation_state()

    # ------------------------------------------------------ identity, connection --
    def rename(self, name: str) -> None:
        with self._lock:
            self.name = name

    def set_connected(self, connected: bool) -> None:
        """Lose or regain the cloud connection (CONNECTED / DISCONNECTED)."""
        with self._lock:
            if connected == self.connected:
                return
            key = (
                keys.EVENT_APPLIANCE_CONNECTED
                if connected
                else keys.EVENT_APPLIANCE_DISCONNECTED
            )
            item = self._item(key, True, f"/api/homeappliances/{self.ha_id}")
            if connected:
                self.connected = True
                self._emit("CONNECTED", [item])
            else:
                self._emit("DISCONNECTED", [item])
                self.connected = False

    # -------------------------------------------------------- operation state --
    def _back_to_ready(self) -> None:
        with self._lock:
            if self.operation_state == keys.OPERATION_FINISHED:
                self._settle_operation_state()

    def _settle_operation_state(self, *, finished: bool = False) -> None:
        """Derive OperationState from power, activity and required actions."""
        if self.power_state != keys.POWER_ON:
            state = keys.OPERATION_INACTIVE
        elif self.active is not None:
            state = keys.OPERATION_RUN
        elif self.error:
            state = keys.OPERATION_ERROR
        elif self.actions_required():
            state = keys.OPERATION_ACTION_REQUIRED
        elif finished:
            state = keys.OPERATION_FINISHED
            self._finished_timer = self.clock.call_later(
                self.settings.finished_seconds, self._back_to_ready
            )
        else:
            state = keys.OPERATION_READY
        self._set_operation_state(state)
