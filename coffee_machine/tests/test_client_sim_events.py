"""The event stream against the simulator: parsing, liveness, reconnection."""

from __future__ import annotations

import threading
import time

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)

from coffee_machine.homeconnect import (
    HomeConnectClient,
    RateLimitedError,
    TransportError,
    UnauthorizedError,
    keys,
)
from coffee_machine.homeconnect.simulator import QuotaConfig


def _next_of(stream, *types, limit=50):
    """The next event of one of ``types``, skipping keep-alives and others."""
    for _ in range(limit):
        event = next(stream)
        if event.type in types:
            return event
    raise AssertionError(f"no {types} event in {limit} events")


def test_keep_alives_arrive(hc_api, machine_id):
    with hc_api.events(machine_id, keepalive_timeout=5) as stream:
        event = next(stream)
    assert (event.type, event.ha_id, event.items) == ("KEEP-ALIVE", None, ())


def test_brew_is_seen_as_status_notify_and_event(hc_api, machine_id, simulator):
    with hc_api.events(machine_id, keepalive_timeout=5) as stream:
        next(stream)  # connected: the first keep-alive
        simulator.machines[machine_id].brew_at_panel(keys.PROGRAM_ESPRESSO)
        status = _next_of(stream, "STATUS")
        while status.item(keys.STATUS_OPERATION_STATE) is None:
            status = _next_of(stream, "STATUS")
        notify = _next_of(stream, "NOTIFY")
        simulator.clock.advance(simulator.config.brew_seconds + 1)
        finished = _next_of(stream, "EVENT")
    assert status.ha_id == machine_id
    assert status.item(keys.STATUS_OPERATION_STATE).value == keys.OPERATION_RUN
    assert notify.item(keys.ROOT_ACTIVE_PROGRAM).value == keys.PROGRAM_ESPRESSO
    item = finished.item(keys.EVENT_PROGRAM_FINISHED)
    assert item.value == keys.EVENT_PRESENT
    assert isinstance(item.timestamp, int) and item.level


def test_counters_grow_on_the_stream(hc_api, machine_id, simulator):
    with hc_api.events(machine_id, keepalive_timeout=5) as stream:
        next(stream)
        simulator.machines[machine_id].brew_at_panel(keys.PROGRAM_ESPRESSO)
        simulator.clock.advance(simulator.config.brew_seconds + 1)
        for _ in range(50):
            event = _next_of(stream, "STATUS")
            counter = event.item(keys.COUNTER_PREFIX)
            if counter is not None:
                break
    assert counter.value == 1


def test_all_appliances_stream_carries_each_ha_id(make_simulator):
    sim = make_simulator(machines=2)
    client = HomeConnectClient(sim.url, sim.issue_tokens()["access_token"])
    first, second = list(sim.machines)
    with client.events(keepalive_timeout=5) as stream:
        next(stream)
        sim.machines[second].brew_at_panel(keys.PROGRAM_ESPRESSO)
        event = _next_of(stream, "STATUS")
    assert event.ha_id == second != first


def test_disconnect_and_connect_are_announced(hc_api, machine_id, simulator):
    with hc_api.events(machine_id, keepalive_timeout=5) as stream:
        next(stream)
        simulator.faults.offline(machine_id)
        disconnected = _next_of(stream, "DISCONNECTED")
        simulator.faults.offline(machine_id, False)
        connected = _next_of(stream, "CONNECTED")
    assert disconnected.ha_id == connected.ha_id == machine_id


def test_new_machine_is_announced_as_paired(hc_api, simulator):
    with hc_api.events(keepalive_timeout=5) as stream:
        next(stream)
        simulator.add_machine()
        event = _next_of(stream, "PAIRED")
    assert event.ha_id in simulator.machines


