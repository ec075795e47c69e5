"""Brewing: a beverage from the order to the cup.

:meth:`Brewing.start_program` checks a remote order in the order the module
docstring of :mod:`.state_machine` lists, then starts the beverage
(:meth:`Brewing._begin`): ``LocalControlActive`` (a STATUS, when it changes:
true for a beverage made at the panel), OperationState ``Run``, a NOTIFY of
the active program with the values of its options, and timers on the
simulator clock. The beverage takes
``brew_seconds``; meanwhile the active program carries
``BSH.Common.Option.ProgramProgress`` (%) and ``RemainingProgramTime`` (s),
notified every ``100 / progress_steps`` %. When it is done
(:meth:`Brewing._finish`) the beverage counters grow (:meth:`Brewing._count`),
the supplies go down (:meth:`.care.Care._consume`) and ProgramFinished is
raised; stopping it (:meth:`Brewing.stop_program`) aborts it instead
(ProgramAborted). Either way the machine's brew log, :attr:`brews`, records it.

Selecting a program (:meth:`Brewing.select_program`) only shows it on the
display: nothing is brewed. Its options can then be adjusted
(:meth:`Brewing.set_selected_options`: strength, fill quantity...) while the
machine is on and idle, each checked as a start checks it; those of the
beverage being brewed cannot (:meth:`Brewing.set_active_options`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import keys
from .care import Care
from .catalogue import ProgramSpec
from .clock import Timer
from .errors import MachineError

TOTAL_COUNTER = keys.COUNTER_PREFIX


@dataclass
class ActiveProgram:
    """The beverage being brewed."""

    spec: ProgramSpec
    options: dict[str, Any]
    started_at: float
    ends_at: float
    source: str  # "api" or "panel"
    timers: list[Timer] = field(default_factory=list)


class Brewing(Care):
    """Start, select, stop and finish programs; count the beverages."""

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

    def set_selected_options(self, options: Mapping[str, Any]) -> None:
        """Adjust options of the selected program, as the app does before the
        user presses start at the machine (a favourite adjusted, a stronger cup).
        """
        with self._lock:
            self._require_connected()
            if self.selected is None:
                raise MachineError(
                    keys.ERROR_SELECTED_PROGRAM_NOT_SET,
                    "Request cannot be performed since no program is selected",
                )
            self._require_on_and_idle()
            key, values = self.selected
            spec = self._program(key)
            for option_key, value in options.items():
                self._check_option(spec, option_key, value)
            self.selected = (key, {**values, **options})
            base = f"/api/homeappliances/{self.ha_id}/programs/selected/options/"
            self._emit(
                "NOTIFY",
                [
                    self._item(option_key, value, base + option_key, unit=unit)
                    for option_key, value, unit in self._option_triples(spec, options)
                ],
            )

    def set_active_options(self, options: Mapping[str, Any]) -> None:
        """Refuse to change the beverage being brewed: once the grinder runs, a
        coffee machine takes no new strength or quantity."""
        with self._lock:
            self._require_connected()
            if self.active is None:
                raise MachineError(
                    keys.ERROR_ACTIVE_PROGRAM_NOT_SET,
                    "Request cannot be performed since no active program is set",
                )
            for option_key in options:
                if self.active.spec.option(option_key) is None:
                    raise MachineError(
                        keys.ERROR_UNSUPPORTED_OPTION,
                        f"Option {option_key} is not supported by "
                        f"{self.active.spec.key}",
                    )
            if options:
                raise MachineError(
                    keys.ERROR_WRONG_OPERATION_STATE,
                    "The options of a beverage cannot be changed while it is brewing",
                )

    def _begin(self, spec: ProgramSpec, values: dict[str, Any], source: str) -> None:
        now = self.clock.now()
        seconds = self.settings.brew_seconds
        self.active = ActiveProgram(spec, values, now, now + seconds, source)
        if self._finished_timer is not None:
            self._finished_timer.cancel()
        self._set_local_control(source == "panel")
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
                *self._active_option_items(spec, values),
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
            self._set_local_control(False)
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
        self._set_local_control(False)
        self.brews[-1].update(result="aborted", finished_at=self.clock.now())
        self._event(keys.EVENT_PROGRAM_ABORTED, keys.EVENT_PRESENT)

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

    # ------------------------------------------------------------- preconditions --
    def _require_on_and_idle(self) -> None:
        if self.power_state != keys.POWER_ON or self.active is not None:
            raise MachineError(
                keys.ERROR_WRONG_OPERATION_STATE,
                "Request cannot be performed: the appliance is not on and idle",
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
            self._check_option(spec, key, value)
            values[key] = value
        return values

    def _check_option(self, spec: ProgramSpec, key: str, value: Any) -> None:
        """The program has the option and the value is allowed, or 409."""
        option = spec.option(key)
        if option is None:
            raise MachineError(
                keys.ERROR_UNSUPPORTED_OPTION,
                f"Option {key} is not supported by {spec.key}",
            )
        error = option.check(value)
        if error:
            raise MachineError(error, f"Value {value!r} not allowed for {key}")

    # ------------------------------------------------------------------ publishing --
    def _set_local_control(self, active: bool) -> None:
        if active != self.local_control_active:
            self.local_control_active = active
            self._status(keys.STATUS_LOCAL_CONTROL_ACTIVE, active)

    def _active_option_items(
        self, spec: ProgramSpec, values: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        base = f"/api/homeappliances/{self.ha_id}/programs/active/options/"
        return [
            self._item(key, value, base + key, unit=unit)
            for key, value, unit in self._option_triples(spec, values)
        ]

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
