"""Fault switches: make the simulator misbehave the way the real cloud does.

Each switch can be flipped from Python (``sim.faults.slow(0.5)``), from the
control endpoint (``POST /simulator/faults {"slow": 0.5}``) or from the
command line (``--slow 0.5``). Counted faults apply to the next N calls under
``/api`` and then switch themselves off.

============================  =================================================
switch                        effect
============================  =================================================
``offline(ha_id, True)``      the machine drops off the cloud: 409
                              ``SDK.Error.HomeAppliance.Connection.
                              Initialization.Failed``, ``connected: false``,
                              a DISCONNECTED event (CONNECTED when back)
``slow(seconds)``             every answer waits that many REAL seconds
``server_error(n)``           the next n calls answer 500 (``True``: all)
``drop_connections(n)``       the next n calls get no answer: socket closed
``lose_start_answer(n)``      the next n successful starts (PUT programs/active)
                              DO start the beverage, then the socket is closed
                              without an answer: the client cannot know
``stall_events(True)``        event streams go silent, keep-alives included:
                              the changes made meanwhile are lost
``timeout_408(n)``            the next n calls answer 408
                              ``SDK.Error.408.RequestTimeout``
============================  =================================================
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

COUNTED = ("server_error", "drop_connections", "lose_start_answer", "timeout_408")


class Faults:
    """The simulator's fault switches (thread-safe)."""

    def __init__(
        self,
        set_offline: Callable[[str, bool], None] | None = None,
        set_stalled: Callable[[bool], None] | None = None,
        offline_machines: Callable[[], list[str]] | None = None,
    ):
        self._lock = threading.Lock()
        self._set_offline = set_offline
        self._set_stalled = set_stalled
        self._offline_machines = offline_machines
        self.slow_seconds = 0.0
        self.events_stalled = False
        self.always_server_error = False
        self._counts = dict.fromkeys(COUNTED, 0)

    # -- switches ------------------------------------------------------------------
    def offline(self, ha_id: str, offline: bool = True) -> None:
        """Take a machine off the cloud (``offline=False`` brings it back)."""
        if self._set_offline is None:
            raise RuntimeError("faults are not attached to a simulator")
        self._set_offline(ha_id, offline)

    def slow(self, seconds: float) -> None:
        self.slow_seconds = max(0.0, float(seconds))

    def server_error(self, count: int | bool = 1) -> None:
        with self._lock:
            if isinstance(count, bool):
                self.always_server_error = count
                self._counts["server_error"] = 0
            else:
                self._counts["server_error"] = int(count)

    def drop_connections(self, count: int = 1) -> None:
        self._set("drop_connections", count)

    def lose_start_answer(self, count: int = 1) -> None:
        self._set("lose_start_answer", count)

    def timeout_408(self, count: int = 1) -> None:
        self._set("timeout_408", count)

    def stall_events(self, stalled: bool = True) -> None:
        self.events_stalled = bool(stalled)
        if self._set_stalled is not None:
            self._set_stalled(self.events_stalled)

    def reset(self) -> None:
        """Every switch off, every machine back online."""
        self.slow(0)
        self.server_error(False)
        for name in COUNTED:
            self._set(name, 0)
        self.stall_events(False)
        if self._offline_machines is not None:
            for ha_id in self._offline_machines():
                self.offline(ha_id, False)

    def _set(self, name: str, count: int | bool) -> None:
        with self._lock:
            self._counts[name] = int(count)

    # -- what the server asks --------------------------------------------------------
    def take(self, name: str) -> bool:
        """Use up one count of a counted fault; True if it fires now."""
        with self._lock:
            if name == "server_error" and self.always_server_error:
                return True
            if self._counts[name] > 0:
                self._counts[name] -= 1
                return True
            return False

    def pending(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    # -- control endpoint --------------------------------------------------------------
    def apply(self, changes: dict[str, Any]) -> None:
        """Apply switches given as JSON: ``{"slow": 0.2, "offline": {haId: true}}``."""
        for name, value in changes.items():
            if name == "offline":
                for ha_id, offline in dict(value).items():
                    self.offline(ha_id, bool(offline))
            elif name == "reset":
                if value:
                    self.reset()
            elif name == "slow":
                self.slow(float(value))
            elif name == "stall_events":
                self.stall_events(bool(value))
            elif name == "server_error":
                self.server_error(value if isinstance(value, bool) else int(value))
            elif name in COUNTED:
                self._set(name, int(value))
            else:
                raise ValueError(f"unknown fault {name!r}")

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            counts = dict(self._counts)
        return {
            "offline": sorted(self._offline_machines())
            if self._offline_machines
            else [],
            "slow": self.slow_seconds,
            "stall_events": self.events_stalled,
            "server_error": True
            if self.always_server_error
            else counts["server_error"],
            **{name: counts[name] for name in COUNTED if name != "server_error"},
        }
