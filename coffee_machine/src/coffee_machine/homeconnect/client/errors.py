"""One exception hierarchy for everything that can go wrong talking to Home Connect.

The client never lets a raw ``requests``, ``json``, ``KeyError`` or ``ValueError``
escape: every failure becomes a :class:`HomeConnectError` subclass chosen by the
*class* of the failure, because that is what a caller acts on::

    HomeConnectError                  status, key, description; str() is a sentence
      TransportError                  no answer: refused, reset, dropped (retry later)
        RequestTimeout                our socket timed out, or the API's 408
      ApiError                        the API answered with an error body
        UnauthorizedError      401    refresh the token once, then give up
        ForbiddenError         403    the token lacks a scope: authorize again
        NotFoundError          404    NoProgramActiveError, NoProgramSelectedError
        NotAcceptableError     406    client bug (Accept header)
        UnsupportedMediaTypeError 415 client bug (Content-Type header)
        ConflictError          409    the appliance refused:
          ApplianceOfflineError         not connected (very common; retry later)
          WrongOperationStateError      not Ready / nothing to stop
            RemoteStartNotAllowedError  remote start switched off on the machine
          UnsupportedError              unknown program, option or setting value
        RateLimitedError       429    ``retry_after`` seconds
        ServerError            5xx
      MalformedResponseError          the answer is not what the API promises
        UnexpectedRedirect     3xx    the client follows no redirect
      OAuthError                      the token endpoint said no; ``error`` code
        AuthorizationPending, SlowDown, ExpiredToken, AccessDenied,
        InvalidGrant, InvalidClient

A connector maps the branches, not the leaves, to its retry policy::

    try:
        client.start_program(ha_id, keys.PROGRAM_ESPRESSO)
    except ApplianceOfflineError:
        ...  # retry with backoff
    except RateLimitedError as exc:
        ...  # retry after exc.retry_after seconds
    except TransportError:
        ...  # unknown outcome: the machine may be brewing; check before retrying

:func:`api_error_from` is the single place that turns an HTTP status and an
error key into one of these classes.

What an error says is bounded: ``key`` and ``description`` keep only the
documented fields of a JSON error body, passed through :func:`clean_text`
(control characters removed, at most :data:`TEXT_LIMIT` characters), and
``str(error)`` is at most :data:`MESSAGE_LIMIT` characters. A body that is not
the API's JSON (a proxy's HTML page...) is never quoted: the error says only
its status.
"""

from __future__ import annotations

import email.utils
import math
import time
import unicodedata

from .. import keys

#: Seconds to wait after a 429 whose ``Retry-After`` is absent or unreadable.
DEFAULT_RETRY_AFTER = 60.0
#: Longest ``key`` or ``description`` an error keeps from an answer.
TEXT_LIMIT = 200
#: Longest message (``str(error)``) of an error.
MESSAGE_LIMIT = 600


def clean_text(value: str | None, limit: int = TEXT_LIMIT) -> str | None:
    """Text from a server, made fit for a message: one line, bounded.

    Control and format characters (line breaks, escapes, bidirectional
    overrides...) become spaces, runs of white space one space, and text
    longer than ``limit`` is cut and ends with an ellipsis. Empty text gives
    ``None``.

    >>> clean_text("Program\\n\\x1b[31mstarted ")
    'Program [31mstarted'
    >>> clean_text("x" * 300, 10)
    'xxxxxxxxx…'
    """
    if value is None:
        return None
    text = "".join(
        " " if unicodedata.category(char) in _UNSHOWN_CATEGORIES else char
        for char in str(value)
    )
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text or None


# control, format, surrogate, private use, unassigned; line and paragraph breaks
_UNSHOWN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class HomeConnectError(Exception):
    """Base class of every error the Home Connect client raises.

    :ivar status: HTTP status of the answer, ``None`` when there was no answer.
    :ivar key: error key from the answer (``SDK.Error.WrongOperationState``,
        ``invalid_token``, ``"429"``...), ``None`` when there was none.
    :ivar description: the server's own explanation, when it gave one.

    ``key`` and ``description`` are cleaned and cut to :data:`TEXT_LIMIT`
    characters, the message to :data:`MESSAGE_LIMIT` (see :func:`clean_text`).
    """

    summary = "the Home Connect call failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        key: str | None = None,
        description: str | None = None,
    ) -> None:
        self.status = status
        self.key = clean_text(key)
        self.description = clean_text(description)
        text = clean_text(message, MESSAGE_LIMIT)
        super().__init__(text or clean_text(self._default_message(), MESSAGE_LIMIT))

    def _default_message(self) -> str:
        sentence = self.summary[:1].upper() + self.summary[1:]
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.key:
            details.append(self.key)
        if details:
            sentence += f" ({', '.join(details)})"
        if self.description:
            sentence += f": {self.description}"
        return sentence.rstrip(".") + "."


class TransportError(HomeConnectError):
    """No usable answer reached us: refused, reset or dropped connection.

    After a call that changes something (start, stop, put) the outcome is
    unknown: the server may have done it before the answer was lost.
    """

    summary = "the connection to Home Connect failed"


