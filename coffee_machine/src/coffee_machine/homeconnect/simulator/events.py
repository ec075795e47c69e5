"""The event stream: how machines tell clients what changed, as it happens.

Home Connect pushes changes as server-sent events (SSE) on a long-lived
``GET /api/homeappliances/events`` (every machine) or
``GET /api/homeappliances/{haId}/events`` (one machine). A frame is a few
``field:value`` lines and a blank line::

    event:STATUS
    data:{"haId":"BOSCH-HCS06COM1-0123456789AB","items":[{"key":"BSH.Common.Status.Oper
    ationState","value":"BSH.Common.EnumType.OperationState.Run","timestamp":1767254400,
    "level":"hint","handling":"none","uri":"/api/homeappliances/...","name":"Operation
    state","displayvalue":"Running"}]}   (one line on the wire)
    id:BOSCH-HCS06COM1-0123456789AB

    event:KEEP-ALIVE
    data:

Types: ``KEEP-ALIVE`` (no id, empty data, every ``keepalive_interval``
seconds), ``STATUS``, ``EVENT``, ``NOTIFY``, ``CONNECTED``, ``DISCONNECTED``,
and on the all-machines stream ``PAIRED`` / ``DEPAIRED``.

The :class:`EventBus` sits between the machines and the open streams: a
machine publishes ``(haId, type, items)``; each open stream has a
:class:`Subscription` (a queue) that the HTTP handler drains, localising
``name`` and ``displayvalue`` in the stream's language.

Keep-alives follow the simulator clock (a manual clock moved past the
interval queues one on every open stream) and, when
``keepalive_real_seconds`` is set, also real time: a client's liveness
watchdog can then be tested in a fraction of a second.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from .catalogue import localise

#: Stream types sent to one machine's stream; PAIRED/DEPAIRED go to "all" only.
MACHINE_TYPES = ("STATUS", "EVENT", "NOTIFY", "CONNECTED", "DISCONNECTED")
PAIRING_TYPES = ("PAIRED", "DEPAIRED")
KEEP_ALIVE = "KEEP-ALIVE"
_CLOSE = object()


def format_frame(event_type: str, data: str = "", event_id: str | None = None) -> bytes:
    """One SSE frame: ``event:``, ``data:`` (one line per data line), ``id:``."""
    lines = [f"event:{event_type}"]
    lines += [f"data:{line}" for line in (data.split("\n") if data else [""])]
    if event_id is not None:
        lines.append(f"id:{event_id}")
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def localised_items(items: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Items with ``name`` and, for enum values, ``displayvalue`` added."""
    result = []
    for item in items:
        item = dict(item)
        item.setdefault("name", localise(item["key"], language))
        value = item.get("value")
        if isinstance(value, str) and ".EnumType." in value:
            item.setdefault("displayvalue", localise(value, language))
        result.append(item)
    return result


def render(
    message: tuple[str, str | None, list[dict[str, Any]]], language: str
) -> bytes:
    """Turn a queued ``(type, haId, items)`` into the bytes of one frame."""
    event_type, ha_id, items = message
    if event_type == KEEP_ALIVE:
        return format_frame(KEEP_ALIVE)
    data = {"haId": ha_id, "items": localised_items(items, language)}
    return format_frame(event_type, json.dumps(data, separators=(",", ":")), ha_id)


@dataclass(eq=False)
class Subscription:
    """One open stream: what it listens to and the frames waiting for it."""

    ha_id: str | None  # None: every machine
    principal: Any
    language: str
    last_keepalive: float  # simulated time of the last keep-alive
    queue: queue.Queue = field(default_factory=queue.Queue)
    closed: bool = False

    def put(self, message: Any) -> None:
        if not self.closed:
            self.queue.put(message)

    def get(self, timeout: float) -> Any:
        """The next message, ``None`` on timeout, :data:`_CLOSE` when closed."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    @staticmethod
    def is_close(message: Any) -> bool:
        return message is _CLOSE


class EventBus:
    """Fans machine events out to the open streams."""

    def __init__(
        self,
        clock: Any,
        keepalive_interval: float = 55.0,
        keepalive_real_seconds: float | None = None,
    ):
        self.clock = clock
        self.keepalive_interval = keepalive_interval
        self.keepalive_real_seconds = keepalive_real_seconds
        #: Fault switch: streams send nothing at all, not even keep-alives.
        self.stalled = False
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription] = []
        clock.add_tick_listener(self.on_tick)

    def subscribe(
        self, ha_id: str | None, principal: Any, language: str
    ) -> Subscription:
        subscription = Subscription(ha_id, principal, language, self.clock.now())
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.closed = True
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def open_streams(self, principal: Any = None) -> int:
        with self._lock:
            return sum(
                1
                for s in self._subscriptions
                if principal is None or s.principal == principal
            )

    def publish(self, ha_id: str, event_type: str, items: list[dict[str, Any]]) -> None:
        """A machine's change: to its own streams and to the all-machines ones
        (lost at once while :attr:`stalled`, so that a stall loses exactly the
        changes made during it)."""
        if self.stalled:
            return
        for subscription in self._targets(ha_id, event_type):
            subscription.put((event_type, ha_id, items))

    def _targets(self, ha_id: str, event_type: str) -> list[Subscription]:
        with self._lock:
            subscriptions = list(self._subscriptions)
        if event_type in PAIRING_TYPES:
            return [s for s in subscriptions if s.ha_id is None]
        return [s for s in subscriptions if s.ha_id in (None, ha_id)]

    def on_tick(self, now: float) -> None:
        """Clock moved: queue a keep-alive on streams quiet for an interval."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            if now - subscription.last_keepalive >= self.keepalive_interval:
                subscription.last_keepalive = now
                subscription.put((KEEP_ALIVE, None, []))

    def close_machine_streams(self, ha_id: str) -> None:
        """End the streams of one machine (it was removed from the account)."""
        with self._lock:
            subscriptions = [s for s in self._subscriptions if s.ha_id == ha_id]
        for subscription in subscriptions:
            subscription.put(_CLOSE)

    def close_all(self) -> None:
        """End every open stream promptly (the simulator stops): from now on
        none of them is counted as open, so that the next one opened is a
        new stream."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.put(_CLOSE)
            self.unsubscribe(subscription)
