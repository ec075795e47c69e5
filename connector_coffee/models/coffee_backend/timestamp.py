# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When each import of a backend last completed, moved only by the job.

One row per backend and import kind (``machines``, ``catalogue``,
``state``). A batch job takes the advisory lock of its row first (a second
batch of the same kind for the same backend is retried instead of running
alongside), does its work, and moves the timestamp to the moment it started,
*in its own transaction*: if the job fails, the timestamp is rolled back with
everything else and the window is not lost (the anchor is connector_jira's
``jira.backend.timestamp``).
"""

from contextlib import contextmanager

from odoo import _, api, fields, models

from odoo.addons.connector.database import pg_try_advisory_lock
from odoo.addons.queue_job.exception import RetryableJobError

from ...concurrency import unique_or_retry

IMPORT_KINDS = [
    ("machines", "Machines"),
    ("catalogue", "Beverages"),
    ("state", "State and counters"),
]


class CoffeeBackendTimestamp(models.Model):
    _name = "coffee.backend.timestamp"
    _description = "Coffee Backend Import Timestamp"
    _order = "backend_id, kind"

    backend_id = fields.Many2one(
        "coffee.backend", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(IMPORT_KINDS, required=True)
    last_done = fields.Datetime(
        string="Last Completed", help="Start of the last import that completed."
    )

    _sql_constraints = [
        (
            "backend_kind_uniq",
            "unique(backend_id, kind)",
            "One timestamp per backend and import kind.",
        )
    ]

    @api.model
    def _create_for(self, backends):
        """One timestamp per import kind for each of ``backends``.

        Created with the backend, so that two jobs never race to insert it
        (the second would wait for the first one's transaction).
        """
        kinds = [kind for kind, __ in IMPORT_KINDS]
        return self.create(
            [
                {"backend_id": backend.id, "kind": kind}
                for backend in backends
                for kind in kinds
            ]
        )

    @contextmanager
    def _locked(self, backend, kind):
        """Yield the locked timestamp of ``backend`` and ``kind``.

        Raises a retryable error when another job holds it.
        """
        timestamp = self.search(
            [("backend_id", "=", backend.id), ("kind", "=", kind)], limit=1
        )
        if not timestamp:
            with unique_or_retry(self.env.cr, self._busy(backend, kind)):
                timestamp = self.create({"backend_id": backend.id, "kind": kind})
        lock = f"coffee-import({backend._name}, {backend.id}, {kind})"
        if not pg_try_advisory_lock(self.env, lock):
            raise self._busy(backend, kind)
        yield timestamp

    def _busy(self, backend, kind):
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]
        return RetryableJobError(
            _(
                "Another import (%(kind)s) of %(backend)s is running; this "
                "one runs again in a minute.",
                kind=label,
                backend=backend.name,
            ),
            seconds=60,
            ignore_retry=True,
        )
