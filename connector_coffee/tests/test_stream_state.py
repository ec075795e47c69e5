# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The event stream keeps machines current, and a brew costs one call."""

from odoo.tests import tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from .common import CoffeeBrewCase
from .import_common import ReaderMixin, wait_for


@tagged("post_install", "-at_install")
class TestStreamState(ReaderMixin, CoffeeBrewCase):
    def queue_brew(self, trap):
        brew = self.locked(self.new_brew)
        self.locked(brew.action_queue)
        return brew, self.export_job(trap)

    def perform(self, job):
        return self.locked(super().perform, job)

    @staticmethod
    def refreshes_asked(trap):
        return [call for call in trap.calls if call.method.__name__ == "_import_state"]

    def test_state_changes_reach_the_machine_without_a_call(self):
        thread = self.start_reader()
        calls = self.calls_made()
        self.sim_machine.set_power(keys.POWER_STANDBY)
        self.until(lambda: self.machine.display_state == "standby")
        self.sim_machine.set_power(keys.POWER_ON)
        self.sim_machine.disallow_remote_start()
        self.until(lambda: not self.machine.remote_start_allowed)
        self.stop_reader(thread)
        self.assertEqual(self.machine.power_state, "on")
        self.assertEqual(self.machine.operation_state, "ready")
        self.assertEqual(self.calls_made(), calls)

    def test_a_panel_beverage_reaches_the_brew_log_without_a_call(self):
        thread = self.start_reader()
        calls = self.calls_made()
        self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)
        self.simulator.clock.advance(31)

        def logged():
            return self.env["coffee.brew"].search(
                [("machine_id", "=", self.machine.id), ("origin", "=", "panel")]
            )

        self.until(logged)
        self.stop_reader(thread)
        self.assertEqual(logged().quantity, 1)
        self.assertEqual(logged().family, "CoffeeAndMilk")
        self.assertEqual(self.calls_made(), calls)

    def test_opening_the_stream_queues_one_refresh_per_machine(self):
        with trap_jobs() as trap:
            thread = self.start_reader()
            self.until(lambda: self.backend.events_connected_at)
            (refresh,) = self.jobs_of(trap, "_import_state")
            self.assertEqual(refresh.recordset, self.machine)
            self.stop_reader(thread)
        self.env.invalidate_all()
        self.assertFalse(self.backend.events_connected_at, "no stream is open")

    def test_a_machine_is_live_once_read_after_the_stream_opened(self):
        thread = self.start_reader()
        self.until(lambda: self.backend.events_connected_at)
        live = self.machine._state_is_live
        self.assertFalse(self.locked(live), "read before the stream")
        self.read_after_opening(self.machine)
        self.assertTrue(self.locked(live))
        self.stop_reader(thread)
        self.env.invalidate_all()
        self.assertFalse(live(), "no stream, no live state")

    def test_a_dropped_stream_is_reopened_and_the_machines_read_again(self):
        with trap_jobs() as trap:
            self.start_reader()
            self.read_after_opening(self.machine)
            self.simulator.bus.close_all()  # the stream ends
            wait_for(lambda: self.simulator.bus.open_streams() == 1)
            self.until(lambda: not self.machine._state_is_live())
            read = self.reader.events_read
            self.simulator.clock.advance(60)  # a keep-alive on the new stream
            wait_for(lambda: self.reader.events_read > read)
            # asked twice (the trap, like the queue, keeps one waiting job)
            self.until(lambda: len(self.refreshes_asked(trap)) == 2)
            self.until(lambda: self.backend.events_connected_at)

    def test_a_stream_open_for_long_is_reopened_to_read_every_machine(self):
        with trap_jobs() as trap:
            self.start_reader()
            self.reader.reconcile_delay = 0  # "a day" has passed

            def reopened():
                # keep-alives: the next frame closes the stream, the one
                # after it opens the new one
                self.simulator.clock.advance(60)
                with self.registry.test_lock:
                    return len(self.refreshes_asked(trap)) >= 2

            wait_for(reopened)

    def test_a_brew_ordered_while_the_stream_is_read_costs_one_call(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        calls = self.calls_made()
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            outcome, result = self.perform(job)
            self.assertEqual(outcome, "done", result)
            self.simulator.clock.advance(15)
            self.until(lambda: brew.progress == 50)
            self.simulator.clock.advance(16)
            self.until(lambda: brew.state == "done")
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
        self.stop_reader(thread)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(self.calls_made() - calls, 1, "the start, nothing else")
        self.assertFalse(
            self.env["coffee.brew"].search([("origin", "=", "panel")]),
            "the Odoo brew is not logged twice",
        )

    def test_a_lost_start_answer_on_the_stream_brews_once(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.lose_start_answer(1)
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            outcome, result = self.perform(job)
            self.assertEqual(outcome, "done", result)
            self.simulator.clock.advance(31)
            self.until(lambda: brew.state == "done")
        self.stop_reader(thread)
        self.assertEqual(len(self.api_brews()), 1)
        self.assertEqual(self.api_brews()[0]["result"], "finished")

    def test_a_start_without_an_answer_on_the_last_try_is_not_given_up(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.timeout_408(1)  # the start, the only call
        brew = self.locked(self.new_brew)
        self.locked(brew.action_queue)
        (record,) = self.locked(brew._jobs)
        self.locked(record.write, {"max_retries": 5, "retry": 4})
        job = self.locked(Job.load, self.env, record.uuid)
        outcome, __ = self.perform(job)
        self.stop_reader(thread)
        self.assertEqual((outcome, job.retry), ("retry", 4), "no try spent")
        self.assertEqual(brew.state, "sent", "it may have been made: not failed")

    def test_a_busy_machine_is_asked_again_when_its_program_should_be_over(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)
        self.simulator.clock.advance(16)  # half way
        self.until(lambda: 0 < self.machine.remaining_seconds < 30)
        with trap_jobs() as trap:
            __, job = self.queue_brew(trap)
            outcome, error = self.perform(job)
        self.stop_reader(thread)
        self.assertEqual(outcome, "retry")
        remaining = self.machine.remaining_seconds
        self.assertEqual(error.seconds, remaining + 2, "its remaining time, a margin")

    def test_a_start_that_got_no_answer_and_did_not_take_is_not_done(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.timeout_408(1)
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.simulator.clock.advance(31)
            self.locked(self.sent_long_ago, brew)
            outcome, result = self.perform(job)  # it did not take: again
            self.assertEqual(outcome, "done", result)
            self.simulator.clock.advance(31)
            self.until(lambda: brew.state == "done")
        self.stop_reader(thread)
        self.assertEqual([b["result"] for b in self.api_brews()], ["finished"])

    def test_the_follow_job_settles_the_brew_when_the_reader_died(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            self.perform(job)
            self.stop_reader(thread)
            self.simulator.clock.advance(31)
            (follow,) = self.jobs_of(trap, "_follow_brew")
            outcome, result = self.perform(follow)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "done")

    def test_the_machine_is_read_before_a_start_when_the_stream_is_not(self):
        calls = self.calls_made()
        with trap_jobs() as trap:
            __, job = self.queue_brew(trap)
            self.perform(job)
        self.assertEqual(self.calls_made() - calls, 2, "status, then the start")

    def panel_log(self):
        return self.env["coffee.brew"].search(
            [("machine_id", "=", self.machine.id), ("origin", "=", "panel")]
        )

    def test_a_beverage_seen_started_at_the_panel_is_logged_as_its_program(self):
        thread = self.start_reader()
        self.sim_machine.brew_at_panel(keys.PROGRAM_CAPPUCCINO)
        self.until(lambda: self.machine.panel_run)
        self.simulator.clock.advance(31)
        self.until(self.panel_log)
        self.stop_reader(thread)
        logged = self.panel_log()
        self.assertEqual(logged.program_key, keys.PROGRAM_CAPPUCCINO)
        self.assertEqual(logged.beverage_id.name, "Cappuccino")
        self.assertTrue(logged.date_started)
        self.assertFalse(self.machine.panel_run, "counted once")

    def test_a_start_with_a_brews_options_is_its_own_under_a_stale_local_flag(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        # as if the frame that cleared the flag after a panel beverage was lost
        self.locked(self.machine.sudo().write, {"local_control_active": True})
        self.locked(self.env.flush_all)
        with trap_jobs() as trap:
            brew = self.locked(
                lambda: self.new_brew(options={keys.OPTION_FILL_QUANTITY: 45})
            )
            self.locked(brew.action_queue)
            outcome, result = self.perform(self.export_job(trap))
            self.assertEqual(outcome, "done", result)
            self.until(lambda: self.machine.active_program_key)
            self.assertFalse(self.machine.panel_run, "the brew's start")
            self.simulator.clock.advance(31)
            self.until(lambda: brew.state == "done")
        self.stop_reader(thread)
        self.assertFalse(self.panel_log(), "the brew is not logged as a panel cup")

    def test_a_panel_beverage_while_a_start_is_in_doubt_is_not_taken_for_it(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.timeout_408(1)  # the start does not take
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)  # same family
            self.simulator.clock.advance(31)
            self.until(lambda: self.panel_log() and not self.machine.panel_run)
            self.until(lambda: self.machine.operation_state != "run")
            self.started_again_after_the_panel_cup(brew, job)
        self.stop_reader(thread)
        self.assert_panel_cup_then_brew()

    def start_again(self, brew, job):
        """The brew's start is found not made (long enough ago): its job
        starts it again."""
        self.locked(self.sent_long_ago, brew)
        outcome, result = self.perform(job)
        self.assertEqual(outcome, "done", result)
        self.assertEqual(brew.state, "brewing", "started again")

    def started_again_after_the_panel_cup(self, brew, job):
        """The same, and the brew is made."""
        self.start_again(brew, job)
        self.simulator.clock.advance(31)
        self.until(lambda: brew.state == "done")

    def assert_panel_cup_then_brew(self):
        """The machine made the panel cup, then the brew; both are logged."""
        self.assertEqual(
            [b["source"] for b in self.sim_machine.brews], ["panel", "api"]
        )
        self.assertEqual(self.panel_log().quantity, 1, "the panel cup is logged")

    def panel_count_lost_while_in_doubt(self, trap):
        """A brew whose start did not take, then a panel beverage seen started
        whose count the stream loses; returns the brew and its job."""
        self.simulator.faults.timeout_408(1)
        brew, job = self.queue_brew(trap)
        self.perform(job)
        self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
        self.until(lambda: self.machine.panel_run)
        self.simulator.faults.stall_events(True)  # its count is lost
        self.simulator.clock.advance(31)
        return brew, job

    def test_the_look_for_a_start_in_doubt_waits_for_a_panel_beverage_count(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        with trap_jobs() as trap:
            brew, job = self.panel_count_lost_while_in_doubt(trap)
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.assertEqual(brew.state, "sent", "still in doubt")
            self.assertTrue(self.refreshes_asked(trap), "a refresh brings the count")
        self.simulator.faults.stall_events(False)
        self.stop_reader(thread)

    def test_a_panel_beverage_count_the_stream_lost_is_not_taken_for_the_brew(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        with trap_jobs() as trap:
            brew, job = self.panel_count_lost_while_in_doubt(trap)
            self.perform(job)  # waits for the count
            self.assertTrue(self.refreshes_asked(trap))
            self.locked(self.machine._import_state)  # the refresh it asked for
            self.assertEqual(self.panel_log().quantity, 1, "the refresh counts it")
            self.start_again(brew, job)
        self.simulator.faults.stall_events(False)
        self.stop_reader(thread)
        self.assertEqual(
            [b["source"] for b in self.sim_machine.brews], ["panel", "api"]
        )

    def test_a_count_the_stream_lost_before_a_start_is_not_taken_for_it(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.locked(self.learnt_brew_seconds, 30)
        self.simulator.faults.stall_events(True)
        self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
        self.simulator.clock.advance(31)  # counted: the stored counters lag
        self.simulator.faults.stall_events(False)
        self.simulator.faults.timeout_408(1)  # the start does not take
        with trap_jobs() as trap:
            brew, job = self.queue_brew(trap)
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry")
            self.assertEqual(brew.state, "sent", "that count is not the brew's")
            self.started_again_after_the_panel_cup(brew, job)
        self.stop_reader(thread)
        self.assert_panel_cup_then_brew()

    def test_a_program_the_look_finds_running_is_not_taken_for_the_brew(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.timeout_408(1)  # the start does not take
        with trap_jobs() as trap:
            brew = self.locked(
                self.new_brew, keys.PROGRAM_ESPRESSO, {keys.OPTION_FILL_QUANTITY: 50}
            )
            self.locked(brew.action_queue)
            job = self.export_job(trap)
            self.perform(job)
            self.simulator.faults.stall_events(True)  # the stream sees nothing
            self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)  # same family
            outcome, __ = self.perform(job)  # the look finds it running
            self.assertEqual(outcome, "retry")
            self.locked(self.env.invalidate_all)
            self.assertEqual(
                (self.machine.panel_run or {}).get("key"), keys.PROGRAM_ESPRESSO
            )
            self.simulator.clock.advance(31)  # counted, and the stream lost it
            self.locked(self.sent_long_ago, brew)
            outcome, __ = self.perform(job)
            self.assertEqual(outcome, "retry", "waits for the panel cup's count")
            self.assertEqual(brew.state, "sent")
            self.locked(self.machine._import_state)  # the refresh it asked for
            self.start_again(brew, job)
        self.simulator.faults.stall_events(False)
        self.stop_reader(thread)
        self.assertEqual(
            [b["source"] for b in self.sim_machine.brews], ["panel", "api"]
        )
        self.assertEqual(self.panel_log().program_key, keys.PROGRAM_ESPRESSO)

    def test_no_start_while_a_brew_the_stream_missed_is_brewing(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        self.simulator.faults.stall_events(True)  # the stream sees nothing of it
        with trap_jobs() as trap:
            first, job = self.queue_brew(trap)
            self.perform(job)
        self.assertEqual(first.state, "brewing")
        self.locked(self.env.invalidate_all)
        self.assertEqual(self.machine.operation_state, "ready", "as last streamed")
        calls = self.calls_made()
        with trap_jobs() as trap:
            second, job = self.queue_brew(trap)
            outcome, error = self.perform(job)
        self.assertEqual(outcome, "retry")
        self.assertIn(first.name, str(error))
        self.assertEqual(second.state, "queued")
        self.assertEqual(self.calls_made(), calls, "no start sent to a busy machine")
        self.simulator.faults.stall_events(False)
        self.stop_reader(thread)

    def test_a_panel_start_the_stream_lost_is_read_while_it_runs(self):
        thread = self.start_reader()
        self.read_after_opening(self.machine)
        with trap_jobs() as trap:
            self.simulator.faults.stall_events(True)
            self.sim_machine.brew_at_panel(keys.PROGRAM_ESPRESSO)  # start lost
            self.simulator.faults.stall_events(False)
            self.simulator.clock.advance(16)  # its progress comes
            self.until(lambda: self.refreshes_asked(trap))
            self.locked(self.machine._import_state)  # the refresh asked for
            self.assertTrue(self.machine.panel_run, "seen: made at the panel")
            self.simulator.clock.advance(15)
            self.until(self.panel_log)
        self.stop_reader(thread)
        self.assertEqual(self.panel_log().program_key, keys.PROGRAM_ESPRESSO)
