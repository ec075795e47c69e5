# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Beverages: products per backend, lines per machine, kept through a 409."""

from odoo.tests import tagged

from coffee_machine.homeconnect import keys

from .import_common import CoffeeImportCase

FAVORITE = keys.FAVORITE_PREFIX + "001"
MYCOFFEE = "ConsumerProducts.CoffeeMaker.Program.MyCoffee.MyCoffee1"
RINSING = keys.CLEANING_PREFIX + "ApplianceOnRinsing"


@tagged("post_install", "-at_install")
class TestImportCatalogue(CoffeeImportCase):
    simulator_options = {
        "machines": 2,
        "extra_programs": (FAVORITE, MYCOFFEE, RINSING),
    }

    def setUp(self):
        super().setUp()
        self._import_machines()
        self.machine = self.machine_binding()

    def beverages(self):
        return self.env["coffee.beverage"].search(
            [("backend_id", "=", self.backend.id)]
        )

    def test_catalogue_gives_products_and_the_machine_s_options(self):
        self.machine._import_catalogue()
        espresso = self.beverages().filtered(
            lambda b: b.program_key == keys.PROGRAM_ESPRESSO
        )
        self.assertEqual(espresso.odoo_id._name, "product.product")
        self.assertEqual(espresso.name, "Espresso")
        line = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        )
        self.assertEqual(line.beverage_id, espresso)
        fill = line.option_ids.filtered(lambda o: o.key == keys.OPTION_FILL_QUANTITY)
        self.assertEqual((fill.min_value, fill.max_value, fill.step), (35, 60, 5))
        self.assertEqual(fill.unit, "ml")
        strength = line.option_ids.filtered(lambda o: o.key == keys.OPTION_BEAN_AMOUNT)
        self.assertIn(
            keys.coffee_enum_value("BeanAmount", "Strong"), strength.allowed_values
        )
        self.assertTrue(self.machine.catalogue_sync_date)

    def test_two_machines_share_one_product_per_program(self):
        for machine in self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id)]
        ):
            machine._import_catalogue()
        espresso = self.beverages().filtered(
            lambda b: b.program_key == keys.PROGRAM_ESPRESSO
        )
        self.assertEqual(len(espresso), 1)
        self.assertEqual(espresso.machine_count, 2)

    def test_a_known_program_costs_no_call_on_the_next_import(self):
        self.machine._import_catalogue()
        calls = self.calls_made()
        self.machine._import_catalogue()
        self.assertEqual(self.calls_made() - calls, 1, "the list only")
        self.assertTrue(self.machine_program(self.machine).option_ids)

    def test_a_machine_of_a_known_model_costs_one_call(self):
        self.machine._import_catalogue()
        other = self.machine_binding(list(self.simulator.machines.values())[1])
        self.assertEqual(other.vib, self.machine.vib)
        self.assertEqual(other.enumber, self.machine.enumber)
        calls = self.calls_made()
        other._import_catalogue()
        self.assertEqual(self.calls_made() - calls, 1, "the list only")
        ours, theirs = self.machine_program(self.machine), self.machine_program(other)
        self.assertNotEqual(ours.option_ids, theirs.option_ids)
        self.assertEqual(
            sorted(theirs.option_ids.mapped("key")),
            sorted(ours.option_ids.mapped("key")),
        )
        fill = theirs.option_ids.filtered(lambda o: o.key == keys.OPTION_FILL_QUANTITY)
        self.assertEqual((fill.min_value, fill.max_value, fill.step), (35, 60, 5))
        self.assertTrue(theirs.available)

    def test_asking_for_the_catalogue_reads_every_definition_again(self):
        self.machine._import_catalogue()
        calls = self.calls_made()
        self.machine._import_catalogue(refresh=True)
        beverages = len(
            self.machine.program_ids.filtered(lambda p: p.kind != "cleaning")
        )
        self.assertEqual(self.calls_made() - calls, 1 + beverages)

    def machine_program(self, machine, key=keys.PROGRAM_ESPRESSO):
        return machine.program_ids.filtered(lambda p: p.key == key)

    def test_importing_twice_yields_the_same_records(self):
        self.machine._import_catalogue()
        beverages, lines = self.beverages(), self.machine.program_ids
        options = lines.option_ids
        self.machine._import_catalogue()
        self.assertEqual(self.beverages(), beverages)
        self.assertEqual(self.machine.program_ids, lines)
        self.assertEqual(self.machine.program_ids.option_ids, options)

    def test_unknown_program_keys_survive_an_import(self):
        self.machine._import_catalogue()
        kinds = {b.program_key: b.program_kind for b in self.beverages()}
        self.assertEqual(kinds[FAVORITE], "favorite")
        self.assertEqual(kinds[MYCOFFEE], "mycoffee")
        self.assertIn(MYCOFFEE, self.machine.program_ids.mapped("key"))

    def test_cleaning_programs_are_listed_but_not_beverages(self):
        self.machine._import_catalogue()
        rinsing = self.machine.program_ids.filtered(lambda p: p.key == RINSING)
        self.assertEqual(rinsing.kind, "cleaning")
        self.assertFalse(rinsing.beverage_id)
        self.assertNotIn(RINSING, self.beverages().mapped("program_key"))

    def test_busy_machine_keeps_the_previous_catalogue(self):
        self.machine._import_catalogue()
        lines, beverages = self.machine.program_ids, self.beverages()
        synced = self.machine.catalogue_sync_date
        self.simulator.machine().brew_at_panel(keys.PROGRAM_COFFEE)  # busy: 409
        result = self.machine._import_catalogue()
        self.assertIn("is kept", result)
        self.assertEqual(self.machine.program_ids, lines)
        self.assertTrue(all(lines.mapped("available")))
        self.assertEqual(self.beverages(), beverages)
        self.assertEqual(self.machine.catalogue_sync_date, synced)
        self.assertIn("is kept", self.machine.sync_message)

    def test_machine_off_at_first_import_says_to_try_again(self):
        self.simulator.machine().set_power(keys.POWER_STANDBY)
        result = self.machine._import_catalogue()
        self.assertIn("when it is ready", result)
        self.assertFalse(self.machine.program_ids)

    def test_program_no_longer_offered_is_kept_unavailable(self):
        self.machine._import_catalogue()
        self.simulator.machine().catalogue.pop(MYCOFFEE)
        self.machine._import_catalogue()
        line = self.machine.program_ids.filtered(lambda p: p.key == MYCOFFEE)
        self.assertTrue(line)
        self.assertFalse(line.available)
