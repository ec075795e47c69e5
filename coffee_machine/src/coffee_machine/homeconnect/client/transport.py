"""The one place where HTTP happens, and where its failures become ours.

:class:`Transport` sends every request of the client (API calls, token calls,
event streams) through one ``requests.Session`` with a timeout, calls the
``on_request`` hook once per HTTP call, and turns every ``requests``
exception into :class:`~.errors.TransportError` or
:class:`~.errors.RequestTimeout`. :func:`decode_api` and :func:`decode_json`
then turn the answer into data or into the right :mod:`.errors` class. Nothing
above this module has to catch a ``requests`` or ``json`` exception.

It never follows a redirect: every request carries a bearer token or an OAuth
secret (client secret, code, refresh token), so a 3xx answer becomes
:class:`~.errors.UnexpectedRedirect` and no request goes to the host it names.

Internal: use :class:`~.api.HomeConnectClient` and :class:`~.oauth.OAuthClient`.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3.exceptions

from .. import keys
from .errors import (
    HomeConnectError,
    MalformedResponseError,
    RequestTimeout,
    TransportError,
    UnexpectedRedirect,
    api_error_from,
    clean_text,
)

_logger = logging.getLogger(__name__)

#: ``on_request(method, path)``: called once per HTTP call, before it is sent.
OnRequest = Callable[[str, str], Any]

Timeout = float | tuple[float, float]

# Exceptions a read on an open (streamed) response may raise.
READ_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


def is_timeout(exc: BaseException) -> bool:
    """Whether a transport exception is a timeout (connect or read)."""
    if isinstance(
        exc,
        requests.Timeout | urllib3.exceptions.TimeoutError | socket.timeout,
    ):
        return True
    cause = exc.args[0] if exc.args else None
    return isinstance(cause, urllib3.exceptions.TimeoutError | socket.timeout)


def transport_error(exc: BaseException, what: str) -> TransportError:
    """Wrap a low-level exception (a timeout becomes :class:`RequestTimeout`)."""
    detail = clean_text(str(exc))
    if is_timeout(exc):
        return RequestTimeout(f"{what} timed out: {detail}")
    return TransportError(f"{what} failed: {type(exc).__name__}: {detail}")


def _location_host(location: str, base_url: str) -> str | None:
    """``host[:port]`` a ``Location`` points to (never its path, query or user)."""
    try:
        parts = urlsplit(location.strip())
        if not parts.hostname:  # a relative location: the same server
            parts = urlsplit(base_url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return f"{host}:{port}" if port else host


def unexpected_redirect(
    response: requests.Response, method: str, path: str, base_url: str
) -> UnexpectedRedirect:
    """The error for a 3xx answer, naming its status and target host only."""
    status = response.status_code
    location = response.headers.get("Location")
    host = _location_host(location, base_url) if location else None
    if host:
        target = f"a redirect to {host}, not followed"
    elif location:
        target = "a redirect to an unreadable location, not followed"
    else:
        target = "no Location"
    return UnexpectedRedirect(
        f"Unexpected answer (HTTP {status}) to {method} {path}: {target}.",
        status=status,
        location_host=host,
    )


def normalize_base_url(base_url: str) -> str:
    """``https://host/``, ``https://host/api`` → ``https://host``."""
    url = base_url.rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    return url


def segment(value: str) -> str:
    """Quote one path segment (an haId, a key)."""
    return quote(str(value), safe="")


