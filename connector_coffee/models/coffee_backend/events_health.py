# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tell the user, on the backend, when no event reader reads its stream.

Alerts reach Odoo only through the event stream, and brews cost more calls
while it is not read; yet a reader that is not running says nothing. The
reader writes ``events_read_at`` at least once a minute while it reads a
backend (``_reads_events`` tells whether that time is recent), so an
authorized, active backend without a recent one has no reader: neither
``odoo coffee-events`` nor a server running it (``events_thread``) reads it,
or the reader cannot reach the API. The backend form then shows a warning
naming both ways to run it. A protocol without a stream has no reader to
miss.
"""

from odoo import api, fields, models


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

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
