"""One coffee machine, as its manual would describe it.

Read :class:`CoffeeMachine` top to bottom like the manual of a bean-to-cup
machine:

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

*Brewing.* A beverage takes ``brew_seconds``; the active program carries
``BSH.Common.Option.ProgramProgress`` (%) and ``RemainingProgramTime`` (s).
When it is done the machine is ``Finished`` for ``finished_seconds``, then
``Ready`` again; it has grown its beverage counters, used beans and water,
filled its drip tray a little and counted down to its next descaling,
cleaning and calc'n'clean. Stopping it (:meth:`stop_program`) aborts it.

*Needing care.* When the beans or the water run out or the drip tray is full,
the machine says so (an EVENT ``Present``), goes to ``ActionRequired`` and
brews nothing until someone fills, empties, descales or cleans it (the
helpers below; the EVENT then turns ``Off``). Twenty cups before descaling is
due it starts warning (DescalingIn20Cups, 15, 10, 5), then asks to be
descaled, then says it is overdue, and at last blocks.

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

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import keys
from .catalogue import (
    BEAN_GRAMS,
    Catalogue,
    ProgramSpec,
    build_catalogue,
    event_style,
)
from .clock import Clock, Timer

#: ``publish(ha_id, event_type, items)``: how a machine tells the world.
Publish = Callable[[str, str, list[dict[str, Any]]], None]

TOTAL_COUNTER = keys.COUNTER_PREFIX


class MachineError(Exception):
    """The machine refuses: ``key`` and ``status`` are what the API answers."""

    def __init__(self, key: str, description: str, status: int = 409):
        super().__init__(f"{description} [{key}]")
        self.key = key
        self.description = description
        self.status = status


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


@dataclass
class Countdown:
    """A maintenance countdown in cups: warnings, due, overdue, blockage."""

    name: str
    every: int
    warnings: dict[int, str]  # cups left → event key
    due: str
    overdue: str
    blockage: str | None
    overdue_after: int
    blockage_after: int
    remaining: int = 0

    def __post_init__(self) -> None:
        self.remaining = self.every

    def events_at(self, remaining: int) -> list[str]:
        """The event keys that become present when ``remaining`` is reached."""
        if remaining in self.warnings:
            return [self.warnings[remaining]]
        if remaining == 0:
            return [self.due]
        if remaining == -self.overdue_after:
            return [self.overdue]
        if self.blockage and remaining == -self.blockage_after:
            return [self.blockage]
        return []

    def all_events(self) -> list[str]:
        events = [*self.warnings.values(), self.due, self.overdue]
        return events + ([self.blockage] if self.blockage else [])


@dataclass
class ActiveProgram:
    """The beverage being brewed."""

    spec: ProgramSpec
    options: dict[str, Any]
    started_at: float
    ends_at: float
    source: str  # "api" or "panel"
    timers: list[Timer] = field(default_factory=list)


class CoffeeMachine:
    """A simulated Home Connect coffee machine (see the module docstring)."""

    type = keys.APPLIANCE_TYPE

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
        self.catalogue: Catalogue = catalogue or build_catalogue()
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
        self.active: ActiveProgram | None = None
        self.selected: tuple[str, dict[str, Any]] | None = None
        self.counters: dict[str, int] = {TOTAL_COUNTER: 0}
        self.counters.update((counter, 0) for counter in keys.COUNTERS)
        self.beans_g = s.bean_capacity_g
        self.water_ml = s.water_capacity_ml
        self.drip_tray_cups = 0
        self.countdowns = {
            "descaling": Countdown(
                "descaling",
                s.descale_every_cups,
                keys.EVENT_DESCALING_IN,
                keys.EVENT_SHOULD_BE_DESCALED,
                keys.EVENT_DESCALING_OVERDUE,
                keys.EVENT_DESCALING_BLOCKAGE,
                s.overdue_after_cups,
                s.blockage_after_cups,
            ),
            "cleaning": Countdown(
                "cleaning",
                s.clean_every_cups,
                {},
                keys.EVENT_SHOULD_BE_CLEANED,
                keys.EVENT_CLEANING_OVERDUE,
                None,
                s.overdue_after_cups,
                s.blockage_after_cups,
            ),
            "calc_n_clean": Countdown(
                "calc_n_clean",
                s.calc_n_clean_every_cups,
                keys.EVENT_CALC_N_CLEAN_IN,
                keys.EVENT_SHOULD_BE_CALC_N_CLEANED,
                keys.EVENT_CALC_N_CLEAN_OVERDUE,
                keys.EVENT_CALC_N_CLEAN_BLOCKAGE,
                s.overdue_after_cups,
                s.blockage_after_cups,
            ),
        }
        #: EVENT keys currently Present (alerts the machine shows).
        self.present_events: set[str] = set()
        #: Every beverage started, API or panel: the simulator's own brew log.
        self.brews: list[dict[str, Any]] = []
        self._remote_start_timer: Timer | None = None
        self._finished_timer: Timer | None = None
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

    # -------------------------------------------------------------- brewing --
    def start_program(
        self,
        key: str,
        options: Mapping[str, Any] | None = None,
        *,
        source: str = "api",
    ) -> None:
        """Brew a beverage, or raise :class:`MachineError` with the API's key."""
        with self._lock:
            remote = source == "api"
            if remote:
                self._require_connected()
            if self.power_state != keys.POWER_ON:
                raise MachineError(
                    keys.ERROR_WRONG_OPERATION_STATE,
                    "The appliance is not switched on",
                )
            if remote and not self.remote_start_allowed:
                raise MachineError(
                    keys.ERROR_REMOTE_START_NOT_ALLOWED,
                    "Remote start is not allowed: enable it on the appliance",
                )
            if self.active is not None:
                raise MachineError(
                    keys.ERROR_WRONG_OPERATION_STATE,
                    "A program is already active",
                )
            spec = self._program(key)
            values = self._validated_options(spec, options or {})
            self._require_no_action_required()
            self._begin(spec, values, source)

    def brew_at_panel(
        self, program_key: str, options: Mapping[str, Any] | None = None
    ) -> None:
        """Brew as if someone pressed the beverage on the machine itself."""
        self.start_program(program_key, options, source="panel")

    def stop_program(self, *, source: str = "api") -> None:
        """Abort the beverage being brewed (409 WrongOperationState if none)."""
        with self._lock:
            if source == "api":
                self._require_connected()
            if self.active is None:
                raise MachineError(
                    keys.ERROR_WRONG_OPERATION_STATE, "No program is active"
                )
            self._abort()
            self._settle_operation_state()

    def select_program(
        self, key: str, options: Mapping[str, Any] | None = None
    ) -> None:
        """Select a program (shown on the display) without starting it."""
        with self._lock:
            self._require_connected()
            self._require_on_and_idle()
            spec = self._program(key)
            values = self._validated_options(spec, options or {})
            self.selected = (key, values)
            uri = f"/api/homeappliances/{self.ha_id}/programs/selected"
            self._notify(keys.ROOT_SELECTED_PROGRAM, key, uri=lambda _k: uri)

    def _begin(self, spec: ProgramSpec, values: dict[str, Any], source: str) -> None:
        now = self.clock.now()
        seconds = self.settings.brew_seconds
        self.active = ActiveProgram(spec, values, now, now + seconds, source)
        if self._finished_timer is not None:
            self._finished_timer.cancel()
        self.local_control_active = source == "panel"
        self.brews.append(
            {
                "program": spec.key,
                "options": dict(values),
                "source": source,
                "started_at": now,
                "result": "brewing",
            }
        )
        steps = max(1, self.settings.progress_steps)
        for step in range(1, steps):
            self.active.timers.append(
                self.clock.call_at(now + seconds * step / steps, self._progress)
            )
        self.active.timers.append(self.clock.call_at(now + seconds, self._finish))
        self._set_operation_state(keys.OPERATION_RUN)
        uri = f"/api/homeappliances/{self.ha_id}/programs/active"
        self._emit(
            "NOTIFY",
            [
                self._item(keys.ROOT_ACTIVE_PROGRAM, spec.key, uri),
                *self._progress_items(),
            ],
        )

    def _progress(self) -> None:
        with self._lock:
            if self.active is not None:
                self._emit("NOTIFY", self._progress_items())

    def _finish(self) -> None:
        """The beverage is in the cup: count it, use up what it used."""
        with self._lock:
            active = self.active
            if active is None:
                return
            self.active = None
            self.local_control_active = False
            self.brews[-1].update(result="finished", finished_at=self.clock.now())
            self._emit("NOTIFY", self._progress_items(done=True))
            self._count(active)
            self._consume(active)
            self._event(keys.EVENT_PROGRAM_FINISHED, keys.EVENT_PRESENT)
            self._settle_operation_state(finished=True)

    def _abort(self) -> None:
        active = self.active
        if active is None:
            return
        for timer in active.timers:
            timer.cancel()
        self.active = None
        self.local_control_active = False
        self.brews[-1].update(result="aborted", finished_at=self.clock.now())
        self._event(keys.EVENT_PROGRAM_ABORTED, keys.EVENT_PRESENT)

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

    # ------------------------------------------------------- counters, supplies --
    def _count(self, active: ActiveProgram) -> None:
        spec = active.spec
        if not spec.beverage:
            return
        families = spec.families
        bean_amount = active.options.get(keys.OPTION_BEAN_AMOUNT, "")
        if spec.grinds_beans and keys.short_name(bean_amount) == "CoffeeGround":
            families = ("PowderCoffee",)
        changed = [TOTAL_COUNTER]
        changed += [keys.COUNTER_PREFIX + family for family in families]
        for counter in changed:
            self.counters[counter] = self.counters.get(counter, 0) + 1
        self._emit(
            "STATUS",
            [self._item(c, self.counters[c], self._status_uri(c)) for c in changed],
        )

    def _consume(self, active: ActiveProgram) -> None:
        spec = active.spec
        fill = active.options.get(keys.OPTION_FILL_QUANTITY, spec.default_fill_ml)
        self.water_ml = max(0, self.water_ml - round(fill * spec.water_share))
        if spec.grinds_beans:
            amount = keys.short_name(active.options.get(keys.OPTION_BEAN_AMOUNT, ""))
            self.beans_g = max(0, self.beans_g - BEAN_GRAMS.get(amount, 10))
        if self.beans_g < self.settings.bean_empty_below_g:
            self._event(keys.EVENT_BEAN_CONTAINER_EMPTY, keys.EVENT_PRESENT)
        if self.water_ml < self.settings.water_empty_below_ml:
            self._event(keys.EVENT_WATER_TANK_EMPTY, keys.EVENT_PRESENT)
        self.drip_tray_cups += 1
        if self.drip_tray_cups >= self.settings.drip_tray_capacity_cups:
            self._event(keys.EVENT_DRIP_TRAY_FULL, keys.EVENT_PRESENT)
        for countdown in self.countdowns.values():
            if countdown.every <= 0:
                continue
            countdown.remaining -= 1
            for event in countdown.events_at(countdown.remaining):
                self._event(event, keys.EVENT_PRESENT)

    def actions_required(self) -> list[str]:
        """Present events that keep the machine from brewing."""
        blocking = {
            keys.EVENT_BEAN_CONTAINER_EMPTY,
            keys.EVENT_WATER_TANK_EMPTY,
            keys.EVENT_DRIP_TRAY_FULL,
            keys.EVENT_DESCALING_BLOCKAGE,
            keys.EVENT_CALC_N_CLEAN_BLOCKAGE,
        }
        return sorted(blocking & self.present_events)

    def fill_beans(self, grams: int | None = None) -> None:
        """Fill the bean container (to the brim by default)."""
        with self._lock:
            capacity = self.settings.bean_capacity_g
            self.beans_g = capacity if grams is None else min(capacity, grams)
            if self.beans_g >= self.settings.bean_empty_below_g:
                self._clear_events([keys.EVENT_BEAN_CONTAINER_EMPTY])

    def fill_water(self, ml: int | None = None) -> None:
        """Fill the water tank (to the brim by default)."""
        with self._lock:
            capacity = self.settings.water_capacity_ml
            self.water_ml = capacity if ml is None else min(capacity, ml)
            if self.water_ml >= self.settings.water_empty_below_ml:
                self._clear_events([keys.EVENT_WATER_TANK_EMPTY])

    def empty_drip_tray(self) -> None:
        with self._lock:
            self.drip_tray_cups = 0
            self._clear_events([keys.EVENT_DRIP_TRAY_FULL])

    def descale(self) -> None:
        self._reset_countdown("descaling")

    def clean(self) -> None:
        self._reset_countdown("cleaning")

    def calc_n_clean(self) -> None:
        """Calc'n'clean: descales and cleans, and resets all three countdowns."""
        for name in ("calc_n_clean", "descaling", "cleaning"):
            self._reset_countdown(name)

    def _reset_countdown(self, name: str) -> None:
        with self._lock:
            countdown = self.countdowns[name]
            countdown.remaining = countdown.every
            self._clear_events(countdown.all_events())

    def _clear_events(self, event_keys: list[str]) -> None:
        for key in event_keys:
            if key in self.present_events:
                self._event(key, keys.EVENT_OFF)
        if self.active is None:
            self._settle_operation_state()

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

    # ---------------------------------------------------------- what the API reads --
    def appliance(self) -> dict[str, Any]:
        return {
            "haId": self.ha_id,
            "name": self.name,
            "type": self.type,
            "brand": self.brand,
            "vib": self.vib,
            "enumber": self.enumber,
            "connected": self.connected,
        }

    def available_programs(self) -> list[ProgramSpec]:
        """Programs on offer now: only while connected, on and idle."""
        with self._lock:
            self._require_connected()
            self._require_on_and_idle()
            return list(self.catalogue.values())

    def program_definition(self, key: str) -> ProgramSpec:
        with self._lock:
            self._require_connected()
            self._require_on_and_idle()
            spec = self.catalogue.get(key)
            if spec is None or not spec.available:
                raise MachineError(
                    keys.ERROR_PROGRAM_NOT_AVAILABLE, f"Program {key} is not available"
                )
            return spec

    def active_program(self) -> tuple[str, list[tuple[str, Any, str | None]]]:
        """``(key, [(option, value, unit)])`` of the beverage being brewed."""
        with self._lock:
            self._require_connected()
            if self.active is None:
                raise MachineError(
                    keys.ERROR_NO_PROGRAM_ACTIVE, "There is no program active", 404
                )
            options = self._option_triples(self.active.spec, self.active.options)
            options += [
                (item["key"], item["value"], item.get("unit"))
                for item in self._progress_items()
            ]
            return self.active.spec.key, options

    def selected_program(self) -> tuple[str, list[tuple[str, Any, str | None]]]:
        with self._lock:
            self._require_connected()
            if self.selected is None:
                raise MachineError(
                    keys.ERROR_NO_PROGRAM_SELECTED, "There is no program selected", 404
                )
            key, values = self.selected
            spec = self.catalogue.get(key) or ProgramSpec(key)
            return key, self._option_triples(spec, values)

    def status(self) -> list[tuple[str, Any, str | None]]:
        """``[(key, value, unit)]`` of every status item."""
        with self._lock:
            self._require_connected()
            items: list[tuple[str, Any, str | None]] = [
                (keys.STATUS_OPERATION_STATE, self.operation_state, None),
                (keys.STATUS_REMOTE_CONTROL_ACTIVE, self.remote_control_active, None),
                (keys.STATUS_REMOTE_START_ALLOWED, self.remote_start_allowed, None),
                (keys.STATUS_LOCAL_CONTROL_ACTIVE, self.local_control_active, None),
                (keys.STATUS_DOOR_STATE, self.door_state, None),
            ]
            items += [(key, value, None) for key, value in self.counters.items()]
            return items

    def status_item(self, key: str) -> tuple[str, Any, str | None]:
        for item in self.status():
            if item[0] == key:
                return item
        raise MachineError(keys.ERROR_UNSUPPORTED_STATUS, f"Status {key} unsupported")

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

    def snapshot(self) -> dict[str, Any]:
        """Everything about the machine, as plain JSON-able data."""
        with self._lock:
            active = None
            if self.active is not None:
                progress = self._progress_items()
                active = {
                    "key": self.active.spec.key,
                    "options": dict(self.active.options),
                    "source": self.active.source,
                    "progress": progress[0]["value"],
                    "remaining": progress[1]["value"],
                }
            return {
                **self.appliance(),
                "power_state": self.power_state,
                "operation_state": self.operation_state,
                "remote_start_allowed": self.remote_start_allowed,
                "active_program": active,
                "selected_program": self.selected[0] if self.selected else None,
                "counters": dict(self.counters),
                "beans_g": self.beans_g,
                "water_ml": self.water_ml,
                "drip_tray_cups": self.drip_tray_cups,
                "countdowns": {n: c.remaining for n, c in self.countdowns.items()},
                "present_events": sorted(self.present_events),
                "programs": list(self.catalogue),
                "brews": [dict(b) for b in self.brews],
            }

    # ------------------------------------------------------------- preconditions --
    def _require_connected(self) -> None:
        if not self.connected:
            raise MachineError(
                keys.ERROR_OFFLINE,
                "HomeAppliance is offline: it did not answer the connection "
                "initialization",
            )

    def _require_on_and_idle(self) -> None:
        if self.power_state != keys.POWER_ON or self.active is not None:
            raise MachineError(
                keys.ERROR_WRONG_OPERATION_STATE,
                "Request cannot be performed: the appliance is not on and idle",
            )

    def _require_no_action_required(self) -> None:
        required = self.actions_required()
        if required or self.error:
            what = ", ".join(keys.short_name(k) for k in required) or "Error"
            raise MachineError(
                keys.ERROR_WRONG_OPERATION_STATE,
                f"OperationState is ActionRequired ({what})",
            )

    def _program(self, key: str) -> ProgramSpec:
        spec = self.catalogue.get(key)
        if spec is None:
            raise MachineError(
                keys.ERROR_UNSUPPORTED_PROGRAM, f"Program {key} is not supported"
            )
        if not spec.available:
            raise MachineError(
                keys.ERROR_PROGRAM_NOT_AVAILABLE, f"Program {key} is not available"
            )
        return spec

    def _validated_options(
        self, spec: ProgramSpec, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        values = spec.defaults()
        for key, value in options.items():
            option = spec.option(key)
            if option is None:
                raise MachineError(
                    keys.ERROR_UNSUPPORTED_OPTION,
                    f"Option {key} is not supported by {spec.key}",
                )
            error = option.check(value)
            if error:
                raise MachineError(error, f"Value {value!r} not allowed for {key}")
            values[key] = value
        return values

    # ------------------------------------------------------------------ publishing --
    def _option_triples(
        self, spec: ProgramSpec, values: Mapping[str, Any]
    ) -> list[tuple[str, Any, str | None]]:
        triples = []
        for key, value in values.items():
            option = spec.option(key)
            triples.append((key, value, option.unit if option else None))
        return triples

    def _progress_items(self, *, done: bool = False) -> list[dict[str, Any]]:
        active = self.active
        if done or active is None:
            progress, remaining = 100, 0
        else:
            total = max(active.ends_at - active.started_at, 1e-9)
            elapsed = self.clock.now() - active.started_at
            progress = max(0, min(100, int(elapsed * 100 / total)))
            remaining = max(0, math.ceil(active.ends_at - self.clock.now()))
        base = f"/api/homeappliances/{self.ha_id}/programs/active/options/"
        return [
            self._item(
                keys.OPTION_PROGRAM_PROGRESS,
                progress,
                base + keys.OPTION_PROGRAM_PROGRESS,
                unit="%",
            ),
            self._item(
                keys.OPTION_REMAINING_PROGRAM_TIME,
                remaining,
                base + keys.OPTION_REMAINING_PROGRAM_TIME,
                unit="seconds",
            ),
        ]

    def _set_operation_state(self, state: str) -> None:
        if state != self.operation_state:
            self.operation_state = state
            self._status(keys.STATUS_OPERATION_STATE, state)

    def _status_uri(self, key: str) -> str:
        return f"/api/homeappliances/{self.ha_id}/status/{key}"

    def _setting_uri(self, key: str) -> str:
        return f"/api/homeappliances/{self.ha_id}/settings/{key}"

    def _status(self, key: str, value: Any) -> None:
        self._emit("STATUS", [self._item(key, value, self._status_uri(key))])

    def _notify(self, key: str, value: Any, *, uri: Callable[[str], str]) -> None:
        self._emit("NOTIFY", [self._item(key, value, uri(key))])

    def _event(self, key: str, value: str) -> None:
        if value == keys.EVENT_PRESENT:
            self.present_events.add(key)
        else:
            self.present_events.discard(key)
        style = event_style(key)
        uri = f"/api/homeappliances/{self.ha_id}/events"
        self._emit(
            "EVENT",
            [self._item(key, value, uri, level=style.level, handling=style.handling)],
        )

    def _item(
        self,
        key: str,
        value: Any,
        uri: str,
        *,
        unit: str | None = None,
        level: str = "hint",
        handling: str = "none",
    ) -> dict[str, Any]:
        item = {
            "key": key,
            "value": value,
            "timestamp": int(self.clock.now()),
            "level": level,
            "handling": handling,
            "uri": uri,
        }
        if unit:
            item["unit"] = unit
        return item

    def _emit(self, event_type: str, items: list[dict[str, Any]]) -> None:
        if self._publish is not None and self.connected and items:
            self._publish(self.ha_id, event_type, items)
