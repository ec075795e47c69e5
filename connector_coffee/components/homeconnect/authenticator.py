# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""OAuth 2 for Home Connect: authorize a backend and keep its token fresh.

Two ways to authorize, both started from the backend form:

* **authorization code with PKCE**: the user is sent to the API's login page
  (``start_authorization_code``); the API sends the browser back to Odoo's
  ``/connector_coffee/oauth/callback`` with a code and the ``state`` we made;
  the controller hands both to ``finish_authorization_code``, which refuses
  a ``state`` it did not issue (or issued too long ago);
* **device flow**: the form shows a user code and a link
  (``start_device_authorization``); a job polls until the user has entered
  the code (``wait_device_authorization``), or a person presses "Check".

Afterwards ``access_token()`` hands out a token, refreshed ahead of its
expiry, and ``refresh_tokens()`` refreshes it on demand (for instance after a
401). Refreshing is serialized per backend by a row lock, and the new tokens
are committed at once (see ``models/coffee_backend/committed_state.py``):
with one-time refresh tokens, two jobs refreshing at the same moment must
not both spend the same refresh token.

Secrets (client secret, tokens, code verifier, device code) are only handled
here and in the committed state; they are never logged nor put in a job's
arguments.
"""

import datetime
import hmac
import logging
import secrets

from odoo import _, fields

from odoo.addons.component.core import Component
from odoo.addons.queue_job.exception import RetryableJobError

from ...exceptions import AuthorizationError, MachineUnreachable

try:
    from coffee_machine.homeconnect import client as hc
except ImportError:  # pragma: no cover - declared in external_dependencies
    hc = None

_logger = logging.getLogger(__name__)

#: refresh the access token when it expires within this many seconds
REFRESH_MARGIN = 300
#: how long an authorization started from the form stays valid
AUTHORIZATION_CODE_TTL = datetime.timedelta(minutes=10)
#: an authorization code flow ended, whichever way: nothing of it stays live
OAUTH_CLEARED = {
    "oauth_state": False,
    "oauth_code_verifier": False,
    "oauth_started_at": False,
    "oauth_user_id": False,
}


class HomeConnectAuthenticator(Component):
    _name = "coffee.homeconnect.authenticator"
    _inherit = "base.coffee.connector"
    _usage = "authenticator"
    _api_type = "homeconnect"

    def _oauth(self):
        backend = self.backend_record.sudo()
        return hc.OAuthClient(
            backend.location,
            backend.client_id,
            backend.client_secret or None,
            timeout=backend.request_timeout or 10,
        )

    @staticmethod
    def _token_values(tokens):
        expires_at = datetime.datetime.fromtimestamp(
            tokens.expires_at, tz=datetime.timezone.utc
        ).replace(tzinfo=None)
        return {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_expires_at": expires_at,
            "token_scope": tokens.scope,
            "auth_state": "authorized",
        }

    def _unreachable(self, error):
        return MachineUnreachable(
            _(
                "The Home Connect authorization server could not be reached "
                "(%(detail)s).",
                detail=error.description or str(error),
            )
        ).with_api_error(error)

    # -- authorization code with PKCE ---------------------------------------
    def start_authorization_code(self, redirect_uri):
        """Remember a new ``state`` and PKCE verifier; return the login URL."""
        backend = self.backend_record
        state = secrets.token_urlsafe(32)
        verifier, challenge = hc.generate_pkce()
        backend._store(
            {
                "oauth_state": state,
                "oauth_code_verifier": verifier,
                "oauth_started_at": fields.Datetime.now(),
                "oauth_user_id": self.env.uid,
                "auth_state": "pending",
            }
        )
        return hc.authorization_url(
            backend.location,
            backend.client_id,
            redirect_uri,
            backend.scope,
            state,
            challenge,
        )

    def check_state(self, state):
        """True when ``state`` is the one this backend issued to the current
        user, not expired."""
        runtime = self.backend_record.runtime_id.sudo()
        expected = runtime.oauth_state
        if not (state and expected and runtime.oauth_started_at):
            return False
        if runtime.oauth_user_id.id != self.env.uid:
            return False
        if fields.Datetime.now() - runtime.oauth_started_at > AUTHORIZATION_CODE_TTL:
            return False
        return hmac.compare_digest(state.encode(), expected.encode())

    def abandon_authorization_code(self):
        """The login page or the token endpoint said no: forget the flow."""
        self.backend_record._store(dict(OAUTH_CLEARED, auth_state="not_authorized"))

    def finish_authorization_code(self, code, state, redirect_uri):
        """Exchange the code the API sent back for tokens."""
        backend = self.backend_record
        if not self.check_state(state):
            raise AuthorizationError(
                _(
                    "This authorization answer was not asked for by %(backend)s "
                    "(unknown or expired state): start the authorization again.",
                    backend=backend.name,
                )
            )
        verifier = backend.runtime_id.sudo().oauth_code_verifier
        try:
            tokens = self._oauth().exchange_code(code, redirect_uri, verifier)
        except hc.OAuthError as error:
            self.abandon_authorization_code()
            raise AuthorizationError(
                _(
                    "Home Connect refused the authorization (%(detail)s): start "
                    "it again.",
                    detail=error.description or str(error),
                )
            ).with_api_error(error) from error
        except hc.HomeConnectError as error:
            raise self._unreachable(error) from error
        backend._store(dict(OAUTH_CLEARED, **self._token_values(tokens)))
        return True

    # -- device flow ---------------------------------------------------------
    def start_device_authorization(self):
        backend = self.backend_record
        try:
            device = self._oauth().start_device_authorization(backend.scope)
        except hc.OAuthError as error:
            raise AuthorizationError(
                _(
                    "Home Connect refused to start the device authorization: "
                    "%(detail)s",
                    detail=error.description or str(error),
                )
            ).with_api_error(error) from error
        except hc.HomeConnectError as error:
            raise self._unreachable(error) from error
        now = fields.Datetime.now()
        backend._store(
            {
                "device_code": device.device_code,
                "device_user_code": device.user_code,
                "device_verification_uri": device.verification_uri_complete
                or device.verification_uri,
                "device_expires_at": now
                + datetime.timedelta(seconds=device.expires_in),
                "device_interval": device.interval or 5,
                "auth_state": "pending",
                **OAUTH_CLEARED,
            }
        )
        return device

    def _clear_device(self, **values):
        values.update(
            OAUTH_CLEARED,
            device_code=False,
            device_user_code=False,
            device_verification_uri=False,
            device_expires_at=False,
        )
        self.backend_record._store(values)

    def poll_device_authorization(self):
        """Ask once whether the user granted the device; True when done."""
        backend = self.backend_record
        device_code = backend.runtime_id.sudo().device_code
        if not device_code:
            raise AuthorizationError(
                _("No device authorization is in progress for %s.", backend.name)
            )
        try:
            tokens = self._oauth().poll_device_token(device_code)
        except hc.AuthorizationPending:
            return False
        except hc.SlowDown:
            backend._store({"device_interval": (backend.device_interval or 5) + 5})
            return False
        except hc.OAuthError as error:
            self._clear_device(auth_state="not_authorized")
            raise AuthorizationError(
                _(
                    "The device authorization ended without access "
                    "(%(detail)s): start it again.",
                    detail=error.description or str(error),
                )
            ).with_api_error(error) from error
        except hc.HomeConnectError as error:
            raise self._unreachable(error) from error
        self._clear_device(**self._token_values(tokens))
        return True

    def wait_device_authorization(self):
        """Job body: poll, and come back after the interval until granted."""
        backend = self.backend_record
        if not backend.runtime_id.sudo().device_code:
            return _("No device authorization in progress.")
        if backend.device_expires_at and backend.device_expires_at < (
            fields.Datetime.now()
        ):
            self._clear_device(auth_state="not_authorized")
            return _("The device authorization expired before it was granted.")
        if self.poll_device_authorization():
            return _("%s is authorized.", backend.name)
        raise RetryableJobError(
            _("Waiting for the user to enter the code."),
            seconds=max(backend.device_interval, 1),
            ignore_retry=True,
        )

    # -- tokens --------------------------------------------------------------
    def access_token(self, tokens=None):
        """A valid access token, refreshed first when it expires soon
        (``tokens``: the backend's ``_current_tokens``, when just read)."""
        tokens = tokens or self.backend_record._current_tokens()
        if not tokens["access_token"]:
            raise self._not_authorized()
        expires_at = tokens["token_expires_at"]
        margin = datetime.timedelta(seconds=REFRESH_MARGIN)
        if expires_at and expires_at - margin <= fields.Datetime.now():
            return self.refresh_tokens(expiring_token=tokens["access_token"])
        return tokens["access_token"]

    def _not_authorized(self):
        return AuthorizationError(
            _(
                "%s is not authorized on Home Connect: press Authorize on the "
                "backend.",
                self.backend_record.name,
            )
        )

    def refresh_tokens(self, rejected_token=None, expiring_token=None, force=False):
        """Refresh the access token; return the valid one.

        ``rejected_token`` (refused by the API) or ``expiring_token`` is the
        token the caller had: when another transaction has already replaced
        it, its replacement is used and no refresh token is spent.
        """
        stale = rejected_token or expiring_token
        name = self.backend_record.name
        failure = None
        with self.backend_record._locked_tokens() as (tokens, runtime):
            if not tokens["refresh_token"]:
                failure = self._not_authorized()
            elif not force and stale and tokens["access_token"] != stale:
                return tokens["access_token"]
            else:
                try:
                    new = self._oauth().refresh(tokens["refresh_token"])
                except hc.OAuthError as error:
                    runtime.write({"auth_state": "expired"})
                    runtime.backend_id._post_auth_state("expired")
                    failure = AuthorizationError(
                        _(
                            "Home Connect refused to refresh the token of "
                            "%(backend)s (%(detail)s): authorize the backend "
                            "again.",
                            backend=name,
                            detail=error.description or str(error),
                        )
                    ).with_api_error(error)
                except hc.HomeConnectError as error:
                    failure = self._unreachable(error)
                else:
                    runtime.write(self._token_values(new))
                    _logger.info("The access token of %s was refreshed", name)
                    return new.access_token
        raise failure
