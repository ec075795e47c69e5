# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""State of a backend that must survive the transaction that learnt it.

Some of what the connector learns from the API cannot wait for the job's
transaction to commit, because that transaction may still roll back:

* new OAuth tokens. With one-time refresh tokens, the old refresh token is
  dead the moment the API answers; losing the new one in a rollback means a
  person must authorize again;
* the calls spent against the daily quota and a ``Retry-After`` block, which
  every job of the backend must see at once;
* the outcome of the last connection test, the authorization in progress;
* the starts of brews in the last minute (Home Connect allows 5 a minute),
  counted under the row lock so that two workers never both take the last
  slot.

These live in the backend's ``coffee.backend.runtime`` row and are written
in a transaction of their own that commits at once (``_committed_env`` of
``coffee.committed.mixin``, ``models/committed_mixin.py``). Two jobs
refreshing tokens at the same moment are serialized by a row lock
(``_locked_tokens``): the second one sees the tokens the first one stored and
does not spend its refresh token.

The side transaction runs in READ COMMITTED, so that after waiting for the
lock it reads what the other transaction committed. The caller's own
transaction, in REPEATABLE READ, would keep reading the values of its
snapshot: ``_store`` therefore puts what it committed in the caller's cache
too, so that the rest of the request or job sees it. Under Odoo's test mode
the registry hands out a cursor that shares the test's transaction, which
keeps tests isolated.
"""

import datetime
import math
from contextlib import contextmanager

from odoo import _, fields, models
from odoo.tools import SQL

#: the window of the API's starts-per-minute limit, in seconds
START_WINDOW = 60
TOKEN_FIELDS = (
    "access_token",
    "refresh_token",
    "token_expires_at",
    "token_scope",
    "auth_state",
)


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

    def _committed_record(self):
        return self.runtime_id

    def _store_watched(self, values):
        return ("auth_state",)

    def _stored(self, record, before):
        if record.auth_state != before["auth_state"]:
            record.backend_id._post_auth_state(record.auth_state)

    def _post_auth_state(self, state):
        label = dict(self.env["coffee.backend.runtime"]._fields["auth_state"].selection)
        self.message_post(body=_("Authorization: %s", label[state]))

    def _invalidate_runtime(self):
        """Forget the runtime row as cached: a side transaction changed it.

        Only the backend's fields that show it go, not the backend's own: a
        batch of calls would otherwise read the backend again after each.
        """
        self.runtime_id.invalidate_recordset()
        self.invalidate_recordset(
            [
                name
                for name, field in self._fields.items()
                if field.related and field.related.split(".")[0] == "runtime_id"
            ]
        )

    @contextmanager
    def _locked_tokens(self):
        """Yield the current tokens (a dict) and the runtime row, locked.

        Write new tokens with ``runtime.write`` inside the block: they are
        committed when the block ends, and the lock released.
        """
        with self._committed_env(lock=True) as runtime:
            tokens = runtime.read(list(TOKEN_FIELDS))[0]
            yield tokens, runtime
        self._invalidate_runtime()

    def _current_tokens(self):
        """The tokens as last committed by any transaction, and
        ``blocked_until``: what a call needs, read at once."""
        with self._committed_env() as runtime:
            return runtime.read([*TOKEN_FIELDS, "blocked_until"])[0]

    # -- quota -------------------------------------------------------------
    def _count_calls(self, count=1):
        """Add ``count`` calls to today's quota use (committed at once)."""
        today = fields.Date.context_today(self)
        with self._committed_env() as runtime:
            runtime.env.cr.execute(
                SQL(
                    """
                    UPDATE coffee_backend_runtime
                       SET quota_calls_today = CASE
                               WHEN quota_day = %(today)s
                               THEN COALESCE(quota_calls_today, 0) + %(count)s
                               ELSE %(count)s END,
                           quota_day = %(today)s
                     WHERE id = %(id)s
                    """,
                    today=today,
                    count=count,
                    id=runtime.id,
                )
            )
        self._invalidate_runtime()

    def _block_until(self, seconds):
        """Remember that the API refuses calls for ``seconds`` from now."""
        until = fields.Datetime.now() + datetime.timedelta(seconds=seconds)
        self._store({"blocked_until": until})
        return until

    def _blocked_for(self, committed=None):
        """Seconds the API still refuses calls for (0 when not blocked);
        ``committed``: what ``_current_tokens`` read just now."""
        if committed is None:
            with self._committed_env() as runtime:
                until = runtime.blocked_until
        else:
            until = committed["blocked_until"]
        if not until:
            return 0
        return max(0, (until - fields.Datetime.now()).total_seconds())

    def _start_slot_wait(self, limit):
        """Seconds until a start is allowed by ``limit`` starts a minute (0: now).

        The starts of the backend in the last minute are the brews whose
        last start (``date_sent``) is less than a minute old, whatever became
        of them. Called in ``_committed_env(lock=True)`` by the brew
        exporter, the count and the start that follows are serialized for
        the whole backend: two workers never both take the last slot.
        """
        self.ensure_one()
        if not limit:
            return 0
        now = fields.Datetime.now()
        since = fields.Datetime.subtract(now, seconds=START_WINDOW)
        starts = (
            self.env["coffee.brew"]
            .sudo()
            .search(
                [("backend_id", "=", self.id), ("date_sent", ">", since)],
                order="date_sent desc",
                limit=limit,
            )
        )
        if len(starts) < limit:
            return 0
        oldest = starts[-1].date_sent
        return max(1, math.ceil(START_WINDOW - (now - oldest).total_seconds()))
