# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An employee orders coffee and reads the log: nothing more.

The employee is an internal user with *Coffee User*, as an office has them.
They see the machines of their company (whatever maintenance's own rules on
equipment say), open the Brew wizard as the web client does, and act on
their own brews only; everything the connector owns is refused to them.
"""

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase, new_employee

OPTIONS = {keys.OPTION_FILL_QUANTITY: 50}


@tagged("post_install", "-at_install")
class TestBrewSecurity(CoffeeBrewCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.drinker = new_employee(cls.env, "drinker")
        cls.colleague = new_employee(cls.env, "colleague")
        cls.other_company = cls.env["res.company"].create({"name": "Other office"})
        cls.other_backend = cls.env["coffee.backend"].create(
            {"name": "Other office machines", "company_id": cls.other_company.id}
        )

    def espresso(self):
        return self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id

    def order_as(self, user, machine=None):
        """Order an espresso as ``user`` does in the web client: the Brew
        button of the machine opens the wizard, the person presses Brew."""
        machine = machine or self.machine
        wizard = Form(
            self.env["coffee.brew.wizard"]
            .with_user(user)
            .with_context(default_machine_id=machine.id)
        )
        wizard.beverage_id = self.espresso().with_user(user)
        action = wizard.save().action_brew()
        return self.env["coffee.brew"].with_user(user).browse(action["res_id"])

    def brewing_brew_of(self, user, trap, options=None):
        """A brew of ``user`` the machine is making (ordered by the system for
        them, with ``options`` as given)."""
        options = OPTIONS if options is None else options
        brew = self.new_brew(user_id=user.id)
        brew.options = options
        brew.with_user(user).action_queue()
        outcome, result = self.perform(self.jobs_of(trap, "_export_brew")[-1])
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing")
        return brew.with_user(user)

    def view_fields(self, model, view_types):
        views = (
            self.env[model]
            .with_user(self.drinker)
            .get_views([(False, view_type) for view_type in view_types])
        )
        return views["models"][model]["fields"]

    # -- what an employee does ---------------------------------------------
    def test_employee_sees_the_machines_of_their_company(self):
        machines = self.env["coffee.machine"].with_user(self.drinker).search([])
        self.assertEqual(machines, self.machine)

    def test_employee_opens_the_machine_list_kanban_and_form(self):
        self.machine._import_state()
        fields = self.view_fields("coffee.machine", ["list", "kanban", "form"])
        machine = self.machine.with_user(self.drinker)
        (values,) = machine.web_read({name: {} for name in fields})
        self.assertEqual(values["name"], self.machine.name)
        self.assertEqual(values["display_state"], "ready")
        self.assertEqual(values["beverage_count"], self.total_counter())
        self.assertEqual(len(values["counter_ids"]), len(self.sim_machine.counters))

    def test_employee_sees_the_open_alerts_of_a_machine(self):
        self.machine._open_alert("beans_empty", "2", "BeanContainerEmpty")
        machine = self.machine.with_user(self.drinker)
        self.assertEqual(machine.open_alert_count, 1)
        self.assertEqual(
            machine.maintenance_request_ids.coffee_alert_key, "beans_empty"
        )

    def test_employee_orders_a_brew_that_the_machine_makes_once(self):
        with trap_jobs() as trap:
            brew = self.order_as(self.drinker)
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

    def test_employee_opens_the_brew_wizard_from_a_beverage(self):
        espresso = self.espresso().with_user(self.drinker)
        wizard = Form(
            self.env["coffee.brew.wizard"]
            .with_user(self.drinker)
            .with_context(default_beverage_id=espresso.id)
        )
        self.assertEqual(wizard.machine_id, self.machine)
        with trap_jobs() as trap:
            action = wizard.save().action_brew()
            trap.assert_jobs_count(1)
        brew = self.env["coffee.brew"].with_user(self.drinker).browse(action["res_id"])
        self.assertEqual(brew.beverage_id, espresso)

    def test_employee_orders_the_same_brew_again(self):
        with trap_jobs() as trap:
            first = self.order_as(self.drinker)
            action = first.action_brew_again()
            self.assertEqual(len(self.jobs_of(trap, "_export_brew")), 2)
        again = self.env["coffee.brew"].with_user(self.drinker).browse(action["res_id"])
        self.assertEqual(again.user_id, self.drinker)
        self.assertEqual(again.options, first.options)
        self.assertEqual(again.state, "queued")

    def test_employee_cancels_their_queued_brew(self):
        with trap_jobs():
            brew = self.order_as(self.drinker)
            brew.action_cancel()
        self.assertEqual(brew.state, "cancelled")

    def test_employee_stops_their_running_brew(self):
        with trap_jobs() as trap:
            brew = self.brewing_brew_of(self.drinker, trap)
            brew.action_stop()
            (stop,) = self.jobs_of(trap, "_stop_brew")
            outcome, result = self.perform(stop)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "cancelled")
        self.assertEqual(self.api_brews()[0]["result"], "aborted")

    def test_employee_sees_own_brews_and_panel_brews_only(self):
        with trap_jobs():
            mine = self.order_as(self.drinker)
            theirs = self.order_as(self.colleague)
        panel = self.env["coffee.brew"].create(
            {"machine_id": self.machine.id, "origin": "panel", "state": "done"}
        )
        visible = self.env["coffee.brew"].with_user(self.drinker).search([])
        self.assertIn(mine, visible)
        self.assertIn(panel, visible)
        self.assertNotIn(theirs, visible)
        with self.assertRaises(AccessError):
            theirs.with_user(self.drinker).read(["state"])

    # -- what an employee may not do -----------------------------------------
    def test_employee_cannot_cancel_someone_elses_brew(self):
        with trap_jobs():
            theirs = self.order_as(self.colleague)
        with self.assertRaises(AccessError):
            theirs.with_user(self.drinker).action_cancel()
        self.assertEqual(theirs.state, "queued")

    def test_employee_cannot_stop_someone_elses_brew(self):
        with trap_jobs() as trap:
            theirs = self.brewing_brew_of(self.colleague, trap)
            with self.assertRaises(AccessError):
                theirs.with_user(self.drinker).action_stop()
            trap.assert_jobs_count(0, only=theirs._stop_brew)

    def test_employee_cannot_stop_a_panel_brew(self):
        panel = self.env["coffee.brew"].create(
            {"machine_id": self.machine.id, "origin": "panel", "state": "brewing"}
        )
        with trap_jobs() as trap, self.assertRaises(AccessError):
            panel.with_user(self.drinker).action_stop()
        trap.assert_jobs_count(0)

    def test_stop_of_a_brew_without_options_stops_nothing(self):
        with trap_jobs() as trap:
            brew = self.brewing_brew_of(self.drinker, trap, options={})
            brew.action_stop()
            (stop,) = self.jobs_of(trap, "_stop_brew")
            outcome, result = self.perform(stop)
        self.assertEqual(outcome, "done", result)
        self.assertIn("nothing to stop", result)
        self.assertEqual(self.sim_machine.active_program()[0], keys.PROGRAM_ESPRESSO)

    def test_employee_cannot_create_a_brew_directly(self):
        Brew = self.env["coffee.brew"].with_user(self.drinker)
        forged = (
            {"origin": "panel", "state": "done"},
            {"user_id": self.colleague.id},
            {},
        )
        for values in forged:
            with self.subTest(values=values), self.assertRaises(AccessError):
                Brew.create(
                    {
                        "machine_id": self.machine.id,
                        "program_key": keys.PROGRAM_ESPRESSO,
                        **values,
                    }
                )

    def test_employee_cannot_rewrite_their_brew(self):
        with trap_jobs():
            brew = self.order_as(self.drinker)
        forged = (
            {"state": "brewing"},
            {"origin": "panel"},
            {"counted": True},
            {"user_id": self.colleague.id},
            {"date_done": "2026-01-01 00:00:00"},
            {"counter_snapshot": {}},
        )
        for values in forged:
            with self.subTest(values=values), self.assertRaises(AccessError):
                brew.write(values)
        self.assertEqual(brew.state, "queued")

    def test_employee_cannot_queue_a_brew_ordered_for_someone_else(self):
        theirs = self.new_brew(options=OPTIONS, user_id=self.colleague.id)
        with trap_jobs() as trap, self.assertRaises(AccessError):
            theirs.with_user(self.drinker).action_queue()
        trap.assert_jobs_count(0)

    def test_employee_cannot_change_machines_beverages_or_backends(self):
        records = (
            self.machine,
            self.machine.odoo_id,
            self.espresso(),
            self.machine.program_ids[:1],
            self.backend,
        )
        for record in records:
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.drinker).write({"name": "Mine now"})

    def test_employee_cannot_read_backend_secrets_through_a_brew(self):
        with trap_jobs():
            brew = self.order_as(self.drinker)
        with self.assertRaises(AccessError):
            brew.backend_id.read(["access_token"])

    def test_employee_cannot_see_another_companys_machines(self):
        self.authorize(self.other_backend)
        self.other_backend.location = self.simulator.url
        other_machine = self.make_machine_binding(
            self.simulator.add_machine(), backend=self.other_backend
        )
        machines = self.env["coffee.machine"].with_user(self.drinker).search([])
        self.assertIn(self.machine, machines)
        self.assertNotIn(other_machine, machines)
        with trap_jobs() as trap, self.assertRaises(AccessError):
            self.env["coffee.brew"].with_user(self.drinker)._place_order(
                other_machine, self.espresso(), keys.PROGRAM_ESPRESSO, OPTIONS
            )
        trap.assert_jobs_count(0)