class RequestTimeout(TransportError):
    """Our socket timed out, or the API answered 408 (the appliance was silent)."""

    summary = "the request timed out"


class ApiError(HomeConnectError):
    """The API answered with an error status and (usually) an error body."""

    summary = "Home Connect refused the request"


class UnauthorizedError(ApiError):
    """401: the access token is missing, invalid or expired."""

    summary = "the access token is missing, invalid or expired"


class ForbiddenError(ApiError):
    """403: the token was not granted the scope this call needs."""

    summary = "the access token lacks the scope this call needs"


class NotFoundError(ApiError):
    """404: no such appliance, program, status or setting."""

    summary = "the requested resource does not exist"


class NoProgramActiveError(NotFoundError):
    """404 ``SDK.Error.NoProgramActive``: nothing is brewing."""

    summary = "no program is active"


class NoProgramSelectedError(NotFoundError):
    """404 ``SDK.Error.NoProgramSelected``: no program is selected."""

    summary = "no program is selected"


class NotAcceptableError(ApiError):
    """406: the server cannot answer in the media type we asked for (a bug)."""

    summary = "the server cannot answer in the requested media type"


class UnsupportedMediaTypeError(ApiError):
    """415: the server does not accept the body's media type (a bug)."""

    summary = "the server does not accept the request's media type"


class ConflictError(ApiError):
    """409: the appliance could not do it; subclasses say why."""

    summary = "the appliance refused the request"


class ApplianceOfflineError(ConflictError):
    """409 ``SDK.Error.HomeAppliance.Connection.Initialization.Failed``."""

    summary = "the appliance is offline"


class WrongOperationStateError(ConflictError):
    """409 ``SDK.Error.WrongOperationState``: e.g. start while not Ready."""

    summary = "the appliance is not in a state that allows this"


class RemoteStartNotAllowedError(WrongOperationStateError):
    """409: remote start is switched off (or lapsed) on the machine itself."""

    summary = "remote start is not allowed on the appliance"


class UnsupportedError(ConflictError):
    """409: unknown or unavailable program, option, option value or setting.

    ``key`` tells which (``SDK.Error.UnsupportedOption``,
    ``SDK.Error.InvalidOptionValue``...).
    """

    summary = "the program, option or setting is not supported"


class RateLimitedError(ApiError):
    """429: a quota is exhausted; wait ``retry_after`` seconds."""

    summary = "Home Connect rate limit reached"

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float = DEFAULT_RETRY_AFTER,
        status: int | None = 429,
        key: str | None = None,
        description: str | None = None,
    ) -> None:
        self.retry_after = float(retry_after)
        super().__init__(message, status=status, key=key, description=description)

    def _default_message(self) -> str:
        base = super()._default_message()
        return f"{base} Retry after {self.retry_after:g} seconds."


class ServerError(ApiError):
    """5xx: the server (or a gateway before it) failed."""

    summary = "the Home Connect server failed"


class MalformedResponseError(HomeConnectError):
    """The answer broke the API's promises: bad JSON, wrong media type, missing
    or mistyped field, error status without an ``error`` object."""

    summary = "Home Connect sent a malformed answer"


class UnexpectedRedirect(MalformedResponseError):
    """3xx: the server sent us elsewhere; the client never follows.

    Every request carries a bearer token or, to the token endpoint, the client
    secret, a code or a refresh token: none of them goes to a host the server
    names. The message names the status and the target host, never the
    request's headers or body.

    :ivar location_host: host (and port) of the ``Location`` header,
        ``None`` when it named none.
    """

    summary = "Home Connect answered with a redirect, which the client never follows"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        location_host: str | None = None,
        key: str | None = None,
        description: str | None = None,
    ) -> None:
        self.location_host = clean_text(location_host, 100)
        super().__init__(message, status=status, key=key, description=description)

    def _default_message(self) -> str:
        base = super()._default_message()
        if self.location_host:
            return f"{base[:-1]}; it pointed to {self.location_host}."
        return base


class OAuthError(HomeConnectError):
    """The OAuth token endpoint refused; ``error`` holds the OAuth error code."""

    summary = "the authorization server refused the request"

    def __init__(
        self,
        message: str | None = None,
        *,
        error: str | None = None,
        status: int | None = None,
        description: str | None = None,
    ) -> None:
        self.error = clean_text(error)
        super().__init__(message, status=status, key=error, description=description)


class AuthorizationPending(OAuthError):
    """Device flow: the user has not approved yet; poll again after ``interval``."""

    summary = "the user has not approved the device yet"


class SlowDown(OAuthError):
    """Device flow: polling too fast; add 5 seconds to the interval."""

    summary = "polling too fast"


class ExpiredToken(OAuthError):
    """Device flow: the device code expired; start the flow again."""

    summary = "the device code expired"


class AccessDenied(OAuthError):
    """The user refused the authorization."""

    summary = "the user denied the authorization"


