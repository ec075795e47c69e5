# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Live views in a real browser, as an employee: the cup in the navbar, and a
brew's form following the machine, without a reload.

Odoo's test cases close the bus to browsers (no websocket) and never run a
test cursor's post-commit hooks (which wake the websockets). ``LiveBusMixin``
opens it again for these tests: the websocket is allowed, and each commit of
a test cursor wakes the websockets of the channels it sent to, as the
post-commit ``NOTIFY`` does in production. The machine's time is the
simulator's clock, 30 times faster than the wall clock.
"""

import datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import TestCursor
from odoo.tests import tagged

from odoo.addons.bus.models.bus import dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from coffee_machine.homeconnect import keys

from .common import CoffeeHttpCase, JobRunnerThread, new_employee


def wake_websockets(channels):
    """Tell the websockets listening to ``channels`` that messages wait."""
    for channel in channels:
        for websocket in list(dispatch._channels_to_ws.get(hashable(channel), ())):
            websocket.trigger_notification_dispatching()


ONE_SECOND = datetime.timedelta(seconds=1)


class LiveBusMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(
            patch.object(
                WebsocketConnectionHandler, "websocket_allowed", return_value=True
            )
        )
        commit = TestCursor.commit

        def commit_and_wake(cursor):
            cursor.flush()  # the pre-commit hooks write the messages
            channels = list(cursor.postcommit.data.get("bus.bus.channels", ()))
            result = commit(cursor)
            wake_websockets(channels)
            return result

        cls.startClassPatcher(patch.object(TestCursor, "commit", commit_and_wake))


class SlowJobRunnerThread(JobRunnerThread):
    """The job runner, taking a job a second after it was queued (a person
    sees a brew queued before it is sent)."""

    def run_due_jobs(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            just_queued = env["queue.job"].search_count(
                [
                    ("state", "=", "pending"),
                    ("date_created", ">", fields.Datetime.now() - ONE_SECOND),
                ]
            )
        return None if just_queued else super().run_due_jobs()


@tagged("post_install", "-at_install")
class TestLiveTours(LiveBusMixin, CoffeeHttpCase):
    simulator_options = {"clock": 30.0}

    def setUp(self):
        super().setUp()
        self.backend.name = "Tour simulator"
        self.authorize()
        self.machine = self.make_machine_binding()
        self.machine._import_state()
        self.employee = new_employee(self.env, "tour-employee")
        program = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        )
        self.espresso = program.beverage_id
        self.runner = SlowJobRunnerThread(self.registry)
        self.addCleanup(self.runner.stop)

    def authenticate(self, user, password, browser=None):
        session = super().authenticate(user, password, browser=browser)
        if browser is not None:
            self.cr.flush()
            self.runner.start()
        return session

    def my_usual(self):
        """A brew the employee ordered yesterday: their usual."""
        return self.env["coffee.brew"].create(
            {
                "machine_id": self.machine.id,
                "beverage_id": self.espresso.id,
                "program_key": keys.PROGRAM_ESPRESSO,
                "user_id": self.employee.id,
                "state": "done",
                "date_done": fields.Datetime.now(),
            }
        )

    def assert_brewed_once(self, brew):
        self.runner.stop()
        self.assertFalse(self.runner.errors)
        self.env.invalidate_all()
        self.assertEqual(brew.state, "done")
        self.assertTrue(brew.date_sent and brew.date_started and brew.date_done)
        machine = self.simulator.machine(self.machine.external_id)
        self.assertEqual(len(machine.brews), 1, "the machine brewed exactly once")

    def test_my_usual_from_the_systray_as_an_employee(self):
        usual = self.my_usual()
        self.start_tour(
            "/odoo/discuss",
            "connector_coffee_systray_tour",
            login="tour-employee",
            timeout=180,
        )
        brew = self.env["coffee.brew"].search(
            [("user_id", "=", self.employee.id), ("id", "!=", usual.id)]
        )
        self.assertEqual(len(brew), 1, "one click, one brew")
        self.assertEqual(brew.beverage_id, self.espresso)
        self.assert_brewed_once(brew)

    def test_a_brew_form_follows_the_brew_as_an_employee(self):
        brew = (
            self.env["coffee.brew"]
            .with_user(self.employee)
            ._place_order(self.machine, self.espresso, keys.PROGRAM_ESPRESSO, {})
        )
        brew.action_queue()
        self.start_tour(
            f"/odoo/action-connector_coffee.action_coffee_brew/{brew.id}",
            "connector_coffee_live_form_tour",
            login="tour-employee",
            timeout=180,
        )
        self.assert_brewed_once(brew)
