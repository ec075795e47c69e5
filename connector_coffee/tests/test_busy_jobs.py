# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A long job pours a coffee once; the pour keeps to its limits.

The jobs that keep a person waiting are real ``queue.job`` records, made old
by moving their creation date back; the check is the cron's own method. The
last class commits for real: two checks run at the same moment, on two
connections, and one coffee is poured.
"""

import datetime
import threading

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import Form, tagged

from odoo.addons.component.tests.common import TransactionComponentCase
from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase, always_calendar, new_employee

LONG_AGO = datetime.timedelta(minutes=10)


def started_long_ago(env, user, description, channel=None):
    """A job ``user`` started ten minutes ago, still waiting."""
    delayable = env["res.partner"].with_user(user).sudo()
    delayed = delayable.with_delay(description=description, channel=channel, eta=3600)
    job = delayed.search_count([]).db_record()
    env.cr.execute(
        "UPDATE queue_job SET date_created = %s WHERE id = %s",
        (fields.Datetime.now() - LONG_AGO, job.id),
    )
    job.invalidate_recordset()
    return job


@tagged("post_install", "-at_install")
class TestBusyJobs(CoffeeBrewCase):
    def setUp(self):
        super().setUp()
        self.machine._import_state()
        self.espresso = self.machine.program_ids.filtered(
            lambda p: p.key == keys.PROGRAM_ESPRESSO
        ).beverage_id
        self.employee = new_employee(self.env, "job-waiter", tz="UTC")
        self.employee.write(
            {
                "coffee_busy_enabled": True,
                "coffee_busy_machine_id": self.machine.id,
                "coffee_busy_beverage_id": self.espresso.id,
                "coffee_busy_calendar_id": always_calendar(self.env).id,
            }
        )

    def check(self):
        """The cron's check, with the pours it queues trapped; return them."""
        with trap_jobs() as trap:
            self.env["coffee.busy.trigger"]._cron_check_busy()
        return self.jobs_of(trap, "_pour")

    def pour_all(self, pours):
        """Perform the trapped pours, as their person, in the test's cursor
        (they were queued in a side transaction, now closed)."""
        with trap_jobs() as trap:
            results = []
            for pour in pours:
                user = pour.recordset.env.user
                pour.recordset = pour.recordset.with_env(self.env(user=user.id))
                results.append(self.perform(pour))
        return results, trap

    def triggers(self):
        return self.env["coffee.busy.trigger"].search(
            [("user_id", "=", self.employee.id)], order="id"
        )

    def test_long_job_of_the_person_pours_one_coffee(self):
        job = started_long_ago(self.env, self.employee, "Import 12,000 contacts")

        pours = self.check() + self.check()

        self.assertEqual(len(pours), 1, "checked twice, poured once")
        (trigger,) = self.triggers()
        self.assertEqual(trigger.job_uuid, job.uuid)
        self.assertRegex(
            trigger.reason,
            r"Your job “Import 12,000 contacts” has been waiting for 10 minutes",
        )
        ((outcome, result),), trap = self.pour_all(pours)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(trigger.state, "poured")
        mine = self.env["coffee.busy.trigger"].with_user(self.employee).search([])
        self.assertEqual(mine, trigger, "the person sees what poured for them")
        self.assertEqual(trigger.brew_id.origin, "busy")
        self.assertEqual(trigger.brew_id.user_id, self.employee)
        outcome, result = self.perform(self.export_job(trap))
        self.assertEqual(outcome, "done", result)
        self.assertEqual(len(self.api_brews()), 1)

    def test_recent_job_pours_nothing(self):
        self.env["res.partner"].with_user(self.employee).sudo().with_delay(
            eta=3600
        ).search_count([])
        self.assertFalse(self.check())

    def test_the_connectors_own_jobs_never_pour(self):
        started_long_ago(self.env, self.employee, "Brew", channel="root.coffee.brew")
        self.assertFalse(self.check())

    def test_daily_cap_limits_the_coffees(self):
        self.employee.write(
            {"coffee_busy_daily_cap": 1, "coffee_busy_cooldown_minutes": 0}
        )
        started_long_ago(self.env, self.employee, "First import")
        started_long_ago(self.env, self.employee, "Second import")

        self.pour_all(self.check())

        first, second = self.triggers()
        self.assertEqual(first.state, "poured")
        self.assertEqual(second.state, "skipped")
        self.assertIn("had 1 coffees today already (at most 1)", second.outcome)

    def test_pour_brews_with_the_options_the_person_chose_last(self):
        strong = keys.coffee_enum_value("BeanAmount", "Strong")
        options = {keys.OPTION_BEAN_AMOUNT: strong, keys.OPTION_FILL_QUANTITY: 55}
        self.env["coffee.brew.preference"].with_user(self.employee)._remember(
            self.espresso, options
        )
        started_long_ago(self.env, self.employee, "Import")

        self.pour_all(self.check())

        sent = self.triggers().brew_id.options
        for key, value in options.items():
            self.assertEqual(sent[key], value)
        wizard = self.env["coffee.brew.wizard"].create(
            {"machine_id": self.machine.id, "beverage_id": self.espresso.id}
        )
        self.assertEqual(set(sent), set(wizard._options()), "as the wizard offers")

    def test_remote_start_off_tells_why_and_pours_nothing(self):
        self.machine.remote_start_allowed = False
        started_long_ago(self.env, self.employee, "Import")

        ((outcome, result),), __ = self.pour_all(self.check())

        self.assertEqual(outcome, "done")
        self.assertIn("remote start is off", result)
        self.assertEqual(self.triggers().state, "skipped")
        self.assertFalse(self.triggers().brew_id)

    def test_person_without_coffee_right_gets_nothing(self):
        self.employee.groups_id -= self.env.ref("connector_coffee.group_coffee_user")
        started_long_ago(self.env, self.employee, "Import")

        self.pour_all(self.check())

        self.assertEqual(self.triggers().state, "skipped")
        self.assertFalse(self.env["coffee.brew"].search([("origin", "=", "busy")]))

    def test_backed_up_queue_is_off_by_default(self):
        someone = new_employee(self.env, "someone-else")
        started_long_ago(self.env, someone, "Mass mailing")
        self.assertFalse(self.check())

    def test_backed_up_queue_pours_for_the_company_when_on(self):
        self.env.company.coffee_busy_queue_minutes = 5
        someone = new_employee(self.env, "someone-else")
        oldest = started_long_ago(self.env, someone, "Mass mailing")

        pours = self.check() + self.check()

        self.assertEqual(len(pours), 1)
        (trigger,) = self.triggers()
        self.assertEqual(trigger.cause, "queue")
        self.assertEqual(trigger.job_uuid, oldest.uuid)
        self.assertIn("The job queue is backed up", trigger.reason)

    def test_backend_lists_who_opted_in(self):
        patient = new_employee(self.env, "patient-employee")
        opted_in = self.backend.coffee_busy_user_ids
        self.assertIn(self.employee, opted_in)
        self.assertNotIn(patient, opted_in)

    def test_employee_opts_in_from_their_preferences(self):
        self.employee.coffee_busy_enabled = False
        with trap_jobs():
            self.new_brew(user_id=self.employee.id).with_user(
                self.employee
            ).action_queue()
        me = self.employee.with_user(self.employee)
        with Form(me, view="base.view_users_form_simple_modif") as preferences:
            preferences.coffee_busy_enabled = True
            self.assertEqual(preferences.coffee_busy_machine_id, self.machine)
            self.assertEqual(preferences.coffee_busy_beverage_id, self.espresso)
            preferences.coffee_busy_cooldown_minutes = 45
        self.assertTrue(self.employee.coffee_busy_enabled)
        self.assertEqual(self.employee.coffee_busy_cooldown_minutes, 45)


