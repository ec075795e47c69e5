"""Simulated time: every "when" in a simulator asks a clock.

Both simulators of this package (Home Connect's and JURA's) live in time: a
coffee takes thirty seconds, a remote-start permission lapses after a day, a
pairing dialog on a JURA display gives up after forty seconds, a status frame
is pushed every two. Tests cannot wait for any of that, so nothing in a
simulator reads the wall clock or sleeps: it asks a clock for ``now()`` and
asks it to run a callback later (``call_at``).

Two clocks share that interface:

* :class:`ManualClock` stands still until a test moves it. ``advance(30)``
  moves time forward and runs, synchronously and in order, every timer that
  falls due on the way, so that when ``advance`` returns the machine has
  finished brewing. It starts at a fixed instant (2026-01-01T08:00:00Z), so a
  seeded run is repeatable.
* :class:`RealClock` follows the wall clock, optionally faster
  (``RealClock(factor=10)``: a 30 s brew takes 3 real seconds); a background
  ticker thread runs the timers as they fall due.

>>> clock = ManualClock()
>>> fired = []
>>> _ = clock.call_later(30, lambda: fired.append(clock.now()))
>>> clock.advance(60)
>>> fired == [MANUAL_EPOCH + 30]
True
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

__all__ = ["MANUAL_EPOCH", "Clock", "ManualClock", "RealClock", "Timer", "make_clock"]

_logger = logging.getLogger(__name__)

#: 2026-01-01T08:00:00Z: where a manual clock starts.
MANUAL_EPOCH = 1767254400.0


class Timer:
    """A callback due at a given time; ``cancel()`` keeps it from running."""

    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: Callable[[], object]):
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """The interface (and the shared timer queue) of every simulator clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timers: list[tuple[float, int, Timer]] = []
        self._sequence = itertools.count()
        self._tick_listeners: list[Callable[[float], object]] = []

    # -- what callers use ------------------------------------------------------
    def now(self) -> float:
        raise NotImplementedError

    def call_at(self, when: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` once the clock reaches ``when`` (simulated seconds)."""
        timer = Timer(when, callback)
        with self._lock:
            heapq.heappush(self._timers, (when, next(self._sequence), timer))
        return timer

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return self.call_at(self.now() + delay, callback)

    def add_tick_listener(self, listener: Callable[[float], object]) -> None:
        """Call ``listener(now)`` each time the clock moves (keep-alives use it)."""
        self._tick_listeners.append(listener)

    def start(self) -> None:
        """Start a background ticker, if the clock has one."""

    def stop(self) -> None:
        """Stop the background ticker, if the clock has one."""

    # -- shared machinery --------------------------------------------------------
    def _pop_due(self, until: float) -> Timer | None:
        with self._lock:
            while self._timers and self._timers[0][0] <= until:
                timer = heapq.heappop(self._timers)[2]
                if not timer.cancelled:
                    return timer
        return None

    def _tick(self, now: float) -> None:
        for listener in list(self._tick_listeners):
            listener(now)


class ManualClock(Clock):
    """A clock that only moves when told to: deterministic tests."""

    def __init__(self, start: float = MANUAL_EPOCH):
        super().__init__()
        self._now = float(start)
        self._advance_lock = threading.RLock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward, running every timer due on the way, in order.

        A timer that schedules another timer inside the window (the
        ``Finished`` → ``Ready`` step after a brew) runs too before this returns.
        """
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._advance_lock:
            target = self._now + seconds
            while (timer := self._pop_due(target)) is not None:
                self._now = max(self._now, timer.when)
                timer.callback()
            self._now = target
            self._tick(target)


class RealClock(Clock):
    """Wall-clock time, ``factor`` times faster, with a background ticker."""

    def __init__(self, factor: float = 1.0, tick: float = 0.02):
        super().__init__()
        if factor <= 0:
            raise ValueError("the acceleration factor must be positive")
        self.factor = float(factor)
        self._tick_seconds = tick
        self._origin_wall = time.time()
        self._origin_monotonic = time.monotonic()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        elapsed = time.monotonic() - self._origin_monotonic
        return self._origin_wall + elapsed * self.factor

    def advance(self, seconds: float) -> None:
        """Jump forward (demos, the control endpoint); timers catch up at once."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._origin_wall += seconds
        self.run_due()

    def run_due(self) -> None:
        now = self.now()
        while (timer := self._pop_due(now)) is not None:
            timer.callback()
        self._tick(now)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name="simulator-clock", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self._tick_seconds):
            try:
                self.run_due()
            except Exception:  # a broken timer must not stop time
                _logger.exception("simulator timer failed")


def make_clock(spec: Clock | str | float) -> Clock:
    """The clock a simulator's configuration asks for: a :class:`Clock` as
    it is, ``"manual"`` for a :class:`ManualClock`, a number for a
    :class:`RealClock` that many times faster than the wall clock."""
    if isinstance(spec, Clock):
        return spec
    if spec == "manual":
        return ManualClock()
    return RealClock(float(spec))
