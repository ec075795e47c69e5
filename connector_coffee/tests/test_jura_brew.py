# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Brewing from Odoo on a JURA machine: exactly once, a lost answer included."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import JuraCase, TrappedJobsMixin

OPTIONS = {"coffee_strength": 9, "water_amount": 40, "temperature": "high"}


@tagged("post_install", "-at_install")
class TestJuraBrew(TrappedJobsMixin, JuraCase):
    def setUp(self):
        super().setUp()
        self.machine = self.jura_binding()

    def queue(self, trap, product="espresso", options=None):
        program = self.machine.program_ids.filtered(lambda p: p.key == product)
        brew = self.env["coffee.brew"].create(
            {
                "machine_id": self.machine.id,
                "beverage_id": program.beverage_id.id,
                "program_key": product,
                "options": dict(OPTIONS if options is None else options),
            }
        )
        brew.action_queue()
        return brew, self.jobs_of(trap, "_export_brew")[-1]

    def made(self):
        return [b for b in self.jura_machine.brews if b["source"] == "remote"]

    def finish(self, product="espresso", count=1):
        self.wait_for(
            lambda: self.jura_machine.product_count(product) == count,
            message="the simulated machine never finished",
        )

    def test_a_brew_is_made_once_with_its_options_and_then_done(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, result = self.perform(job)
            self.assertEqual(outcome, "done", result)
            self.assertEqual(brew.state, "brewing")
            (made,) = self.made()
            self.assertEqual(made["product"], "espresso")
            self.assertEqual(made["values"]["coffee_strength"], 9)
            self.assertEqual(made["values"]["water_amount"], 40)
            self.finish()
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")
        self.assertEqual(len(self.made()), 1)
        self.machine._import_state()
        self.assertFalse(
            self.machine.brew_ids.filtered(lambda b: b.origin == "panel"),
            "the counters' growth is the Odoo brew, not a panel one",
        )

    def test_a_lost_answer_is_looked_for_and_never_sent_again(self):
        self.jura.faults.lose_brew_answer(1)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, result = self.perform(job)
            self.assertIn(outcome, ("done", "retry"), result)
            self.finish()
            while brew.state in ("queued", "sent"):
                outcome, result = self.perform(job)
                self.assertNotEqual(outcome, "failed", result)
            for follow in self.jobs_of(trap, "_follow_brew"):
                self.perform(follow)
        self.assertEqual(brew.state, "done")
        self.assertEqual(len(self.made()), 1, "brewed once")
        self.assertEqual(brew.start_attempts, 1)

    def test_a_value_outside_the_profile_is_refused_before_any_job(self):
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "15–80 ml"):
                self.queue(trap, options={"water_amount": 500})
            self.assertFalse(trap.enqueued_jobs)
        self.assertFalse(self.made())

    def test_a_brew_waits_while_the_machine_brews_another(self):
        self.jura_machine.brew_at_panel("coffee")
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, __ = self.perform(job)
        self.assertEqual(outcome, "retry")
        self.assertEqual(brew.state, "queued")
        self.assertFalse(self.made())

    def test_a_jura_brew_is_not_stopped_from_odoo(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            brew.action_stop()
            (stop,) = self.jobs_of(trap, "_stop_brew")
            outcome, result = self.perform(stop)
        self.assertEqual(outcome, "done")
        self.assertIn("panel", str(result))
        self.assertNotEqual(brew.state, "cancelled")
