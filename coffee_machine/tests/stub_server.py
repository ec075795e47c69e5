"""A tiny HTTP server that answers whatever a test tells it to, byte for byte.

The simulator behaves like Home Connect; this stub misbehaves on demand, so
tests can feed the client answers no well-behaved server would send (bad JSON,
HTML error pages, a socket closed without an answer, an event stream cut in
the middle of a frame)::

    with StubServer() as stub:
        stub.respond(Canned(status=200, headers={"Content-Type": "text/html"},
                            body=b"<html>"))
        client = HomeConnectClient(stub.url, "token")
        ...
        assert stub.requests[0].headers["Accept"] == MEDIA_TYPE

Each request takes the next queued :class:`Canned` answer (or ``default``).
Every answer closes the connection afterwards, so no state leaks between calls.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MEDIA_TYPE = "application/vnd.bsh.sdk.v1+json"


@dataclass
class Canned:
    """One answer.

    :ivar status: HTTP status of the answer.
    :ivar headers: headers to send (``Content-Length`` is added for ``body``).
    :ivar body: the body, sent whole.
    :ivar chunks: instead of ``body``: parts sent one by one (no length, the
        end of the body is the closing of the connection), ``chunk_delay``
        seconds apart.
    :ivar hang: after the chunks, keep the connection open and silent until
        the server stops (a stream whose keep-alives stopped).
    :ivar delay: seconds to wait before answering (a slow server).
    :ivar close: close the socket without answering anything.
    :ivar raw: send exactly these bytes (status line included), then close.
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: Sequence[bytes] | None = None
    chunk_delay: float = 0.0
    hang: bool = False
    delay: float = 0.0
    close: bool = False
    raw: bytes | None = None


def json_answer(
    payload: Any,
    status: int = 200,
    *,
    content_type: str = MEDIA_TYPE,
    headers: Mapping[str, str] | None = None,
) -> Canned:
    """An answer whose body is ``payload`` as JSON (or ``payload`` if bytes)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Canned(
        status=status,
        headers={"Content-Type": content_type, **(headers or {})},
        body=body,
    )


def api_error(status: int, key: str, description: str = "", **headers: str) -> Canned:
    """A Home Connect error answer ``{"error": {"key", "description"}}``."""
    return json_answer(
        {"error": {"key": key, "description": description}}, status, headers=headers
    )


def sse_answer(*chunks: bytes, hang: bool = False, delay: float = 0.0) -> Canned:
    """An event-stream answer made of ``chunks``."""
    return Canned(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
        chunks=list(chunks),
        chunk_delay=delay,
        hang=hang,
    )


@dataclass
class RecordedRequest:
    """What the client sent."""

    method: str
    path: str
    headers: Message
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    server: _StubHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep the test log quiet

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        stub = self.server.stub
        stub.requests.append(
            RecordedRequest(self.command, self.path, self.headers, body)
        )
        canned = stub.next_answer()
        self.close_connection = True
        if canned.delay and stub.stopped.wait(canned.delay):
            return
        if canned.close:
            self._abort()
            return
        if canned.raw is not None:
            self.wfile.write(canned.raw)
            self.wfile.flush()
            return
        self.send_response(canned.status)
        for name, value in canned.headers.items():
            self.send_header(name, value)
        if canned.chunks is None:
            self.send_header("Content-Length", str(len(canned.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if canned.chunks is None:
            self.wfile.write(canned.body)
            self.wfile.flush()
            return
        self._stream(canned, stub)

    def _stream(self, canned: Canned, stub: StubServer) -> None:
        try:
            for chunk in canned.chunks or ():
                self.wfile.write(chunk)
                self.wfile.flush()
                if canned.chunk_delay and stub.stopped.wait(canned.chunk_delay):
                    return
            if canned.hang:
                stub.stopped.wait()
        except OSError:
            return  # the client went away

    def _abort(self) -> None:
        with contextlib.suppress(OSError):  # the client went away
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_PUT = do_POST = do_DELETE = _handle


class _StubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer


class StubServer:
    """Serve canned answers on ``127.0.0.1`` and a free port, in a thread."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.answers: deque[Canned] = deque()
        self.default: Canned = json_answer(
            {"error": {"key": "stub", "description": "no canned answer left"}}, 599
        )
        self.stopped = threading.Event()
        self._server = _StubHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="stub-server",
            daemon=True,
        )
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, *answers: Canned) -> StubServer:
        """Queue answers for the next requests, in order."""
        with self._lock:
            self.answers.extend(answers)
        return self

    def next_answer(self) -> Canned:
        with self._lock:
            return self.answers.popleft() if self.answers else self.default

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` requests arrived (for threaded tests)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
