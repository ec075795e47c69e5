"""One JURA coffee machine with its Smart Connect dongle, as its manual says.

Read :class:`JuraMachine` top to bottom like the manual of an S8 (EB):

*The display* shows one of three things: the product menu (``idle``), a
product being made (``brewing``) or "Enjoy" for a few seconds after it
(``enjoy``). While idle the dongle pushes the machine's status (``@TF:``, one
bit per alert) to whoever is connected, every ``status_interval`` seconds;
while brewing it pushes progress (``@TV:``) instead.

*Pairing.* A device (a phone, the connector) introduces itself with an id and,
from the second time on, the 64-hex hash the machine gave it. A device the
machine does not know, with no hash, makes it ask on its display: "Connect?".
Someone presses OK (:meth:`press_ok`): the device gets its hash; or refuses
(:meth:`refuse`); or nobody comes and the dialog goes away after
``pairing_timeout`` seconds without an answer. A machine with a setup PIN
first checks the PIN, every time. A known device must show its hash: none
(it tries to pair again) is refused, a wrong one too. ``auto_accept`` plays a
user who presses OK at once.

*Brewing.* A product starts from the panel (:meth:`brew_at_panel`) or from a
device (:meth:`brew`, the recipe of a ``@TP:``). The machine refuses, with
:class:`MachineRefused`, while it is already brewing (``busy``), while an
active alert blocks that kind of product (``blocked``: no water, tray out...;
no beans blocks coffee but not hot water), and at the panel while the keys
are locked by a device (``locked``). It then works through the recipe's
phases (:mod:`.brewing`), shows "Enjoy", and only then counts the product.
A device may cancel it (:meth:`cancel`): nothing is counted.

*Counting.* One counter per product code and a total (a double counts twice
in the total), read as ``@TR:32``; maintenance counters (cleanings,
descalings, filter changes, rinses) read as ``@TG:43``; and, read as
``@TG:C0``, how close the next cleaning, filter change and descaling are, in
percent (``FF``: no filter fitted). At 100 % the machine raises the reminder
alert (``cleaning_alert``...), which blocks nothing.

*Needing care.* Alerts are switched on and off by whoever plays the user
(:meth:`set_alert`, with short names: ``water``, ``beans``, ``tray``,
``grounds``, ``cleaning``, ``descaling``, ``filter``...) and cleared by the
matching care (:meth:`fill_water`, :meth:`clean`, :meth:`descale`...).

All time comes from the simulator's clock; every frame the machine pushes
goes to the listeners the dongle registered (:meth:`add_listener`).

>>> from coffee_machine.clock import ManualClock
>>> machine = JuraMachine(clock=ManualClock())
>>> machine.brew_at_panel("espresso")
>>> machine.state
'brewing'
>>> machine.clock.advance(60)
>>> machine.product_count("espresso"), machine.total
(1, 1)
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, Timer
from .brewing import BrewPlan, Recipe, RecipeRejected, enjoy_frame, make_recipe
from .profile import Product, Profile, load_profile

__all__ = [
    "ABORTED",
    "CORRECT",
    "EXPIRED",
    "PENDING",
    "WRONG_HASH",
    "WRONG_PIN",
    "JuraMachine",
    "JuraMachineSettings",
    "MachineRefused",
]

IDLE, BREWING, ENJOY = "idle", "brewing", "enjoy"

#: Handshake outcomes (the dongle turns them into ``@hp4`` / ``@hp5:..``).
CORRECT = "correct"
WRONG_PIN = "wrong_pin"
WRONG_HASH = "wrong_hash"
ABORTED = "aborted"
PENDING = "pending"
EXPIRED = "expired"

#: ``answer(outcome, new_hash)``: how a waiting handshake learns its fate.
Answer = Callable[[str, "str | None"], None]

#: Maintenance done by a care action, and the percentage it resets.
_CARE = {
    "cleaning": ("cleaning", "cleaning_alert"),
    "descale": ("descale", "descale_alert"),
    "filter_change": ("filter_change", "filter_alert"),
    "coffee_rinse": (None, None),
    "cappu_rinse": (None, "cappu_rinse_alert"),
    "cappu_clean": (None, "cappu_clean_alert"),
}


class MachineRefused(Exception):
    """The machine will not do it: ``reason`` is busy, blocked, locked..."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class JuraMachineSettings:
    """How a simulated machine behaves; times in simulated seconds."""

    pin: str = ""  # setup PIN; empty: none
    auto_accept: bool = False  # somebody presses OK at once
    pairing_timeout: float = 40.0  # the "Connect?" dialog gives up
    status_interval: float = 2.05  # @TF: push while idle
    frame_interval: float = 2.0  # @TV: push while brewing
    enjoy_seconds: float = 10.0  # "Enjoy" on the display
    grind_seconds: float = 6.0
    water_ml_per_second: float = 2.0
    bypass_ml_per_second: float = 6.0
    hot_water_ml_per_second: float = 8.0
    cleaning_every: int = 180  # products between two cleanings
    descale_every: int = 360
    filter_every: int = 300
    filter_fitted: bool = False