@tagged("post_install", "-at_install")
class TestBusyJobsTwoWorkers(TransactionComponentCase):
    """Two checks at once, each on a connection of its own, committing."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = new_employee(env, "committed-waiter", tz="UTC")
            user.write(
                {
                    "coffee_busy_enabled": True,
                    "coffee_busy_calendar_id": always_calendar(env).id,
                }
            )
            self.user_id = user.id
            self.job_uuid = started_long_ago(env, user, "Import 12,000 contacts").uuid
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"].browse(self.user_id)
            env["queue.job"].search([("user_id", "=", user.id)]).unlink()
            env["coffee.busy.trigger"].search([("user_id", "=", user.id)]).unlink()
            calendar = user.coffee_busy_calendar_id
            user.write({"coffee_busy_enabled": False, "active": False})
            calendar.active = False

    def test_two_concurrent_checks_pour_once(self):
        barrier = threading.Barrier(2, timeout=10)
        errors = []

        def check():
            try:
                with self.registry.cursor() as cr:
                    # while tests run, Odoo holds the lock that a thread
                    # would take to look the registry up: hand it over
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["res.users"].search([("coffee_busy_enabled", "=", True)])
                    barrier.wait()
                    env["coffee.busy.trigger"]._cron_check_busy()
            except Exception as error:  # reported below, not lost
                errors.append(error)

        workers = [threading.Thread(target=check) for __ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            triggers = env["coffee.busy.trigger"].search(
                [("user_id", "=", self.user_id)]
            )
            pours = env["queue.job"].search(
                [("user_id", "=", self.user_id), ("method_name", "=", "_pour")]
            )
            self.assertEqual(len(triggers), 1)
            self.assertEqual(triggers.job_uuid, self.job_uuid)
            self.assertEqual(len(pours), 1)
