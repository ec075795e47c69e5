# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The coffee backend: one account on one coffee-machine API.

A ``coffee.backend`` is the connector's *collection*: every component of the
connector (adapter, binder, importers, the brew exporter) is looked up for a
backend, and the backend's ``api_type`` decides which protocol's components
answer (see ``components/core.py``). The backend holds what a person
configures (the API address, the OAuth client) and what the connector learns
(tokens, quota spent, connection state).

What a person can do from the form is delegated to components, so that a
second protocol brings its own components instead of ``if api_type`` here:

* ``authenticator``: the OAuth dance, token refresh (or a pairing);
* ``backend.adapter``: every call to the machines' API.

The form also warns of what would leave a person waiting for nothing:

* **no job runner**: everything the connector does runs in queue jobs, and
  without a runner they wait forever ("I pressed Import and nothing
  happened", the first complaint of every OCA connector). It warns when
  this server does not load ``queue_job`` server-wide, when the root
  channel's capacity is 0, or when jobs of the ``root.coffee`` channels have
  waited longer than ``connector_coffee.runner_stale_minutes`` (system
  parameter, 10 by default);
* **no event reader**: alerts reach Odoo only on the event stream of a
  protocol that has one, and brews cost more calls while it is not read.
  The reader writes ``events_read_at`` at least once a minute, so an
  authorized, active backend without a recent one is read by neither
  ``odoo coffee-events`` nor a server running it (``events_thread``).
"""

import datetime
import logging
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import config

from odoo.addons.component.core import _component_databases
from odoo.addons.queue_job.jobrunner import _is_runner_enabled

from ...exceptions import CoffeeJobError
from .secrets import SECRET_GROUPS

_logger = logging.getLogger(__name__)

SECRET_FIELDS = (
    "access_token",
    "refresh_token",
    "oauth_state",
    "oauth_code_verifier",
    "oauth_started_at",
    "device_code",
    "jura_auth_hash",
    "jura_conn_id",
)
HOME_CONNECT_PRODUCTION = "https://api.home-connect.com"
#: the longest a person may make the connector wait for one answer
MAX_REQUEST_TIMEOUT = 120
#: minutes after which waiting coffee jobs mean the runner is not running
DEFAULT_STALE_MINUTES = 10
WAITING_STATES = ("pending", "enqueued")


def secret_field(field_type):
    """A secret of the backend's runtime record, as the backend shows it:
    read by connector managers only (``_compute_secrets``), searched by
    nobody (``_search_secret``)."""
    return field_type(
        compute="_compute_secrets", search="_search_secret", groups=SECRET_GROUPS
    )


class CoffeeBackend(models.Model):
    _name = "coffee.backend"
    _inherit = [
        "connector.backend",
        "coffee.committed.mixin",
        "coffee.secret.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _description = "Coffee Backend"
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    api_type = fields.Selection(
        selection="_select_api_types",
        string="API Type",
        required=True,
        default="homeconnect",
        tracking=True,
        help="The protocol the machines of this account speak.",
    )
    location = fields.Char(
        string="API URL",
        required=True,
        default=HOME_CONNECT_PRODUCTION,
        tracking=True,
        help="Where the machines are reached. Home Connect: the base address "
        "of the API, https://api.home-connect.com for real machines, "
        "https://simulator.home-connect.com for BSH's simulator, or the local "
        "simulator shipped with this connector (http://127.0.0.1:8765 by "
        "default). JURA: the machine's address on the LAN, host or host:port "
        "(port 51515 by default).",
    )
    request_timeout = fields.Integer(
        string="Timeout (s)",
        default=10,
        help="How long to wait for an answer of the API before giving up.",
    )
    client_id = fields.Char(
        string="Client ID",
        tracking=True,
        help="OAuth client id of the application registered for this "
        "connector (for Home Connect: on the developer portal).",
    )
    client_secret = fields.Char(groups=SECRET_GROUPS, copy=False)
    scope = fields.Char(
        default="IdentifyAppliance CoffeeMaker",
        required=True,
        help="OAuth scopes asked for, separated by spaces.",
    )
    redirect_uri = fields.Char(
        string="Redirect URL",
        compute="_compute_redirect_uri",
        help="Register this address as the redirect URL of the OAuth client.",
    )

    # -- what the connector learns (stored in coffee.backend.runtime) ----
    runtime_id = fields.Many2one(
        "coffee.backend.runtime", readonly=True, copy=False, ondelete="set null"
    )
    # secrets: computed for connector managers only, never searchable (a
    # related field would be searched as superuser, whatever its groups)
    access_token = secret_field(fields.Char)
    refresh_token = secret_field(fields.Char)
    oauth_state = secret_field(fields.Char)
    oauth_code_verifier = secret_field(fields.Char)
    oauth_started_at = secret_field(fields.Datetime)
    device_code = secret_field(fields.Char)
    token_expires_at = fields.Datetime(related="runtime_id.token_expires_at")
    token_scope = fields.Char(related="runtime_id.token_scope")
    auth_state = fields.Selection(related="runtime_id.auth_state")
    connection_state = fields.Selection(related="runtime_id.connection_state")
    connection_message = fields.Text(related="runtime_id.connection_message")
    connection_checked_at = fields.Datetime(related="runtime_id.connection_checked_at")
    device_user_code = fields.Char(related="runtime_id.device_user_code")
    device_verification_uri = fields.Char(related="runtime_id.device_verification_uri")
    device_expires_at = fields.Datetime(related="runtime_id.device_expires_at")
    device_interval = fields.Integer(related="runtime_id.device_interval")
    quota_day = fields.Date(related="runtime_id.quota_day")
    quota_calls_today = fields.Integer(related="runtime_id.quota_calls_today")
    blocked_until = fields.Datetime(related="runtime_id.blocked_until")
    events_read_at = fields.Datetime(related="runtime_id.events_read_at")
    events_connected_at = fields.Datetime(related="runtime_id.events_connected_at")

    # quota
    quota_daily_limit = fields.Integer(
        string="Daily Call Quota",
        default=1000,
        help="Calls a day the API allows this account (Home Connect: 1000).",
    )
    wake_from_standby = fields.Boolean(
        string="Wake Machines for Brews",
        help="When a brew is ordered for a machine in standby, switch it on "
        "first. Without it, such a brew fails and asks for the machine to be "
        "switched on.",
    )

    @api.model
    def _select_api_types(self):
        """Protocols this connector speaks; a new protocol adds itself (an
        override of this method) and brings the components for its
        ``api_type``."""
        return [("homeconnect", "Home Connect")]

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        for backend in backends:
            backend.runtime_id = (
                self.env["coffee.backend.runtime"]
                .sudo()
                .create({"backend_id": backend.id})
            )
        self.env["coffee.backend.timestamp"].sudo()._create_for(backends)
        return backends

    def _compute_secrets(self):
        """The runtime's secrets, for connector managers (and the connector)."""
        allowed = self.env.su or self.env.user.has_group(SECRET_GROUPS)
        for backend in self:
            runtime = backend.runtime_id.sudo() if allowed else None
            for name in SECRET_FIELDS:
                backend[name] = runtime[name] if runtime else False

    def _search_secret(self, operator, value):
        raise AccessError(_("The secrets of a coffee backend cannot be searched."))

    def _check_manager(self):
        """Refuse, with AccessError, anyone but a connector manager allowed to
        change these backends: what the form's buttons do (authorize, test,
        import) is theirs alone, whoever calls the method over RPC."""
        if not self.env.su and not self.env.user.has_group(SECRET_GROUPS):
            raise AccessError(
                _("Only connector managers may do this on a coffee backend.")
            )
        self.check_access("write")

    @api.constrains("location", "api_type")
    def _check_location(self):
        """Each protocol's adapter says what its addresses look like. While the
        addon installs (its demo data), components are not loaded yet: that
        data is checked when it is next written."""
        for backend in self:
            if not backend._components_ready():
                continue
            error = backend._location_error(backend.location)
            if error:
                raise ValidationError(error)

    def _location_error(self, location):
        """Why ``location`` is no address the backend may call (None if it is):
        each protocol has its own kind of address (its adapter says)."""
        self.ensure_one()
        with self._component("backend.adapter") as adapter:
            return adapter.location_error(location)

    @api.constrains("request_timeout")
    def _check_request_timeout(self):
        for backend in self:
            if not 1 <= backend.request_timeout <= MAX_REQUEST_TIMEOUT:
                raise ValidationError(
                    _(
                        "The timeout of %(backend)s must be between 1 and "
                        "%(max)s seconds.",
                        backend=backend.name,
                        max=MAX_REQUEST_TIMEOUT,
                    )
                )

    def _compute_redirect_uri(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for backend in self:
            backend.redirect_uri = f"{base_url}/connector_coffee/oauth/callback"

    # -- components ------------------------------------------------------
    @contextmanager
    def _component(self, usage, model_name="coffee.backend"):
        """Yield the component of ``usage`` for this backend's API type."""
        self.ensure_one()
        with self.work_on(model_name) as work:
            yield work.component(usage=usage)

    def _vocabulary(self):
        """How this backend's protocol names things (``components/vocabulary.py``);
        ``None`` while the addon installs, before its components are loaded."""
        self.ensure_one()
        if not self._components_ready():
            return None
        with self.work_on("coffee.machine") as work:
            return work.component(usage="vocabulary")

    def _components_ready(self):
        """Whether the components of this database can be looked up yet."""
        if self.env.context.get("components_registry"):
            return True
        registry = _component_databases.get(self.env.cr.dbname)
        return bool(registry and registry.ready)

    def _has_component(self, usage, model_name="coffee.backend"):
        """Whether this backend's protocol has a component of ``usage``."""
        self.ensure_one()
        with self.work_on(model_name) as work:
            return bool(work.many_components(usage=usage))

    def _has_event_stream(self):
        """Whether this backend's protocol pushes events (an ``event.stream``)."""
        return self._has_component("event.stream")

    def _raise_user_error(self, error):
        """Re-raise a connector job error as a message for the form."""
        raise UserError(str(error)) from error

    # -- buttons -----------------------------------------------------------
    def action_authorize(self):
        """Start the authorization code flow: send the user to the login page."""
        self.ensure_one()
        self._check_manager()
        self._check_oauth_client()
        with self._component("authenticator") as authenticator:
            url = authenticator.start_authorization_code(self.redirect_uri)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def action_authorize_device(self):
        """Start the device flow: show a code the user enters elsewhere."""
        self.ensure_one()
        self._check_manager()
        self._check_oauth_client()
        with self._component("authenticator") as authenticator:
            try:
                authenticator.start_device_authorization()
            except CoffeeJobError as error:
                self._raise_user_error(error)
        self.sudo().with_delay(
            eta=max(self.device_interval, 1),
            description=_("Wait for the device authorization of %s", self.name),
        )._poll_device_authorization()
        return True

    def action_check_device_authorization(self):
        """Poll the device flow once, now (instead of waiting for the job)."""
        self.ensure_one()
        self._check_manager()
        with self._component("authenticator") as authenticator:
            try:
                done = authenticator.poll_device_authorization()
            except CoffeeJobError as error:
                self._raise_user_error(error)
        if not done:
            raise UserError(
                _(
                    "The authorization is not granted yet: open %(link)s and "
                    "enter the code %(code)s.",
                    link=self.device_verification_uri,
                    code=self.device_user_code,
                )
            )
        return True

    def _poll_device_authorization(self):
        """Job: poll the device flow until it is granted, denied or expired."""
        self.ensure_one()
        with self._component("authenticator") as authenticator:
            return authenticator.wait_device_authorization()

    def action_refresh_token(self):
        self.ensure_one()
        self._check_manager()
        with self._component("authenticator") as authenticator:
            try:
                authenticator.refresh_tokens(force=True)
            except CoffeeJobError as error:
                self._raise_user_error(error)
        return self._notify(_("The access token was refreshed."))

    def action_test_connection(self):
        """Call the API once and say, in words, how it went."""
        self.ensure_one()
        self._check_manager()
        with self._component("backend.adapter") as adapter:
            try:
                summary = adapter.check_connection()
            except CoffeeJobError as error:
                self._record_connection("failed", str(error))
                self._raise_user_error(error)
        self._record_connection("ok", summary)
        return self._notify(summary)

    def _record_connection(self, state, message):
        self._store(
            {
                "connection_state": state,
                "connection_message": message,
                "connection_checked_at": fields.Datetime.now(),
            }
        )

    def _check_oauth_client(self):
        if not self.client_id:
            raise UserError(
                _("Set the OAuth client id (and secret) of %s first.", self.name)
            )

    def _notify(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- warnings of the form ---------------------------------------------
    runner_warning = fields.Char(
        compute="_compute_runner_warning",
        help="Why the jobs of this connector may not be processed.",
    )

    @api.depends_context("uid")
    def _compute_runner_warning(self):
        warning = self._runner_warning()
        for backend in self:
            backend.runner_warning = warning

    @api.model
    def _runner_warning(self):
        if not self.env.user.has_group("connector.group_connector_manager"):
            return False
        server_wide = config["server_wide_modules"] or ""
        if "queue_job" not in [name.strip() for name in server_wide.split(",")]:
            return _(
                "The job runner is not started by this Odoo server (queue_job is "
                "not in server_wide_modules): imports and brews will wait forever."
            )
        if not _is_runner_enabled():
            return _(
                "The job runner is switched off (the root channel's capacity "
                "is 0): imports and brews will wait forever."
            )
        minutes = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("connector_coffee.runner_stale_minutes", DEFAULT_STALE_MINUTES)
        )
        limit = fields.Datetime.now() - datetime.timedelta(minutes=minutes)
        waiting = (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("channel", "=like", "root.coffee%"),
                    ("state", "in", WAITING_STATES),
                    ("date_created", "<", limit),
                    "|",
                    ("eta", "=", False),
                    ("eta", "<", limit),
                ]
            )
        )
        if waiting:
            return _(
                "%(count)s job(s) of the coffee channels have been waiting for "
                "more than %(minutes)s minutes: is the job runner running?",
                count=waiting,
                minutes=minutes,
            )
        return False

    events_reader_missing = fields.Boolean(
        string="No Event Reader",
        compute="_compute_events_reader_missing",
        help="The backend is authorized, but no event reader has read its "
        "event stream for a few minutes: alerts do not reach Odoo.",
    )

    @api.depends("active", "auth_state", "events_read_at")
    def _compute_events_reader_missing(self):
        for backend in self:
            backend.events_reader_missing = (
                backend.active
                and backend.auth_state == "authorized"
                and backend._has_event_stream()
                and not backend._reads_events()
            )
