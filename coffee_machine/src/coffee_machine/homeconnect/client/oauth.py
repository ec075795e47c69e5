"""Getting and renewing Home Connect tokens (OAuth 2).

Two ways to get a first token pair, one way to renew it:

* **Authorization code with PKCE** (a web app such as Odoo can redirect the
  user)::

      verifier, challenge = generate_pkce()
      url = authorization_url(base, client_id, redirect_uri,
                              "IdentifyAppliance CoffeeMaker", state, challenge)
      # ...send the user to url; Home Connect redirects to
      # redirect_uri?code=...&state=... once the user logged in and agreed
      tokens = OAuthClient(base, client_id, secret).exchange_code(
          code, redirect_uri, verifier)

* **Device flow** (no redirect: the user types a code on another screen)::

      oauth = OAuthClient(base, client_id, secret)
      device = oauth.start_device_authorization("IdentifyAppliance CoffeeMaker")
      show(device.verification_uri_complete or device.verification_uri,
           device.user_code)
      tokens = oauth.wait_for_device_token(device)   # or poll_device_token()

* **Refresh**: ``tokens = oauth.refresh(tokens.refresh_token)``. Always store
  the returned :class:`~.models.Tokens`: an app in *one time token mode* gets a
  new refresh token each time and the old one is dead. When the answer has no
  refresh token, the old one is kept in the returned object.

The token endpoint takes form-encoded bodies and answers plain JSON. Its
refusals become :class:`~.errors.OAuthError` subclasses named after the OAuth
error code (``authorization_pending`` → :class:`~.errors.AuthorizationPending`,
``invalid_grant`` → :class:`~.errors.InvalidGrant`...).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from .errors import (
    AuthorizationPending,
    ExpiredToken,
    HomeConnectError,
    MalformedResponseError,
    SlowDown,
    api_error_from,
    clean_text,
    oauth_error_from,
)
from .models import DeviceAuthorization, Tokens
from .transport import (
    OnRequest,
    Transport,
    guard,
    is_json_type,
    load_json,
    media_type,
    normalize_base_url,
)

AUTHORIZE_PATH = "/security/oauth/authorize"
_logger = logging.getLogger(__name__)

TOKEN_PATH = "/security/oauth/token"
DEVICE_AUTHORIZATION_PATH = "/security/oauth/device_authorization"
#: RFC 8628 grant type; Home Connect's documentation also writes ``device_code``.
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

__all__ = [
    "DeviceAuthorization",
    "OAuthClient",
    "Tokens",
    "authorization_url",
    "generate_pkce",
    "pkce_challenge",
]


def _scope_text(scope: str | Iterable[str]) -> str:
    return scope if isinstance(scope, str) else " ".join(scope)


def pkce_challenge(code_verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636 §4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_pkce(length: int = 64) -> tuple[str, str]:
    """Return ``(code_verifier, code_challenge)`` for PKCE with S256.

    The verifier is ``length`` (43..128) URL-safe random characters; keep it
    until the code exchange, send the challenge with the authorization URL.
    """
    if not 43 <= length <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    verifier = secrets.token_urlsafe(length)[:length]
    return verifier, pkce_challenge(verifier)


def authorization_url(
    base_url: str,
    client_id: str,
    redirect_uri: str,
    scope: str | Iterable[str],
    state: str,
    code_challenge: str | None = None,
) -> str:
    """The URL to send the user to for the authorization-code flow."""
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": _scope_text(scope),
        "state": state,
    }
    if code_challenge:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    return f"{normalize_base_url(base_url)}{AUTHORIZE_PATH}?{urlencode(params)}"


class OAuthClient:
    """Talks to the token and device-authorization endpoints.

    :param base_url: the Home Connect host (same as the API's).
    :param client_id: the application's client id.
    :param client_secret: its secret (sent when given).
    :param timeout: seconds for connecting and reading, on every call.
    :param session: a ``requests.Session`` to use (one is created otherwise).
    :param on_request: ``callable(method, path)`` called once per HTTP call.
    """

    device_code_grant = DEVICE_CODE_GRANT

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str | None = None,
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
        on_request: OnRequest | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._transport = Transport(
            base_url, timeout=timeout, session=session, on_request=on_request
        )

    @property
    def base_url(self) -> str:
        """The server's root URL."""
        return self._transport.base_url

    def close(self) -> None:
        """Close the HTTP session (if this object created it)."""
        self._transport.close()

    def authorization_url(
        self,
        redirect_uri: str,
        scope: str | Iterable[str],
        state: str,
        code_challenge: str | None = None,
    ) -> str:
        """:func:`authorization_url` for this client's host and id."""
        return authorization_url(
            self.base_url, self.client_id, redirect_uri, scope, state, code_challenge
        )

    # -- grants -----------------------------------------------------------------

    def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> Tokens:
        """Trade an authorization code (and the PKCE verifier) for tokens."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._tokens(form)

    def start_device_authorization(
        self, scope: str | Iterable[str]
    ) -> DeviceAuthorization:
        """Begin the device flow: show the user code and URI to the user."""
        body = self._post(
            DEVICE_AUTHORIZATION_PATH,
            {"client_id": self.client_id, "scope": _scope_text(scope)},
        )
        return guard("device authorization", lambda: DeviceAuthorization.from_api(body))

    def poll_device_token(self, device_code: str) -> Tokens:
        """Ask once whether the user approved the device.

        Raises :class:`~.errors.AuthorizationPending` (not yet),
        :class:`~.errors.SlowDown` (poll less often),
        :class:`~.errors.ExpiredToken` (start over) or
        :class:`~.errors.AccessDenied` (the user said no).
        """
        return self._tokens(
            {"grant_type": self.device_code_grant, "device_code": device_code}
        )

    def wait_for_device_token(
        self,
        device: DeviceAuthorization,
        *,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Tokens:
        """Poll until the user approves, honouring ``interval`` and ``slow_down``.

        Gives up with :class:`~.errors.ExpiredToken` once ``expires_in`` passed.
        """
        interval = device.interval
        deadline = clock() + device.expires_in
        while True:
            try:
                return self.poll_device_token(device.device_code)
            except SlowDown:
                interval += 5
            except AuthorizationPending:
                _logger.debug("device authorization pending, polling again")
            if clock() + interval > deadline:
                raise ExpiredToken(error="expired_token")
            sleep(interval)

    def refresh(self, refresh_token: str) -> Tokens:
        """Trade a refresh token for new tokens; store what comes back."""
        return self._tokens(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            previous_refresh_token=refresh_token,
        )

    # -- plumbing ---------------------------------------------------------------

    def _tokens(
        self, form: dict[str, str], previous_refresh_token: str | None = None
    ) -> Tokens:
        form = {"client_id": self.client_id, **form}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        body = self._post(TOKEN_PATH, form)
        if (
            isinstance(body, Mapping)
            and "access_token" not in body
            and isinstance(body.get("data"), Mapping)
        ):
            body = body["data"]  # tolerate an API-style wrapped answer
        previous = previous_refresh_token
        return guard(
            "token answer",
            lambda: Tokens.from_api(body, previous_refresh_token=previous),
        )

    def _post(self, path: str, form: Mapping[str, str]) -> Any:
        response = self._transport.send(
            "POST",
            path,
            headers={"Accept": "application/json"},
            data=dict(form),
        )
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code != 200:
            raise MalformedResponseError(
                f"Malformed answer: unexpected HTTP {response.status_code} from "
                f"{path}.",
                status=response.status_code,
            )
        if not is_json_type(media_type(response)):
            raise MalformedResponseError(
                f"Malformed answer: {path} answered "
                f"{clean_text(media_type(response), 100) or 'no content type'!r}, "
                "expected JSON.",
                status=response.status_code,
            )
        body = load_json(response)
        if not isinstance(body, Mapping):
            raise MalformedResponseError(
                f"Malformed answer: {path} did not answer a JSON object.",
                status=response.status_code,
            )
        return body

    @staticmethod
    def _error(response: requests.Response) -> HomeConnectError:
        """The error for a refusal: only ``error`` and ``error_description`` of
        a JSON body (or the API's ``error.key`` / ``error.description``) are
        kept, cleaned and bounded; any other body is not quoted."""
        status = response.status_code
        try:
            body = load_json(response)
        except MalformedResponseError:
            body = None
        error = body.get("error") if isinstance(body, Mapping) else None
        description = body.get("error_description") if error is not None else None
        if isinstance(error, Mapping):  # API-style {"error": {"key": ...}}
            description = error.get("description")
            error = error.get("key")
        error = error if isinstance(error, str) else None
        description = description if isinstance(description, str) else None
        if status == 429 or status >= 500:
            return api_error_from(
                status,
                error,
                description,
                retry_after=response.headers.get("Retry-After"),
            )
        if error is None:
            return MalformedResponseError(
                f"Malformed answer: HTTP {status} from the token endpoint "
                "without an OAuth error code.",
                status=status,
            )
        return oauth_error_from(status, error, description)
