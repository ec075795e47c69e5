# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Machine alerts, read on the simulator's event stream, as maintenance requests."""

import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from coffee_machine.homeconnect import keys

from .import_common import CoffeeImportCase, EventCollector

#: every countdown due after one cup, overdue after one more, blocked after two
DUE_AT_ONCE = {
    "descale_every_cups": 1,
    "clean_every_cups": 1,
    "calc_n_clean_every_cups": 1,
    "overdue_after_cups": 1,
    "blockage_after_cups": 2,
    "bean_capacity_g": 15,
    "water_capacity_ml": 60,
    "drip_tray_capacity_cups": 1,
}


def present(key):
    return lambda item: item["key"] == key and item["value"] == keys.EVENT_PRESENT


def gone(key):
    return lambda item: item["key"] == key and item["value"] == keys.EVENT_OFF


@tagged("post_install", "-at_install")
class TestAlerts(CoffeeImportCase):
    simulator_options = {"machine_settings": DUE_AT_ONCE}

    def setUp(self):
        super().setUp()
        self._import_machines()
        self.machine = self.machine_binding()
        self.sim = self.simulator.machine()
        self.token = self.tokens()["access_token"]

    def requests(self, kind=None, open_only=False):
        domain = [("coffee_machine_id", "=", self.machine.id)]
        if kind:
            domain.append(("coffee_alert_key", "=", kind))
        if open_only:
            domain.append(("coffee_alert_open", "=", True))
        return self.env["maintenance.request"].search(domain)

    def test_each_alert_kind_opens_one_request_and_closes_it(self):
        events = self.enterContext(EventCollector(self.simulator, self.token))
        self.sim.brew_at_panel(keys.PROGRAM_ESPRESSO)
        self.simulator.clock.advance(40)
        items = events.items_until(present(keys.EVENT_PROGRAM_FINISHED))
        self.backend._handle_events(items)
        self.backend._handle_events(items)  # the same events again
        kinds = (
            "beans_empty",
            "water_empty",
            "drip_tray_full",
            "descaling",
            "cleaning",
            "calc_n_clean",
        )
        for kind in kinds:
            with self.subTest(kind=kind):
                self.assertEqual(len(self.requests(kind, open_only=True)), 1)
        self.assertEqual(len(self.requests()), len(kinds))
        request = self.requests("beans_empty")
        self.assertEqual(request.equipment_id, self.machine.odoo_id)
        self.assertEqual(self.machine.open_alert_count, len(kinds))

        self.sim.fill_beans()
        self.sim.fill_water()
        self.sim.empty_drip_tray()
        self.sim.calc_n_clean()
        items = events.items_until(gone(keys.EVENT_SHOULD_BE_CLEANED))
        self.backend._handle_events(items)
        for kind in kinds:
            with self.subTest(kind=kind):
                request = self.requests(kind)
                self.assertFalse(request.coffee_alert_open)
                self.assertTrue(request.stage_id.done)

    def test_escalation_raises_the_open_request_instead_of_opening_another(self):
        with EventCollector(self.simulator, self.token) as events:
            self.sim.brew_at_panel(keys.PROGRAM_ESPRESSO)
            self.simulator.clock.advance(40)
            items = events.items_until(present(keys.EVENT_PROGRAM_FINISHED))
        self.backend._handle_events(items)
        self.assertEqual(self.requests("descaling").priority, "1")
        overdue = dict(items[-1], key=keys.EVENT_DESCALING_OVERDUE)
        self.backend._handle_events([overdue])
        self.assertEqual(len(self.requests("descaling")), 1)
        self.assertEqual(self.requests("descaling").priority, "2")

    def test_next_alert_after_closing_opens_a_new_request(self):
        item = {
            "ha_id": self.sim.ha_id,
            "key": keys.EVENT_WATER_TANK_EMPTY,
            "value": keys.EVENT_PRESENT,
            "timestamp": 0,
        }
        self.backend._handle_events([item])
        self.backend._handle_events([dict(item, value=keys.EVENT_CONFIRMED)])
        self.backend._handle_events([item])
        self.assertEqual(len(self.requests("water_empty")), 2)
        self.assertEqual(len(self.requests("water_empty", open_only=True)), 1)

    def test_two_open_requests_of_one_kind_are_impossible(self):
        values = {
            "name": "Beans",
            "equipment_id": self.machine.odoo_id.id,
            "coffee_machine_id": self.machine.id,
            "coffee_alert_key": "beans_empty",
        }
        self.env["maintenance.request"].create(values)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
        ):
            self.env["maintenance.request"].create(values)
            self.env.flush_all()

    def test_countdown_warning_is_an_activity_done_when_cleared(self):
        item = {
            "ha_id": self.sim.ha_id,
            "key": keys.EVENT_DESCALING_IN[20],
            "value": keys.EVENT_PRESENT,
            "timestamp": 0,
        }
        self.backend._handle_events([item])
        self.backend._handle_events([dict(item, key=keys.EVENT_DESCALING_IN[15])])
        activities = self.machine.odoo_id.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.coffee_alert_key, "descaling_soon")
        self.assertFalse(self.requests())
        self.backend._handle_events([dict(item, value=keys.EVENT_OFF)])
        self.assertFalse(self.machine.odoo_id.activity_ids)

    def test_events_of_unknown_machines_are_ignored(self):
        result = self.backend._handle_events(
            [
                {
                    "ha_id": "BOSCH-UNKNOWN",
                    "key": keys.EVENT_BEAN_CONTAINER_EMPTY,
                    "value": keys.EVENT_PRESENT,
                    "timestamp": 0,
                }
            ]
        )
        self.assertIn("1 event(s) ignored", result)
        self.assertFalse(
            self.env["maintenance.request"].search([("coffee_machine_id", "!=", False)])
        )
