# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Scheduled imports: inactive by default, costed, refused beyond the budget."""

from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .import_common import CoffeeImportCase


@tagged("post_install", "-at_install")
class TestSchedule(CoffeeImportCase):
    simulator_options = {"machines": 5}

    def setUp(self):
        super().setUp()
        self._import_machines()
        self.cron_state = self.env.ref("connector_coffee.ir_cron_import_states")
        self.cron_machines = self.env.ref("connector_coffee.ir_cron_import_machines")

    def test_crons_that_spend_quota_ship_inactive(self):
        for xmlid in ("machines", "catalogue", "states"):
            cron = self.env.ref(f"connector_coffee.ir_cron_import_{xmlid}")
            self.assertFalse(cron.active, xmlid)

    def test_cost_of_the_active_schedule_is_shown(self):
        self.assertEqual(self.backend.schedule_calls_per_day, 0)
        self.cron_machines.active = True
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.schedule_calls_per_day, 1)
        self.cron_state.write(
            {"active": True, "interval_number": 60, "interval_type": "minutes"}
        )
        self.backend.invalidate_recordset()
        # 5 machines × 2 calls × 24 runs + 1
        self.assertEqual(self.backend.schedule_calls_per_day, 241)
        self.assertEqual(self.backend.schedule_calls_budget, 800)
        self.assertIn("= 240", self.backend.schedule_cost_detail)

    def test_schedule_beyond_the_share_of_the_quota_is_refused(self):
        # 5 machines × 2 calls × 96 runs = 960 > 80 % of 1000
        with self.assertRaisesRegex(ValidationError, "960 calls a day"):
            self.cron_state.active = True

    def test_leaving_the_state_out_of_a_backend_s_schedule_allows_it(self):
        self.backend.schedule_state = False
        self.cron_state.active = True
        self.assertEqual(self.backend.schedule_calls_per_day, 0)
        with self.assertRaises(ValidationError):
            self.backend.schedule_state = True

    def test_scheduler_queues_one_deduplicated_job_per_backend(self):
        with trap_jobs() as trap:
            self.env["coffee.backend"]._scheduler_import("machines")
            trap.assert_jobs_count(1, only=self.backend._import_machines)
            self.assertEqual(trap.enqueued_jobs[0].identity_key is not None, True)

    def test_buttons_queue_the_imports(self):
        with trap_jobs() as trap:
            self.backend.action_import_machines()
            self.backend.action_import_catalogue()
            self.backend.action_import_states()
            self.machine_binding().action_refresh()
        self.assertEqual(
            sorted(job.method_name for job in trap.enqueued_jobs),
            [
                "_import_catalogue",
                "_import_machines",
                "_import_state",
                "_import_states",
            ],
        )

    def test_the_catalogue_batch_queues_one_job_per_machine(self):
        with trap_jobs() as trap:
            result = self.backend._import_catalogue()
        self.assertIn("5 job(s) queued", result)
        self.assertEqual([len(job.recordset) for job in trap.enqueued_jobs], [1] * 5)

    def test_the_state_batch_queues_one_job_per_slice_of_machines(self):
        with self.backend.work_on("coffee.machine") as work:
            batch = type(work.component(usage="state.batch.importer"))
        with patch.object(batch, "_batch_size", 2), trap_jobs() as trap:
            result = self.backend._import_states()
        self.assertIn("3 job(s) queued", result)
        jobs = trap.enqueued_jobs
        self.assertEqual([len(job.recordset) for job in jobs], [2, 2, 1])
        queued = self.env["coffee.machine"].union(*(job.recordset for job in jobs))
        self.assertEqual(queued, self.backend.machine_ids)

    def test_machines_that_fit_in_one_slice_are_read_by_the_batch_job(self):
        machines = self.backend.machine_ids
        machines.write({"state_read_date": False})  # read on import: forget it
        with trap_jobs() as trap:
            self.backend._import_states()
        queued = [job.method_name for job in trap.enqueued_jobs]
        self.assertNotIn("_import_state", queued, "no job of their own")
        self.assertTrue(all(machines.mapped("state_read_date")), "each one read")

    def test_smart_buttons_open_the_backend_s_records(self):
        action = self.backend.action_open_machines()
        self.assertEqual(
            self.env["coffee.machine"].search(action["domain"]),
            self.backend.machine_ids,
        )
        self.assertEqual(self.backend.machine_count, 5)
        self.assertEqual(self.backend.action_open_brews()["res_model"], "coffee.brew")
