# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The office manager's Odoo: consumption views, costs, the dashboard, and
the people told of their brews and of the machines' alerts."""

import datetime

from odoo import fields
from odoo.tests import Form, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase, new_connector_manager, new_employee

DAY = datetime.timedelta(days=1)


class ConsumptionCase(CoffeeBrewCase):
    def setUp(self):
        super().setUp()
        self.employee = new_employee(self.env, "consumption-employee")
        self.manager = new_connector_manager(self.env, "consumption-manager")
        self.espresso = self.beverage(keys.PROGRAM_ESPRESSO)
        self.cappuccino = self.beverage(keys.PROGRAM_CAPPUCCINO)

    def beverage(self, program_key):
        return self.machine.program_ids.filtered(
            lambda p: p.key == program_key
        ).beverage_id

    def made(self, beverage=None, when=None, **values):
        """A brew made (done) at ``when`` (now by default)."""
        values.setdefault("origin", "odoo")
        values.setdefault("user_id", self.employee.id)
        return self.env["coffee.brew"].create(
            {
                "machine_id": self.machine.id,
                "beverage_id": beverage.id if beverage else False,
                "program_key": beverage.program_key if beverage else False,
                "state": "done",
                "date_done": when or fields.Datetime.now(),
                **values,
            }
        )

    def price_consumables(self, beans_per_kg=20.0, milk_per_litre=1.5):
        kg = self.env.ref("uom.product_uom_kgm")
        litre = self.env.ref("uom.product_uom_litre")
        product = self.env["product.product"]
        self.env.company.write(
            {
                "coffee_bean_product_id": product.create(
                    {
                        "name": "Beans",
                        "uom_id": kg.id,
                        "uom_po_id": kg.id,
                        "standard_price": beans_per_kg,
                    }
                ).id,
                "coffee_milk_product_id": product.create(
                    {
                        "name": "Milk",
                        "uom_id": litre.id,
                        "uom_po_id": litre.id,
                        "standard_price": milk_per_litre,
                    }
                ).id,
            }
        )
        self.espresso.write({"coffee_bean_grams": 9, "coffee_water_ml": 40})
        self.cappuccino.write({"coffee_bean_grams": 9, "coffee_milk_ml": 100})


@tagged("post_install", "-at_install")
class TestConsumptionViews(ConsumptionCase):
    def test_the_consumption_views_load_for_an_employee(self):
        views = (
            self.env["coffee.brew"]
            .with_user(self.employee)
            .get_views([(False, "graph"), (False, "pivot"), (False, "calendar")])
        )
        self.assertEqual(set(views["views"]), {"graph", "pivot", "calendar"})
        self.assertIn('interval="day"', views["views"]["graph"]["arch"])
        self.assertIn("cost", views["views"]["pivot"]["arch"])

    def group(self, groupby, user=None):
        brews = self.env["coffee.brew"].with_user(user or self.manager)
        return {
            group[groupby]: group["quantity"]
            for group in brews.read_group(
                [("state", "=", "done")], ["quantity:sum"], [groupby], lazy=False
            )
        }

    def test_beverages_group_by_day_machine_beverage_user_and_origin(self):
        yesterday = fields.Datetime.now() - DAY
        self.made(self.espresso, when=yesterday)
        self.made(self.espresso)
        self.made(self.cappuccino, origin="busy")
        self.made(origin="panel", user_id=False, family="Coffee", quantity=3)
        self.assertEqual(len(self.group("date_done:day")), 2)
        self.assertEqual(sorted(self.group("date_done:day").values()), [1, 5])
        self.assertEqual(
            self.group("machine_id"), {(self.machine.id, self.machine.display_name): 6}
        )
        by_beverage = {
            key and key[0]: n for key, n in self.group("beverage_id").items()
        }
        self.assertEqual(
            by_beverage, {self.espresso.id: 2, self.cappuccino.id: 1, False: 3}
        )
        by_user = {key and key[0]: n for key, n in self.group("user_id").items()}
        self.assertEqual(by_user, {self.employee.id: 3, False: 3})
        self.assertEqual(self.group("origin"), {"odoo": 2, "busy": 1, "panel": 3})

    def test_an_employee_counts_their_brews_and_the_panel_s(self):
        colleague = new_employee(self.env, "consumption-colleague")
        self.made(self.espresso)
        self.made(self.espresso, user_id=colleague.id)
        self.made(origin="panel", user_id=False, family="Coffee")
        self.assertEqual(
            self.group("origin", user=self.employee), {"odoo": 1, "panel": 1}
        )

    def test_beverages_group_by_the_hour_they_were_made(self):
        morning = datetime.datetime.combine(fields.Date.today(), datetime.time(8, 30))
        self.made(self.espresso, when=morning)
        self.made(self.espresso, when=morning - DAY)
        self.made(self.espresso, when=morning.replace(hour=15))
        self.assertEqual(self.group("hour_done"), {8: 2, 15: 1})


