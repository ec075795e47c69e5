"""Serving one event stream: ``GET /api/homeappliances[/{haId}]/events``.

Once the request is admitted like any API call (:mod:`.api_requests`), the
handler subscribes to the :class:`.events.EventBus` and keeps the connection
for as long as the stream lives: a ``200`` with
``Transfer-Encoding: chunked``, then one chunk per frame
(:meth:`StreamRequests._write_chunk`) so that a reader gets each frame as
soon as it is sent, and a last empty chunk when the stream ends.

:meth:`StreamRequests._pump` drains the subscription until the bus closes it
(the machine was removed, the simulator stops), the client hangs up (checked
on every quiet moment, or a silent stream would never notice), or the
simulator stops. It also sends the real-time keep-alives
(``keepalive_real_seconds``) and honours the ``stall_events`` fault: while
stalled, nothing at all is written.
"""

from __future__ import annotations

import logging
import select
import socket
import time

from .. import keys
from .catalogue import pick_language
from .events import Subscription, format_frame, render
from .oauth import AccessToken
from .wire import HandlerBase

_logger = logging.getLogger(__name__)


class StreamRequests(HandlerBase):
    """The request handler's event-stream side."""

    def _stream(self, ha_id: str | None, token: AccessToken) -> None:
        if ha_id is not None and ha_id not in self.sim.machines:
            self.sim.quota.record_answer(token.principal, 404)
            self._send_error(404, keys.ERROR_RESOURCE_NOT_FOUND, "Unknown appliance")
            return
        language = pick_language(self.headers.get("Accept-Language"))
        bus = self.sim.bus
        subscription = bus.subscribe(ha_id, token.principal, language)
        self.sim.quota.record_answer(token.principal, 200)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            self._pump(subscription)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            _logger.debug("event stream closed by the client")
        finally:
            bus.unsubscribe(subscription)

    def _pump(self, subscription: Subscription) -> None:
        """Write queued frames until the stream closes, the client leaves or we stop."""
        bus = self.sim.bus
        real_keepalive = bus.keepalive_real_seconds
        wait = min(0.1, real_keepalive) if real_keepalive else 0.1
        last_write = time.monotonic()
        while not self.sim.stopping.is_set():
            message = subscription.get(wait)
            if Subscription.is_close(message):
                return
            if message is None:
                if self._client_gone():
                    return
                due = real_keepalive and time.monotonic() - last_write >= real_keepalive
                if due and not bus.stalled:
                    self._write_chunk(format_frame("KEEP-ALIVE"))
                    last_write = time.monotonic()
                continue
            if bus.stalled:
                continue
            self._write_chunk(render(message, subscription.language))
            last_write = time.monotonic()

    def _write_chunk(self, frame: bytes) -> None:
        """One SSE frame as one HTTP chunk: readers get it as soon as it is sent."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))

    def _client_gone(self) -> bool:
        """Has the client hung up? (A quiet stream would never notice.)"""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True
        return False
