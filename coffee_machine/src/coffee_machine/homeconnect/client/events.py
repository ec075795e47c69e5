"""Reading the Home Connect event stream (server-sent events).

Home Connect pushes changes over one long HTTP answer in the SSE format::

    event: STATUS
    data: {"items":[{"key":"BSH.Common.Status.OperationState", ...}]}
    id: BOSCH-HCS06COM1-D70390681C2C

    event: KEEP-ALIVE
    data:

Two layers read it:

* :class:`SSEParser` is a plain incremental parser: feed it bytes as they
  arrive, in any chunking, and it returns the complete frames
  (:class:`ServerSentEvent`). It follows the SSE rules (``event:``, ``data:``
  lines joined with ``\\n``, ``id:``, ``retry:``, ``:`` comments, LF / CR / CRLF
  line ends, a blank line dispatches) with one deliberate difference: a frame
  with an ``event:`` line but no data is dispatched too, because a Home Connect
  keep-alive may carry no data. A frame cut off by the end of the stream is
  never returned.
* :class:`EventStream` reads an open answer, turns frames into
  :class:`~.models.Event` objects and keeps the stream alive: the read timeout
  is the keep-alive timeout, so a connection that went silent (no event, not
  even a ``KEEP-ALIVE``) counts as dead. A dead or closed connection is
  reopened (with ``Last-Event-ID`` once an id was seen) when ``reconnect`` is
  true, at most ``max_reconnects`` times; otherwise it raises
  :class:`~.errors.TransportError` (:class:`~.errors.RequestTimeout` for
  silence). A clean end of the answer without ``reconnect`` simply ends the
  iteration. A connection that dies before bringing a single frame is reopened
  only after a growing delay (``reconnect_delay``, doubled up to a minute).
  Opening or reopening fails like any API call
  (:class:`~.errors.UnauthorizedError`, :class:`~.errors.RateLimitedError`...):
  back off before iterating again, since each opening counts against the quota.

A STATUS, EVENT or NOTIFY frame whose data is not the expected JSON raises
:class:`~.errors.MalformedResponseError` from ``next()``, so the caller notices;
the stream stays usable and the next ``next()`` goes on with the next frame.

>>> parser = SSEParser()
>>> parser.feed(b"event: KEEP-ALIVE\\n\\nevent: STATUS\\ndata: {\\"items\\"")
[ServerSentEvent(event='KEEP-ALIVE', data='', id=None, retry=None)]
>>> frame = parser.feed(b": []}\\nid: HA-1\\n\\n")[0]
>>> event_from_frame(frame)
Event(type='STATUS', ha_id='HA-1', items=(), raw='{"items": []}')
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from .errors import HomeConnectError, MalformedResponseError, TransportError
from .models import Event, EventItem
from .transport import READ_ERRORS, transport_error

_logger = logging.getLogger(__name__)

KEEP_ALIVE = "KEEP-ALIVE"
#: Frame types whose data must be ``{"items": [...]}``.
ITEM_EVENT_TYPES = frozenset({"STATUS", "EVENT", "NOTIFY"})

CHUNK_SIZE = 65536
#: Longest wait between two reconnections of a stream that keeps dying.
MAX_RECONNECT_DELAY = 60.0


@dataclass(frozen=True)
class ServerSentEvent:
    """One raw SSE frame: ``event`` (``"message"`` if none was given), data, id."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEParser:
    """Incremental SSE parser: ``feed(bytes) -> list[ServerSentEvent]``."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._started = False
        self._skip_lf = False
        self._reset_frame()

    def _reset_frame(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self._has_fields = False

    @property
    def pending(self) -> bool:
        """Whether part of a frame is buffered (a cut stream leaves one behind)."""
        return bool(self._buffer) or self._has_fields

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the frames completed by them."""
        text = self._decoder.decode(chunk)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        self._buffer += text
        frames: list[ServerSentEvent] = []
        for line in self._take_lines():
            frame = self._line(line)
            if frame is not None:
                frames.append(frame)
        return frames

    def _take_lines(self) -> Iterator[str]:
        buffer = self._buffer
        start = 0
        if self._skip_lf and buffer:
            # the LF of a CRLF cut between two chunks
            start = 1 if buffer.startswith("\n") else 0
            self._skip_lf = False
        while True:
            cr = buffer.find("\r", start)
            lf = buffer.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr != -1 and (lf == -1 or cr < lf):
                yield buffer[start:cr]
                if cr + 1 == len(buffer):
                    self._skip_lf = True
                    start = cr + 1
                    break
                start = cr + 2 if buffer[cr + 1] == "\n" else cr + 1
            else:
                yield buffer[start:lf]
                start = lf + 1
        self._buffer = buffer[start:]

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        else:
            return None  # unknown field: ignored, as SSE says
        self._has_fields = True
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_fields or (self._event is None and not self._data):
            self._reset_frame()
            return None
        frame = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._id or None,
            retry=self._retry,
        )
        self._reset_frame()
        return frame


