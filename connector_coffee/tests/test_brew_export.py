# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Brewing from Odoo: the brew reaches the simulated machine exactly once."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import QuotaConfig

from .common import CoffeeBrewCase

STRONG = keys.coffee_enum_value("BeanAmount", "Strong")
HOT = keys.coffee_enum_value("CoffeeTemperature", "94C")
OPTIONS = {
    keys.OPTION_FILL_QUANTITY: 50,
    keys.OPTION_BEAN_AMOUNT: STRONG,
    keys.OPTION_COFFEE_TEMPERATURE: HOT,
}


@tagged("post_install", "-at_install")
class TestBrewExport(CoffeeBrewCase):
    def queue(self, trap, brew=None, **kw):
        brew = brew or self.new_brew(options=OPTIONS, **kw)
        brew.action_queue()
        return brew, self.jobs_of(trap, "_export_brew")[-1]

    def test_brew_makes_that_beverage_with_those_options(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.assertEqual(brew.state, "queued")
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        (made,) = self.api_brews()
        self.assertEqual(made["program"], keys.PROGRAM_ESPRESSO)
        for key, value in OPTIONS.items():
            self.assertEqual(made["options"][key], value)
        self.assertEqual(brew.state, "brewing")
        self.assertTrue(brew.date_sent and brew.date_started)
        self.assertEqual(brew.start_attempts, 1)

    def test_brew_is_done_when_the_machine_finished_it(self):
        before = self.total_counter()
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.simulator.clock.advance(31)
            outcome, result = self.perform(follow)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.progress, 100)
        self.assertTrue(brew.date_done)
        self.assertEqual(brew.origin, "odoo")
        self.assertEqual(self.total_counter(), before + 1)

    def test_brew_walks_queued_sent_brewing_done_in_the_chatter(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            brew = brew.with_context(tracking_disable=False, mail_notrack=False)
            job.recordset = job.recordset.with_context(
                tracking_disable=False, mail_notrack=False
            )
            self.perform(job)
            self.simulator.clock.advance(31)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            follow.recordset = follow.recordset.with_context(
                tracking_disable=False, mail_notrack=False
            )
            self.perform(follow)
        field = self.env["ir.model.fields"]._get("coffee.brew", "state")
        changes = (
            brew.message_ids.tracking_value_ids.filtered(lambda t: t.field_id == field)
            .sorted("id")
            .mapped(lambda t: (t.old_value_char, t.new_value_char))
        )
        self.assertEqual(
            changes, [("Queued", "Sent"), ("Sent", "Brewing"), ("Brewing", "Done")]
        )

    def test_progress_is_read_from_the_machine_while_brewing(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.simulator.clock.advance(15)
            outcome, error = self.perform(follow)
        self.assertEqual(outcome, "retry")
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(brew.progress, 50)
        # the next look comes when the program's remaining 15 s are over
        self.assertEqual(error.seconds, 15 + 2)

    def test_a_short_brew_without_the_stream_costs_three_calls(self):
        calls = self.calls_made()
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.simulator.clock.advance(31)  # the follow job's first look
            outcome, result = self.perform(follow)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")
        # status before the start, the start, status after it
        self.assertEqual(self.calls_made() - calls, 3)

    def test_the_first_look_comes_when_the_beverage_should_be_ready(self):
        self.learnt_brew_seconds(50)
        with trap_jobs() as trap:
            __, job = self.queue(trap)
            before = fields.Datetime.now()
            self.perform(job)
            (follow,) = self.jobs_of(trap, "_follow_brew")
        self.assertAlmostEqual((follow.eta - before).total_seconds(), 50 + 2, delta=2)

    def test_lost_start_answer_brews_once(self):
        self.simulator.faults.lose_start_answer(1)
        before = self.total_counter()
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, result = self.perform(job)
            self.assertEqual(outcome, "done", result)
            self.assertIn("answer was lost", result)
            self.simulator.clock.advance(31)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.perform(follow)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.start_attempts, 1)
        self.assertEqual(self.total_counter(), before + 1)

    def test_double_click_queues_one_job(self):
        brew = self.new_brew(options=OPTIONS)
        with trap_jobs() as trap:
            brew.action_queue()
            brew.action_queue()
            trap.assert_jobs_count(1)

    def test_rerun_after_success_brews_nothing_more(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done")
        self.assertIn("not sent again", result)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(brew.start_attempts, 1)

    def _crash_after_recording_the_attempt(self, brew, ago=60):
        """What a worker leaves when it dies right before sending the start,
        ``ago`` seconds ago."""
        with self.backend.work_on("coffee.brew") as work:
            exporter = work.component(usage="record.exporter")
            exporter._record_attempt(brew, exporter._read_machine(brew))
        self.assertEqual(brew.state, "sent")
        if ago:
            self.sent_long_ago(brew, ago)

    def _crash_after_sending_the_start(self, brew):
        """What a worker leaves when it dies once its start reached the
        machine, before the answer came (60 s ago)."""
        self._crash_after_recording_the_attempt(brew)
        self.adapter().call(
            "start_program", self.sim_machine.ha_id, brew.program_key, OPTIONS
        )

    def test_restart_after_a_start_that_never_left_starts_again(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self._crash_after_recording_the_attempt(brew)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(brew.start_attempts, 2)

    def test_restart_after_a_start_that_reached_the_machine_does_not(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self._crash_after_sending_the_start(brew)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertIn("answer was lost", result)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(brew.state, "brewing")

    def test_restart_after_the_beverage_was_made_marks_it_done(self):
        before = self.total_counter()
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self._crash_after_sending_the_start(brew)
            self.simulator.clock.advance(40)
            outcome, _result = self.perform(job)
        self.assertEqual(outcome, "done")
        self.assertEqual(brew.state, "done")
        self.assertEqual(self.total_counter(), before + 1)
        self.assertEqual(len(self.api_brews()), 1)

    def test_a_count_after_the_learnt_brewing_time_is_the_brew_s(self):
        self.learnt_brew_seconds(30)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self._crash_after_sending_the_start(brew)  # 60 s ago
            self.simulator.clock.advance(40)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")
        self.assertEqual(len(self.api_brews()), 1, "not started again")

    def test_a_start_is_not_sent_again_while_the_lost_one_may_be_in_flight(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self._crash_after_recording_the_attempt(brew, ago=0)  # just now
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.assertIn("may still reach the machine", brew.error_message)
            self.assertEqual(brew.state, "sent")
            self.assertFalse(self.api_brews())
            self.sent_long_ago(brew)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing", "started again")
        self.assertEqual(brew.start_attempts, 2)
        self.assertEqual(len(self.api_brews()), 1)

    def test_a_panel_beverage_of_another_family_is_not_taken_for_the_brew(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)  # an espresso
            self._crash_after_recording_the_attempt(brew)  # it never left
            self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)
            self.simulator.clock.advance(40)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing", "started, not taken as done")
        self.assertEqual(len(self.api_brews()), 1)

    def test_a_start_found_not_taken_waits_for_a_busy_machine_queued(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)  # an espresso
            self._crash_after_recording_the_attempt(brew)  # it never left
            self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)  # same family
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry", "the machine is busy")
            self.assertEqual(brew.state, "queued", "not taken: no start in doubt")
            self.simulator.clock.advance(40)  # the panel cup grows the counters
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing", "started, not taken as done")
        self.assertEqual(len(self.api_brews()), 1)

    def test_a_cup_counted_for_a_start_found_not_taken_is_logged_at_the_panel(self):
        self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
        self.simulator.clock.advance(40)  # made; Odoo has not read it yet
        with trap_jobs() as trap:
            brew, job = self.queue(trap)  # an espresso
            self._crash_after_recording_the_attempt(brew)  # it never left
            self.machine._import_state()
            self.assertTrue(brew.counted, "the refresh took that cup for it")
            self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)  # busy
            outcome, __ = self.perform(job)
        self.assertEqual(outcome, "retry", "the machine is busy")
        self.assertEqual(brew.state, "queued", "not taken")
        self.assertFalse(brew.counted)
        panel = self.env["coffee.brew"].search(
            [("machine_id", "=", self.machine.id), ("origin", "=", "panel")]
        )
        self.assertEqual(sum(panel.mapped("quantity")), 1, "the cup taken for it")

    def test_no_start_while_another_brew_s_start_is_in_doubt(self):
        with trap_jobs() as trap:
            first, first_job = self.queue(trap)
            self._crash_after_recording_the_attempt(first)  # a start in doubt
            second, second_job = self.queue(
                trap, brew=self.new_brew(options={keys.OPTION_FILL_QUANTITY: 50})
            )
            outcome, error = self.perform(second_job)
            self.assertEqual(outcome, "retry")
            self.assertIn("not confirmed yet", second.error_message)
            self.assertFalse(self.api_brews(), "nothing started meanwhile")
            outcome, result = self.perform(first_job)  # did not take: again
            self.assertEqual(outcome, "done", result)
        self.assertEqual(first.state, "brewing")
        self.assertEqual(len(self.api_brews()), 1)

    def test_remote_start_off_fails_at_once(self):
        self.sim_machine.disallow_remote_start()
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, error = self.perform(job)
        self.assertEqual(outcome, "failed")
        self.assertEqual(brew.state, "failed")
        self.assertIn(
            "Remote start is switched off on the machine: enable it on the "
            "machine's panel",
            brew.error_message,
        )
        self.assertEqual(str(error), brew.error_message)
        self.assertFalse(self.api_brews())

    def test_machine_in_standby_fails_when_it_may_not_be_woken(self):
        self.sim_machine.set_power(keys.POWER_STANDBY)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, _error = self.perform(job)
        self.assertEqual(outcome, "failed")
        self.assertIn("The machine is switched off", brew.error_message)
        self.assertFalse(self.api_brews())

    def test_machine_in_standby_is_woken_when_the_backend_allows_it(self):
        self.backend.wake_from_standby = True
        self.sim_machine.set_power(keys.POWER_STANDBY)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(self.sim_machine.power_state, keys.POWER_ON)
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(len(self.api_brews()), 1)

    def test_busy_machine_waits_then_brews(self):
        self.sim_machine.brew_at_panel(keys.PROGRAM_COFFEE)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, error = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.assertEqual(brew.state, "queued")
            self.assertIn("The machine is busy", brew.error_message)
            self.assertEqual(error.seconds, 30)
            self.simulator.clock.advance(40)
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing")
        self.assertFalse(brew.error_message)
        self.assertEqual(len(self.api_brews()), 1)

    def test_offline_machine_waits(self):
        self.simulator.faults.offline(self.sim_machine.ha_id)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, _error = self.perform(job)
        self.assertEqual(outcome, "retry")
        self.assertEqual(brew.state, "queued")
        self.assertIn("The machine is offline", brew.error_message)
        self.assertEqual(brew.start_attempts, 0)

    def test_quota_refusal_waits_for_retry_after(self):
        # the machine is read (one call), the start is refused
        self.simulator.quota.config = QuotaConfig(per_minute=1, per_day=None)
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            outcome, error = self.perform(job)
        self.assertEqual(outcome, "retry")
        self.assertTrue(error.ignore_retry)
        self.assertGreater(error.seconds, 0)
        self.assertEqual(brew.state, "queued")
        self.assertFalse(brew.date_sent)
        self.assertIn("quota", brew.error_message)
        self.assertTrue(self.backend.blocked_until)
        self.assertFalse(self.api_brews())

    def test_options_out_of_range_fail_before_any_call(self):
        calls = self.calls_made()
        brew = self.new_brew(options={keys.OPTION_FILL_QUANTITY: 500})
        brew.write({"state": "queued"})
        with trap_jobs():
            job_result = self.perform(brew.with_delay()._export_brew())
        outcome, error = job_result
        self.assertEqual(outcome, "failed")
        self.assertEqual(brew.state, "failed")
        self.assertIn("500 ml is not allowed", brew.error_message)
        self.assertIn("35–60 ml, in steps of 5", str(error))
        self.assertEqual(self.calls_made(), calls)

    def test_options_out_of_range_cannot_be_queued(self):
        brew = self.new_brew(
            options={keys.OPTION_BEAN_AMOUNT: keys.coffee_enum_value("BeanAmount", "X")}
        )
        with trap_jobs() as trap, self.assertRaisesRegex(Exception, "Normal, Strong"):
            brew.action_queue()
        trap.assert_jobs_count(0)

    def test_cancelled_brew_is_not_sent(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            brew.action_cancel()
            outcome, result = self.perform(job)
        self.assertEqual(outcome, "done")
        self.assertIn("cancelled before it was sent", result)
        self.assertEqual(brew.state, "cancelled")
        self.assertFalse(self.api_brews())

    def test_running_brew_can_be_stopped(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            brew.action_stop()
            (stop,) = self.jobs_of(trap, "_stop_brew")
            outcome, result = self.perform(stop)
            self.assertEqual(outcome, "done", result)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
        self.assertEqual(brew.state, "cancelled")
        self.assertEqual(self.api_brews()[0]["result"], "aborted")
        self.assertIn("nothing to follow", result)

    def test_brew_stopped_at_the_machine_fails(self):
        with trap_jobs() as trap:
            brew, job = self.queue(trap)
            self.perform(job)
            self.sim_machine.stop_program(source="panel")
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, _result = self.perform(follow)
        self.assertEqual(outcome, "done")
        self.assertEqual(brew.state, "failed")
        self.assertIn("stopped before the beverage was finished", brew.error_message)


@tagged("post_install", "-at_install")
class TestBrewEndEvents(CoffeeBrewCase):
    """With the event reader running, the machine tells when a brew ends."""

    def brewing(self, trap):
        brew = self.new_brew(options=OPTIONS)
        brew.action_queue()
        self.perform(self.export_job(trap))
        self.assertEqual(brew.state, "brewing")
        return brew

    def machine_says(self, event_key):
        """The job the event reader queues for one event of the machine."""
        return self.backend._handle_events(
            [
                {
                    "ha_id": self.sim_machine.ha_id,
                    "key": event_key,
                    "value": keys.EVENT_PRESENT,
                    "timestamp": 0,
                }
            ]
        )

    def test_program_finished_event_makes_the_brew_done_at_once(self):
        with trap_jobs() as trap:
            brew = self.brewing(trap)
            self.simulator.clock.advance(31)
            summary = self.machine_says(keys.EVENT_PROGRAM_FINISHED)
            self.assertEqual(brew.state, "done")
            self.assertIn("1 updated", summary)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
        self.assertEqual(outcome, "done")
        self.assertIn("nothing to follow", result)

    def test_the_follow_job_waiting_for_its_next_look_is_closed(self):
        brew = self.new_brew(options=OPTIONS)
        brew.action_queue()  # jobs stored for real, as the job runner sees them
        (export,) = brew._jobs()
        Job.load(self.env, export.uuid).perform()
        follow = brew._jobs().filtered(lambda job: job.method_name == "_follow_brew")
        self.assertEqual(follow.state, "pending")
        self.simulator.clock.advance(31)
        self.machine_says(keys.EVENT_PROGRAM_FINISHED)
        self.assertEqual(brew.state, "done")
        self.assertEqual(follow.state, "done")
        self.assertIn("end-of-program event", follow.result)

    def test_program_aborted_event_fails_the_brew_at_once(self):
        with trap_jobs() as trap:
            brew = self.brewing(trap)
            self.sim_machine.stop_program(source="panel")
            self.machine_says(keys.EVENT_PROGRAM_ABORTED)
        self.assertEqual(brew.state, "failed")
        self.assertIn("stopped before the beverage was finished", brew.error_message)

    def test_end_event_while_the_brew_still_runs_leaves_it_to_its_follow_job(self):
        with trap_jobs() as trap:
            brew = self.brewing(trap)
            self.simulator.clock.advance(15)
            summary = self.machine_says(keys.EVENT_PROGRAM_FINISHED)
        self.assertEqual(brew.state, "brewing")
        self.assertEqual(brew.progress, 50)
        self.assertIn("0 updated", summary)

    def next_look_in(self, events_read_at):
        """Seconds until the follow job's next look, mid-brew."""
        self.backend._store({"events_read_at": events_read_at})
        with trap_jobs() as trap:
            self.brewing(trap)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            self.simulator.clock.advance(15)
            outcome, error = self.perform(follow)
        self.assertEqual(outcome, "retry")
        return error.seconds

    def test_looks_leave_a_long_margin_while_events_are_read(self):
        # 15 s of the program remain; the stream will tell its end
        self.assertEqual(self.next_look_in(fields.Datetime.now()), 15 + 30)

    def test_an_old_heartbeat_of_the_reader_brings_back_close_looks(self):
        an_hour_ago = fields.Datetime.subtract(fields.Datetime.now(), hours=1)
        self.assertEqual(self.next_look_in(an_hour_ago), 15 + 2)


@tagged("post_install", "-at_install")
class TestBrewStartQuota(CoffeeBrewCase):
    """Home Connect allows 5 starts a minute per account: the sixth waits."""

    simulator_options = {"machines": 6, "quota": QuotaConfig(starts_per_minute=5)}

    def setUp(self):
        super().setUp()
        self.machines = self.machine | self.env["coffee.machine"].concat(
            *(
                self.make_machine_binding(sim_machine)
                for sim_machine in list(self.simulator.machines.values())[1:]
            )
        )
        self.simulator.clock.advance(61)  # binding them spent this minute's calls

    def test_sixth_start_within_a_minute_waits(self):
        with trap_jobs() as trap:
            brews = self.env["coffee.brew"]
            for machine in self.machines:
                brews |= self.new_brew(machine=machine)
            brews.action_queue()
            jobs = self.jobs_of(trap, "_export_brew")
            for job in jobs[:5]:
                self.assertEqual(self.perform(job)[0], "done")
            calls = self.calls_made()
            outcome, error = self.perform(jobs[5])
            self.assertEqual(outcome, "retry")
            self.assertTrue(error.ignore_retry)
            self.assertGreater(error.seconds, 0)
            self.assertLessEqual(error.seconds, 60)
            self.assertEqual(self.calls_made(), calls, "the sixth called the API")
            starts = sum(
                len(self.api_brews(m)) for m in self.simulator.machines.values()
            )
            self.assertEqual(starts, 5)
            self.assertEqual(brews[5].state, "queued")
            # a minute later (on Odoo's clock and the API's), the slot is free
            self.simulator.clock.advance(61)
            for brew in brews[:5]:
                brew.date_sent = fields.Datetime.subtract(brew.date_sent, seconds=61)
            self.env.flush_all()
            outcome, result = self.perform(jobs[5])
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brews[5].state, "brewing")
        refused = sum(a["refused"] for a in self.simulator.quota.snapshot().values())
        self.assertEqual(refused, 0)
