# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The main flow in a real browser: backend, imports, a brew from the kanban."""

from odoo.tests import tagged

from .common import CoffeeHttpCase, JobRunnerThread


@tagged("post_install", "-at_install")
class TestTour(CoffeeHttpCase):
    # the machine's time runs 30 times faster: a brew takes one second
    simulator_options = {"machines": 2, "clock": 30.0}

    def setUp(self):
        super().setUp()
        self.backend.name = "Tour simulator"
        self.authorize()
        self.runner = JobRunnerThread(self.registry)
        self.runner.start()
        self.addCleanup(self.runner.stop)

    def test_order_a_brew_from_the_machine_kanban(self):
        self.start_tour("/odoo", "connector_coffee_tour", login="admin", timeout=180)
        self.assertFalse(self.runner.errors)
        brew = self.env["coffee.brew"].search([("origin", "=", "odoo")])
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.beverage_id.name, "Cappuccino")
        machine = self.simulator.machine(brew.machine_id.external_id)
        self.assertEqual(len(machine.brews), 1, "the machine brewed exactly once")
