"""The simulator's authorization server: who may talk to the machines.

Home Connect uses OAuth 2 under ``/security/oauth/``; this module plays it
with one registered client (``client_id`` / ``client_secret``) and one user
account (``username`` / ``password``):

* **authorization code** with PKCE (``S256`` or ``plain``):
  ``GET /authorize?...`` shows a login-and-consent HTML form whose hidden
  fields carry the query; posting it with ``username``, ``password`` and
  ``grant=allow`` answers ``302`` to ``redirect_uri?code=...&state=...``.
  A code lives ``code_ttl`` seconds and works once.
* **device flow**: ``POST /device_authorization`` gives a ``device_code`` and a
  ``user_code``; the user types the code on ``/device_verify`` (HTML form) and
  logs in; meanwhile the client polls ``/token`` with
  ``grant_type=urn:ietf:params:oauth:grant-type:device_code`` (``device_code``
  also accepted) and gets ``authorization_pending``, ``slow_down`` (polled
  faster than ``interval``), ``expired_token``, ``access_denied``, or tokens.
* **refresh**: ``grant_type=refresh_token``; in one-time mode each refresh
  token works once (reuse → ``invalid_grant``).

Errors are OAuth's own ``{"error": ..., "error_description": ...}`` (400, or
401 for a bad client). Access tokens expire on the simulator clock; the API
then answers 401 ``invalid_token``.

>>> from .clock import ManualClock
>>> import random
>>> server = AuthorizationServer(clock=ManualClock(), rng=random.Random(0))
>>> tokens = server.issue_tokens("IdentifyAppliance CoffeeMaker")
>>> server.authenticate("Bearer " + tokens["access_token"]).has("control")
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .. import keys

DEVICE_GRANT_TYPES = ("urn:ietf:params:oauth:grant-type:device_code", "device_code")
APPLIANCE_TYPES = (
    "Oven",
    "Dishwasher",
    "Washer",
    "Dryer",
    "WasherDryer",
    "FridgeFreezer",
    "Refrigerator",
    "Freezer",
    "WineCooler",
    "CoffeeMaker",
    "Hob",
    "Hood",
    "CleaningRobot",
    "CookProcessor",
)
KNOWN_SCOPES = frozenset(
    ["IdentifyAppliance", "Monitor", "Control", "Settings", "Images"]
    + [
        f"{kind}{suffix}"
        for kind in APPLIANCE_TYPES
        for suffix in ("", "-Monitor", "-Control", "-Settings", "-Images")
    ]
)
#: What each kind of API access needs: any one of these scopes.
SCOPE_NEEDS = {
    "identify": ("IdentifyAppliance",),
    "monitor": ("Monitor", "CoffeeMaker-Monitor", "CoffeeMaker"),
    "control": ("Control", "CoffeeMaker-Control", "CoffeeMaker"),
    "settings": ("Settings", "CoffeeMaker-Settings", "CoffeeMaker"),
    # a camera's scopes: no CoffeeMaker scope reaches images (403)
    "images": ("Images", "FridgeFreezer-Images", "FridgeFreezer"),
}
_USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
_TOKEN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class OAuthError(Exception):
    """An OAuth error answer: ``{"error": error, "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class InvalidToken(Exception):
    """The API's 401: missing, unknown or expired access token."""

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description


@dataclass
class AccessToken:
    token: str
    client_id: str
    user: str
    scopes: frozenset[str]
    expires_at: float

    @property
    def principal(self) -> tuple[str, str]:
        """Whom quotas count for: the client id and the user account."""
        return (self.client_id, self.user)

    def has(self, need: str) -> bool:
        return any(scope in self.scopes for scope in SCOPE_NEEDS[need])


@dataclass
class _Grant:
    """What a code, device code or refresh token stands for."""

    client_id: str
    user: str
    scope: str
    expires_at: float
    used: bool = False
    redirect_uri: str = ""
    challenge: str = ""
    challenge_method: str = ""
    user_code: str = ""
    state: str = "pending"  # device grants: pending, approved, denied
    interval: float = 5
    last_poll: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AuthorizationServer:
    """Codes, device codes and tokens of one client and one user."""

    def __init__(
        self,
        *,
        clock: Any,
        rng: random.Random | None = None,
        client_id: str = "coffee-connector",
        client_secret: str = "coffee-secret",
        username: str = "barista",
        password: str = "espresso",
        access_token_ttl: float = 86400,
        refresh_token_ttl: float = 60 * 86400,
        code_ttl: float = 600,
        device_code_ttl: float = 300,
        device_interval: float = 5,
        one_time_refresh_tokens: bool = False,
        redirect_uris: tuple[str, ...] = (),
        base_url: str = "",
    ):
        self.clock = clock
        self.rng = rng or random.Random()
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.code_ttl = code_ttl
        self.device_code_ttl = device_code_ttl
        self.device_interval = device_interval
        self.one_time_refresh_tokens = one_time_refresh_tokens
        self.redirect_uris = redirect_uris
        self.base_url = base_url
        self._lock = threading.RLock()
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, _Grant] = {}
        self._codes: dict[str, _Grant] = {}
        self._devices: dict[str, _Grant] = {}

    # -- tokens ------------------------------------------------------------------------
    def _random(self, length: int, letters: str = _TOKEN_LETTERS) -> str:
        with self._lock:
            return "".join(self.rng.choice(letters) for _ in range(length))

    def issue_tokens(
        self,
        scope: str = keys.DEFAULT_SCOPE,
        *,
        user: str | None = None,
        client_id: str | None = None,
        refresh_token: str | None = None,
    ) -> dict[str, Any]:
        """A fresh token answer, as the token endpoint gives it."""
        now = self.clock.now()
        client_id = client_id or self.client_id
        user = user or self.username
        access = self._random(48)
        with self._lock:
            self._access[access] = AccessToken(
                access,
                client_id,
                user,
                frozenset(scope.split()),
                now + self.access_token_ttl,
            )
            if refresh_token is None:
                refresh_token = self._random(48)
            self._refresh[refresh_token] = _Grant(
                client_id, user, scope, now + self.refresh_token_ttl
            )
        return {
            "access_token": access,
            "expires_in": int(self.access_token_ttl),
            "id_token": self._id_token(client_id, user, now),
            "refresh_token": refresh_token,
            "scope": scope,
            "token_type": "Bearer",
        }

    def _id_token(self, client_id: str, user: str, now: float) -> str:
        def part(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        claims = {
            "iss": self.base_url or "simulator",
            "sub": user,
            "aud": client_id,
            "iat": int(now),
            "exp": int(now + self.access_token_ttl),
        }
        return (
            f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.{self._random(16)}"
        )

    def authenticate(self, authorization: str | None) -> AccessToken:
        """The access token of an ``Authorization: Bearer ...`` header, or 401."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise InvalidToken("Missing or invalid access token")
        token = authorization[7:].strip()
        with self._lock:
            access = self._access.get(token)
        if access is None:
            raise InvalidToken("The access token is invalid")
        if self.clock.now() >= access.expires_at:
            raise InvalidToken("The access token expired")
        return access

    # -- client checks ---------------------------------------------------------------
    def _check_client(
        self, form: dict[str, str], basic: tuple[str, str] | None, *, secret: bool
    ) -> str:
        client_id = form.get("client_id") or (basic[0] if basic else "")
        given_secret = form.get("client_secret") or (basic[1] if basic else None)
        if client_id and client_id != self.client_id:
            raise OAuthError("invalid_client", "Unknown client", 401)
        if given_secret is not None and given_secret != self.client_secret:
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        if secret and given_secret is None:
            raise OAuthError("invalid_client", "client_secret is required", 401)
        return client_id or self.client_id

    def _check_scope(self, scope: str) -> str:
        requested = scope.split()
        unknown = [s for s in requested if s not in KNOWN_SCOPES]
        if not requested or unknown:
            raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
        return " ".join(requested)

    # -- authorization code ------------------------------------------------------------
    def check_authorization_request(self, query: dict[str, str]) -> None:
        """Raise :class:`OAuthError` unless the authorize query is acceptable."""
        if query.get("client_id") != self.client_id:
            raise OAuthError("invalid_client", "Unknown client_id", 400)
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri or (
            self.redirect_uris and redirect_uri not in self.redirect_uris
        ):
            raise OAuthError("invalid_request", "Missing or unregistered redirect_uri")
        if query.get("response_type", "code") != "code":
            raise OAuthError("unsupported_response_type", "Only response_type=code")
        method = query.get("code_challenge_method", "plain")
        if query.get("code_challenge") and method not in ("S256", "plain"):
            raise OAuthError("invalid_request", "code_challenge_method: S256 or plain")
        self._check_scope(query.get("scope", ""))

    def login_page(self, query: dict[str, str], message: str = "") -> str:
        """The login and consent form; hidden fields carry the query on."""
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
            if k not in ("username", "password", "grant")
        )
        scope = html.escape(query.get("scope", ""))
        error = f'<p class="error">{html.escape(message)}</p>' if message else ""
        return _page(
            "Home Connect simulator: log in",
            f'{error}<form method="post" action="/security/oauth/authorize">'
            f"{hidden}<p>The application <b>{html.escape(query.get('client_id', ''))}"
            f"</b> asks for: <code>{scope}</code></p>"
            '<label>User <input name="username"></label> '
            '<label>Password <input name="password" type="password"></label> '
            '<button name="grant" value="allow">Allow</button> '
            '<button name="grant" value="deny">Deny</button></form>',
        )

    def authorize(self, form: dict[str, str]) -> str:
        """Handle the posted login form; return the redirect location.

        Raises :class:`OAuthError` (status 401) on wrong credentials: the
        caller shows the form again.
        """
        self.check_authorization_request(form)
        redirect_uri = form["redirect_uri"]
        state = {"state": form["state"]} if "state" in form else {}
        if form.get("grant", "allow") != "allow":
            return _with_query(
                redirect_uri,
                {"error": "access_denied", "error_description": "denied", **state},
            )
        if (form.get("username"), form.get("password")) != (
            self.username,
            self.password,
        ):
            raise OAuthError("access_denied", "Wrong user name or password", 401)
        code = self._random(32)
        with self._lock:
            self._codes[code] = _Grant(
                self.client_id,
                form["username"],
                self._check_scope(form.get("scope", "")),
                self.clock.now() + self.code_ttl,
                redirect_uri=redirect_uri,
                challenge=form.get("code_challenge", ""),
                challenge_method=form.get("code_challenge_method", "plain"),
            )
        return _with_query(redirect_uri, {"code": code, **state})

    def _exchange_code(self, form: dict[str, str], client_id: str) -> dict[str, Any]:
        with self._lock:
            grant = self._codes.get(form.get("code", ""))
            if grant is None or grant.used:
                raise OAuthError("invalid_grant", "Unknown or already used code")
            grant.used = True
        if self.clock.now() >= grant.expires_at:
            raise OAuthError("invalid_grant", "The authorization code expired")
        if grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Code issued to another client")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")
        if grant.challenge:
            verifier = form.get("code_verifier", "")
            if not verifier:
                raise OAuthError("invalid_grant", "code_verifier is required")
            if pkce_challenge(verifier, grant.challenge_method) != grant.challenge:
                raise OAuthError("invalid_grant", "PKCE verification failed")
        return self.issue_tokens(grant.scope, user=grant.user, client_id=client_id)

    # -- device flow -------------------------------------------------------------------
    def device_authorization(self, form: dict[str, str]) -> dict[str, Any]:
        client_id = self._check_client(form, None, secret=False)
        scope = self._check_scope(form.get("scope", keys.DEFAULT_SCOPE))
        device_code = self._random(40)
        letters = self._random(8, _USER_CODE_LETTERS)
        user_code = f"{letters[:4]}-{letters[4:]}"
        with self._lock:
            self._devices[device_code] = _Grant(
                client_id,
                "",
                scope,
                self.clock.now() + self.device_code_ttl,
                user_code=user_code,
                interval=self.device_interval,
            )
        verification_uri = f"{self.base_url}/security/oauth/device_verify"
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": _with_query(
                verification_uri, {"user_code": user_code}
            ),
            "expires_in": int(self.device_code_ttl),
            "interval": int(self.device_interval),
        }

    def _device_grant(self, user_code: str) -> _Grant:
        wanted = user_code.upper().replace("-", "").strip()
        with self._lock:
            for grant in self._devices.values():
                if grant.user_code.replace("-", "") == wanted:
                    if self.clock.now() >= grant.expires_at:
                        break
                    return grant
        raise OAuthError("invalid_request", "Unknown or expired user code")

    def approve_device(self, user_code: str, user: str | None = None) -> None:
        """The user entered the code and logged in (test shortcut)."""
        grant = self._device_grant(user_code)
        grant.state, grant.user = "approved", user or self.username

    def deny_device(self, user_code: str) -> None:
        self._device_grant(user_code).state = "denied"

    def verify_page(self, query: dict[str, str], message: str = "") -> str:
        code = html.escape(query.get("user_code", ""))
        error = f'<p class="error">{html.escape(message)}</p>' if message else ""
        return _page(
            "Home Connect simulator: connect a device",
            f'{error}<form method="post" action="/security/oauth/device_verify">'
            f'<label>Code <input name="user_code" value="{code}"></label> '
            '<label>User <input name="username"></label> '
            '<label>Password <input name="password" type="password"></label> '
            '<button name="grant" value="allow">Allow</button> '
            '<button name="grant" value="deny">Deny</button></form>',
        )

    def verify(self, form: dict[str, str]) -> str:
        """Handle the posted verification form; return the message to show."""
        grant = self._device_grant(form.get("user_code", ""))
        if form.get("grant", "allow") != "allow":
            grant.state = "denied"
            return "Access denied. You can close this page."
        if (form.get("username"), form.get("password")) != (
            self.username,
            self.password,
        ):
            raise OAuthError("access_denied", "Wrong user name or password", 401)
        grant.state, grant.user = "approved", form["username"]
        return "Device connected. You can close this page."

    def _poll_device(self, form: dict[str, str], client_id: str) -> dict[str, Any]:
        now = self.clock.now()
        with self._lock:
            grant = self._devices.get(form.get("device_code", ""))
            if grant is None or grant.client_id != client_id:
                raise OAuthError("invalid_grant", "Unknown device_code")
            if now >= grant.expires_at:
                raise OAuthError("expired_token", "The device code expired")
            if grant.state == "denied":
                raise OAuthError("access_denied", "The user denied the request")
            if grant.state == "approved":
                del self._devices[form["device_code"]]
                return self.issue_tokens(
                    grant.scope, user=grant.user, client_id=client_id
                )
            too_fast = (
                grant.last_poll is not None and now - grant.last_poll < grant.interval
            )
            grant.last_poll = now
            if too_fast:
                raise OAuthError("slow_down", f"Poll at most every {grant.interval} s")
            raise OAuthError("authorization_pending", "The user has not yet approved")

    # -- refresh ---------------------------------------------------------------------
    def _refresh_tokens(self, form: dict[str, str], client_id: str) -> dict[str, Any]:
        now = self.clock.now()
        token = form.get("refresh_token", "")
        with self._lock:
            grant = self._refresh.get(token)
            if grant is None or grant.used or now >= grant.expires_at:
                raise OAuthError("invalid_grant", "Invalid refresh token")
            if grant.client_id != client_id:
                raise OAuthError("invalid_grant", "Refresh token of another client")
            if self.one_time_refresh_tokens:
                grant.used = True
                reuse = None
            else:
                grant.expires_at = now + self.refresh_token_ttl
                reuse = token
        return self.issue_tokens(
            grant.scope, user=grant.user, client_id=client_id, refresh_token=reuse
        )

    # -- the token endpoint ------------------------------------------------------------
    def token(
        self, form: dict[str, str], basic: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """``POST /security/oauth/token``: a token answer or :class:`OAuthError`."""
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            client_id = self._check_client(form, basic, secret=True)
            return self._exchange_code(form, client_id)
        if grant_type in DEVICE_GRANT_TYPES:
            client_id = self._check_client(form, basic, secret=False)
            return self._poll_device(form, client_id)
        if grant_type == "refresh_token":
            client_id = self._check_client(form, basic, secret=True)
            return self._refresh_tokens(form, client_id)
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r}")


def pkce_challenge(verifier: str, method: str = "S256") -> str:
    """The code challenge of a PKCE verifier (RFC 7636)."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
