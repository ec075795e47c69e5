# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A transaction of its own, committed at once.

A queue job runs in one transaction, which queue_job rolls back when the job
fails or is retried. Some of what a job learns must survive that rollback:
new OAuth tokens (a one-time refresh token is dead once used), the calls
spent against the quota, that a brew's start was sent to the machine. Such
facts are written in a *side transaction*::

    with side_transaction(brew.env, lock=("coffee_brew", brew.id)) as env:
        env["coffee.brew"].browse(brew.id).write({"state": "sent"})
    # committed here, whatever becomes of the job's own transaction

The side transaction runs in READ COMMITTED: after waiting for a row lock
(``lock``), it reads what the other transaction committed, which is what
serializes two workers on one backend or one brew. What the calling
transaction has not flushed yet is flushed first, so that a side
transaction in tests (where, in Odoo's test mode, both share one database
transaction) sees it.
"""

from contextlib import contextmanager

from odoo import api
from odoo.tools import SQL


@contextmanager
def side_transaction(env, lock=None):
    """Yield ``env`` as superuser on a new cursor that commits on exit.

    :param lock: ``(table, id)``: lock that row (``FOR UPDATE``) first.
    """
    env.flush_all()
    registry = env.registry
    with registry.cursor() as cr:
        if not registry.in_test_mode():
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        if lock:
            table, record_id = lock
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id = %s FOR UPDATE",
                    SQL.identifier(table),
                    record_id,
                )
            )
        # the registry we have, not looked up again by name (that lookup
        # waits for the registry lock, which a thread may not get)
        cr.transaction = api.Transaction(registry)
        yield env(cr=cr, su=True)
