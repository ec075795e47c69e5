"""The bytes of one HTTP exchange: read the request body, send the answer.

:class:`HandlerBase` is the stdlib request handler every part of the
simulator's HTTP side builds on (:mod:`.handler` puts them together). It
speaks HTTP/1.1 with kept-alive connections, so it keeps two rules:

* every request's body is read, once (:meth:`HandlerBase._read_body`), even
  when the request is refused unread: a body left behind would be taken for
  the next request on the connection;
* every answer says how long it is (``Content-Length``), except 204.

Answers leave as JSON (:meth:`HandlerBase._send_json`, the API's media type
unless told otherwise), as an API error (:meth:`HandlerBase._send_error`,
the envelope of :mod:`.errors`), or not at all (:meth:`HandlerBase._drop`:
the socket is closed without a word, as a fault switch may ask).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .. import keys
from .errors import error_body

if TYPE_CHECKING:
    from .server import Simulator, _Server

_logger = logging.getLogger(__name__)


class HandlerBase(BaseHTTPRequestHandler):
    """Reading and sending for the simulator's request handler."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms stalls
    server: _Server
    server_version = "HomeConnectSimulator/1.0"
    #: The request's query string, parsed (set for each request).
    query: dict[str, str]
    _body: bytes | None

    @property
    def sim(self) -> Simulator:
        return self.server.sim

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        _logger.debug("%s - %s", self.address_string(), format % args)

    def _read_body(self) -> bytes:
        """The request body, read once; every request's body is read (see below)."""
        if self._body is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length > 0 else b""
        return self._body

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type and status != 204:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 204:
            self.wfile.write(body)

    def _send_json(
        self,
        status: int,
        payload: Any,
        content_type: str = keys.MEDIA_TYPE,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps(payload).encode("utf-8") if payload is not None else b""
        self._send(status, body, content_type, headers)

    def _send_error(
        self, status: int, key: str, description: str, headers: dict | None = None
    ) -> None:
        self._send_json(status, error_body(key, description), headers=headers)

    def _drop(self) -> None:
        """Close the socket without a word: the client sees no answer at all."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client left first
            self.connection.shutdown(socket.SHUT_RDWR)