class InvalidGrant(OAuthError):
    """Code, device code or refresh token is invalid, used or expired."""

    summary = "the grant is invalid, expired or already used"


class InvalidClient(OAuthError):
    """Client id or secret is wrong."""

    summary = "the client id or secret was rejected"


OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    "authorization_pending": AuthorizationPending,
    "slow_down": SlowDown,
    "expired_token": ExpiredToken,
    "access_denied": AccessDenied,
    "invalid_grant": InvalidGrant,
    "invalid_client": InvalidClient,
    "unauthorized_client": InvalidClient,
}

_KEY_CLASSES: dict[str, type[HomeConnectError]] = {
    keys.ERROR_INVALID_TOKEN: UnauthorizedError,
    keys.ERROR_INSUFFICIENT_SCOPE: ForbiddenError,
    keys.ERROR_NO_PROGRAM_ACTIVE: NoProgramActiveError,
    keys.ERROR_NO_PROGRAM_SELECTED: NoProgramSelectedError,
    keys.ERROR_REQUEST_TIMEOUT: RequestTimeout,
    keys.ERROR_OFFLINE: ApplianceOfflineError,
    keys.ERROR_WRONG_OPERATION_STATE: WrongOperationStateError,
    keys.ERROR_REMOTE_START_NOT_ALLOWED: RemoteStartNotAllowedError,
    **dict.fromkeys(keys.UNSUPPORTED_KEYS, UnsupportedError),
    keys.ERROR_UNSUPPORTED_STATUS: UnsupportedError,
    keys.ERROR_INVALID_OPTION_VALUE: UnsupportedError,
    keys.ERROR_INVALID_SETTING_STATE: UnsupportedError,
}

_STATUS_CLASSES: dict[int, type[HomeConnectError]] = {
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    406: NotAcceptableError,
    408: RequestTimeout,
    409: ConflictError,
    415: UnsupportedMediaTypeError,
    429: RateLimitedError,
}

# Statuses whose meaning does not depend on the body: a gateway's HTML page or
# an empty body still says enough to act on.
_SELF_EXPLAINING = frozenset({401, 403, 404, 406, 408, 415, 429})


def _class_for_key(key: str | None) -> type[HomeConnectError] | None:
    if not key:
        return None
    if key in _KEY_CLASSES:
        return _KEY_CLASSES[key]
    # The exact keys below are not all documented: match their families.
    if key.startswith("SDK.Error.HomeAppliance.Connection"):
        return ApplianceOfflineError
    if "RemoteStart" in key or "RemoteControlStart" in key:
        return RemoteStartNotAllowedError
    if key.startswith("SDK.Error.Unsupported"):
        return UnsupportedError
    return None


def api_error_from(
    status: int,
    key: str | None,
    description: str | None,
    *,
    retry_after: str | None = None,
    wrapped: bool = True,
) -> HomeConnectError:
    """Return the exception for an error answer.

    :param status: HTTP status of the answer.
    :param key: ``error.key`` of the body, if any.
    :param description: ``error.description`` of the body, if any.
    :param retry_after: raw ``Retry-After`` header, for 429.
    :param wrapped: whether the body had the ``{"error": {...}}`` wrapping. An
        unwrapped body on a status that needs its key to be understood (409,
        400...) is a :class:`MalformedResponseError`.
    """
    if status == 429 or key == keys.ERROR_TOO_MANY_REQUESTS:
        return RateLimitedError(
            retry_after=parse_retry_after(retry_after),
            status=status,
            key=key,
            description=description,
        )
    if status >= 500:
        return ServerError(status=status, key=key, description=description)
    cls = _class_for_key(key)
    if cls is None and status in (401, 403):
        cls = _STATUS_CLASSES[status]
    if cls is None:
        if not wrapped and status not in _SELF_EXPLAINING:
            return MalformedResponseError(
                f"Home Connect answered HTTP {status} without an error object.",
                status=status,
                description=description,
            )
        cls = _STATUS_CLASSES.get(status, ApiError)
    return cls(status=status, key=key, description=description)


def oauth_error_from(
    status: int, error: str | None, description: str | None
) -> OAuthError:
    """Return the :class:`OAuthError` subclass for an OAuth ``error`` code."""
    cls = OAUTH_ERRORS.get(error or "", OAuthError)
    return cls(error=error, status=status, description=description)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float:
    """Return the seconds to wait from a ``Retry-After`` header.

    Accepts delta-seconds (``"60"``, ``"1.5"``) and HTTP dates
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``). A date in the past gives ``0``.
    Absent, negative or unreadable values give :data:`DEFAULT_RETRY_AFTER`.

    >>> parse_retry_after("120")
    120.0
    >>> parse_retry_after("soon")
    60.0
    """
    if value is None:
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None  # not a number of seconds: maybe an HTTP date
    if seconds is not None:
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return DEFAULT_RETRY_AFTER
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_RETRY_AFTER
    if when is None or when.tzinfo is None:
        return DEFAULT_RETRY_AFTER
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