@dataclass
class PairingRequest:
    """A "Connect?" dialog on the display."""

    conn_id: str
    asked_at: float
    answer: Answer
    timer: Timer | None = None


@dataclass
class Brew:
    """The product being made (or just made)."""

    recipe: Recipe
    plan: BrewPlan
    source: str  # "remote" or "panel"
    started_at: float
    log: dict[str, Any]
    timers: list[Timer] = field(default_factory=list)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


class JuraMachine:
    """A simulated JURA machine (see the module docstring)."""

    def __init__(
        self,
        *,
        clock: Clock,
        name: str = "Kitchen",
        profile: Profile | None = None,
        settings: JuraMachineSettings | None = None,
        rng: random.Random | None = None,
        lock: threading.RLock | None = None,
    ):
        self.clock = clock
        self.name = name
        self.profile = profile or load_profile()
        self.settings = settings or JuraMachineSettings()
        self._rng = rng or random.Random(0)
        self._lock = lock or threading.RLock()
        self._listeners: list[Callable[[str], None]] = []
        self.state = IDLE
        self.brew_now: Brew | None = None
        self.alerts: set[str] = set()
        self.keys_locked = False
        self.counters = {p.code: 0 for p in self.profile.products}
        self.total = 0
        self.maintenance = dict.fromkeys(self.profile.maintenance_counters, 0)
        self.products_since = {"cleaning": 0, "descale": 0, "filter_change": 0}
        self.setting_values = {
            arg: s.default for arg, s in self.profile.settings.items()
        }
        self.known_devices: dict[str, str] = {}
        self.pairing: PairingRequest | None = None
        self.pairing_log: list[dict[str, Any]] = []
        #: Every product started (panel or remote): the simulator's brew log.
        self.brews: list[dict[str, Any]] = []
        self._beat: Timer | None = None

    # ------------------------------------------------------------- switching on --
    def start(self) -> None:
        """Start pushing the status (the simulator does it when it starts)."""
        with self._lock:
            if self._beat is None:
                self._beat = self.clock.call_later(
                    self.settings.status_interval, self._status_beat
                )

    def stop(self) -> None:
        with self._lock:
            if self._beat is not None:
                self._beat.cancel()
                self._beat = None
            if self.pairing is not None:
                self._close_dialog(EXPIRED)

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """``listener(frame_text)`` receives every frame the machine pushes."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[str], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # ------------------------------------------------------------------ pairing --
    def handshake(
        self, pin: str, conn_id: str, auth_hash: str, answer: Answer
    ) -> tuple[str, str | None]:
        """A device says hello: ``(outcome, new hash)``, maybe ``PENDING``.

        On ``PENDING`` the machine shows its dialog and calls
        ``answer(outcome, new_hash)`` later (``CORRECT``, ``ABORTED`` or
        ``EXPIRED``).
        """
        with self._lock:
            outcome, new_hash = self._check_device(pin, conn_id, auth_hash)
            if outcome == PENDING:
                if self.settings.auto_accept:
                    outcome, new_hash = CORRECT, self._new_device(conn_id)
                else:
                    self._open_dialog(conn_id, answer)
            self.pairing_log.append(
                {"conn_id": conn_id, "at": self.clock.now(), "outcome": outcome}
            )
            return outcome, new_hash

    def _check_device(
        self, pin: str, conn_id: str, auth_hash: str
    ) -> tuple[str, str | None]:
        if self.settings.pin and pin != self.settings.pin:
            return WRONG_PIN, None
        known = self.known_devices.get(conn_id)
        if auth_hash:
            if known is not None and auth_hash.upper() == known:
                return CORRECT, None
            return WRONG_HASH, None
        if known is not None:  # a known device may not pair again silently
            return ABORTED, None
        return PENDING, None

    def _open_dialog(self, conn_id: str, answer: Answer) -> None:
        if self.pairing is not None:
            self._close_dialog(EXPIRED)
        request = PairingRequest(conn_id, self.clock.now(), answer)
        request.timer = self.clock.call_later(
            self.settings.pairing_timeout, lambda: self._dialog_timeout(request)
        )
        self.pairing = request

    def _dialog_timeout(self, request: PairingRequest) -> None:
        with self._lock:
            if self.pairing is request:
                self._close_dialog(EXPIRED)

    def _close_dialog(self, outcome: str, new_hash: str | None = None) -> None:
        request, self.pairing = self.pairing, None
        if request is None:
            return
        if request.timer is not None:
            request.timer.cancel()
        self.pairing_log.append(
            {"conn_id": request.conn_id, "at": self.clock.now(), "outcome": outcome}
        )
        request.answer(outcome, new_hash)

    def _new_device(self, conn_id: str) -> str:
        auth_hash = f"{self._rng.getrandbits(256):064X}"
        self.known_devices[conn_id] = auth_hash
        return auth_hash

    @property
    def pending_pairing(self) -> str | None:
        """The id of the device the display asks about, if any."""
        request = self.pairing
        return request.conn_id if request else None

    def press_ok(self) -> bool:
        """Someone accepts the "Connect?" dialog (False: there was none)."""
        with self._lock:
            if self.pairing is None:
                return False
            self._close_dialog(CORRECT, self._new_device(self.pairing.conn_id))
            return True

    def refuse(self) -> bool:
        """Someone refuses the "Connect?" dialog (False: there was none)."""
        with self._lock:
            if self.pairing is None:
                return False
            self._close_dialog(ABORTED)
            return True

    def cancel_pairing(self, conn_id: str) -> None:
        """The device went away while the dialog was up: the dialog closes."""
        with self._lock:
            if self.pairing is not None and self.pairing.conn_id == conn_id:
                request, self.pairing = self.pairing, None
                if request.timer is not None:
                    request.timer.cancel()

    def pair_device(self, conn_id: str) -> str:
        """Pair a device without the dialog (test set-up): its hash."""
        with self._lock:
            return self.known_devices.get(conn_id) or self._new_device(conn_id)

    def forget_device(self, conn_id: str) -> None:
        with self._lock:
            self.known_devices.pop(conn_id, None)

    # ------------------------------------------------------------------ brewing --
    def brew(self, recipe: Recipe, *, source: str = "remote") -> None:
        """Make ``recipe``, or raise :class:`MachineRefused`."""
        with self._lock:
            if self.state == BREWING:
                raise MachineRefused("busy", "a product is being made")
            if source == "panel" and self.keys_locked:
                raise MachineRefused("locked", "the keys are locked by a device")
            blocking = self.blocking_alerts(recipe.product)
            if blocking:
                raise MachineRefused(
                    "blocked", f"{recipe.product.name} blocked by {blocking}"
                )
            self._begin(recipe, source)

    def brew_at_panel(
        self, product: str | int, options: Mapping[str, int | str] | None = None
    ) -> None:
        """Brew as if someone pressed the product on the machine itself."""
        try:
            chosen = self.profile.product(product)
            recipe = make_recipe(self.profile, chosen, options)
        except (KeyError, RecipeRejected) as exc:
            raise MachineRefused("invalid", str(exc)) from exc
        self.brew(recipe, source="panel")

    def blocking_alerts(self, product: Product) -> list[str]:
        """Active alerts that keep ``product`` from being made."""
        return sorted(
            name
            for name in self.alerts
            if self.profile.alert(name).blocks_kind(product.kind)
        )

    def cancel(self) -> bool:
        """Cancel the product being made (False: nothing was)."""
        with self._lock:
            if self.state != BREWING or self.brew_now is None:
                return False
            brew = self.brew_now
            brew.cancel_timers()
            brew.log["result"] = "cancelled"
            self._back_to_idle()
            return True

    def _begin(self, recipe: Recipe, source: str) -> None:
        if self.brew_now is not None:  # the "Enjoy" of the previous one
            self.brew_now.cancel_timers()
        now = self.clock.now()
        plan = BrewPlan(recipe, self.settings)
        log = {
            "product": recipe.product.name,
            "code": recipe.product.code,
            "values": dict(recipe.values),
            "source": source,
            "started_at": now,
            "result": "brewing",
        }
        self.brews.append(log)
        brew = Brew(recipe, plan, source, now, log)
        self.brew_now = brew
        self.state = BREWING
        self._push("@TB")
        self._push(plan.frame(0.0))
        for end in plan.phase_ends()[:-1]:
            brew.timers.append(self.clock.call_at(now + end, self._brew_frame))
        brew.timers.append(self.clock.call_at(now + plan.duration, self._finish))
        self._schedule_brew_beat(brew)

    def _schedule_brew_beat(self, brew: Brew) -> None:
        brew.timers.append(
            self.clock.call_later(self.settings.frame_interval, self._brew_beat)
        )

    def _brew_beat(self) -> None:
        with self._lock:
            brew = self.brew_now
            if brew is None or self.state == IDLE:
                return
            if self.state == BREWING:
                self._push(brew.plan.frame(self.clock.now() - brew.started_at))
            else:
                self._push(enjoy_frame(brew.recipe.product))
            self._schedule_brew_beat(brew)

    def _brew_frame(self) -> None:
        with self._lock:
            brew = self.brew_now
            if brew is not None and self.state == BREWING:
                self._push(brew.plan.frame(self.clock.now() - brew.started_at))

    def _finish(self) -> None:
        with self._lock:
            brew = self.brew_now
            if brew is None or self.state != BREWING:
                return
            self._push(brew.plan.frame(brew.plan.duration))  # 100 %
            self.state = ENJOY
            brew.log["result"] = "done"
            brew.log["finished_at"] = self.clock.now()
            self._count(brew.recipe.product)
            self._push(enjoy_frame(brew.recipe.product))
            brew.timers.append(
                self.clock.call_later(self.settings.enjoy_seconds, self._enjoy_over)
            )

    def _enjoy_over(self) -> None:
        with self._lock:
            if self.state == ENJOY:
                self._back_to_idle()

    def _back_to_idle(self) -> None:
        if self.brew_now is not None:
            self.brew_now.cancel_timers()
        self.state = IDLE
        self._push("@TS")
        self._push(self.status_frame())

    def _count(self, product: Product) -> None:
        self.counters[product.code] = self.counters.get(product.code, 0) + 1
        self.total += 2 if product.double_product else 1
        for name in self.products_since:
            self.products_since[name] += 1
        for name, alert in (
            ("cleaning", "cleaning_alert"),
            ("descale", "descale_alert"),
            ("filter_change", "filter_alert"),
        ):
            if self._percent(name) == 100:
                self.alerts.add(alert)

    def product_count(self, product: str | int) -> int:
        return self.counters[self.profile.product(product).code]

    def set_product_count(self, product: str | int, count: int) -> None:
        """Pretend the machine has a history (test set-up)."""
        with self._lock:
            code = self.profile.product(product).code
            self.total += count - self.counters[code]
            self.counters[code] = count

    # ------------------------------------------------------------- needing care --
    def set_alert(self, name: str, on: bool = True) -> None:
        """Switch an alert on (or off): ``"water"``, ``"no_beans"``..."""
        with self._lock:
            alert = self.profile.alert(name)
            if on:
                self.alerts.add(alert.name)
            else:
                self.alerts.discard(alert.name)

    def clear_alert(self, name: str) -> None:
        self.set_alert(name, False)

    def fill_water(self) -> None:
        self.clear_alert("water")

    def fill_beans(self) -> None:
        self.clear_alert("beans")

    def empty_tray(self) -> None:
        self.clear_alert("tray")

    def empty_grounds(self) -> None:
        self.clear_alert("grounds")

    def clean(self) -> None:
        """Run a cleaning (counted, percentage back to 0, reminder off)."""
        self._care("cleaning")

    def descale(self) -> None:
        self._care("descale")

    def change_filter(self) -> None:
        """Fit a fresh filter (from now on the filter percentage counts)."""
        with self._lock:
            self.settings.filter_fitted = True
            self._care("filter_change")

    def rinse_coffee(self) -> None:
        self._care("coffee_rinse")

    def rinse_milk(self) -> None:
        self._care("cappu_rinse")

    def clean_milk(self) -> None:
        self._care("cappu_clean")

    def _care(self, counter: str) -> None:
        with self._lock:
            since, alert = _CARE[counter]
            self.maintenance[counter] += 1
            if since is not None:
                self.products_since[since] = 0
            if alert is not None:
                self.alerts.discard(alert)

    def set_maintenance(self, **counters: int) -> None:
        """Set maintenance counters (test set-up): ``set_maintenance(cleaning=26)``."""
        with self._lock:
            for name, value in counters.items():
                if name not in self.maintenance:
                    raise KeyError(f"no maintenance counter {name!r}")
                self.maintenance[name] = value

    def _percent(self, name: str) -> int:
        every = {
            "cleaning": self.settings.cleaning_every,
            "descale": self.settings.descale_every,
            "filter_change": self.settings.filter_every,
        }[name]
        return min(100, self.products_since[name] * 100 // max(1, every))

    def maintenance_percent(self) -> dict[str, int]:
        """Per maintenance, how close it is (0..100; 255: no filter fitted)."""
        with self._lock:
            out = {}
            for name in self.profile.maintenance_percent:
                if name == "filter_change" and not self.settings.filter_fitted:
                    out[name] = 0xFF
                else:
                    out[name] = self._percent(name)
            return out

    # ------------------------------------------------------------- locking keys --
    def lock_keys(self, locked: bool = True) -> None:
        """A device locks (or releases) the panel: ``@TS:01`` / ``@TS:00``."""
        with self._lock:
            self.keys_locked = locked

    # ------------------------------------------------------------------ settings --
    def read_setting(self, arg: str) -> str | None:
        """The stored hex value of a setting, ``None`` for an unknown address."""
        with self._lock:
            return self.setting_values.get(arg.upper())

    def write_setting(self, arg: str, value: str) -> bool:
        """Store a setting; only taken while the keys are locked, as on an S8.

        A one-byte item slider value tagged ``21`` is stored without its tag.
        Returns whether the value was stored.
        """
        with self._lock:
            arg = arg.upper()
            if arg not in self.setting_values or not self.keys_locked:
                return False
            value = value.upper()
            if value.startswith("21") and len(value) == 4:
                value = value[2:]
            self.setting_values[arg] = value
            return True

    # ----------------------------------------------------------- what it pushes --
    def active_alerts(self) -> list[str]:
        """Every alert bit set in the status frame, by name."""
        with self._lock:
            names = set(self.alerts)
            if self.state == IDLE and not any(
                self.profile.alert(n).blocks_everything for n in self.alerts
            ):
                names.add("coffee_ready")
            if self.keys_locked:
                names.add("locked_keys")
            return sorted(names, key=lambda n: self.profile.alert(n).bit)

    def status_bits(self) -> bytes:
        """The status bitfield: bit n at byte n // 8, most significant first."""
        data = bytearray(self.profile.status_bytes)
        for name in self.active_alerts():
            bit = self.profile.alert(name).bit
            data[bit // 8] |= 0x80 >> (bit % 8)
        return bytes(data)

    def status_frame(self) -> str:
        return "@TF:" + self.status_bits().hex().upper()

    def counter_slots(self) -> list[int]:
        """The 64 slots of ``@TR:32``: total, then one per product code."""
        with self._lock:
            slots = [0xFFFF] * 64
            slots[0] = min(self.total, 0xFFFE)
            for code, count in self.counters.items():
                slots[code] = min(count, 0xFFFE)
            return slots

    def _status_beat(self) -> None:
        with self._lock:
            self._beat = self.clock.call_later(
                self.settings.status_interval, self._status_beat
            )
            if self.state == IDLE:
                self._push(self.status_frame())

    def _push(self, frame: str) -> None:
        for listener in list(self._listeners):
            listener(frame)

    # ------------------------------------------------------------------- reading --
    def snapshot(self) -> dict[str, Any]:
        """Everything about the machine, as plain JSON-able data."""
        with self._lock:
            brewing = None
            if self.brew_now is not None and self.state == BREWING:
                brewing = {
                    "product": self.brew_now.recipe.product.name,
                    "source": self.brew_now.source,
                    "elapsed": self.clock.now() - self.brew_now.started_at,
                    "duration": self.brew_now.plan.duration,
                }
            return {
                "name": self.name,
                "model": self.profile.model,
                "ef_code": self.profile.code,
                "state": self.state,
                "brewing": brewing,
                "alerts": self.active_alerts(),
                "keys_locked": self.keys_locked,
                "pending_pairing": self.pending_pairing,
                "known_devices": sorted(self.known_devices),
                "total": self.total,
                "counters": {
                    p.name: self.counters[p.code] for p in self.profile.products
                },
                "maintenance": dict(self.maintenance),
                "maintenance_percent": self.maintenance_percent(),
                "settings": dict(self.setting_values),
                "brews": [dict(b) for b in self.brews],
            }
