"""Pairing and the ``@HP:`` handshake, driven by the unmodified jura-connect client."""

from __future__ import annotations

import re
import threading
import time

import pytest
from jura_connect.client import PairingTimeout
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import CONN_ID, TIMEOUT, advance_to_status, wait_until

HASH = re.compile(r"^[0-9A-F]{64}$")


def wait_for_dialog(machine) -> None:
    assert wait_until(lambda: machine.pending_pairing is not None)


def test_pairing_without_pin_after_ok_is_correct_with_a_new_hash(
    jura_sim, machine, make_client, press_ok_when_asked
):
    press_ok_when_asked(machine)
    result = make_client(jura_sim).pair(timeout=2 * TIMEOUT)
    assert result.state == "CORRECT"
    assert HASH.match(result.new_hash)
    assert machine.known_devices[CONN_ID] == result.new_hash


def test_machine_remembers_the_clients_conn_id(
    jura_sim, machine, make_client, press_ok_when_asked
):
    press_ok_when_asked(machine)
    make_client(jura_sim, conn_id="kitchen-tablet").pair(timeout=2 * TIMEOUT)
    assert list(machine.known_devices) == ["kitchen-tablet"]


def test_reconnecting_with_the_hash_is_correct_without_a_dialog(
    jura_sim, machine, make_client, press_ok_when_asked
):
    press_ok_when_asked(machine)
    first = make_client(jura_sim)
    new_hash = first.pair(timeout=2 * TIMEOUT).new_hash
    first.close()
    again = make_client(jura_sim, auth_hash=new_hash).connect(timeout=TIMEOUT)
    assert (again.state, again.new_hash, again.code) == ("CORRECT", None, "@hp4")


def test_refused_dialog_is_aborted(jura_sim, machine, make_client, press_ok_when_asked):
    press_ok_when_asked(machine, refuse=True)
    result = make_client(jura_sim).pair(timeout=2 * TIMEOUT)
    assert result.state == "ABORTED"
    assert machine.known_devices == {}


def test_nobody_at_the_machine_is_a_pairing_timeout(jura_sim, make_client):
    with pytest.raises(PairingTimeout):
        make_client(jura_sim).pair(timeout=0.3)


def test_expired_dialog_answers_nothing(jura_sim, machine, make_client):
    jura = make_client(jura_sim)
    jura.conn.connect()
    jura.send_command(f"@HP:,{CONN_ID.encode().hex()},")
    wait_for_dialog(machine)
    jura_sim.clock.advance(41)  # the dialog gives up after 40 s
    frames = list(jura.iter_frames(until=time.monotonic() + 0.3))
    assert machine.press_ok() is False
    assert frames and all(frame.startswith("@TF:") for frame in frames)


def test_status_pushes_reach_a_client_waiting_for_the_dialog(
    jura_sim, machine, make_client
):
    jura = make_client(jura_sim)
    results = []
    pairing = threading.Thread(target=lambda: results.append(jura.pair(timeout=2)))
    pairing.start()
    wait_for_dialog(machine)
    advance_to_status(jura_sim)
    machine.press_ok()
    pairing.join()
    assert results[0].state == "CORRECT"
    assert jura.status_history == ["@TF:0004000000000000"]


def test_known_device_pairing_again_is_aborted(jura_sim, machine, make_client):
    machine.pair_device(CONN_ID)
    assert make_client(jura_sim).pair(timeout=TIMEOUT).state == "ABORTED"


def test_wrong_hash_is_wrong_hash(jura_sim, machine, make_client):
    machine.pair_device(CONN_ID)
    result = make_client(jura_sim, auth_hash="AB" * 32).connect(timeout=TIMEOUT)
    assert result.state == "WRONG_HASH"


def test_hash_of_an_unknown_device_is_wrong_hash(jura_sim, make_client):
    result = make_client(jura_sim, auth_hash="AB" * 32).connect(timeout=TIMEOUT)
    assert result.state == "WRONG_HASH"


def test_forgotten_device_must_pair_again(jura_sim, machine, make_client):
    auth_hash = machine.pair_device(CONN_ID)
    machine.forget_device(CONN_ID)
    result = make_client(jura_sim, auth_hash=auth_hash).connect(timeout=TIMEOUT)
    assert result.state == "WRONG_HASH"


def test_pairing_with_the_right_pin_is_correct(
    make_jura_sim, make_client, press_ok_when_asked
):
    sim = make_jura_sim(pin="4711")
    press_ok_when_asked(sim.machine(0))
    result = make_client(sim, pin="4711").pair(timeout=2 * TIMEOUT)
    assert result.state == "CORRECT" and HASH.match(result.new_hash)


def test_wrong_pin_is_wrong_pin_and_shows_no_dialog(make_jura_sim, make_client):
    sim = make_jura_sim(pin="4711")
    result = make_client(sim, pin="1234").pair(timeout=TIMEOUT)
    assert result.state == "WRONG_PIN"
    assert sim.machine(0).pending_pairing is None


def test_missing_pin_is_wrong_pin(make_jura_sim, make_client):
    sim = make_jura_sim(pin="4711")
    assert make_client(sim).pair(timeout=TIMEOUT).state == "WRONG_PIN"


def test_reconnecting_without_the_pin_is_wrong_pin(make_jura_sim, make_client):
    sim = make_jura_sim(pin="4711")
    auth_hash = sim.machine(0).pair_device(CONN_ID)
    result = make_client(sim, auth_hash=auth_hash).connect(timeout=TIMEOUT)
    assert result.state == "WRONG_PIN"


def test_reconnecting_with_pin_and_hash_is_correct(make_jura_sim, make_client):
    sim = make_jura_sim(pin="4711")
    auth_hash = sim.machine(0).pair_device(CONN_ID)
    jura = make_client(sim, pin="4711", auth_hash=auth_hash)
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"


def test_auto_accept_pairs_without_anybody(make_jura_sim, make_client):
    sim = make_jura_sim(auto_accept=True)
    result = make_client(sim).pair(timeout=TIMEOUT)
    assert result.state == "CORRECT" and HASH.match(result.new_hash)


def test_commands_before_the_handshake_get_no_answer(jura_sim, make_client):
    jura = make_client(jura_sim)
    jura.conn.connect()
    with pytest.raises(TimeoutError):
        jura.request("@TG:43", match=r"^@tg:43", timeout=0.3)
