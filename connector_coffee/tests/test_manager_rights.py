# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The connector manager, as the people who hold the role.

The person who configures connectors is usually someone of IT: an internal
user with *Connector Manager*, and nothing of *Maintenance*. Yet a coffee
machine is a maintenance equipment, and maintenance lets an internal user
write only the equipment they follow. Every button of the manager's is
pressed here over JSON-RPC, as the web client does, by a user holding only
the internal user and connector manager groups; the jobs it queues are then
run as the job runner runs them (``runjob``: loaded from the database, with
the user and the rights they were queued with), and must end done.
"""

from odoo.tests import tagged

from .common import CoffeeHttpCase, new_connector_manager, new_employee, runjob

MANAGER = "it-manager"


@tagged("post_install", "-at_install")
class TestManagerRights(CoffeeHttpCase):
    def setUp(self):
        super().setUp()
        self.authorize()
        self.machine = self.make_machine_binding()
        self.manager = new_connector_manager(self.env, MANAGER)
        self.assertFalse(
            self.manager.has_group("maintenance.group_equipment_manager"),
            "the manager of these tests holds no maintenance right",
        )
        self.authenticate(MANAGER, MANAGER)

    def press(self, record, method):
        """Press the button ``method`` of ``record`` as the manager, over RPC."""
        answer = self.call_kw(record._name, method, [record.ids])
        self.assertNotIsInstance(answer, str, f"{method}: {answer}")
        return answer

    def run_queued_jobs(self):
        """Run every job waiting in the queue; return them, each ended."""
        jobs = self.env["queue.job"].search([("state", "=", "pending")], order="id")
        self.assertTrue(jobs, "the button queued no job")
        for job in jobs:
            runjob(self.env, job)
        return jobs

    def assertJobsDone(self, jobs):
        for job in jobs:
            with self.subTest(job=job.name):
                self.assertEqual(job.state, "done", job.exc_info)

    def test_refresh_of_a_machine_reads_its_state(self):
        self.machine.sudo().write({"operation_state": "unknown"})
        self.press(self.machine, "action_refresh")
        self.assertJobsDone(self.run_queued_jobs())
        self.assertEqual(self.machine.operation_state, "ready")

    def test_import_beverages_of_a_machine_reads_its_programs(self):
        self.machine.sudo().program_ids.unlink()
        self.press(self.machine, "action_import_catalogue")
        self.assertJobsDone(self.run_queued_jobs())
        self.assertTrue(self.machine.program_ids)

    def test_import_machines_creates_the_new_machines(self):
        known = self.backend.machine_ids
        self.simulator.add_machine()
        self.press(self.backend, "action_import_machines")
        self.assertJobsDone(self.run_queued_jobs())
        self.assertEqual(len(self.backend.machine_ids - known), 1)

    def test_import_beverages_of_the_backend_ends_done(self):
        self.press(self.backend, "action_import_catalogue")
        self.assertJobsDone(self.run_queued_jobs())

    def test_refresh_of_every_machine_ends_done(self):
        self.press(self.backend, "action_import_states")
        self.assertJobsDone(self.run_queued_jobs())

    def test_test_connection_records_the_answer(self):
        self.press(self.backend, "action_test_connection")
        self.assertEqual(self.backend.connection_state, "ok")

    def test_refresh_token_replaces_the_access_token(self):
        before = self.tokens()
        self.press(self.backend, "action_refresh_token")
        self.assertNotEqual(self.tokens(), before)

    def test_device_authorization_ends_authorized(self):
        self.backend.sudo()._store({"auth_state": "not_authorized"})
        self.press(self.backend, "action_authorize_device")
        self.simulator.approve_device(self.backend.device_user_code)
        self.press(self.backend, "action_check_device_authorization")
        self.assertEqual(self.backend.auth_state, "authorized")

    def test_schedule_is_changed_by_the_manager(self):
        answer = self.call_kw(
            "coffee.backend",
            "write",
            [self.backend.ids, {"schedule_state": False}],
        )
        self.assertIs(answer, True)
        self.assertFalse(self.backend.schedule_state)

    def test_cancel_of_an_employee_brew(self):
        employee = new_employee(self.env, "manager-rights-employee")
        program = self.machine.program_ids[:1]
        brew = self.env["coffee.brew"].create(
            {
                "machine_id": self.machine.id,
                "beverage_id": program.beverage_id.id,
                "program_key": program.key,
                "user_id": employee.id,
            }
        )
        brew.action_queue()
        self.press(brew, "action_cancel")
        self.assertEqual(brew.state, "cancelled")
