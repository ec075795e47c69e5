# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A coffee user orders brews and sees theirs; no secrets, no other company."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase


@tagged("post_install", "-at_install")
class TestBrewSecurity(CoffeeBrewCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.drinker = new_test_user(
            cls.env, login="drinker", groups="connector_coffee.group_coffee_user"
        )
        cls.colleague = new_test_user(
            cls.env, login="colleague", groups="connector_coffee.group_coffee_user"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other office"})
        cls.other_backend = cls.env["coffee.backend"].create(
            {"name": "Other office machines", "company_id": cls.other_company.id}
        )

    def order_as(self, user, trap):
        beverage = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id
        wizard = (
            self.env["coffee.brew.wizard"]
            .with_user(user)
            .create({"machine_id": self.machine.id, "beverage_id": beverage.id})
        )
        action = wizard.action_brew()
        return self.env["coffee.brew"].with_user(user).browse(action["res_id"])

    def test_coffee_user_orders_a_brew_that_the_machine_makes(self):
        with trap_jobs() as trap:
            brew = self.order_as(self.drinker, trap)
            job = self.export_job(trap)
            self.assertEqual(job.env.uid, self.drinker.id)
            outcome, result = self.perform(job)
            self.assertEqual(outcome, "done", result)
            self.simulator.clock.advance(31)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
            self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.user_id, self.drinker)
        self.assertEqual(len(self.api_brews()), 1)

    def test_coffee_user_sees_own_brews_and_panel_brews_only(self):
        with trap_jobs() as trap:
            mine = self.order_as(self.drinker, trap)
            theirs = self.order_as(self.colleague, trap)
        panel = self.env["coffee.brew"].create(
            {"machine_id": self.machine.id, "origin": "panel", "state": "done"}
        )
        visible = self.env["coffee.brew"].with_user(self.drinker).search([])
        self.assertIn(mine, visible)
        self.assertIn(panel, visible)
        self.assertNotIn(theirs, visible)
        with self.assertRaises(AccessError):
            theirs.with_user(self.drinker).read(["state"])

    def test_coffee_user_cannot_cancel_someone_elses_brew(self):
        with trap_jobs() as trap:
            theirs = self.order_as(self.colleague, trap)
        with self.assertRaises(AccessError):
            theirs.with_user(self.drinker).action_cancel()

    def test_coffee_user_cannot_read_backend_secrets_through_a_brew(self):
        with trap_jobs() as trap:
            brew = self.order_as(self.drinker, trap)
        with self.assertRaises(AccessError):
            brew.backend_id.read(["access_token"])

    def test_coffee_user_cannot_see_another_companys_machines(self):
        self.authorize(self.other_backend)
        self.other_backend.location = self.simulator.url
        other_machine = self.make_machine_binding(
            self.simulator.add_machine(), backend=self.other_backend
        )
        machines = self.env["coffee.machine"].with_user(self.drinker).search([])
        self.assertIn(self.machine, machines)
        self.assertNotIn(other_machine, machines)
        with trap_jobs() as trap, self.assertRaises(AccessError):
            self.new_brew(machine=other_machine, user=self.drinker).action_queue()
        trap.assert_jobs_count(0)
