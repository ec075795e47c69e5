"""What every part of a simulated coffee machine shares: its state, its voice.

:class:`~.state_machine.CoffeeMachine` is built in layers, each a class in its
own module, each adding one concern on top of the one below::

    MachineBase     the state (declared here) and how it is published
    └─ Care         supplies and maintenance (:mod:`.care`)
       └─ Brewing   a beverage from order to cup (:mod:`.brewing`)
          └─ MachineApi     what the API reads (:mod:`.machine_api`)
             └─ CoffeeMachine   power, remote start, settings, connection
                                and OperationState (:mod:`.state_machine`)

This bottom layer declares every attribute of the machine in one place
(:meth:`CoffeeMachine.__init__ <.state_machine.CoffeeMachine>` sets them) and
gives the machine its voice: every change goes out as an *item*
(``key``, ``value``, ``timestamp``, ``level``, ``handling``, ``uri``) in a
STATUS, EVENT or NOTIFY message, through the ``publish`` callback the
simulator hands over (:meth:`.events.EventBus.publish`). An offline machine
publishes nothing, and refuses every API request (:meth:`_require_connected`).

EVENT items are the machine's alerts (beans empty, descaling due, beverage
finished...): :attr:`present_events` holds those currently ``Present``, and
:attr:`confirmed_events` those of them someone acknowledged (``Confirmed``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import keys
from .catalogue import Catalogue, event_style
from .clock import Clock, Timer
from .errors import MachineError

if TYPE_CHECKING:
    from .brewing import ActiveProgram
    from .care import Countdown
    from .state_machine import MachineSettings

#: ``publish(ha_id, event_type, items)``: how a machine tells the world.
Publish = Callable[[str, str, list[dict[str, Any]]], None]


class MachineBase:
    """The machine's state and how it publishes its changes."""

    # ---------------------------------------------------- identity and wiring --
    ha_id: str
    name: str
    brand: str
    vib: str
    enumber: str
    clock: Clock
    catalogue: Catalogue
    settings: MachineSettings
    _publish: Publish | None
    _lock: threading.RLock
    # -------------------------------------- what the status and settings show --
    connected: bool
    power_state: str
    operation_state: str
    remote_control_active: bool
    remote_start_allowed: bool
    local_control_active: bool
    door_state: str
    child_lock: bool
    cup_warmer: bool
    error: bool
    # --------------------------------------------------------------- programs --
    active: ActiveProgram | None
    selected: tuple[str, dict[str, Any]] | None
    counters: dict[str, int]
    #: Every beverage started, API or panel: the simulator's own brew log.
    brews: list[dict[str, Any]]
    # ----------------------------------------------- supplies and maintenance --
    beans_g: int
    water_ml: int
    drip_tray_cups: int
    countdowns: dict[str, Countdown]
    #: EVENT keys currently Present (alerts the machine shows).
    present_events: set[str]
    #: Present EVENT keys someone acknowledged (``Confirmed``): still there.
    confirmed_events: set[str]
    # ----------------------------------------------------------------- timers --
    _remote_start_timer: Timer | None
    _finished_timer: Timer | None

    # ------------------------------------------------------- operation state --
    def _settle_operation_state(self, *, finished: bool = False) -> None:
        """Derive OperationState anew: each layer calls it after a change; the
        state machine itself (:class:`.state_machine.CoffeeMachine`) does it."""
        raise NotImplementedError

    # ------------------------------------------------------------- preconditions --
    def _require_connected(self) -> None:
        if not self.connected:
            raise MachineError(
                keys.ERROR_OFFLINE,
                "HomeAppliance is offline: it did not answer the connection "
                "initialization",
            )

    # ------------------------------------------------------------------ publishing --
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
        elif value == keys.EVENT_OFF:
            self.present_events.discard(key)
        if value != keys.EVENT_CONFIRMED:
            self.confirmed_events.discard(key)
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