def test_missing_keep_alive_reconnects_and_resumes(hc_api, machine_id, simulator):
    stream = hc_api.events(machine_id, keepalive_timeout=1.0, max_reconnects=3)
    assert next(stream).type == "KEEP-ALIVE"
    simulator.faults.stall_events(True)
    resume = threading.Timer(1.5, simulator.faults.stall_events, args=(False,))
    resume.start()
    try:
        started = time.monotonic()
        assert next(stream).type == "KEEP-ALIVE"  # from the new connection
        assert time.monotonic() - started >= 1.0
        assert stream.reconnects == 1
        simulator.machines[machine_id].brew_at_panel(keys.PROGRAM_ESPRESSO)
        assert _next_of(stream, "STATUS").ha_id == machine_id
    finally:
        resume.cancel()
        stream.close()


def test_streams_closed_are_not_counted_open_any_more(hc_api, machine_id, simulator):
    with hc_api.events(machine_id, keepalive_timeout=5, reconnect=False) as stream:
        next(stream)
        assert simulator.bus.open_streams() == 1
        simulator.bus.close_all()
        assert simulator.bus.open_streams() == 0, "a stream opened next is new"


def test_changes_made_during_a_stall_are_lost(hc_api, machine_id, simulator):
    with hc_api.events(machine_id, keepalive_timeout=5, reconnect=False) as stream:
        next(stream)
        simulator.faults.stall_events(True)
        simulator.machines[machine_id].brew_at_panel(keys.PROGRAM_ESPRESSO)
        simulator.faults.stall_events(False)
        simulator.clock.advance(simulator.config.brew_seconds + 1)
        first = _next_of(stream, "STATUS", "NOTIFY")
    keys_seen = [item.key for item in first.items]
    assert keys.ROOT_ACTIVE_PROGRAM not in keys_seen, "its start was lost"
    assert keys.OPTION_PROGRAM_PROGRESS in keys_seen, "its end comes"


def test_missing_keep_alive_without_reconnect_is_transport_error(
    hc_api, machine_id, simulator
):
    stream = hc_api.events(machine_id, keepalive_timeout=0.5, reconnect=False)
    next(stream)
    simulator.faults.stall_events(True)
    with pytest.raises(TransportError, match="keep-alive"):
        _next_of(stream, "STATUS")


def test_stream_ends_when_the_server_stops(hc_api, machine_id, simulator):
    stream = hc_api.events(machine_id, keepalive_timeout=5, reconnect=False)
    next(stream)
    simulator.stop()
    remaining = [event.type for event in stream]
    assert set(remaining) <= {"KEEP-ALIVE"}


def test_reconnect_to_a_stopped_server_is_transport_error(
    hc_api, machine_id, simulator
):
    stream = hc_api.events(machine_id, keepalive_timeout=5)
    next(stream)
    simulator.stop()
    with pytest.raises(TransportError):
        _next_of(stream, "STATUS")
    assert stream.reconnects == 1


def test_opening_with_an_expired_token_is_unauthorized(hc_api, machine_id, simulator):
    simulator.clock.advance(simulator.config.access_token_ttl + 1)
    with pytest.raises(UnauthorizedError):
        next(hc_api.events(machine_id))


def test_too_many_open_streams_is_rate_limited(make_simulator):
    sim = make_simulator(quota=QuotaConfig(max_streams=1))
    client = HomeConnectClient(sim.url, sim.issue_tokens()["access_token"])
    with client.events(keepalive_timeout=5) as first:
        next(first)
        with pytest.raises(RateLimitedError) as info:
            next(client.events())
    assert info.value.retry_after > 0


def test_closing_the_stream_frees_the_server_slot(make_simulator):
    sim = make_simulator(quota=QuotaConfig(max_streams=1))
    client = HomeConnectClient(sim.url, sim.issue_tokens()["access_token"])
    with client.events(keepalive_timeout=5) as first:
        next(first)
    deadline = time.monotonic() + 3
    while True:  # the server notices the hang-up within its poll interval
        try:
            with client.events(keepalive_timeout=5) as second:
                assert next(second).type == "KEEP-ALIVE"
            break
        except RateLimitedError:
            assert time.monotonic() < deadline, "the stream slot was never freed"
            time.sleep(0.05)
