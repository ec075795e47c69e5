"""What both simulators share beyond their clock: serving, and their control.

Each protocol's simulator (``homeconnect.simulator``, ``jura.simulator``) is
its own machine, but runs the same way from the command line and answers the
same basic control requests:

* :func:`serve_until_signalled` prints the simulator's banner and serves
  until SIGTERM or Ctrl-C, then stops it;
* :func:`shared_control` answers the control requests every simulator has:
  ``GET state``, ``POST clock/advance``, ``POST faults``. A simulator's own
  control handler asks it first and answers the rest itself.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any, Protocol


class Controllable(Protocol):
    """What a simulator offers to :func:`serve_until_signalled` and
    :func:`shared_control`."""

    clock: Any
    faults: Any

    def state(self) -> dict[str, Any]: ...

    def stop(self) -> None: ...


def serve_until_signalled(sim: Controllable, banner: str) -> int:
    """Print ``banner``, serve until SIGTERM or SIGINT, stop ``sim``."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.stdout.write(banner)
    sys.stdout.flush()
    try:
        while not stop.wait(0.2):
            pass
    finally:
        sim.stop()
    sys.stdout.write("Simulator stopped.\n")
    sys.stdout.flush()
    return 0


def shared_control(
    sim: Controllable, method: str, parts: list[str], payload: dict[str, Any]
) -> tuple[int, Any] | None:
    """Answer a control request every simulator has; ``None`` for the others.

    ``parts`` is the request's path below ``/simulator``.
    """
    if method == "GET" and parts == ["state"]:
        return 200, sim.state()
    if method == "POST" and parts == ["clock", "advance"]:
        sim.clock.advance(float(payload.get("seconds", 0)))
        return 200, {"now": sim.clock.now()}
    if method == "POST" and parts == ["faults"]:
        sim.faults.apply(payload)
        return 200, sim.faults.snapshot()
    return None
