"""Fault switches: offline, slow, 500, dropped connections, lost start answers..."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import Api, error_key

from coffee_machine.homeconnect import keys

ESPRESSO = keys.PROGRAM_ESPRESSO


def test_offline_machine_answers_connection_initialization_failed(sim, api, ha_id):
    sim.faults.offline(ha_id)
    answer = api.get(f"homeappliances/{ha_id}/status")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_OFFLINE


def test_offline_machine_is_still_listed(sim, api, ha_id):
    sim.faults.offline(ha_id)
    assert api.get(f"homeappliances/{ha_id}").json()["data"]["connected"] is False


def test_machine_back_online_answers_again(sim, api, ha_id):
    sim.faults.offline(ha_id)
    sim.faults.offline(ha_id, False)
    assert api.get(f"homeappliances/{ha_id}/status").status_code == 200


def test_slow_answers_wait_real_seconds(sim, api):
    sim.faults.slow(0.3)
    started = time.monotonic()
    api.get("homeappliances")
    assert time.monotonic() - started >= 0.3


def test_slow_answers_make_a_short_client_timeout_fire(sim, api):
    sim.faults.slow(0.5)
    with pytest.raises(requests.Timeout):
        requests.get(api.url("homeappliances"), headers=api.headers(), timeout=0.1)


def test_server_errors_answer_500_n_times(sim, api):
    sim.faults.server_error(2)
    answers = [api.get("homeappliances") for _ in range(3)]
    assert [a.status_code for a in answers] == [500, 500, 200]
    assert error_key(answers[0]) == keys.ERROR_INTERNAL


def test_server_error_true_lasts_until_switched_off(sim, api):
    sim.faults.server_error(True)
    first = [api.get("homeappliances").status_code for _ in range(3)]
    sim.faults.server_error(False)
    assert first == [500] * 3
    assert api.get("homeappliances").status_code == 200


def test_dropped_connection_gets_no_answer(sim, api):
    sim.faults.drop_connections(1)
    with pytest.raises(requests.ConnectionError):
        api.get("homeappliances")
    assert api.get("homeappliances").status_code == 200


def test_lost_start_answer_still_brews(sim, api, ha_id, machine):
    sim.faults.lose_start_answer(1)
    with pytest.raises(requests.ConnectionError):
        api.start(ha_id, ESPRESSO)
    assert machine.operation_state == keys.OPERATION_RUN
    assert len(machine.brews) == 1


def test_retrying_a_lost_start_finds_the_machine_busy(sim, api, ha_id):
    sim.faults.lose_start_answer(1)
    with pytest.raises(requests.ConnectionError):
        api.start(ha_id, ESPRESSO)
    answer = api.start(ha_id, ESPRESSO)
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_lost_start_answer_waits_for_a_successful_start(sim, api, ha_id):
    sim.faults.lose_start_answer(1)
    refused = api.start(ha_id, "Made.Up.Program")
    assert refused.status_code == 409
    assert sim.faults.pending("lose_start_answer") == 1


def test_timeout_408_answers_request_timeout(sim, api):
    sim.faults.timeout_408(1)
    answer = api.get("homeappliances")
    assert answer.status_code == 408
    assert error_key(answer) == keys.ERROR_REQUEST_TIMEOUT


def test_stalled_streams_send_no_keep_alive(make_sim):
    sim = make_sim(keepalive_real_seconds=0.05)
    api = Api(sim.url, sim.issue_tokens()["access_token"])
    sim.faults.stall_events(True)
    response = requests.get(
        api.url("homeappliances/events"),
        headers=api.headers(Accept=keys.EVENT_STREAM_MEDIA_TYPE),
        stream=True,
        timeout=(2, 0.3),
    )
    with pytest.raises(requests.ConnectionError):
        next(response.iter_lines())
    response.close()


def test_reset_switches_every_fault_off(sim, api, ha_id):
    sim.faults.offline(ha_id)
    sim.faults.server_error(True)
    sim.faults.slow(5)
    sim.faults.reset()
    assert api.get(f"homeappliances/{ha_id}/status").status_code == 200
    assert sim.faults.snapshot()["slow"] == 0