def event_from_frame(frame: ServerSentEvent) -> Event:
    """Turn an SSE frame into an :class:`Event`.

    STATUS, EVENT and NOTIFY must carry ``{"items": [...]}`` (else
    :class:`MalformedResponseError`); other types keep their items if their
    data happens to have them, and nothing otherwise. ``ha_id`` is the frame's
    ``id:``, or the data's ``haId`` when the frame has no id. The error does not
    quote the data (``Event.raw`` is only there for good frames).
    """
    kind = frame.event
    strict = kind in ITEM_EVENT_TYPES
    items: tuple[EventItem, ...] = ()
    ha_id = frame.id
    if frame.data.strip():
        try:
            payload: Any = json.loads(frame.data)
        except ValueError as exc:
            if strict:
                raise MalformedResponseError(
                    f"Malformed {kind} event: data is not JSON ({exc})."
                ) from exc
            payload = None
        raw_items = payload.get("items") if isinstance(payload, Mapping) else None
        if ha_id is None and isinstance(payload, Mapping):
            found = payload.get("haId")
            ha_id = found if isinstance(found, str) else None
        if isinstance(raw_items, list):
            items = tuple(EventItem.from_api(item) for item in raw_items)
        elif strict:
            raise MalformedResponseError(
                f"Malformed {kind} event: data has no 'items' list."
            )
    elif strict:
        raise MalformedResponseError(f"Malformed {kind} event: no data.")
    return Event(type=kind, ha_id=ha_id, items=items, raw=frame.data)