@tagged("post_install", "-at_install")
class TestCosts(ConsumptionCase):
    def test_the_cost_per_cup_comes_from_the_consumables(self):
        self.price_consumables(beans_per_kg=20.0, milk_per_litre=1.5)
        self.assertAlmostEqual(self.espresso.coffee_cost_per_cup, 0.18)  # 9 g
        self.assertAlmostEqual(self.cappuccino.coffee_cost_per_cup, 0.33)

    def test_a_cost_set_by_hand_wins(self):
        self.price_consumables()
        self.espresso.write({"coffee_cost_by_hand": True, "coffee_manual_cost": 0.5})
        self.assertEqual(self.espresso.coffee_cost_per_cup, 0.5)

    def test_the_cost_of_the_brews_is_summed(self):
        self.price_consumables()
        self.made(self.espresso)
        self.made(self.espresso, quantity=2)
        self.made(self.cappuccino)
        (group,) = self.env["coffee.brew"].read_group(
            [("state", "=", "done")], ["cost:sum"], []
        )
        self.assertAlmostEqual(group["cost"], 3 * 0.18 + 0.33)

    def test_a_brew_keeps_the_cost_it_had_when_made(self):
        self.price_consumables(beans_per_kg=20.0)
        brew = self.made(self.espresso)
        brew.flush_recordset()  # made: its job commits
        self.env.company.coffee_bean_product_id.standard_price = 40.0
        later = self.made(self.espresso)
        self.assertAlmostEqual(brew.cost, 0.18)
        self.assertAlmostEqual(later.cost, 0.36)

    def test_a_panel_brew_costs_the_average_cup_of_its_family(self):
        self.price_consumables()
        panel = self.made(
            origin="panel", user_id=False, family="RistrettoEspresso", quantity=2
        )
        self.assertAlmostEqual(panel.cost, 2 * 0.18)

    def test_a_brew_not_made_costs_nothing(self):
        self.price_consumables()
        brew = self.made(self.espresso, state="failed")
        self.assertEqual(brew.cost, 0)

    def test_the_volume_is_the_fill_quantity_ordered(self):
        brew = self.made(self.espresso, options={keys.OPTION_FILL_QUANTITY: 45})
        self.assertEqual(brew.volume_ml, 45)


@tagged("post_install", "-at_install")
class TestDashboard(ConsumptionCase):
    def tile(self, code, user=None):
        """The tile as a new page shows it (its figure computed afresh)."""
        self.env.invalidate_all()
        return (
            self.env["coffee.dashboard.tile"]
            .with_user(user or self.employee)
            .search([("code", "=", code)])
        )

    def test_today_counts_the_cups_made_today(self):
        self.made(self.espresso, options={keys.OPTION_FILL_QUANTITY: 40})
        self.made(self.espresso, when=fields.Datetime.now() - 3 * DAY)
        tile = self.tile("today")
        self.assertEqual(tile.value, "1")
        self.assertIn("0.0 l", tile.detail)
        action = tile.action_open()
        self.assertEqual(action["res_model"], "coffee.brew")
        opened = (
            self.env["coffee.brew"].with_user(self.employee).search(action["domain"])
        )
        self.assertEqual(len(opened), 1)

    def test_a_machine_with_an_open_alert_needs_attention(self):
        self.assertEqual(self.tile("attention").value, "0")
        self.machine._open_alert("beans_empty", "2", keys.EVENT_BEAN_CONTAINER_EMPTY)
        tile = self.tile("attention")
        self.assertEqual(tile.value, "1")
        self.assertTrue(tile.alarm)
        self.assertIn(self.machine.name, tile.detail)
        action = tile.action_open()
        self.assertEqual(action["res_model"], "coffee.machine")
        self.assertEqual(
            self.env["coffee.machine"].search(action["domain"]), self.machine
        )

    def test_the_top_beverage_is_the_most_made(self):
        self.made(self.cappuccino, quantity=2)
        self.made(self.espresso)
        self.assertEqual(self.tile("top_beverages").value, self.cappuccino.name)

    def test_the_busiest_hour_is_named(self):
        morning = datetime.datetime.combine(fields.Date.today(), datetime.time(9, 5))
        self.made(self.espresso, when=morning, quantity=3)
        self.made(self.espresso, when=morning.replace(hour=14))
        self.assertEqual(self.tile("busiest_hour", self.manager).value, "09:00")

    def test_every_tile_opens_records(self):
        for tile in (
            self.env["coffee.dashboard.tile"].with_user(self.employee).search([])
        ):
            with self.subTest(tile=tile.code):
                self.assertTrue(tile.value)
                action = tile.action_open()
                self.env[action["res_model"]].with_user(self.employee).search(
                    action["domain"]
                )


