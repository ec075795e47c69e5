"""Fault switches, and the typed errors jura-connect raises for each."""

from __future__ import annotations

import pytest
from jura_connect.client import PairingTimeout
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import CONN_ID, TIMEOUT


@pytest.fixture
def paired_hash(machine) -> str:
    return machine.pair_device(CONN_ID)


def test_offline_dongle_refuses_connections(jura_sim, make_client, paired_hash):
    jura_sim.faults.offline(0)
    with pytest.raises(ConnectionRefusedError):
        make_client(jura_sim, auth_hash=paired_hash).connect(timeout=TIMEOUT)


def test_going_offline_resets_the_open_session(jura_sim, client):
    jura_sim.faults.offline(0)
    with pytest.raises(ConnectionError):
        client.read_maintenance_counter(timeout=TIMEOUT)


def test_offline_dongle_pushes_nothing(jura_sim, machine, client):
    jura_sim.faults.offline(0, "silent")
    jura_sim.clock.advance(10)
    with pytest.raises(TimeoutError):
        client.read_status(timeout=0.2)


def test_silent_dongle_leaves_the_handshake_unanswered(
    jura_sim, make_client, paired_hash
):
    jura_sim.faults.offline(0, "silent")
    with pytest.raises(PairingTimeout):
        make_client(jura_sim, auth_hash=paired_hash).connect(timeout=0.3)


def test_silent_dongle_leaves_commands_unanswered(jura_sim, client):
    jura_sim.faults.offline(0, "silent")
    with pytest.raises(TimeoutError):
        client.read_maintenance_counter(timeout=0.3)


def test_dongle_back_online_answers_on_the_same_port(
    jura_sim, make_client, paired_hash
):
    address = jura_sim.address(0)
    jura_sim.faults.offline(0)
    jura_sim.faults.offline(0, False)
    jura = make_client(jura_sim, auth_hash=paired_hash)
    assert jura_sim.address(0) == address
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_dropped_handshake_is_a_connection_reset(jura_sim, make_client, paired_hash):
    jura_sim.faults.drop_connections(1)
    with pytest.raises(ConnectionResetError):
        make_client(jura_sim, auth_hash=paired_hash).connect(timeout=TIMEOUT)


def test_dropped_command_is_a_connection_error(jura_sim, client):
    jura_sim.faults.drop_connections(1)
    with pytest.raises(ConnectionError):
        client.read_maintenance_counter(timeout=TIMEOUT)


def test_next_session_after_a_drop_works(jura_sim, make_client, paired_hash):
    jura_sim.faults.drop_connections(1)
    with pytest.raises(ConnectionError):
        make_client(jura_sim, auth_hash=paired_hash).connect(timeout=TIMEOUT)
    jura = make_client(jura_sim, auth_hash=paired_hash)
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_lost_brew_answer_times_out_while_the_machine_brews(jura_sim, machine, client):
    jura_sim.faults.lose_brew_answer(1)
    with pytest.raises(TimeoutError):
        client.brew("espresso", timeout=0.3)
    assert machine.state == "brewing"
    assert client.status_history[0] == "@TB"  # the start marker did arrive


def test_lost_brew_answer_brew_is_counted(jura_sim, machine, client):
    jura_sim.faults.lose_brew_answer(1)
    with pytest.raises(TimeoutError):
        client.brew("espresso", timeout=0.3)
    jura_sim.clock.advance(120)
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert (counters.total, counters.by_name["espresso"]) == (1, 1)


def test_retrying_a_lost_brew_finds_the_machine_busy(jura_sim, client):
    jura_sim.faults.lose_brew_answer(1)
    with pytest.raises(TimeoutError):
        client.brew("espresso", timeout=0.3)
    assert client.brew("espresso", timeout=TIMEOUT) == "@tp:00"


def test_lost_brew_answer_waits_for_an_accepted_brew(jura_sim, machine, client):
    jura_sim.faults.lose_brew_answer(1)
    machine.set_alert("water")
    assert client.brew("espresso", timeout=TIMEOUT) == "@tp:00"
    assert jura_sim.faults.pending("lose_brew_answer") == 1


def test_faults_target_one_machine(make_jura_sim, make_client):
    sim = make_jura_sim(machines=2)
    sim.faults.offline(1)
    jura = make_client(sim, 0, auth_hash=sim.machine(0).pair_device(CONN_ID))
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_second_session_is_reset_while_one_is_open(
    jura_sim, client, make_client, paired_hash
):
    with pytest.raises(ConnectionError):
        make_client(jura_sim, auth_hash=paired_hash).connect(timeout=TIMEOUT)
    assert client.read_maintenance_counter(timeout=TIMEOUT).cleaning == 0


def test_session_closed_by_the_client_frees_the_dongle(
    jura_sim, client, make_client, paired_hash
):
    client.close()
    jura = make_client(jura_sim, auth_hash=paired_hash)
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_reset_switches_everything_off(jura_sim, make_client, paired_hash):
    jura_sim.faults.offline(0)
    jura_sim.faults.drop_connections(3)
    jura_sim.faults.reset()
    jura = make_client(jura_sim, auth_hash=paired_hash)
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_faults_apply_json_switches(jura_sim):
    jura_sim.faults.apply(
        {"offline": {"0": "silent"}, "drop_connections": 2, "lose_brew_answer": {}}
    )
    assert jura_sim.faults.snapshot() == {
        "offline": {"0": "silent"},
        "drop_connections": {"0": 2},
        "lose_brew_answer": {},
    }


def test_unknown_fault_is_refused(jura_sim):
    with pytest.raises(ValueError):
        jura_sim.faults.apply({"earthquake": True})
