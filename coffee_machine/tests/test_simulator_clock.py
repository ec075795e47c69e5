"""Simulated time (:mod:`coffee_machine.clock`): manual for tests, fast for demos."""

from __future__ import annotations

import time

import pytest

from coffee_machine.clock import MANUAL_EPOCH, ManualClock, RealClock
from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import clock as homeconnect_clock


def test_manual_clock_starts_at_the_fixed_epoch():
    assert ManualClock().now() == MANUAL_EPOCH == 1767254400.0  # 2026-01-01 08:00Z


def test_advance_runs_due_timers_in_time_order_at_their_time():
    clock = ManualClock()
    fired = []
    clock.call_later(20, lambda: fired.append(("b", clock.now())))
    clock.call_later(10, lambda: fired.append(("a", clock.now())))
    clock.advance(30)
    assert fired == [("a", MANUAL_EPOCH + 10), ("b", MANUAL_EPOCH + 20)]


def test_advance_runs_timers_scheduled_by_timers_within_the_window():
    clock = ManualClock()
    fired = []
    clock.call_later(5, lambda: clock.call_later(5, lambda: fired.append(clock.now())))
    clock.advance(10)
    assert fired == [MANUAL_EPOCH + 10]


def test_cancelled_timer_does_not_run():
    clock = ManualClock()
    fired = []
    clock.call_later(5, lambda: fired.append(1)).cancel()
    clock.advance(10)
    assert fired == []


def test_manual_clock_does_not_go_backwards():
    with pytest.raises(ValueError):
        ManualClock().advance(-1)


def test_accelerated_clock_runs_faster_than_real_time():
    clock = RealClock(factor=100)
    start = clock.now()
    time.sleep(0.05)
    assert clock.now() - start >= 5


def test_accelerated_simulator_finishes_a_brew_in_real_time(make_sim):
    sim = make_sim(clock=60.0, brew_seconds=6)  # 0.1 real seconds
    machine = sim.machine()
    machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
    deadline = time.monotonic() + 2
    while machine.active is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert machine.counters[keys.COUNTER_PREFIX] == 1


def test_home_connect_clock_module_re_exports_the_shared_clock():
    assert homeconnect_clock.ManualClock is ManualClock
    assert homeconnect_clock.MANUAL_EPOCH == MANUAL_EPOCH
