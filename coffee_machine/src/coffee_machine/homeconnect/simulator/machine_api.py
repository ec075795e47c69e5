"""What a machine shows the API: identity, programs, status, a snapshot.

The ``/api`` endpoints (:mod:`.endpoints`) ask the machine, never its
attributes: ``GET /api/homeappliances/{haId}`` is :meth:`MachineApi.appliance`,
``.../programs`` :meth:`MachineApi.program_overview`,
``.../programs/available`` :meth:`MachineApi.available_programs`,
``.../programs/active`` :meth:`MachineApi.active_program`, ``.../status``
:meth:`MachineApi.status`, ``.../commands`` :meth:`MachineApi.commands` and
``.../images`` :meth:`MachineApi.images` (empty: a coffee maker has no
camera). Each answers plain data, ``(key, value, unit)`` triples for lists of
items, and refuses with the API's error (:class:`.errors.MachineError`): an
offline machine answers nothing, a machine that is off or busy offers no
program. Settings and commands, which the API also changes or runs, are with
the state machine (:meth:`.state_machine.CoffeeMachine.put_setting`,
:meth:`.state_machine.CoffeeMachine.run_commands`).

:meth:`MachineApi.snapshot` is everything at once, for the control endpoint
and for tests.
"""

from __future__ import annotations

from typing import Any

from .. import keys
from .brewing import Brewing
from .catalogue import ProgramSpec
from .errors import MachineError


class MachineApi(Brewing):
    """The machine's answers to what the API reads."""

    type = keys.APPLIANCE_TYPE

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

    def program_overview(self) -> dict[str, Any]:
        """Every program with whether it can run now, the active and the
        selected one (``GET .../programs``): answered in any state but offline.

        ``programs`` holds ``(spec, available)`` pairs; ``active`` and
        ``selected`` are ``(key, [(option, value, unit)])`` or ``None``;
        ``selected_writable`` says whether the selection can be changed now.
        """
        with self._lock:
            self._require_connected()
            idle = self.power_state == keys.POWER_ON and self.active is None
            return {
                "programs": [
                    (spec, spec.available and idle) for spec in self.catalogue.values()
                ],
                "active": self.active_program() if self.active else None,
                "selected": self.selected_program() if self.selected else None,
                "selected_writable": idle,
            }

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

    def commands(self) -> list[str]:
        """The commands the machine takes: a coffee maker has one, to
        acknowledge its alerts (:meth:`.state_machine.CoffeeMachine.run_commands`)."""
        with self._lock:
            self._require_connected()
            return [keys.COMMAND_ACKNOWLEDGE_EVENT]

    def images(self) -> list[dict[str, Any]]:
        """A coffee maker has no camera: its list of images is empty."""
        with self._lock:
            self._require_connected()
            return []

    def image(self, key: str) -> bytes:
        """No image has ``key`` on a coffee maker: 404."""
        with self._lock:
            self._require_connected()
            raise MachineError(keys.ERROR_NOT_FOUND, f"No image {key}", 404)

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
                "confirmed_events": sorted(self.confirmed_events),
                "programs": list(self.catalogue),
                "brews": [dict(b) for b in self.brews],
            }
