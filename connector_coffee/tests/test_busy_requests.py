# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A slow request pours a coffee: real HTTP, real jobs, the simulator brews.

The employee logs in over HTTP and calls, through ``/web/dataset/call_kw``
as the web client does, a "report" this test makes slow (a method patched
on ``res.partner`` that sleeps past the one-second threshold). The jobs the
request queued are then run as the job runner runs them.
"""

import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged

from coffee_machine.homeconnect import keys

from .common import CoffeeHttpCase, always_calendar, new_employee, runjob

#: the threshold of the tests, and how long the slow report takes
THRESHOLD = 1
SLOW = 1.3


def slow_report(self, seconds, fail=False):
    """A report that keeps its user waiting (and fails, if asked)."""
    time.sleep(seconds)
    if fail:
        raise UserError(self.env._("The slow report failed."))
    return True


@tagged("post_install", "-at_install")
class TestBusyRequests(CoffeeHttpCase):
    def setUp(self):
        super().setUp()
        self.authorize()
        self.sim_machine = self.simulator.machine()
        self.machine = self.make_machine_binding(self.sim_machine)
        self.machine._import_state()
        self.espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id
        self.employee = new_employee(self.env, "waiting-employee", tz="UTC")
        self.opt_in(self.employee, coffee_busy_calendar_id=always_calendar(self.env).id)
        patcher = patch.object(
            type(self.env["res.partner"]),
            "coffee_slow_report",
            slow_report,
            create=True,
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def opt_in(self, user, **values):
        user.write(
            {
                "coffee_busy_enabled": True,
                "coffee_busy_machine_id": self.machine.id,
                "coffee_busy_beverage_id": self.espresso.id,
                "coffee_busy_request_seconds": THRESHOLD,
                **values,
            }
        )

    def call_report(self, login="waiting-employee", seconds=SLOW, fail=False):
        self.authenticate(login, login)
        return self.call_kw(
            "res.partner", "coffee_slow_report", [[], seconds], {"fail": fail}
        )

    def pour_after_a_slow_report(self):
        """One slow report, its trigger recorded and its pour run: the trigger."""
        self.call_report()
        self.triggers(count=1)
        self.run_jobs("_pour")
        (trigger,) = self.triggers()
        return trigger

    def run_jobs(self, method_name):
        """Run the stored jobs of ``method_name`` as the job runner would."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            jobs = env["queue.job"].search(
                [("method_name", "=", method_name), ("state", "=", "pending")]
            )
            for job in jobs:
                runjob(env, job)
            results = jobs.mapped("result")
        self.env.invalidate_all()
        return results

    def triggers(self, user=None, count=None):
        """The triggers of ``user``; with ``count``, once there are that many
        (they are recorded just after the response is sent)."""
        domain = [("user_id", "=", (user or self.employee).id)]
        deadline = time.monotonic() + 5
        while count and time.monotonic() < deadline:
            # a cursor of the registry waits for the server thread's
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                if env["coffee.busy.trigger"].search_count(domain) >= count:
                    break
            time.sleep(0.05)
        return self.env["coffee.busy.trigger"].search(domain, order="id")

    def busy_brews(self):
        return self.env["coffee.brew"].search([("origin", "=", "busy")])

    def notifications(self, user=None):
        channel = (user or self.employee).partner_id
        return " ".join(
            self.env["bus.bus"]
            .sudo()
            .search([("channel", "like", f'"res.partner",{channel.id}]')])
            .mapped("message")
        )

    def test_slow_request_pours_one_coffee_that_reaches_the_machine_once(self):
        self.assertIs(self.call_report(), True)

        (trigger,) = self.triggers(count=1)
        self.assertEqual(trigger.cause, "request")
        self.assertIn("coffee_slow_report", trigger.path)
        self.run_jobs("_pour")
        (brew,) = self.busy_brews()
        self.assertEqual(trigger.state, "poured")
        self.assertEqual(brew.user_id, self.employee)
        self.assertEqual(brew.beverage_id, self.espresso)
        self.assertRegex(brew.busy_reason, r"Your request .*coffee_slow_report took")
        self.assertIn("Odoo is busy: your", self.notifications())
        self.run_jobs("_export_brew")
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(
            [b["program"] for b in self.sim_machine.brews if b["source"] == "api"],
            [keys.PROGRAM_ESPRESSO],
        )

    def test_fast_request_records_nothing(self):
        self.call_report(seconds=0)
        self.call_report()  # a slow one after it: the fast one left nothing
        self.assertEqual(len(self.triggers(count=2)), 1)

    def test_second_slow_request_within_the_cooldown_pours_none(self):
        self.call_report()
        self.triggers(count=1)
        self.run_jobs("_pour")
        self.call_report()
        self.triggers(count=2)
        self.run_jobs("_pour")

        first, second = self.triggers()
        self.assertEqual(first.state, "poured")
        self.assertEqual(second.state, "skipped")
        self.assertIn("at most one every 30", second.outcome)
        self.assertEqual(len(self.busy_brews()), 1)

    def test_outside_working_hours_pours_none(self):
        today = self.env.cr.now().weekday()
        other_day = self.env["resource.calendar"].create(
            {
                "name": "Another day only",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "All day",
                            "dayofweek": str((today + 3) % 7),
                            "hour_from": 0,
                            "hour_to": 23.99,
                        },
                    )
                ],
            }
        )
        self.employee.write({"coffee_busy_calendar_id": other_day.id, "tz": "UTC"})

        trigger = self.pour_after_a_slow_report()

        self.assertEqual(trigger.state, "skipped")
        self.assertIn("working hours", trigger.outcome)
        self.assertFalse(self.busy_brews())

    def test_person_who_did_not_opt_in_gets_nothing(self):
        patient = new_employee(self.env, "patient-employee")

        self.call_report(login="patient-employee")
        self.call_report()  # the one who opted in, after

        self.triggers(count=1)
        self.assertFalse(self.triggers(patient))
        self.assertFalse(self.busy_brews())

    def test_failing_slow_request_still_pours(self):
        answer = self.call_report(fail=True)

        self.assertEqual(answer, "odoo.exceptions.UserError")
        (trigger,) = self.triggers(count=1)
        self.run_jobs("_pour")
        self.assertEqual(trigger.state, "poured")
        self.assertEqual(len(self.busy_brews()), 1)

    def test_machine_switched_off_tells_why_and_pours_nothing(self):
        self.machine.power_state = "off"

        trigger = self.pour_after_a_slow_report()

        self.assertEqual(trigger.state, "skipped")
        self.assertIn("switched off", trigger.outcome)
        self.assertIn("no coffee", self.notifications())
        self.assertFalse(self.busy_brews())
