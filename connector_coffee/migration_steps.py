# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a database written by an older revision of the addon needs.

The addon changed the shape of its stored data several times before its
versions were released one by one (all of it under 18.0.1.0.0), and a
database may have been installed at any of those commits. The migration
scripts of a release (``migrations/<version>/pre-migrate.py`` and
``post-migrate.py``, run by ``odoo -u connector_coffee``) call the steps
below; each one finds what is left to do in the database itself, does
nothing on a database that is already in shape, and can run twice.

* Job entry points were public methods (``import_machines``...) before they
  became private (``_import_machines``): a job stored under the old name
  would fail on upgrade with "method not found". The jobs still waiting are
  renamed (``rename_waiting_jobs``); done and failed ones keep their history.
* The tokens, the authorization in progress and the quota once lived on the
  ``coffee_backend`` row, before they moved to ``coffee.backend.runtime``.
  Odoo leaves a column behind when its field goes: the values still there
  are moved to the backend's runtime row, and the old columns, which may
  hold tokens in clear, are dropped (``move_backend_columns_to_runtime``).

The tables of renames are data: a future rename adds a line.
"""

import logging

from odoo.tools import SQL

from .models.coffee_backend.timestamp import IMPORT_KINDS

_logger = logging.getLogger(__name__)

#: job methods renamed, per model: ``{model: {old name: new name}}``
RENAMED_JOB_METHODS = {
    "coffee.backend": {
        "import_machines": "_import_machines",
        "import_catalogue": "_import_catalogue",
        "import_states": "_import_states",
        "handle_events": "_handle_events",
    },
    "coffee.machine": {
        "import_state": "_import_state",
        "import_catalogue": "_import_catalogue",
    },
}
#: the states of a job that has not run to its end yet
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
#: columns of the runtime table that are its own bookkeeping, never moved
RUNTIME_OWN_COLUMNS = {
    "id",
    "backend_id",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
}


def column_names(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            table,
        )
    )
    return {name for (name,) in cr.fetchall()}


def rename_waiting_jobs(cr):
    """Give the jobs still waiting under an old method name its new name."""
    renamed = 0
    for model, names in RENAMED_JOB_METHODS.items():
        for old, new in names.items():
            cr.execute(
                SQL(
                    "UPDATE queue_job SET method_name = %s "
                    "WHERE model_name = %s AND method_name = %s AND state IN %s",
                    new,
                    model,
                    old,
                    WAITING_JOB_STATES,
                )
            )
            renamed += cr.rowcount
    if renamed:
        _logger.info("%d waiting coffee job(s) renamed to their new method", renamed)
    return renamed


def move_backend_columns_to_runtime(env):
    """Move what older code left on ``coffee_backend`` to the runtime rows.

    Every backend gets its runtime row (and its import timestamps) if it has
    none; a value left in an old column fills the runtime's when that one is
    empty; the old columns are then dropped.
    """
    cr = env.cr
    ensure_runtimes(env)
    env.flush_all()
    backend_fields = env["coffee.backend"]._fields
    leftovers = sorted(
        name
        for name in column_names(cr, "coffee_backend_runtime")
        & column_names(cr, "coffee_backend")
        if name not in RUNTIME_OWN_COLUMNS
        and not (name in backend_fields and backend_fields[name].store)
    )
    for name in leftovers:
        cr.execute(
            SQL(
                "UPDATE coffee_backend_runtime AS runtime SET %s = backend.%s "
                "FROM coffee_backend AS backend "
                "WHERE runtime.backend_id = backend.id "
                "AND runtime.%s IS NULL AND backend.%s IS NOT NULL",
                *([SQL.identifier(name)] * 4),
            )
        )
        cr.execute(
            SQL("ALTER TABLE coffee_backend DROP COLUMN %s", SQL.identifier(name))
        )
    if leftovers:
        _logger.info(
            "Moved %s from coffee_backend to coffee_backend_runtime",
            ", ".join(leftovers),
        )
        env["coffee.backend.runtime"].invalidate_model()
    return leftovers


def ensure_runtimes(env):
    """A runtime row and import timestamps for every backend lacking them."""
    backends = (
        env["coffee.backend"]
        .sudo()
        .with_context(active_test=False)
        .search([("runtime_id", "=", False)])
    )
    for backend in backends:
        backend.runtime_id = (
            env["coffee.backend.runtime"].sudo().create({"backend_id": backend.id})
        )
    timestamps = env["coffee.backend.timestamp"].sudo()
    present = {(stamp.backend_id.id, stamp.kind) for stamp in timestamps.search([])}
    timestamps.create(
        [
            {"backend_id": backend.id, "kind": kind}
            for backend in backends.search([])
            for kind, __ in IMPORT_KINDS
            if (backend.id, kind) not in present
        ]
    )
    return backends
