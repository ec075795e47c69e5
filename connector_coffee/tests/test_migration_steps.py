# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The migration steps, on the leftovers of older revisions made by hand.

``tools/upgrade_check.py`` upgrades a real database of the last release;
the older shapes it cannot install any more (a job stored under its public
name, tokens on the backend row) are made here in SQL, as they were, and
each step must put them in shape, and leave a database in shape untouched.
"""

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.queue_job.job import Job

from ..migration_steps import (
    column_names,
    move_backend_columns_to_runtime,
    rename_waiting_jobs,
)
from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestMigrationSteps(CoffeeTransactionCase):
    def stored_job(self, state):
        """A job of the backend's machine import, stored as older code named it."""
        job = self.backend.with_delay()._import_machines()
        record = job.db_record()
        self.env.cr.execute(
            SQL(
                "UPDATE queue_job SET method_name = 'import_machines', state = %s "
                "WHERE id = %s",
                state,
                record.id,
            )
        )
        record.invalidate_recordset()
        return record

    def leave_on_backend_row(self, column, value):
        """An old column of coffee_backend, holding ``value``."""
        self.env.cr.execute(
            SQL(
                "ALTER TABLE coffee_backend ADD COLUMN %s varchar",
                SQL.identifier(column),
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE coffee_backend SET %s = %s WHERE id = %s",
                SQL.identifier(column),
                value,
                self.backend.id,
            )
        )

    def test_a_waiting_job_under_its_old_name_runs_under_the_new_one(self):
        record = self.stored_job("pending")
        rename_waiting_jobs(self.env.cr)
        record.invalidate_recordset()
        self.assertEqual(record.method_name, "_import_machines")
        job = Job.load(self.env, record.uuid)
        self.assertEqual(job.func.__name__, "_import_machines")

    def test_a_done_job_keeps_the_name_it_ran_under(self):
        record = self.stored_job("done")
        rename_waiting_jobs(self.env.cr)
        record.invalidate_recordset()
        self.assertEqual(record.method_name, "import_machines")

    def test_a_token_left_on_the_backend_row_moves_to_its_runtime(self):
        self.backend.runtime_id.sudo().access_token = False
        self.leave_on_backend_row("access_token", "token-of-old-code")
        moved = move_backend_columns_to_runtime(self.env)
        self.assertEqual(moved, ["access_token"])
        self.assertEqual(
            self.backend.runtime_id.sudo().access_token, "token-of-old-code"
        )

    def test_the_old_column_holding_a_token_is_dropped(self):
        self.leave_on_backend_row("refresh_token", "refresh-of-old-code")
        move_backend_columns_to_runtime(self.env)
        self.assertNotIn("refresh_token", column_names(self.env.cr, "coffee_backend"))

    def test_a_newer_token_is_not_overwritten_by_an_old_one(self):
        self.authorize()
        current = self.tokens()
        self.leave_on_backend_row("access_token", "token-of-old-code")
        move_backend_columns_to_runtime(self.env)
        self.assertEqual(self.tokens(), current)

    def test_a_backend_without_runtime_gets_one(self):
        runtime = self.backend.runtime_id
        self.backend.runtime_id = False
        runtime.sudo().unlink()
        move_backend_columns_to_runtime(self.env)
        self.assertTrue(self.backend.runtime_id)
        self.assertEqual(self.backend.auth_state, "not_authorized")

    def test_a_database_in_shape_is_left_as_it_is(self):
        columns = column_names(self.env.cr, "coffee_backend")
        self.assertEqual(move_backend_columns_to_runtime(self.env), [])
        self.assertEqual(rename_waiting_jobs(self.env.cr), 0)
        self.assertEqual(column_names(self.env.cr, "coffee_backend"), columns)
