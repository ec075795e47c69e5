"""The control endpoint /simulator/...: JSON, no auth, outside /api."""

from __future__ import annotations

import pytest
import requests
from conftest import TIMEOUT, error_key

from coffee_machine.homeconnect import keys

ESPRESSO = keys.PROGRAM_ESPRESSO


def control(sim, method: str, path: str, payload: dict | None = None):
    return requests.request(
        method, f"{sim.url}/simulator/{path}", json=payload, timeout=TIMEOUT
    )


def test_state_shows_machines_faults_quota_and_clock(sim, ha_id):
    state = control(sim, "GET", "state").json()
    assert state["machines"][ha_id]["operation_state"] == keys.OPERATION_READY
    assert state["now"] == 1767254400.0
    assert state["faults"]["offline"] == []
    assert state["quota"] == {}


def test_clock_advance_finishes_a_brew(sim, machine):
    machine.brew_at_panel(ESPRESSO)
    answer = control(sim, "POST", "clock/advance", {"seconds": 30})
    assert answer.json() == {"now": 1767254430.0}
    assert machine.counters[keys.COUNTER_PREFIX] == 1


def test_faults_endpoint_takes_a_machine_offline(sim, api, ha_id):
    control(sim, "POST", "faults", {"offline": {ha_id: True}})
    assert error_key(api.get(f"homeappliances/{ha_id}/status")) == keys.ERROR_OFFLINE


def test_faults_endpoint_arms_a_lost_start_answer(sim, api, ha_id):
    answer = control(sim, "POST", "faults", {"lose_start_answer": 1})
    assert answer.json()["lose_start_answer"] == 1
    with pytest.raises(requests.ConnectionError):
        api.start(ha_id, ESPRESSO)


def test_unknown_fault_is_400(sim):
    assert control(sim, "POST", "faults", {"earthquake": True}).status_code == 400


def test_panel_brew_with_options(sim, ha_id, machine):
    answer = control(
        sim,
        "POST",
        f"machines/{ha_id}/panel",
        {
            "action": "brew",
            "program": ESPRESSO,
            "options": {keys.OPTION_FILL_QUANTITY: 50},
        },
    )
    assert answer.status_code == 200
    assert answer.json()["active_program"]["options"][keys.OPTION_FILL_QUANTITY] == 50
    assert machine.brews[-1]["source"] == "panel"


def test_panel_brew_refused_answers_the_machine_error(sim, ha_id):
    answer = control(
        sim, "POST", f"machines/{ha_id}/panel", {"action": "brew", "program": "Nope"}
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["key"] == keys.ERROR_UNSUPPORTED_PROGRAM


@pytest.mark.parametrize(
    ("payload", "attribute", "expected"),
    [
        ({"action": "power", "state": "Standby"}, "power_state", keys.POWER_STANDBY),
        ({"action": "rename", "name": "Lobby"}, "name", "Lobby"),
        ({"action": "disallow_remote_start"}, "remote_start_allowed", False),
        ({"action": "fill_beans", "grams": 100}, "beans_g", 100),
        ({"action": "fill_water", "ml": 500}, "water_ml", 500),
        ({"action": "error", "on": True}, "operation_state", keys.OPERATION_ERROR),
    ],
)
def test_panel_actions_change_the_machine(sim, machine, payload, attribute, expected):
    control(sim, "POST", f"machines/{machine.ha_id}/panel", payload)
    assert getattr(machine, attribute) == expected


def test_panel_allow_remote_start(sim, machine):
    machine.disallow_remote_start()
    control(
        sim, "POST", f"machines/{machine.ha_id}/panel", {"action": "allow_remote_start"}
    )
    assert machine.remote_start_allowed is True


@pytest.mark.parametrize(
    ("action", "event"),
    [
        ("empty_drip_tray", keys.EVENT_DRIP_TRAY_FULL),
        ("descale", keys.EVENT_SHOULD_BE_DESCALED),
        ("clean", keys.EVENT_SHOULD_BE_CLEANED),
    ],
)
def test_panel_maintenance_clears_its_event(sim, machine, action, event):
    machine._event(event, keys.EVENT_PRESENT)
    control(sim, "POST", f"machines/{machine.ha_id}/panel", {"action": action})
    assert event not in machine.present_events


def test_unknown_panel_action_is_400(sim, ha_id):
    answer = control(sim, "POST", f"machines/{ha_id}/panel", {"action": "dance"})
    assert answer.status_code == 400


def test_add_machine(sim, api):
    answer = control(sim, "POST", "machines", {"name": "Roof terrace"})
    listed = api.get("homeappliances").json()["data"]["homeappliances"]
    assert answer.status_code == 201
    assert "Roof terrace" in [a["name"] for a in listed]


def test_remove_machine(sim, api, ha_id):
    answer = control(sim, "DELETE", f"machines/{ha_id}")
    assert answer.status_code == 204
    assert api.get("homeappliances").json()["data"]["homeappliances"] == []


def test_unknown_machine_is_404(sim):
    assert (
        control(sim, "POST", "machines/NOPE/panel", {"action": "descale"}).status_code
        == 404
    )


def test_tokens_endpoint_gives_a_working_token(sim, ha_id):
    tokens = control(sim, "POST", "tokens", {}).json()
    answer = requests.get(
        f"{sim.url}/api/homeappliances",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200


def test_device_approve_endpoint(sim):
    started = requests.post(
        f"{sim.url}/security/oauth/device_authorization",
        data={"client_id": "coffee-connector", "scope": keys.DEFAULT_SCOPE},
        timeout=TIMEOUT,
    ).json()
    control(sim, "POST", "device/approve", {"user_code": started["user_code"]})
    answer = requests.post(
        f"{sim.url}/security/oauth/token",
        data={
            "grant_type": "device_code",
            "device_code": started["device_code"],
            "client_id": "coffee-connector",
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200


def test_control_calls_do_not_spend_quota(sim):
    for _ in range(60):
        control(sim, "GET", "state")
    assert sim.quota.snapshot() == {}


def test_approving_an_unknown_device_code_is_a_client_error(sim):
    answer = control(sim, "POST", "device/approve", {"user_code": "NOPE-0000"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
