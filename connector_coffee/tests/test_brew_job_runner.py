# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The brew jobs run for real: stored, loaded and run by queue_job's runner code."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import FailedJobError
from odoo.addons.queue_job.job import Job

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase, runjob


@tagged("post_install", "-at_install")
class TestBrewJobRunner(CoffeeBrewCase):
    def run_stored_job(self, brew, method_name):
        """Run the newest stored job of ``brew`` as the job runner does."""
        record = brew._jobs().filtered(lambda j: j.method_name == method_name)[:1]
        self.assertTrue(record, f"no {method_name} job stored")
        runjob(self.env, record)
        return record

    def test_brew_job_run_by_the_runner_ends_done_with_a_result(self):
        brew = self.new_brew(options={keys.OPTION_FILL_QUANTITY: 45})
        brew.action_queue()
        record = self.run_stored_job(brew, "_export_brew")
        self.assertEqual(record.state, "done")
        self.assertIn("is brewing", record.result)
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(len(self.api_brews()), 1)

        self.simulator.clock.advance(31)
        follow = self.run_stored_job(brew, "_follow_brew")
        self.assertEqual(follow.state, "done")
        self.assertIn("is ready", follow.result)
        self.assertEqual(brew.state, "done")

    def test_the_calls_of_one_job_share_one_connection(self):
        brew = self.new_brew()
        brew.action_queue()
        calls, connections = self.calls_made(), self.simulator.connections
        self.run_stored_job(brew, "_export_brew")
        self.assertEqual(self.calls_made() - calls, 2, "status, then the start")
        self.assertLessEqual(self.simulator.connections - connections, 1)

    def test_identity_key_keeps_one_stored_job(self):
        brew = self.new_brew()
        brew.action_queue()
        brew.with_delay(identity_key=brew._jobs()[0].identity_key)._export_brew()
        self.assertEqual(len(brew._jobs()), 1)

    def test_spent_retries_fail_the_brew(self):
        self.simulator.faults.offline(self.sim_machine.ha_id)
        brew = self.new_brew()
        brew.action_queue()
        stored = brew._jobs()[0]
        stored.write({"retry": stored.max_retries - 1})
        with (
            self.assertRaisesCommitted(FailedJobError),
            self.assertLogs("odoo.addons.queue_job.controllers.main", "ERROR"),
        ):
            self.run_stored_job(brew, "_export_brew")
        self.assertEqual(stored.state, "failed")
        self.assertEqual(brew.state, "failed")
        self.assertIn("The machine is offline", brew.error_message)

    def _a_start_in_doubt(self, sent_ago=None):
        """A brew of the machine whose start is in doubt (its worker died)."""
        first = self.new_brew()
        first.state = "queued"
        with self.backend.work_on("coffee.brew") as work:
            exporter = work.component(usage="record.exporter")
            exporter._record_attempt(first, exporter._read_machine(first))
        if sent_ago:
            first._store({"date_sent": fields.Datetime.now() - sent_ago})
        return first

    def _at_its_last_try(self, brew):
        brew.action_queue()
        record = brew._jobs().filtered(lambda j: j.method_name == "_export_brew")
        record.write({"max_retries": 5, "retry": 4})
        return record

    def _perform_loaded(self, record):
        """Perform the stored job as the runner loads it (its uuid and tries)."""
        job = Job.load(self.env, record.uuid)
        outcome = self.perform(job)
        return job, outcome

    def test_waiting_for_another_brew_s_start_spends_no_try(self):
        self._a_start_in_doubt()
        second = self.new_brew(options={keys.OPTION_FILL_QUANTITY: 50})
        record = self._at_its_last_try(second)
        job, (outcome, __) = self._perform_loaded(record)
        self.assertEqual((outcome, job.retry), ("retry", 4), "no try spent")
        self.assertEqual(second.state, "queued", "not given up")
        self.assertIn("not confirmed yet", second.error_message)
        self.assertFalse(self.api_brews())

    def test_waiting_for_a_start_in_doubt_for_long_spends_tries(self):
        self._a_start_in_doubt(sent_ago=timedelta(hours=1))
        second = self.new_brew(options={keys.OPTION_FILL_QUANTITY: 50})
        record = self._at_its_last_try(second)
        __, (outcome, __) = self._perform_loaded(record)
        self.assertEqual(outcome, "failed")
        self.assertEqual(second.state, "failed", "a stuck doubt does not hold it")
        self.assertIn("gave up", second.error_message)

    def test_waiting_for_a_busy_machine_spends_no_try(self):
        self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)  # busy
        brew = self.new_brew()
        record = self._at_its_last_try(brew)
        job, (outcome, __) = self._perform_loaded(record)
        self.assertEqual((outcome, job.retry), ("retry", 4), "no try spent")
        self.assertEqual(brew.state, "queued", "not given up")
        self.assertIn("busy", brew.error_message)

    def test_waiting_for_a_machine_busy_for_long_spends_tries(self):
        self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
        brew = self.new_brew()
        record = self._at_its_last_try(brew)
        brew.date_queued = fields.Datetime.now() - timedelta(hours=1)
        __, (outcome, __) = self._perform_loaded(record)
        self.assertEqual(outcome, "failed")
        self.assertEqual(brew.state, "failed", "a stuck machine does not hold it")
        self.assertIn("gave up", brew.error_message)

    def test_asking_whether_its_own_start_took_spends_no_try(self):
        brew = self._a_start_in_doubt()
        brew.with_delay()._export_brew()  # the dead worker's job, run again
        record = brew._jobs().filtered(lambda j: j.method_name == "_export_brew")
        record.write({"max_retries": 5, "retry": 4})
        self.simulator.faults.offline(self.sim_machine.ha_id)
        job, (outcome, __) = self._perform_loaded(record)
        self.assertEqual((outcome, job.retry), ("retry", 4), "no try spent")
        self.assertEqual(brew.state, "sent", "it may have been made: not failed")
