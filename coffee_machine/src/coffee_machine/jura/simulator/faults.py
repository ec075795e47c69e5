"""Fault switches: make a dongle misbehave the way real ones do.

A Smart Connect dongle lives on a home WiFi: the machine is switched off, its
auto-off takes the dongle down with it, the dongle resets a session it has
decided it is done with. Each switch targets one machine (by index, 0 by
default) and is flipped from Python (``sim.faults.offline(0)``), from the
control endpoint (``POST /simulator/faults {"offline": {"0": "refuse"}}``) or
from the command line (``--offline 0``). Counted faults apply to the next N
occasions and then switch themselves off.

==============================  ===============================================
switch                          effect
==============================  ===============================================
``offline(i)``                  the dongle is off the network: connections are
                                refused (``ConnectionRefusedError``), open
                                sessions are reset, discovery is silent
``offline(i, "silent")``        the dongle is there but does not talk:
                                connections open, nothing is ever answered or
                                pushed (a client times out)
``offline(i, False)``           back online
``drop_connections(n, i)``      the next n commands (the handshake included)
                                are met by a TCP reset instead of an answer
``lose_brew_answer(n, i)``      the next n accepted ``@TP:`` brews DO start,
                                but their ``@tp`` never arrives: the client
                                cannot know
==============================  ===============================================
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["OFFLINE_MODES", "Faults"]

COUNTED = ("drop_connections", "lose_brew_answer")
OFFLINE_MODES = ("refuse", "silent")


class Faults:
    """The simulator's fault switches, per machine index (thread-safe)."""

    def __init__(self, set_offline: Callable[[int, str | None], None] | None = None):
        self._lock = threading.Lock()
        self._set_offline = set_offline
        self._offline: dict[int, str] = {}
        self._counts: dict[tuple[str, int], int] = {}

    # -- switches ------------------------------------------------------------------
    def offline(self, machine: int = 0, mode: str | bool = "refuse") -> None:
        """Take a machine's dongle off the network (``mode=False``: back)."""
        if mode is True:
            mode = "refuse"
        if mode and mode not in OFFLINE_MODES:
            raise ValueError(f"offline mode is one of {OFFLINE_MODES}, not {mode!r}")
        with self._lock:
            if mode:
                self._offline[machine] = str(mode)
            else:
                self._offline.pop(machine, None)
        if self._set_offline is not None:
            self._set_offline(machine, str(mode) if mode else None)

    def drop_connections(self, count: int = 1, machine: int = 0) -> None:
        self._set("drop_connections", machine, count)

    def lose_brew_answer(self, count: int = 1, machine: int = 0) -> None:
        self._set("lose_brew_answer", machine, count)

    def reset(self) -> None:
        """Every switch off, every machine back online."""
        with self._lock:
            self._counts.clear()
            offline = list(self._offline)
        for machine in offline:
            self.offline(machine, False)

    def _set(self, name: str, machine: int, count: int) -> None:
        with self._lock:
            self._counts[(name, machine)] = max(0, int(count))

    # -- what the server asks --------------------------------------------------------
    def offline_mode(self, machine: int) -> str | None:
        with self._lock:
            return self._offline.get(machine)

    def take(self, name: str, machine: int) -> bool:
        """Use up one count of a counted fault; True if it fires now."""
        with self._lock:
            left = self._counts.get((name, machine), 0)
            if left <= 0:
                return False
            self._counts[(name, machine)] = left - 1
            return True

    def pending(self, name: str, machine: int = 0) -> int:
        with self._lock:
            return self._counts.get((name, machine), 0)

    # -- control endpoint --------------------------------------------------------------
    def apply(self, changes: dict[str, Any]) -> None:
        """Apply switches given as JSON.

        ``{"offline": {"0": "refuse", "1": false}, "drop_connections": 2,
        "lose_brew_answer": {"1": 1}, "reset": true}``: a bare count targets
        machine 0.
        """
        for name, value in changes.items():
            if name == "reset":
                if value:
                    self.reset()
            elif name == "offline":
                for machine, mode in dict(value).items():
                    self.offline(int(machine), mode)
            elif name in COUNTED:
                targets = value if isinstance(value, dict) else {0: value}
                for machine, count in targets.items():
                    self._set(name, int(machine), int(count))
            else:
                raise ValueError(f"unknown fault {name!r}")

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            snapshot: dict[str, Any] = {
                "offline": {str(m): mode for m, mode in sorted(self._offline.items())}
            }
            for name in COUNTED:
                snapshot[name] = {
                    str(m): n for (f, m), n in sorted(self._counts.items()) if f == name
                }
            return snapshot
