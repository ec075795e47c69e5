# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Brew wizard offers what the machine allows, and remembers choices."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase, new_employee


@tagged("post_install", "-at_install")
class TestBrewWizard(CoffeeBrewCase):
    def beverage(self, key=keys.PROGRAM_ESPRESSO):
        return self.machine.program_ids.filtered(lambda p: p.key == key).beverage_id

    def wizard(self, user=None, **values):
        env = self.env(user=user) if user else self.env
        values.setdefault("machine_id", self.machine.id)
        values.setdefault("beverage_id", self.beverage().id)
        return env["coffee.brew.wizard"].create(values)

    def line(self, wizard, option_key):
        return wizard.option_line_ids.filtered(
            lambda line: line.option_id.key == option_key
        )

    def test_wizard_offers_only_the_options_of_that_machine_and_beverage(self):
        wizard = self.wizard()
        definition = self.adapter().call(
            "get_available_program", self.sim_machine.ha_id, keys.PROGRAM_ESPRESSO
        )
        self.assertEqual(
            set(wizard.option_line_ids.option_id.mapped("key")),
            {option.key for option in definition.options},
        )
        strength = self.line(wizard, keys.OPTION_BEAN_AMOUNT)
        offered = self.env["coffee.machine.program.option.value"].search(
            [("option_id", "=", strength.option_id.id)]
        )
        allowed = definition.option(keys.OPTION_BEAN_AMOUNT).constraints.allowed_values
        self.assertEqual(offered.mapped("value"), list(allowed))
        volume = self.line(wizard, keys.OPTION_FILL_QUANTITY)
        self.assertEqual(volume.kind, "range")
        self.assertEqual(volume.hint, "35–60 ml, in steps of 5")

    def test_wizard_starts_from_the_machine_defaults(self):
        wizard = self.wizard()
        self.assertEqual(self.line(wizard, keys.OPTION_FILL_QUANTITY).value_number, 40)
        self.assertEqual(
            self.line(wizard, keys.OPTION_BEAN_AMOUNT).value_id.value,
            keys.coffee_enum_value("BeanAmount", "Normal"),
        )

    def test_wizard_orders_and_queues_one_brew(self):
        wizard = self.wizard()
        self.line(wizard, keys.OPTION_FILL_QUANTITY).value_number = 55
        with trap_jobs() as trap:
            action = wizard.action_brew()
            again = wizard.action_brew()  # double click
            trap.assert_jobs_count(1)
        brew = self.env["coffee.brew"].browse(action["res_id"])
        self.assertEqual(again["res_id"], brew.id)
        self.assertEqual(brew.state, "queued")
        self.assertEqual(brew.origin, "odoo")
        self.assertEqual(brew.program_key, keys.PROGRAM_ESPRESSO)
        self.assertEqual(brew.options[keys.OPTION_FILL_QUANTITY], 55)

    def test_wizard_remembers_the_choice_per_person(self):
        strong = keys.coffee_enum_value("BeanAmount", "Strong")
        wizard = self.wizard()
        line = self.line(wizard, keys.OPTION_BEAN_AMOUNT)
        line.value_id = line.option_id.value_ids.filtered(lambda v: v.value == strong)
        self.line(wizard, keys.OPTION_FILL_QUANTITY).value_number = 60
        with trap_jobs():
            wizard.action_brew()
        again = self.wizard()
        self.assertEqual(
            self.line(again, keys.OPTION_BEAN_AMOUNT).value_id.value, strong
        )
        self.assertEqual(self.line(again, keys.OPTION_FILL_QUANTITY).value_number, 60)
        someone_else = new_employee(self.env, "other-drinker")
        theirs = self.wizard(user=someone_else)
        self.assertEqual(self.line(theirs, keys.OPTION_FILL_QUANTITY).value_number, 40)

    def test_wizard_refuses_a_volume_out_of_range(self):
        wizard = self.wizard()
        self.line(wizard, keys.OPTION_FILL_QUANTITY).value_number = 42
        with trap_jobs() as trap, self.assertRaisesRegex(UserError, "in steps of 5"):
            wizard.action_brew()
        trap.assert_jobs_count(0)

    def test_brew_button_of_a_machine_proposes_its_beverages(self):
        form = Form(
            self.env["coffee.brew.wizard"].with_context(
                default_machine_id=self.machine.id
            )
        )
        self.assertEqual(form.machine_id, self.machine)
        self.assertIn(form.beverage_id, self.machine.program_ids.beverage_id)
        self.assertTrue(form.option_line_ids)

    def test_brew_button_of_a_beverage_proposes_a_machine(self):
        beverage = self.beverage(keys.PROGRAM_CAPPUCCINO)
        form = Form(
            self.env["coffee.brew.wizard"].with_context(default_beverage_id=beverage.id)
        )
        self.assertEqual(form.machine_id, self.machine)
        self.assertEqual(form.beverage_id, beverage)

    def test_brew_options_read_as_the_machine_names_them(self):
        brew = self.new_brew(
            options={
                keys.OPTION_FILL_QUANTITY: 45,
                keys.OPTION_BEAN_AMOUNT: keys.coffee_enum_value("BeanAmount", "Strong"),
                keys.OPTION_COFFEE_TEMPERATURE: keys.coffee_enum_value(
                    "CoffeeTemperature", "92C"
                ),
            }
        )
        self.assertEqual(
            brew.options_summary,
            "Coffee strength: Strong, Coffee temperature: 92°C, Fill quantity: 45 ml",
        )

    def test_brew_options_of_an_unknown_program_stay_readable(self):
        brew = self.new_brew(
            program_key="BSH.Common.Program.Favorite.001",
            options={"ConsumerProducts.CoffeeMaker.Option.FlowRate": "X.Y.IntensePlus"},
        )
        self.assertEqual(brew.options_summary, "Flow rate: Intense plus")