def _iter_chunks(response: requests.Response) -> Iterator[bytes]:
    """Yield the body's bytes as they arrive (not waiting for a full buffer)."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # urllib3 < 2: byte by byte is slow but never waits
        yield from response.iter_content(chunk_size=1)
        return
    while True:
        data = read1(CHUNK_SIZE)
        if not data:
            return
        yield data


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket under a streamed answer (to wake a read blocked on it)."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:  # http.client detached it: reach it through the file
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


#: ``opener(last_event_id) -> response``: open the stream, raising library errors.
Opener = Callable[[str | None], requests.Response]


class EventStream(Iterator[Event]):
    """An iterator of :class:`Event` over a self-healing SSE connection.

    Build it with :meth:`~.api.HomeConnectClient.events`. Iterate it in a
    thread of its own; call :meth:`close` (from any thread) to stop.

    :ivar reconnects: how many times the connection was reopened.
    :ivar last_event_id: the last ``id:`` seen (sent back as ``Last-Event-ID``).
    """

    def __init__(
        self,
        opener: Opener,
        *,
        reconnect: bool = True,
        max_reconnects: int | None = None,
        keepalive_timeout: float = 70.0,
        reconnect_delay: float = 1.0,
    ) -> None:
        self._opener = opener
        self.reconnect_delay = reconnect_delay
        self.reconnect = reconnect
        self.max_reconnects = max_reconnects
        self.keepalive_timeout = keepalive_timeout
        self.reconnects = 0
        self.last_event_id: str | None = None
        self._frames: deque[ServerSentEvent] = deque()
        self._parser = SSEParser()
        self._response: requests.Response | None = None
        self._chunks: Iterator[bytes] | None = None
        self._socket: socket.socket | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._fruitless = 0  # connections in a row that brought no frame
        self._got_frame = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __iter__(self) -> EventStream:
        return self

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop: close the connection; iteration ends with ``StopIteration``.

        Safe from another thread: a read blocked on the socket wakes up.
        """
        self._closed = True
        self._wakeup.set()
        with self._lock:
            sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by the peer
                sock.shutdown(socket.SHUT_RDWR)
        self._drop_connection()

    def __next__(self) -> Event:
        while True:
            if self._frames:
                return event_from_frame(self._frames.popleft())
            if self._closed:
                raise StopIteration
            if self._chunks is None:
                self._connect()
            self._read_more()

    def backoff(self) -> float:
        """Seconds to wait before the next reconnection.

        A connection that brought at least one frame (a keep-alive will do) is
        reopened at once; connections dying without a word are reopened after
        ``reconnect_delay``, doubled each time up to :data:`MAX_RECONNECT_DELAY`,
        so a misbehaving server cannot make us burn the daily quota.
        """
        if not self._fruitless:
            return 0.0
        delay = self.reconnect_delay * 2 ** (self._fruitless - 1)
        return min(MAX_RECONNECT_DELAY, delay)

    def _connect(self) -> None:
        delay = self.backoff() if self.reconnects else 0.0
        if delay and self._wakeup.wait(delay):
            raise StopIteration  # closed while waiting
        self._got_frame = False
        response = self._opener(self.last_event_id)
        with self._lock:
            if self._closed:
                response.close()
                raise StopIteration
            self._response = response
            self._socket = _socket_of(response)
            self._chunks = _iter_chunks(response)
            self._parser = SSEParser()

    def _drop_connection(self) -> None:
        with self._lock:
            response, self._response, self._chunks = self._response, None, None
            self._socket = None
        if response is not None:
            with contextlib.suppress(READ_ERRORS + (ValueError, AttributeError)):
                response.close()

    def _read_more(self) -> None:
        chunks = self._chunks
        try:
            chunk = next(chunks, b"") if chunks is not None else b""
        except READ_ERRORS + (ValueError, AttributeError) as exc:
            if self._closed:
                return
            if isinstance(exc, ValueError | AttributeError):
                # closed under our feet by another thread
                error: HomeConnectError = TransportError(
                    f"The event stream was closed: {exc}"
                )
            else:
                error = transport_error(exc, "Reading the event stream")
                if error.__class__ is not TransportError:
                    error = type(error)(
                        f"No event and no keep-alive for {self.keepalive_timeout:g} "
                        "seconds: the event stream is dead."
                    )
            self._lost(error)
            return
        if not chunk:
            truncated = self._parser.pending
            self._lost(
                TransportError(
                    "The event stream ended in the middle of an event."
                    if truncated
                    else "The server closed the event stream."
                ),
                clean=not truncated,
            )
            return
        for frame in self._parser.feed(chunk):
            self._got_frame = True
            if frame.id:
                self.last_event_id = frame.id
            self._frames.append(frame)

    def _lost(self, error: HomeConnectError, *, clean: bool = False) -> None:
        """The connection is gone: reopen on the next read, or give up."""
        self._drop_connection()
        self._fruitless = 0 if self._got_frame else self._fruitless + 1
        if self._closed:
            return
        if not self.reconnect:
            self._closed = True
            if clean:
                return
            raise error
        if self.max_reconnects is not None and self.reconnects >= self.max_reconnects:
            self._closed = True
            raise TransportError(
                f"{error} Gave up after {self.reconnects} reconnection(s)."
            )
        self.reconnects += 1
        _logger.info(
            "Event stream lost (%s); reconnecting (%d)", error, self.reconnects
        )
