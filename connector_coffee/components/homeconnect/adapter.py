# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Home Connect adapter: the protocol library's client, in job terms.

Every call goes through ``_call``, which

1. refuses to call while the account is blocked by a 429 (no quota wasted);
2. asks the authenticator for a valid access token (refreshed ahead of its
   expiry);
3. calls the client of ``coffee_machine.homeconnect``, counting the call
   against the daily quota;
4. on a 401, refreshes the token once and calls again;
5. turns every exception of the library into a job error of
   ``connector_coffee.exceptions`` (see the table there), with a message a
   person can act on.

>>> with backend.work_on("coffee.backend") as work:
...     adapter = work.component(usage="backend.adapter")
...     machines = adapter.call("get_appliances")
"""

import ipaddress
from urllib.parse import urlsplit

from odoo import _

from odoo.addons.component.core import Component

from ...exceptions import (
    AuthorizationError,
    MachineOffline,
    MachineRefused,
    MachineUnreachable,
    QuotaExceeded,
)

try:
    from coffee_machine.homeconnect import client as hc
except ImportError:  # pragma: no cover - declared in external_dependencies
    hc = None


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HomeConnectAdapter(Component):
    _name = "coffee.homeconnect.adapter"
    _inherit = "coffee.backend.adapter"
    _api_type = "homeconnect"

    def location_error(self, location):
        """Why ``location`` is no Home Connect API address (None if it is).

        ``https`` anywhere; plain ``http`` only on this host (the local
        simulator), where no token crosses a network.
        """
        try:
            parts = urlsplit((location or "").strip())
            host = parts.hostname if parts.port != 0 else None
        except ValueError:  # a port that is no number, or out of range
            host = None
        if not host or parts.scheme not in ("http", "https"):
            return _(
                "%(location)s is no API address: use https://host (or "
                "http://127.0.0.1:port for the local simulator).",
                location=location,
            )
        if parts.scheme == "http" and not _is_loopback(host):
            return _(
                "%(location)s would send the tokens in clear over the network: use "
                "https (plain http is for the local simulator on 127.0.0.1 only).",
                location=location,
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            return _(
                "%(location)s: give the API address alone, without user, query or "
                "fragment.",
                location=location,
            )
        return None

    def _new_client(self, access_token):
        backend = self.backend_record
        return hc.HomeConnectClient(
            backend.location,
            access_token,
            timeout=backend.request_timeout or 10,
            language=self._language(),
            session=self._http_session(),
            on_request=self._count_call,
        )

    def _language(self):
        """Accept-Language for names: the user's language when the API has it."""
        lang = (self.env.lang or "en_US").replace("_", "-")
        return lang if lang in ("de-DE", "en-GB", "en-US") else "en-GB"

    @property
    def _authenticator(self):
        return self.component(usage="authenticator")

    def call(self, method, *args, **kwargs):
        """Call ``HomeConnectClient.<method>``; raise job errors only."""
        committed = self.backend_record._current_tokens()  # one read for both
        self._check_not_blocked(committed)
        token = self._authenticator.access_token(committed)
        try:
            return self._call_with_token(token, method, *args, **kwargs)
        except hc.UnauthorizedError:
            token = self._authenticator.refresh_tokens(rejected_token=token)
        try:
            return self._call_with_token(token, method, *args, **kwargs)
        except hc.UnauthorizedError as error:
            raise AuthorizationError(
                _(
                    "Home Connect refused the access token of %(backend)s even "
                    "after a refresh: authorize the backend again.",
                    backend=self.backend_record.name,
                )
            ).with_api_error(error) from error

    def _call_with_token(self, token, method, *args, **kwargs):
        client = self._new_client(token)
        try:
            return getattr(client, method)(*args, **kwargs)
        except hc.UnauthorizedError:
            raise
        except hc.HomeConnectError as error:
            raise self._job_error(error).with_api_error(error) from error

    def _job_error(self, error):
        """The job error for a library error (see connector_coffee.exceptions)."""
        detail = error.description or str(error)
        if isinstance(error, hc.RateLimitedError):
            seconds = max(int(error.retry_after or 60), 1)
            self.backend_record._block_until(seconds)
            return QuotaExceeded(
                _(
                    "The Home Connect quota is spent: calls resume in "
                    "%(seconds)d seconds.",
                    seconds=seconds,
                ),
                seconds=seconds,
                ignore_retry=True,
            )
        if isinstance(error, hc.ApplianceOfflineError):
            return MachineOffline(
                _(
                    "The machine is offline: check that it is switched on and "
                    "connected to its network. The job will try again."
                )
            )
        if isinstance(error, hc.RequestTimeout):
            return MachineUnreachable(
                _(
                    "The machine or the Home Connect API did not answer in "
                    "time. The job will try again."
                )
            )
        if isinstance(error, hc.TransportError):
            return MachineUnreachable(
                _(
                    "The Home Connect API could not be reached (%(detail)s). "
                    "The job will try again.",
                    detail=detail,
                )
            )
        if isinstance(error, hc.ServerError):
            return MachineUnreachable(
                _(
                    "The Home Connect API failed (HTTP %(status)s). The job "
                    "will try again.",
                    status=error.status,
                )
            )
        if isinstance(error, hc.ForbiddenError):
            return AuthorizationError(
                _(
                    "The authorization of %(backend)s lacks a scope this needs "
                    "(%(detail)s): authorize again with the scopes "
                    "'%(scope)s'.",
                    backend=self.backend_record.name,
                    detail=detail,
                    scope=self.backend_record.scope,
                )
            )
        if isinstance(error, hc.RemoteStartNotAllowedError):
            return MachineRefused(
                _(
                    "Remote start is switched off on the machine: enable it on "
                    "the machine's panel."
                )
            )
        if isinstance(error, hc.WrongOperationStateError):
            return MachineRefused(
                _(
                    "The machine cannot do this in its current state (it may be "
                    "busy, off or waiting for a refill): %(detail)s",
                    detail=detail,
                )
            )
        if isinstance(error, hc.UnsupportedError):
            return MachineRefused(
                _("The machine does not support this: %(detail)s", detail=detail)
            )
        if isinstance(error, hc.NotFoundError):
            return MachineRefused(
                _("The API does not know this: %(detail)s", detail=detail)
            )
        if isinstance(error, hc.MalformedResponseError):
            return MachineRefused(
                _(
                    "The API gave an answer the connector cannot read: " "%(detail)s",
                    detail=detail,
                )
            )
        return MachineRefused(
            _("The API refused the request: %(detail)s", detail=detail)
        )

    def check_connection(self):
        appliances = self.call("get_appliances")
        coffee = [a for a in appliances if a.type == "CoffeeMaker"]
        return _(
            "Connected to %(url)s: %(count)d coffee machine(s) found.",
            url=self.backend_record.location,
            count=len(coffee),
        )
