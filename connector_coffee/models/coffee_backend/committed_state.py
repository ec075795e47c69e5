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
* the outcome of the last connection test;
* the starts of brews in the last minute (Home Connect allows 5 a minute),
  counted under the backend's row lock so that two workers never both take
  the last slot.

These are written here, in a transaction of their own that commits at once
(``_committed_env``). Two jobs refreshing tokens at the same moment are
serialized by a row lock on the backend (``_locked_tokens``): the second one
sees the tokens the first one stored and does not spend its refresh token.

The side transaction runs in READ COMMITTED, so that after waiting for the
lock it reads what the other transaction committed. Under Odoo's test mode
the registry hands out a cursor that shares the test's transaction, which
keeps tests isolated.
"""

import datetime
import math
from contextlib import contextmanager

from odoo import fields, models
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
    _inherit = "coffee.backend"

    @contextmanager
    def _committed_env(self, lock=False):
        """Yield this backend (sudo) in a new transaction, committed on exit.

        With ``lock``, the backend's row is locked first (``FOR UPDATE``):
        callers holding it are serialized.
        """
        self.ensure_one()
        registry = self.env.registry
        with registry.cursor() as cr:
            if not registry.in_test_mode():
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            if lock:
                cr.execute(
                    SQL(
                        "SELECT id FROM coffee_backend WHERE id = %s FOR UPDATE",
                        self.id,
                    )
                )
            yield self.with_env(self.env(cr=cr)).sudo()

    def _store(self, values):
        """Write ``values`` on the backend and commit them at once."""
        with self._committed_env() as backend:
            backend.write(values)
        self.invalidate_recordset(list(values))

    @contextmanager
    def _locked_tokens(self):
        """Yield the current tokens (a dict) and the backend, row locked.

        Write new tokens with ``backend.write`` inside the block: they are
        committed when the block ends, and the lock released.
        """
        with self._committed_env(lock=True) as backend:
            tokens = backend.read(list(TOKEN_FIELDS))[0]
            yield tokens, backend
        self.invalidate_recordset(list(TOKEN_FIELDS))

    def _current_tokens(self):
        """The tokens as last committed by any transaction."""
        with self._committed_env() as backend:
            return backend.read(list(TOKEN_FIELDS))[0]

    # -- quota -------------------------------------------------------------
    def _count_calls(self, count=1):
        """Add ``count`` calls to today's quota use (committed at once)."""
        today = fields.Date.context_today(self)
        with self._committed_env() as backend:
            backend.env.cr.execute(
                SQL(
                    """
                    UPDATE coffee_backend
                       SET quota_calls_today = CASE
                               WHEN quota_day = %(today)s
                               THEN COALESCE(quota_calls_today, 0) + %(count)s
                               ELSE %(count)s END,
                           quota_day = %(today)s
                     WHERE id = %(id)s
                    """,
                    today=today,
                    count=count,
                    id=self.id,
                )
            )
        self.invalidate_recordset(["quota_calls_today", "quota_day"])

    def _block_until(self, seconds):
        """Remember that the API refuses calls for ``seconds`` from now."""
        until = fields.Datetime.now() + datetime.timedelta(seconds=seconds)
        self._store({"blocked_until": until})
        return until

    def _blocked_for(self):
        """Seconds the API still refuses calls for (0 when not blocked)."""
        with self._committed_env() as backend:
            until = backend.blocked_until
        if not until:
            return 0
        return max(0, (until - fields.Datetime.now()).total_seconds())

    # -- starts a minute -------------------------------------------------------
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
