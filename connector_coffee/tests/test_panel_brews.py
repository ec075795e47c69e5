# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Counter growth becomes the brew log of the machine's panel, exactly once."""

from odoo import fields
from odoo.tests import tagged

from coffee_machine.homeconnect import keys

from .import_common import CoffeeImportCase


@tagged("post_install", "-at_install")
class TestPanelBrews(CoffeeImportCase):
    def setUp(self):
        super().setUp()
        self._import_machines()
        self.machine = self.machine_binding()
        self.sim = self.simulator.machine()

    def panel_totals(self):
        brews = self.env["coffee.brew"].search(
            [("machine_id", "=", self.machine.id), ("origin", "=", "panel")]
        )
        totals = {}
        for brew in brews:
            totals[brew.family] = totals.get(brew.family, 0) + brew.quantity
        return totals

    def restart_simulator(self):
        """A new simulator, same seed and machines: counters back to zero."""
        self.simulator = self.start_simulator(**self.simulator_options)
        self.backend.location = self.simulator.url
        self.authorize()
        self.sim = self.simulator.machine()
        self.assertEqual(self.sim.ha_id, self.machine.external_id)

    def test_the_reading_on_import_is_the_baseline(self):
        self.machine.unlink()  # a machine that made 2 beverages before Odoo
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 2)
        self._import_machines()
        self.machine = self.machine_binding()
        self.assertEqual(self.panel_totals(), {})
        self.assertEqual(self.machine.beverage_count, 2)
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 1)
        self.machine._import_state()
        self.assertEqual(self.panel_totals(), {"RistrettoEspresso": 1})

    def test_panel_brews_add_up_per_family_across_refreshes_and_a_restart(self):
        self.machine._import_state()  # nothing made yet: nothing logged
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 2)
        self.brew_at_panel(self.sim, keys.PROGRAM_CAPPUCCINO, 1)
        self.machine._import_state()
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 1)
        self.machine._import_state()
        self.machine._import_state()  # nothing new: nothing logged
        self.restart_simulator()
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 2)
        self.brew_at_panel(self.sim, keys.PROGRAM_COFFEE, 1)
        self.machine._import_state()
        self.assertEqual(
            self.panel_totals(),
            {"RistrettoEspresso": 5, "CoffeeAndMilk": 1, "Coffee": 1},
        )

    def test_panel_entry_holds_its_time_window(self):
        self.machine._import_state()
        start = self.machine.state_sync_date
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 3)
        self.machine._import_state()
        brew = self.env["coffee.brew"].search(
            [("machine_id", "=", self.machine.id), ("origin", "=", "panel")]
        )
        self.assertEqual(len(brew), 1, "one entry per family and refresh")
        self.assertEqual(brew.quantity, 3)
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.window_start, start)
        self.assertEqual(brew.window_end, self.machine.state_sync_date)

    def test_brews_ordered_from_odoo_are_not_logged_again(self):
        self.machine._import_state()
        ordered = self.env["coffee.brew"].create(
            {
                "machine_id": self.machine.id,
                "origin": "odoo",
                "program_key": keys.PROGRAM_ESPRESSO,
                "state": "done",
                "date_sent": fields.Datetime.now(),
            }
        )
        self.sim.start_program(keys.PROGRAM_ESPRESSO)  # what the exporter sent
        self.simulator.clock.advance(40)
        self.brew_at_panel(self.sim, keys.PROGRAM_ESPRESSO, 1)
        self.machine._import_state()
        self.assertTrue(ordered.counted)
        self.assertEqual(self.panel_totals(), {"RistrettoEspresso": 1})

    def test_hot_water_cups_are_not_a_family_of_their_own(self):
        self.machine._record_counters(
            {
                keys.COUNTER_PREFIX: 0,
                keys.COUNTER_PREFIX + "HotWater": 0,
                keys.COUNTER_PREFIX + "HotWaterCups": 0,
            },
            fields.Datetime.now(),
        )
        self.machine._record_counters(
            {
                keys.COUNTER_PREFIX: 2,
                keys.COUNTER_PREFIX + "HotWater": 2,
                keys.COUNTER_PREFIX + "HotWaterCups": 2,
            },
            fields.Datetime.now(),
        )
        self.assertEqual(self.panel_totals(), {"HotWater": 2})
