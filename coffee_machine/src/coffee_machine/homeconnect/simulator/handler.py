"""One HTTP request: which of the simulator's three faces it is for.

The simulator's ``ThreadingHTTPServer`` (:mod:`.server`) serves each request
in a thread with a :class:`RequestHandler`, which reads the body first (see
:mod:`.wire`) and sends the request on by its path. Three families of URLs:

* ``/api/...``: the Home Connect API, wrapped (``{"data": ...}`` /
  ``{"error": {"key", "description"}}``), media type
  ``application/vnd.bsh.sdk.v1+json`` (406 / 415 otherwise; a missing
  ``Accept`` or ``*/*`` is accepted), Bearer tokens (401 / 403), quotas (429
  with ``Retry-After``), localised by ``Accept-Language``
  (:mod:`.api_requests`, :mod:`.routes`, :mod:`.endpoints`, :mod:`.stream`);
* ``/security/oauth/...``: authorize (HTML), token, device_authorization,
  device_verify (HTML) (:mod:`.oauth_handler`);
* ``/simulator/...``: the control endpoint (JSON, no auth, loopback clients
  only): ``GET state``, ``POST clock/advance``, ``POST faults``,
  ``POST machines`` (add), ``DELETE machines/<haId>``,
  ``POST machines/<haId>/panel``, ``POST tokens``, ``POST device/approve``
  (:mod:`.control`).

Anything else is a ``404``. A bug in a handler answers ``500`` instead of
leaving the client waiting; a client that hung up is let go quietly.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

from .. import keys
from .api_requests import ApiRequests
from .control import ControlRequests
from .oauth_handler import OAuthRequests

_logger = logging.getLogger(__name__)


class RequestHandler(ApiRequests, OAuthRequests, ControlRequests):
    """One HTTP request: route it to the API, OAuth or the control endpoint."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path
        self.query = dict(parse_qsl(split.query, keep_blank_values=True))
        self._body = None
        # Read the body before anything else: a request refused unread (401,
        # 403, 406, 429...) must not leave it on a kept-alive connection.
        self._read_body()
        try:
            if path.startswith("/api/"):
                self._api(method, path)
            elif path.startswith("/security/oauth/"):
                self._oauth(method, path)
            elif path.startswith("/simulator/"):
                self._control(method, path)
            else:
                self._send_error(404, keys.ERROR_RESOURCE_NOT_FOUND, "Not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # never let a handler bug hang the client
            _logger.exception("simulator handler failed on %s %s", method, path)
            self._send_error(500, keys.ERROR_INTERNAL, "Simulator bug")
