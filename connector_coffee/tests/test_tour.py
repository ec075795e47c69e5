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
        self.addCleanup(self.runner.stop)

    def authenticate(self, user, password, browser=None):
        """Start the job runner once the browser's session is made.

        From then on only the browser's requests and the runner use the
        database, each on a test cursor, until the test stops the runner.
        """
        session = super().authenticate(user, password, browser=browser)
        if browser is not None:
            self.cr.flush()
            self.runner.start()
        return session

    def test_order_a_brew_from_the_machine_kanban(self):
        self.start_tour("/odoo", "connector_coffee_tour", login="admin", timeout=180)
        self.runner.stop()
        self.assertFalse(self.runner.is_alive(), "the job runner did not stop")
        self.assertFalse(self.runner.errors)
        brews = self.env["coffee.brew"].search([("origin", "=", "odoo")])
        self.assertEqual(len(brews), 1, "one brew was ordered")
        self.assertEqual(brews.state, "done")
        self.assertEqual(brews.beverage_id.name, "Cappuccino")
        machine = self.simulator.machine(brews.machine_id.external_id)
        self.assertEqual(len(machine.brews), 1, "the machine brewed exactly once")
