# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two jobs creating the same record at the same moment.

Jobs run in REPEATABLE READ transactions: a job does not see what another
job committed after its own first query. Two imports of one new machine (a
cron and a button, or the event reader's job) both find no binding and both
create one; the SQL unique constraints of the bindings refuse the second
INSERT. That refusal is expected and harmless: the job that lost is retried
at once, and its next run finds the record the other one created::

    with unique_or_retry(self.env.cr, RetryableJobError(message, seconds=1)):
        binding = self._create(values)

The block runs in a savepoint (the transaction stays usable), and the
refused INSERT is not logged by ``odoo.sql_db`` as a "bad query" ERROR: an
expected race must not look like a failure in the server's log. Any other
error of the block is raised as it is.
"""

from contextlib import contextmanager

import psycopg2
from psycopg2 import errorcodes

from odoo.tools import mute_logger


@contextmanager
def unique_or_retry(cr, retry_error):
    """Run the block in a savepoint; raise ``retry_error`` on a unique violation.

    :param retry_error: the exception to raise instead, a
        ``RetryableJobError`` (or an exception that makes the job run again).
    """
    try:
        # muted around the savepoint: its exit flushes pending writes too
        with mute_logger("odoo.sql_db"), cr.savepoint():
            yield
    except psycopg2.IntegrityError as err:
        if err.pgcode != errorcodes.UNIQUE_VIOLATION:
            raise
        raise retry_error from err
