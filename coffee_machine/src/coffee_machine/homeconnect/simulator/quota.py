"""Rate limits, as Home Connect enforces them per client id and user account.

* 1000 calls a (UTC) day; then blocked until midnight;
* 50 calls a minute; then blocked for the rest of that minute;
* 5 program starts and 5 stops a minute;
* 10 error answers in a row within 10 minutes; then blocked 10 minutes;
* 10 open event streams at once.

Over a limit the API answers 429 with ``{"error": {"key": "429", ...}}`` and a
``Retry-After`` header (whole seconds). An answer refused with 429 does not
count as a call. Opening an event stream counts as one call, however long it
stays open.

Everything runs on the simulator clock, and each limit can be changed or
switched off (``None``), or the whole keeper with ``enabled=False``:

>>> from .clock import ManualClock
>>> keeper = QuotaKeeper(QuotaConfig(per_minute=2), ManualClock())
>>> keeper.admit("me"), keeper.admit("me"), keeper.admit("me")
(None, None, 60)
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

DAY = 86400


@dataclass
class QuotaConfig:
    """The limits; ``None`` switches one off, ``enabled=False`` all of them."""

    per_minute: int | None = 50
    per_day: int | None = 1000
    starts_per_minute: int | None = 5
    stops_per_minute: int | None = 5
    error_streak: int | None = 10
    error_window: float = 600.0
    error_block: float = 600.0
    max_streams: int | None = 10
    enabled: bool = True


@dataclass
class _Window:
    """A fixed window: opened by its first call, closed ``length`` later."""

    length: float
    started: float = -math.inf
    count: int = 0

    def hit(self, now: float, limit: int | None) -> float | None:
        """Count a call; return seconds to wait if it is over the limit."""
        if now >= self.started + self.length:
            self.started, self.count = now, 0
        if limit is not None and self.count >= limit:
            return self.started + self.length - now
        self.count += 1
        return None


@dataclass
class _Account:
    """The counters of one client id + user."""

    minute: _Window = field(default_factory=lambda: _Window(60))
    starts: _Window = field(default_factory=lambda: _Window(60))
    stops: _Window = field(default_factory=lambda: _Window(60))
    day: int = -1
    calls_today: int = 0
    calls_total: int = 0
    errors: list[float] = field(default_factory=list)
    blocked_until: float = 0.0
    block_reason: str = ""
    refused: int = 0


class QuotaKeeper:
    """Counts calls per principal and says when one must wait."""

    def __init__(self, config: QuotaConfig, clock: Any):
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self._accounts: dict[Any, _Account] = {}

    def _account(self, principal: Any) -> _Account:
        return self._accounts.setdefault(principal, _Account())

    def admit(self, principal: Any, kind: str = "call") -> int | None:
        """Count one call (``kind``: call, start, stop); return Retry-After or None.

        A start or a stop counts as a call and also against its own limit.
        """
        config = self.config
        now = self.clock.now()
        with self._lock:
            account = self._account(principal)
            day = int(now // DAY)
            if day != account.day:
                account.day, account.calls_today = day, 0
            if not config.enabled:
                self._count(account)
                return None
            wait = self._blocked(account, now)
            if wait is None and config.per_day is not None:
                if account.calls_today >= config.per_day:
                    wait = (day + 1) * DAY - now
                    account.block_reason = "daily quota"
            if wait is None:
                wait = self._minute_limits(account, kind, now)
            if wait is not None:
                account.refused += 1
                return max(1, math.ceil(wait))
            self._count(account)
            return None

    @staticmethod
    def _count(account: _Account) -> None:
        account.calls_today += 1
        account.calls_total += 1

    @staticmethod
    def _blocked(account: _Account, now: float) -> float | None:
        if now < account.blocked_until:
            return account.blocked_until - now
        return None

    def _minute_limits(self, account: _Account, kind: str, now: float) -> float | None:
        config = self.config
        limits = {"start": config.starts_per_minute, "stop": config.stops_per_minute}
        window = {"start": account.starts, "stop": account.stops}.get(kind)
        if window is not None:
            # peek first so that a refused start does not use up a call
            if now >= window.started + window.length:
                window.started, window.count = now, 0
            limit = limits[kind]
            if limit is not None and window.count >= limit:
                account.block_reason = f"{kind}s per minute"
                return window.started + window.length - now
        wait = account.minute.hit(now, config.per_minute)
        if wait is not None:
            account.blocked_until = account.minute.started + 60
            account.block_reason = "calls per minute"
            return wait
        if window is not None:
            window.count += 1
        return None

    def admit_stream(self, principal: Any, open_streams: int) -> int | None:
        """Like :meth:`admit` for opening a stream, with the open-stream cap."""
        config = self.config
        if config.enabled and config.max_streams is not None:
            if open_streams >= config.max_streams:
                with self._lock:
                    self._account(principal).refused += 1
                return 60
        return self.admit(principal)

    def record_answer(self, principal: Any, status: int) -> None:
        """Track error streaks: ``error_streak`` errors in a row → blocked."""
        config = self.config
        if status == 429:
            return
        now = self.clock.now()
        with self._lock:
            account = self._account(principal)
            if status < 400:
                account.errors.clear()
                return
            account.errors = [
                t for t in account.errors if now - t < config.error_window
            ] + [now]
            streak = config.error_streak
            if config.enabled and streak is not None and len(account.errors) >= streak:
                account.blocked_until = now + config.error_block
                account.block_reason = "error streak"
                account.errors.clear()

    def snapshot(self) -> dict[str, Any]:
        """Counters per principal (``client_id/user``) for the control endpoint."""
        now = self.clock.now()
        with self._lock:
            return {
                "/".join(map(str, p)) if isinstance(p, tuple) else str(p): {
                    "calls_today": a.calls_today,
                    "calls_total": a.calls_total,
                    "refused": a.refused,
                    "blocked_for": max(0.0, a.blocked_until - now),
                    "block_reason": a.block_reason if a.blocked_until > now else "",
                    "error_streak": len(a.errors),
                }
                for p, a in self._accounts.items()
            }

    def calls_today(self, principal: Any) -> int:
        with self._lock:
            return self._account(principal).calls_today