class Transport:
    """A session, a base URL, a default timeout and the request hook."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
        on_request: OnRequest | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self.on_request = on_request
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()

    def close(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session:
            self.session.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one HTTP request; raise :class:`TransportError` on no answer.

        Redirects are never followed: a 3xx answer raises
        :class:`~.errors.UnexpectedRedirect` (its connection closed).
        """
        if self.on_request is not None:
            self.on_request(method, path)
        url = self.base_url + path
        _logger.debug("Home Connect %s %s", method, path)
        try:
            response = self.session.request(
                method,
                url,
                headers=dict(headers or {}),
                timeout=self.timeout if timeout is None else timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.InvalidHeader:
            # its text quotes the header value, which may be the bearer token
            raise TransportError(
                f"{method} {path} failed: a request header value is invalid."
            ) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise transport_error(exc, f"{method} {path}") from exc
        except (OSError, ValueError) as exc:  # pragma: no cover - defensive
            raise transport_error(exc, f"{method} {path}") from exc
        _logger.debug("Home Connect %s %s -> %s", method, path, response.status_code)
        if 300 <= response.status_code < 400:
            error = unexpected_redirect(response, method, path, self.base_url)
            response.close()
            raise error
        return response


# -- decoding ---------------------------------------------------------------------


def media_type(response: requests.Response) -> str:
    """The answer's media type, lower case, without parameters."""
    value = response.headers.get("Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()


def is_json_type(mtype: str) -> bool:
    """``application/json``, ``application/vnd.bsh.sdk.v1+json``..."""
    return mtype == "application/json" or mtype.endswith("+json")


def load_json(response: requests.Response) -> Any:
    """Parse the answer's body as JSON, or raise :class:`MalformedResponseError`.

    The error never quotes the body: it may be anyone's page.
    """
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedResponseError(
            f"Malformed answer: HTTP {response.status_code} body is not JSON ({exc}).",
            status=response.status_code,
        ) from exc


def _error_fields(body: Any) -> tuple[str | None, str | None, bool]:
    """``(key, description, wrapped)`` of an API error body."""
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        error = body["error"]
        key = error.get("key")
        description = error.get("description")
        return (
            key if isinstance(key, str) else None,
            description if isinstance(description, str) else None,
            isinstance(key, str),
        )
    return None, None, False


def raise_for_api_error(response: requests.Response) -> None:
    """Raise the :mod:`.errors` class for a non-2xx answer of the API.

    Only the documented ``error.key`` and ``error.description`` of a JSON body
    reach the error; any other body (a gateway's HTML page...) is not quoted,
    the error then says only the status.
    """
    status = response.status_code
    if status < 400:
        return
    body: Any = None
    if response.content and is_json_type(media_type(response)):
        try:
            body = load_json(response)
        except MalformedResponseError:
            body = None
    elif response.content:
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
    key, description, wrapped = _error_fields(body)
    error = api_error_from(
        status,
        key,
        description,
        retry_after=response.headers.get("Retry-After"),
        wrapped=wrapped,
    )
    _logger.debug("Home Connect error: %s", error)
    raise error


def decode_api(response: requests.Response) -> Any:
    """Return ``data`` of a successful API answer (``None`` for 204).

    Raises the matching :mod:`.errors` class for error answers, and
    :class:`MalformedResponseError` for a 2xx whose body is not the API's
    ``{"data": ...}`` JSON in the API's media type.
    """
    raise_for_api_error(response)
    if not 200 <= response.status_code < 300:
        raise MalformedResponseError(
            f"Malformed answer: unexpected HTTP {response.status_code}.",
            status=response.status_code,
        )
    if response.status_code == 204 or (
        response.status_code != 200 and not response.content
    ):
        return None
    mtype = media_type(response)
    if not is_json_type(mtype):
        raise MalformedResponseError(
            f"Malformed answer: HTTP {response.status_code} with content type "
            f"{clean_text(mtype, 100) or 'none'!r}, expected {keys.MEDIA_TYPE!r}.",
            status=response.status_code,
        )
    body = load_json(response)
    if not isinstance(body, Mapping) or "data" not in body:
        raise MalformedResponseError(
            "Malformed answer: the body has no 'data' object.",
            status=response.status_code,
        )
    return body["data"]


def guard(what: str, parse: Callable[[], Any]) -> Any:
    """Run ``parse``; turn any stray lookup/type error into a malformed answer."""
    try:
        return parse()
    except HomeConnectError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise MalformedResponseError(
            f"Malformed answer for {what}: {type(exc).__name__}: {exc}"
        ) from exc
