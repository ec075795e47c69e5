"""Supplies and maintenance: what a coffee machine needs from its people.

Every beverage uses beans and water, adds to the drip tray and counts down to
the next descaling, cleaning and calc'n'clean (:meth:`Care._consume`, called
when a beverage is in the cup). When the beans or the water run out, the drip
tray is full or a countdown reaches its blockage, the machine raises an EVENT
(``Present``), goes to ``ActionRequired`` and brews nothing
(:meth:`Care._require_no_action_required`) until someone fills, empties,
descales or cleans it (:meth:`Care.fill_beans` and the other helpers below);
the EVENT then turns ``Off``.

A :class:`Countdown` counts in cups: twenty cups before descaling is due the
machine starts warning (DescalingIn20Cups, 15, 10, 5), then asks to be
descaled, then says it is overdue, and at last blocks.

An alert that asks to be acknowledged (``handling`` ``acknowledge``) turns
``Confirmed`` when someone does (:meth:`Care.acknowledge_events`); it stays
until its cause is gone, then turns ``Off``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import keys
from .catalogue import BEAN_GRAMS, event_style
from .errors import MachineError
from .machine_base import MachineBase

if TYPE_CHECKING:
    from .brewing import ActiveProgram
    from .state_machine import MachineSettings


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


def make_countdowns(settings: MachineSettings) -> dict[str, Countdown]:
    """A new machine's three countdowns: descaling, cleaning, calc'n'clean."""
    return {
        "descaling": Countdown(
            "descaling",
            settings.descale_every_cups,
            keys.EVENT_DESCALING_IN,
            keys.EVENT_SHOULD_BE_DESCALED,
            keys.EVENT_DESCALING_OVERDUE,
            keys.EVENT_DESCALING_BLOCKAGE,
            settings.overdue_after_cups,
            settings.blockage_after_cups,
        ),
        "cleaning": Countdown(
            "cleaning",
            settings.clean_every_cups,
            {},
            keys.EVENT_SHOULD_BE_CLEANED,
            keys.EVENT_CLEANING_OVERDUE,
            None,
            settings.overdue_after_cups,
            settings.blockage_after_cups,
        ),
        "calc_n_clean": Countdown(
            "calc_n_clean",
            settings.calc_n_clean_every_cups,
            keys.EVENT_CALC_N_CLEAN_IN,
            keys.EVENT_SHOULD_BE_CALC_N_CLEANED,
            keys.EVENT_CALC_N_CLEAN_OVERDUE,
            keys.EVENT_CALC_N_CLEAN_BLOCKAGE,
            settings.overdue_after_cups,
            settings.blockage_after_cups,
        ),
    }


class Care(MachineBase):
    """Beans, water, drip tray, countdowns, and the actions they require."""

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

    def _require_no_action_required(self) -> None:
        required = self.actions_required()
        if required or self.error:
            what = ", ".join(keys.short_name(k) for k in required) or "Error"
            raise MachineError(
                keys.ERROR_WRONG_OPERATION_STATE,
                f"OperationState is ActionRequired ({what})",
            )

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

    def acknowledge_events(self) -> None:
        """Someone confirms the alerts that ask for it (OK on the panel, or the
        ``AcknowledgeEvent`` command): each turns ``Confirmed``. The cause stays:
        an empty bean container still blocks brewing until it is filled."""
        with self._lock:
            waiting = self.present_events - self.confirmed_events
            for key in sorted(waiting):
                if event_style(key).handling == "acknowledge":
                    self._event(key, keys.EVENT_CONFIRMED)
                    self.confirmed_events.add(key)

    def _clear_events(self, event_keys: list[str]) -> None:
        for key in event_keys:
            if key in self.present_events:
                self._event(key, keys.EVENT_OFF)
        if self.active is None:
            self._settle_operation_state()
