# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A JURA machine in Odoo: imported, its products, its state, its alerts."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..exceptions import MachineOffline
from .common import JuraCase


@tagged("post_install", "-at_install")
class TestJuraMachines(JuraCase):
    def test_importing_binds_the_machine_at_its_address_with_its_counters(self):
        self.jura_machine.set_product_count("espresso", 12)
        self.pair_jura()
        self.jura_backend._import_machines()
        machine = self.env["coffee.machine"].search(
            [("backend_id", "=", self.jura_backend.id)]
        )
        self.assertEqual(len(machine), 1)
        self.assertEqual(machine.external_id, self.jura_backend.location)
        self.assertEqual((machine.brand, machine.vib), ("JURA", "EF1091"))
        self.assertEqual(machine.display_state, "ready")
        counters = {c.key: c.value for c in machine.counter_ids}
        self.assertEqual(counters["product:espresso"], 12)
        self.assertEqual(machine.beverage_count, self.jura_machine.total)
        self.assertFalse(machine.brew_ids, "the first reading is the baseline")

    def test_the_catalogue_offers_the_products_with_the_verified_options(self):
        machine = self.jura_binding()
        espresso = machine.program_ids.filtered(lambda p: p.key == "espresso")
        self.assertTrue(espresso.beverage_id.odoo_id, "a product variant")
        options = {option.key: option for option in espresso.option_ids}
        self.assertEqual(
            set(options), {"coffee_strength", "water_amount", "temperature"}
        )
        water = options["water_amount"]
        self.assertEqual((water.min_value, water.max_value, water.step), (15, 80, 5))
        self.assertEqual(
            options["temperature"].allowed_values, ["low", "normal", "high"]
        )
        self.assertEqual(options["coffee_strength"].allowed_values, list(range(1, 11)))
        cappuccino = machine.program_ids.filtered(lambda p: p.key == "cappuccino")
        self.assertNotIn(
            "milk_foam_amount", cappuccino.option_ids.mapped("key"), "not verified"
        )

    def test_a_panel_beverage_reaches_the_brew_log(self):
        machine = self.jura_binding()
        self.jura_machine.brew_at_panel("cappuccino")
        self.wait_for(
            lambda: self.jura_machine.product_count("cappuccino") == 1,
            message="the simulated machine never finished",
        )
        machine._import_state()
        (panel,) = machine.brew_ids.filtered(lambda b: b.origin == "panel")
        self.assertEqual((panel.family, panel.quantity), ("cappuccino", 1))

    def test_an_alert_opens_a_request_and_its_end_closes_it(self):
        machine = self.jura_binding()
        self.jura_machine.set_alert("fill_water")
        self.wait_for(lambda: "fill_water" in self.jura_machine.active_alerts())
        machine._import_state()
        request = machine._open_alert_request("water_empty")
        self.assertTrue(request, "a maintenance request for the water tank")
        self.assertEqual(request.equipment_id, machine.odoo_id)
        self.jura_machine.fill_water()
        machine._import_state()
        self.assertFalse(machine._open_alert_request("water_empty"))
        self.assertTrue(request.stage_id.done)

    def test_an_offline_machine_is_shown_offline(self):
        machine = self.jura_binding()
        self.jura.faults.offline(0)
        with self.assertRaisesCommitted(MachineOffline, "does not answer"):
            machine._import_state()
        machine.invalidate_recordset()
        self.assertFalse(machine.connected)
        self.assertEqual(machine.display_state, "offline")
        self.assertIn("switched on", machine.sync_message)


@tagged("post_install", "-at_install")
class TestJuraSchedule(JuraCase):
    def test_the_lan_cron_refreshes_the_jura_machines_only(self):
        self.jura_binding()
        self.authorize()
        with trap_jobs() as trap:
            cron = self.env.ref("connector_coffee.ir_cron_import_states_lan")
            cron.method_direct_trigger()
        backends = {job.recordset for job in trap.enqueued_jobs}
        self.assertEqual(backends, {self.jura_backend})
        self.assertEqual(trap.enqueued_jobs[0].method_name, "_import_states")

    def test_no_quota_limits_the_schedule_of_a_jura_backend(self):
        self.env.ref("connector_coffee.ir_cron_import_states").active = True
        self.jura_backend.quota_schedule_share = 0
        self.assertEqual(self.jura_backend.quota_schedule_share, 0)
        with self.assertRaisesRegex(ValidationError, "daily quota"):
            self.backend.quota_schedule_share = 0
