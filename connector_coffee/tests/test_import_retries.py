# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Failed imports are retried with the right delay and say why on the backend."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect.simulator import QuotaConfig

from .import_common import CoffeeImportCase


class RetryCase(CoffeeImportCase):
    def queued_job(self, records, method):
        with trap_jobs() as trap:
            getattr(records.with_delay(), method)()
        return trap.enqueued_jobs[0]

    def fail_once(self, job):
        """Run the job once as the runner does; return its retry delay."""
        with self.assertRaisesCommitted(RetryableJobError):
            try:
                job.perform()
            except RetryableJobError as error:
                self.error = error
                raise
        return job._get_retry_seconds(self.error.seconds)

    @staticmethod
    def refreshes(trap):
        return [j for j in trap.enqueued_jobs if j.method_name == "_import_state"]


@tagged("post_install", "-at_install")
class TestImportRetries(RetryCase):
    def test_offline_machine_refresh_is_retried_with_backoff(self):
        self._import_machines()
        machine = self.machine_binding()
        self.simulator.faults.offline(machine.external_id)
        job = self.queued_job(machine, "_import_state")
        self.assertEqual(self.fail_once(job), 60)
        self.assertEqual(self.fail_once(job), 60)
        self.assertEqual(self.fail_once(job), 300)
        self.assertIn("offline", self.backend.last_import_error)
        self.assertIn(machine.name, self.backend.last_import_error)
        self.assertIn("offline", machine.sync_message)
        self.assertFalse(machine.connected)

    def test_server_error_during_machine_import_is_retried(self):
        self.simulator.faults.server_error(1)
        job = self.queued_job(self.backend, "_import_machines")
        self.assertEqual(self.fail_once(job), 60)
        self.assertIn("HTTP 500", self.backend.last_import_error)
        self.assertTrue(self.backend.last_import_error_date)

    def test_successful_import_clears_the_failure(self):
        self.simulator.faults.server_error(1)
        job = self.queued_job(self.backend, "_import_machines")
        self.fail_once(job)
        job.perform()
        self.assertFalse(self.backend.last_import_error)


@tagged("post_install", "-at_install")
class TestImportQuotaRetries(RetryCase):
    simulator_options = {"quota": QuotaConfig(per_minute=1, per_day=None)}

    def test_quota_refusal_is_retried_after_retry_after(self):
        self._import_machines()  # the minute's only call
        job = self.queued_job(self.backend, "_import_machines")
        delay = self.fail_once(job)
        self.assertEqual(delay, max(int(self.error.api_error.retry_after), 1))
        self.assertGreater(delay, 0)
        self.assertIn("quota", self.backend.last_import_error)


@tagged("post_install", "-at_install")
class TestBatchRefresh(RetryCase):
    simulator_options = {"machines": 3}

    def setUp(self):
        super().setUp()
        self._import_machines()
        self.machines = self.backend.machine_ids.sorted("id")

    def test_a_machine_failing_in_a_batch_gets_a_refresh_of_its_own(self):
        offline = self.machines[1]
        self.simulator.faults.offline(offline.external_id)
        self.simulator.clock.advance(60)
        before = fields.Datetime.now()
        with trap_jobs() as trap:
            result = self.machines._import_state()
        self.assertIn("refreshed again on its own", result)
        (retry,) = self.refreshes(trap)
        self.assertEqual(retry.recordset, offline)
        self.assertIn("offline", offline.sync_message)
        others = self.machines - offline
        self.assertTrue(all(m.state_read_date >= before for m in others))


@tagged("post_install", "-at_install")
class TestBatchRefreshQuota(RetryCase):
    # the import spends 4 calls: the listing and each new machine's state
    simulator_options = {
        "machines": 3,
        "quota": QuotaConfig(per_minute=5, per_day=None),
    }

    def test_a_spent_quota_postpones_the_rest_of_a_batch_as_one_job(self):
        self._import_machines()
        machines = self.backend.machine_ids.sorted("id")
        with trap_jobs() as trap:
            result = machines._import_state()
        self.assertIn("2 machine(s) postponed", result)
        (postponed,) = self.refreshes(trap)
        self.assertEqual(postponed.recordset, machines[1:])
        self.assertGreater(postponed.eta, fields.Datetime.now())
        self.assertIn("quota", postponed.description, "said in the job list")
