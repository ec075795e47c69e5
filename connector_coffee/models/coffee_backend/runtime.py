# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the connector learns about a backend's account while it runs.

Tokens, the authorization in progress, the quota spent today, a 429 block,
the outcome of the last connection test, the last import failure and when
the event stream was last read live here, one row per backend, and not on
the ``coffee_backend`` row itself.
They are written in transactions of their own that commit at once (see
``committed_state.py``), while a job's transaction may be reading and
writing the backend: keeping them in their own table means such a job never
trips over a concurrent update of the backend row. The backend shows them
through related fields.

Nobody writes here but the connector itself (as superuser), and only
connector managers may read it: the secrets (tokens, the OAuth ``state`` and
PKCE verifier, the device code) carry their group too, so that neither
reading nor searching reaches them for anyone else. The backend shows the
harmless fields through related fields and the secrets, to managers only,
through computed fields that cannot be searched.
"""

from odoo import fields, models

from .secrets import SECRET_GROUPS

AUTH_STATES = [
    ("not_authorized", "Not authorized"),
    ("pending", "Waiting for authorization"),
    ("authorized", "Authorized"),
    ("expired", "Authorization lost"),
]


class CoffeeBackendRuntime(models.Model):
    _name = "coffee.backend.runtime"
    _inherit = ["coffee.secret.mixin"]
    _description = "Coffee Backend Runtime State"

    backend_id = fields.Many2one(
        "coffee.backend", required=True, ondelete="cascade", index=True
    )
    access_token = fields.Char(groups=SECRET_GROUPS, copy=False)
    refresh_token = fields.Char(groups=SECRET_GROUPS, copy=False)
    token_expires_at = fields.Datetime(string="Token Expiry", copy=False)
    token_scope = fields.Char(string="Granted Scope", copy=False)
    auth_state = fields.Selection(
        AUTH_STATES,
        string="Authorization",
        default="not_authorized",
        required=True,
        copy=False,
    )
    connection_state = fields.Selection(
        [("unknown", "Not tested"), ("ok", "Connected"), ("failed", "Failed")],
        default="unknown",
        required=True,
        copy=False,
    )
    connection_message = fields.Text(copy=False, readonly=True)
    connection_checked_at = fields.Datetime(copy=False, readonly=True)

    # authorization code flow in progress (PKCE)
    oauth_state = fields.Char(groups=SECRET_GROUPS, copy=False)
    oauth_code_verifier = fields.Char(groups=SECRET_GROUPS, copy=False)
    oauth_started_at = fields.Datetime(groups=SECRET_GROUPS, copy=False)
    oauth_user_id = fields.Many2one(
        "res.users",
        groups=SECRET_GROUPS,
        copy=False,
        help="Who started the authorization: only their browser may finish it.",
    )
    # device flow in progress
    device_code = fields.Char(groups=SECRET_GROUPS, copy=False)
    device_user_code = fields.Char(string="User Code", copy=False, readonly=True)
    device_verification_uri = fields.Char(
        string="Verification Link", copy=False, readonly=True
    )
    device_expires_at = fields.Datetime(copy=False, readonly=True)
    device_interval = fields.Integer(copy=False, readonly=True)

    # quota
    quota_day = fields.Date(copy=False, readonly=True)
    quota_calls_today = fields.Integer(string="Calls Today", copy=False, readonly=True)
    blocked_until = fields.Datetime(
        copy=False,
        readonly=True,
        help="The API refused further calls until this time (HTTP 429).",
    )

    # event stream
    events_read_at = fields.Datetime(
        string="Events Read",
        copy=False,
        readonly=True,
        help="When the event reader (odoo coffee-events, or the one in the "
        "server) last read this account's event stream: it writes at least "
        "once a minute while the stream is open.",
    )
    events_connected_at = fields.Datetime(
        string="Event Stream Opened",
        copy=False,
        readonly=True,
        help="When the event stream read now was opened; empty while none is "
        "open. Only a machine read after it is kept current by the stream.",
    )

    # imports
    last_import_error = fields.Text(
        string="Last Import Failure", copy=False, readonly=True
    )
    last_import_error_date = fields.Datetime(
        string="Failed On", copy=False, readonly=True
    )

    _sql_constraints = [
        ("backend_uniq", "unique(backend_id)", "One runtime state per backend.")
    ]
