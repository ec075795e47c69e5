# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two import jobs at the same moment: no duplicate, no failed job.

Like two job workers, each "job" here has its own database cursor and really
commits (no test mode); what they created is removed at the end. The job
runner retries a job that raises ``RetryableJobError`` (or a PostgreSQL
concurrency error); ``run_like_the_runner`` does the same.
"""

from psycopg2 import OperationalError

from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from .common import CommittedBackendCase


@tagged("post_install", "-at_install")
class TestImportConcurrency(CommittedBackendCase):
    backend_name = "Concurrent backend"
    simulator_options = {"machines": 2}

    def count_machines(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            machines = (
                env["coffee.machine"]
                .with_context(active_test=False)
                .search([("backend_id", "=", self.backend_id)])
            )
            return len(machines), len(set(machines.mapped("external_id")))

    def run_like_the_runner(self, cr, job, attempts=3):
        """Run ``job(cr)`` and commit; retry it as queue_job would."""
        for _attempt in range(attempts):
            try:
                result = job(cr)
                cr.commit()  # pylint: disable=invalid-commit
                return result
            except RetryableJobError:
                cr.rollback()
            except OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                cr.rollback()
        self.fail("the job did not succeed")

    def test_two_machine_imports_at_once_create_each_machine_once(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            self._backend(cr_a)._import_machines()  # not committed yet
            with self.assertRaises(RetryableJobError):
                self._backend(cr_b)._import_machines()  # meanwhile: retried
            cr_b.rollback()
            cr_a.commit()
            result = self.run_like_the_runner(
                cr_b, lambda cr: self._backend(cr)._import_machines()
            )
        self.assertIn("already up to date", result)
        self.assertEqual(self.count_machines(), (2, 2))

    def test_unique_violation_of_a_concurrent_job_is_retried(self):
        ha_id = self.simulator.machine().ha_id
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:

            def import_one(cr):
                backend = self._backend(cr)
                with backend.work_on("coffee.machine") as work:
                    return work.component(usage="record.importer").run(ha_id)

            cr_b.execute("SELECT count(*) FROM coffee_machine")  # B's snapshot...
            import_one(cr_a)
            cr_a.commit()  # ...when job A commits the machine
            with (
                self.assertNoLogs(level="ERROR"),  # an expected race, no "bad query"
                self.assertRaises(RetryableJobError) as raised,
            ):
                import_one(cr_b)  # B does not see it: the constraint refuses
            self.assertIn("same moment", str(raised.exception))
            cr_b.rollback()
            result = self.run_like_the_runner(cr_b, import_one)
        self.assertIn("already up to date", result)
        self.assertEqual(self.count_machines(), (1, 1))
