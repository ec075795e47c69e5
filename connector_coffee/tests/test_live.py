# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Views follow the machine: who hears of which change, and how often.

And the systray cup's server side: the usual, the recent orders, the brew
in progress, one brew for two quick clicks.
"""

import json

import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from ..models.coffee_live.live import LIVE_TYPE
from .common import CoffeeBrewCase, CoffeeHttpCase, new_connector_manager, new_employee
from .import_common import ReaderMixin

READY = {
    "connected": True,
    "power_state": "on",
    "operation_state": "ready",
    "remote_start_allowed": True,
}


class LiveMixin:
    def bus_mark(self):
        self.env.cr.precommit.run()
        return self.env["bus.bus"].sudo()._bus_last_id()

    def live_messages(self, since):
        """``[(channel, changes)]`` of the coffee messages sent after ``since``."""
        self.env.cr.precommit.run()  # what the commit would send
        found = []
        for row in self.env["bus.bus"].sudo().search([("id", ">", since)], order="id"):
            message = json.loads(row.message)
            if message["type"] == LIVE_TYPE:
                found.append((tuple(json.loads(row.channel))[1:], message["payload"]))
        return found

    def heard_by_partner(self, messages, user):
        return [
            payload
            for channel, payload in messages
            if channel == ("res.partner", user.partner_id.id)
        ]

    def heard_by_company(self, messages, name="connector_coffee"):
        company = self.machine.company_id
        return [
            payload
            for channel, payload in messages
            if channel == ("res.company", company.id, name)
        ]

    @staticmethod
    def changed(payloads, model):
        return [
            change
            for payload in payloads
            for change in payload["changes"]
            if change["model"] == model
        ]


@tagged("post_install", "-at_install")
class TestLiveMessages(LiveMixin, CoffeeBrewCase):
    def setUp(self):
        super().setUp()
        self.machine.write(READY)
        self.employee = new_employee(self.env, "live-employee")
        self.colleague = new_employee(self.env, "live-colleague")
        self.espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id

    def order(self, user=None, key="k1", options=None):
        env = self.env(user=user or self.employee)
        return env["coffee.brew"].systray_brew(
            self.machine.id, self.espresso.id, options or {}, key
        )

    def test_a_brew_is_told_to_its_orderer_and_the_managers_only(self):
        mark = self.bus_mark()
        with trap_jobs():
            brew = self.env["coffee.brew"].browse(self.order()["brew_id"])
        messages = self.live_messages(mark)
        mine = self.changed(
            self.heard_by_partner(messages, self.employee), "coffee.brew"
        )
        self.assertEqual([change["id"] for change in mine], [brew.id])
        self.assertEqual(mine[0]["user_id"], self.employee.id)
        self.assertIn("state", mine[0]["fields"])
        self.assertFalse(self.heard_by_partner(messages, self.colleague))
        self.assertFalse(
            self.changed(self.heard_by_company(messages), "coffee.brew"),
            "the coffee users of the company hear nothing of a person's brew",
        )
        managers = self.heard_by_company(messages, "connector_coffee.brews")
        self.assertEqual(len(self.changed(managers, "coffee.brew")), 1)

    def test_one_message_per_channel_and_transaction(self):
        mark = self.bus_mark()
        brew = self.new_brew(user_id=self.employee.id)
        brew.write({"state": "queued"})
        brew.write({"state": "sent"})
        brew.write({"state": "brewing", "progress": 5})
        self.machine.write({"operation_state": "run", "program_progress": 5})
        messages = self.live_messages(mark)
        channels = [channel for channel, _payload in messages]
        self.assertEqual(len(channels), len(set(channels)), channels)
        (mine,) = self.heard_by_partner(messages, self.employee)
        self.assertEqual(len(mine["changes"]), 1)
        (machine,) = self.heard_by_company(messages)
        (change,) = machine["changes"]
        self.assertEqual(change["model"], "coffee.machine")
        self.assertIn("display_state", change["fields"])

    def test_no_message_carries_a_secret(self):
        mark = self.bus_mark()
        self.authorize()  # new tokens
        with trap_jobs():
            self.order()
        self.machine.write({"operation_state": "run"})
        tokens = self.tokens()
        secrets = [
            self.backend.sudo().client_secret,
            tokens["access_token"],
            tokens["refresh_token"],
        ]
        self.env.cr.precommit.run()
        for row in self.env["bus.bus"].sudo().search([("id", ">", mark)]):
            for secret in secrets:
                self.assertNotIn(secret, row.message)
        for _channel, payload in self.live_messages(mark):
            for change in payload["changes"]:
                self.assertLessEqual(
                    set(change), {"model", "id", "fields", "user_id", "machine_id"}
                )

    def test_a_progress_stream_is_coalesced(self):
        self.machine.write({"operation_state": "run", "active_program_key": "x"})
        mark = self.bus_mark()
        for progress in range(1, 101):  # ten frames a second for ten seconds
            self.machine._apply_stream_state(
                {"program_progress": progress, "remaining_seconds": 100 - progress},
                {},
            )
            self.env.cr.precommit.run()  # each frame is its own transaction
        told = self.changed(
            self.heard_by_company(self.live_messages(mark)), "coffee.machine"
        )
        self.assertEqual(len(told), 4, "a message per quarter, not per frame")

    def test_a_write_that_changes_nothing_shown_sends_nothing(self):
        mark = self.bus_mark()
        self.machine.write(READY)
        self.machine.write({"remaining_seconds": 12})
        self.assertFalse(self.live_messages(mark))

    def test_a_panel_brew_and_an_alert_are_told_to_the_coffee_users(self):
        mark = self.bus_mark()
        self.new_brew(origin="panel", state="done", user_id=False)
        self.machine._open_alert("beans_empty", "2", "BeanContainerEmpty")
        payloads = self.heard_by_company(self.live_messages(mark))
        self.assertEqual(len(self.changed(payloads, "coffee.brew")), 1)
        (alert,) = self.changed(payloads, "coffee.machine")
        self.assertIn("open_alert_count", alert["fields"])

    def test_each_user_listens_to_what_they_may_read(self):
        company = self.machine.company_id
        manager = new_connector_manager(self.env, "live-manager")
        outsider = self.env["res.users"].create(
            {"name": "No coffee", "login": "live-outsider"}
        )

        def channels(user):
            return self.env["ir.websocket"].with_user(user)._coffee_channels()

        self.assertIn((company, "connector_coffee"), channels(self.employee))
        self.assertNotIn((company, "connector_coffee.brews"), channels(self.employee))
        self.assertIn((company, "connector_coffee.brews"), channels(manager))
        self.assertNotIn((company, "connector_coffee"), channels(outsider))

    # -- the systray cup -----------------------------------------------------
    def test_two_quick_clicks_order_one_brew(self):
        with trap_jobs() as trap:
            first = self.order()
            second = self.order()
        self.assertEqual(first, second)
        brews = self.env["coffee.brew"].search([("user_id", "=", self.employee.id)])
        self.assertEqual(len(brews), 1)
        self.assertEqual(brews.state, "queued")
        self.assertEqual(len(self.jobs_of(trap, "_export_brew")), 1)

    def test_two_orders_with_one_key_at_once_are_refused_by_the_database(self):
        with trap_jobs():
            brew = self.env["coffee.brew"].browse(self.order()["brew_id"])
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            brew.copy({"order_key": "k1", "state": "draft"})

    def test_a_busy_machine_takes_no_second_order(self):
        with trap_jobs():
            self.order()
            with self.assertRaisesRegex(UserError, "is busy"):
                self.order(key="k2")

    def test_the_options_are_checked_as_the_wizards(self):
        with self.assertRaises(UserError):
            self.order(options=["not", "a", "mapping"])

    def test_only_coffee_users_order(self):
        outsider = self.env["res.users"].create(
            {"name": "No coffee", "login": "live-outsider2"}
        )
        with self.assertRaises(AccessError):
            self.order(user=outsider)
        with self.assertRaises(AccessError):
            self.env["coffee.brew"].with_user(outsider).systray_get_coffee()

    def test_the_cup_shows_the_usual_the_recent_and_the_brew_in_progress(self):
        brews = self.env["coffee.brew"].with_user(self.employee)
        self.assertEqual(
            brews.systray_get_coffee(), {"usual": False, "recent": [], "current": False}
        )
        with trap_jobs():
            first = self.order()["brew_id"]
        self.env["coffee.brew"].browse(first).write({"state": "done"})
        cappuccino = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_CAPPUCCINO
        ).beverage_id
        with trap_jobs():
            brews.systray_brew(self.machine.id, cappuccino.id, {}, "k2")
        data = brews.systray_get_coffee()
        self.assertEqual(data["usual"]["beverage_id"], cappuccino.id)
        self.assertEqual(data["usual"]["machine_id"], self.machine.id)
        self.assertEqual(
            data["usual"]["blocked"], f"{self.machine.display_name} is busy."
        )
        self.assertEqual(
            [line["beverage_id"] for line in data["recent"]], [self.espresso.id]
        )
        self.assertEqual(data["current"]["state"], "queued")

    def test_a_failed_brew_says_why(self):
        with trap_jobs():
            brew = self.env["coffee.brew"].browse(self.order()["brew_id"])
        brew.write({"state": "failed", "error_message": "The water tank is empty."})
        current = (
            self.env["coffee.brew"]
            .with_user(self.employee)
            .systray_get_coffee()["current"]
        )
        self.assertEqual(current["state"], "failed")
        self.assertEqual(current["error"], "The water tank is empty.")

    def test_the_order_menu_opens_the_wizard_on_the_usual(self):
        with trap_jobs():
            self.order()
        wizard = self.env["coffee.brew.wizard"].with_user(self.employee)
        values = wizard.default_get(["machine_id", "beverage_id"])
        self.assertEqual(values["machine_id"], self.machine.id)
        self.assertEqual(values["beverage_id"], self.espresso.id)


@tagged("post_install", "-at_install")
class TestLiveNearestMachine(LiveMixin, CoffeeBrewCase):
    simulator_options = {"machines": 2}

    def test_a_machine_that_cannot_take_it_offers_the_nearest_that_can(self):
        other = self.make_machine_binding(list(self.simulator.machines.values())[1])
        (self.machine | other).write(READY)
        employee = new_employee(self.env, "live-nearest")
        espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id
        brews = self.env["coffee.brew"].with_user(employee)
        with trap_jobs():
            brews.systray_brew(self.machine.id, espresso.id, {}, "k1")
        self.env["coffee.brew"].search([("user_id", "=", employee.id)]).state = "done"
        self.machine.remote_start_allowed = False
        usual = brews.systray_get_coffee()["usual"]
        self.assertEqual(
            usual["blocked"], f"Remote start is off on {self.machine.display_name}."
        )
        self.assertEqual(usual["nearest"]["machine_id"], other.id)
        values = (
            self.env["coffee.brew.wizard"]
            .with_user(employee)
            .default_get(["machine_id", "beverage_id"])
        )
        self.assertEqual(values["machine_id"], other.id, "the menu's wizard too")


@tagged("post_install", "-at_install")
class TestLiveBrewCost(LiveMixin, ReaderMixin, CoffeeBrewCase):
    """Bus messages of a brew and of a panel beverage, read on the stream."""

    @staticmethod
    def until_logged(messages):
        """The messages up to the one that tells the panel beverage logged:
        whether the machine's return to Ready is read before the reader
        stops is a race, so the count stops at the log."""
        for index, (__, payload) in enumerate(messages):
            if any(
                change["model"] == "coffee.brew" and "create" in change["fields"]
                for change in payload["changes"]
            ):
                return messages[: index + 1]
        return messages

    def test_a_brew_and_a_panel_beverage_cost_a_bounded_number_of_messages(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        employee = self.locked(new_employee, self.env, "live-cost")
        mark = self.locked(self.bus_mark)
        with trap_jobs() as trap:
            brew = self.locked(lambda: self.new_brew(user_id=employee.id))
            self.locked(brew.sudo().action_queue)
            outcome, result = self.locked(self.perform, self.export_job(trap))
            self.assertEqual(outcome, "done", result)
            self.simulator.clock.advance(31)
            self.until(lambda: brew.state == "done")
        brew_messages = self.locked(self.live_messages, mark)
        mark = self.locked(self.bus_mark)
        self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)
        self.simulator.clock.advance(31)
        self.until(lambda: self.env["coffee.brew"].search([("origin", "=", "panel")]))
        self.stop_reader(thread)
        panel_messages = self.until_logged(self.live_messages(mark))
        # queued, sent, brewing, done: its progress comes with its machine's
        self.assertLessEqual(len(self.heard_by_partner(brew_messages, employee)), 5)
        self.assertLessEqual(len(brew_messages), 16, brew_messages)
        self.assertLessEqual(len(panel_messages), 8, panel_messages)


@tagged("post_install", "-at_install")
class TestLiveRpc(CoffeeHttpCase):
    def setUp(self):
        super().setUp()
        self.authorize()
        self.machine = self.make_machine_binding()
        self.machine.write(READY)
        new_employee(self.env, "live-rpc")
        self.authenticate("live-rpc", "live-rpc")

    def test_an_employee_orders_in_one_click_over_rpc(self):
        espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id
        with trap_jobs():
            answer = self.call_kw(
                "coffee.brew",
                "systray_brew",
                [self.machine.id, espresso.id, {}, "rpc-key"],
            )
            again = self.call_kw(
                "coffee.brew",
                "systray_brew",
                [self.machine.id, espresso.id, {}, "rpc-key"],
            )
        self.assertEqual(answer, again)
        data = self.call_kw("coffee.brew", "systray_get_coffee", [])
        self.assertEqual(data["usual"]["beverage_id"], espresso.id)
        self.assertEqual(data["current"]["id"], answer["brew_id"])