@tagged("post_install", "-at_install")
class TestPeopleAreTold(ConsumptionCase):
    def told(self, brew):
        """The messages of ``brew`` addressed to its orderer."""
        return brew.message_ids.filtered(
            lambda m: self.employee.partner_id in m.partner_ids
        )

    def ordered(self, trap):
        wizard = Form(
            self.env["coffee.brew.wizard"]
            .with_user(self.employee)
            .with_context(default_machine_id=self.machine.id)
        )
        wizard.beverage_id = self.espresso
        wizard.save().action_brew()
        brew = self.env["coffee.brew"].search([("user_id", "=", self.employee.id)])
        self.perform(self.export_job(trap))
        return brew

    def test_the_orderer_is_told_once_that_the_brew_is_ready(self):
        with trap_jobs() as trap:
            brew = self.ordered(trap)
            self.simulator.clock.advance(31)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.perform(follow)
            self.assertEqual(brew.state, "done")
            self.perform(follow)  # a job run twice tells nothing more
        (message,) = self.told(brew)
        self.assertIn(f"is ready on {self.machine.name}.", message.body)
        self.assertNotIn("machine machine", message.body)

    def test_the_orderer_is_told_why_a_brew_failed(self):
        with trap_jobs() as trap:
            brew = self.ordered(trap)
            self.sim_machine.stop_program(source="panel")
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.perform(follow)
        self.assertEqual(brew.state, "failed")
        (message,) = self.told(brew)
        self.assertIn("could not be made", message.body)
        self.assertIn("stopped before the beverage was finished", message.body)

    def test_a_panel_brew_tells_nobody(self):
        brew = self.made(origin="panel", user_id=False, family="Coffee")
        self.assertFalse(
            brew.message_ids.filtered(lambda m: m.message_type == "comment")
        )

    def test_the_machine_s_followers_are_told_of_an_alert(self):
        follower = new_connector_manager(self.env, "consumption-follower")
        self.machine.odoo_id.message_subscribe(follower.partner_id.ids)

        def told():
            return self.env["mail.notification"].search(
                [
                    ("res_partner_id", "=", follower.partner_id.id),
                    ("mail_message_id.model", "=", "maintenance.equipment"),
                    ("mail_message_id.res_id", "=", self.machine.odoo_id.id),
                ]
            )

        self.machine._open_alert("beans_empty", "2", keys.EVENT_BEAN_CONTAINER_EMPTY)
        self.assertEqual(len(told()), 1)
        self.machine._close_alert("beans_empty", keys.EVENT_BEAN_CONTAINER_EMPTY)
        self.assertEqual(len(told()), 2)


@tagged("post_install", "-at_install")
class TestReorderBeans(ConsumptionCase):
    def setUp(self):
        super().setUp()
        self.price_consumables()
        self.beans = self.env.company.coffee_bean_product_id

    def out_of_beans(self):
        self.machine._open_alert("beans_empty", "2", keys.EVENT_BEAN_CONTAINER_EMPTY)

    def reorders(self):
        return self.beans.product_tmpl_id.activity_ids.filtered(
            lambda a: a.summary == "Reorder coffee beans"
        )

    def test_beans_are_reordered_when_the_company_asks_for_it(self):
        self.env.company.coffee_reorder_beans = True
        self.out_of_beans()
        self.assertEqual(len(self.reorders()), 1)
        self.machine._close_alert("beans_empty", keys.EVENT_BEAN_CONTAINER_EMPTY)
        self.out_of_beans()
        self.assertEqual(len(self.reorders()), 1, "one request at a time")

    def test_no_reorder_unless_asked(self):
        self.out_of_beans()
        self.assertFalse(self.reorders())
