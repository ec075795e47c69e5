# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Machines: imported once, kept in step with the account, never deleted."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from ..exceptions import MachineUnreachable
from .import_common import CoffeeImportCase


@tagged("post_install", "-at_install")
class TestImportMachines(CoffeeImportCase):
    simulator_options = {"machines": 2}

    def machines(self):
        return (
            self.env["coffee.machine"]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )

    def test_import_binds_each_machine_to_an_equipment(self):
        self._import_machines()
        machines = self.machines()
        self.assertEqual(
            sorted(machines.mapped("external_id")), sorted(self.simulator.machines)
        )
        machine = self.machine_binding()
        sim = self.simulator.machine()
        self.assertEqual(machine.odoo_id._name, "maintenance.equipment")
        self.assertEqual(machine.odoo_id.name, sim.name)
        self.assertEqual(machine.odoo_id.coffee_bind_ids, machine)
        self.assertEqual(
            (machine.brand, machine.vib, machine.enumber),
            ("Bosch", sim.vib, sim.enumber),
        )
        self.assertTrue(machine.connected)
        self.assertTrue(machine.sync_date)

    def test_a_new_machine_is_read_and_its_catalogue_queued(self):
        with trap_jobs() as trap:
            self._import_machines()
        machine = self.machine_binding()
        self.assertTrue(machine.state_read_date)
        self.assertEqual(machine.display_state, "ready")
        self.assertIn(keys.COUNTER_PREFIX, machine.counter_ids.mapped("key"))
        queued = [j for j in trap.enqueued_jobs if j.method_name == "_import_catalogue"]
        self.assertEqual(len(queued), 2, "one catalogue import per machine")
        self.assertIn(machine, [job.recordset for job in queued])

    def test_a_panel_beverage_made_right_after_the_import_is_logged(self):
        self._import_machines()
        machine = self.machine_binding()
        self.brew_at_panel(self.simulator.machine(), keys.PROGRAM_ESPRESSO)
        machine._import_state()
        panel = self.env["coffee.brew"].search(
            [("machine_id", "=", machine.id), ("origin", "=", "panel")]
        )
        self.assertEqual(panel.quantity, 1)

    def test_an_offline_machine_gets_a_refresh_queued_on_import(self):
        sim = self.simulator.machine()
        self.simulator.faults.offline(sim.ha_id)
        with trap_jobs() as trap:
            self._import_machines()
        machine = self.machine_binding()
        self.assertFalse(machine.state_read_date)
        refreshes = [j for j in trap.enqueued_jobs if j.method_name == "_import_state"]
        self.assertEqual([job.recordset for job in refreshes], [machine])

    def test_importing_twice_yields_the_same_records(self):
        self._import_machines()
        first = self.machines()
        equipments = first.odoo_id
        result = self._import_machines()
        self.assertEqual(self.machines(), first)
        self.assertEqual(self.machines().odoo_id, equipments)
        self.assertIn("already up to date", result)

    def test_renamed_machine_is_renamed(self):
        self._import_machines()
        self.simulator.machine().rename("Espresso bar")
        self._import_machines()
        self.assertEqual(self.machine_binding().name, "Espresso bar")
        self.assertEqual(self.machine_binding().odoo_id.name, "Espresso bar")

    def test_machine_taken_offline_is_shown_offline(self):
        self._import_machines()
        self.simulator.faults.offline(self.simulator.machine().ha_id)
        self._import_machines()
        machine = self.machine_binding()
        self.assertFalse(machine.connected)
        self.assertEqual(machine.display_state, "offline")

    def test_machine_switched_off_is_shown_in_standby(self):
        self._import_machines()
        self.simulator.machine().set_power(keys.POWER_STANDBY)
        self.machine_binding()._import_state()
        machine = self.machine_binding()
        self.assertEqual(machine.power_state, "standby")
        self.assertEqual(machine.display_state, "standby")

    def test_removed_machine_is_archived_with_a_message(self):
        self._import_machines()
        sim = self.simulator.machine()
        machine = self.machine_binding(sim)
        self.simulator.remove_machine(sim.ha_id)
        result = self._import_machines()
        self.assertIn("removed", result)
        self.assertTrue(machine.exists())
        self.assertFalse(machine.active)
        self.assertIn("no longer listed", machine.odoo_id.message_ids[0].body)

    def test_removed_machine_that_comes_back_is_active_again(self):
        self._import_machines()
        sim = self.simulator.machine()
        self.simulator.remove_machine(sim.ha_id)
        self._import_machines()
        self.simulator.add_machine(ha_id=sim.ha_id, name=sim.name)
        self._import_machines()
        self.assertTrue(self.machine_binding(sim).active)
        self.assertEqual(len(self.machines()), 2)

    def test_completed_import_moves_its_timestamp(self):
        self._import_machines()
        timestamp = self.backend.timestamp_ids.filtered(lambda t: t.kind == "machines")
        self.assertTrue(timestamp.last_done)

    def test_failed_import_does_not_move_its_timestamp(self):
        self.simulator.faults.server_error(1)
        with self.assertRaisesCommitted(MachineUnreachable):
            self._import_machines()
        self.assertFalse(self.backend.timestamp_ids.filtered("last_done"))

    def test_other_appliances_are_not_imported(self):
        # a machine whose listing says it is an oven is skipped
        with self.work_on_backend(model_name="coffee.machine") as work:
            importer = work.component(usage="record.importer")
            result = importer.run(
                "SIEMENS-OVEN-1",
                data={
                    "ha_id": "SIEMENS-OVEN-1",
                    "name": "Oven",
                    "type": "Oven",
                    "brand": "Siemens",
                    "vib": "HB678",
                    "enumber": "HB678/01",
                    "connected": True,
                },
            )
        self.assertIn("not a coffee machine", result)
        self.assertEqual(len(self.machines()), 0)
