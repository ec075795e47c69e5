"""The in-process API: several machines, their ports, state, the control endpoint."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import CONN_ID, TIMEOUT, wait_until

from coffee_machine.clock import ManualClock
from coffee_machine.jura.simulator import JuraSimulator, JuraSimulatorConfig


def two_free_ports() -> int:
    """A port ``p`` such that ``p`` and ``p + 1`` are both free right now."""
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            base = first.getsockname()[1]
            try:
                second.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
            return base
    pytest.skip("no two consecutive free ports")


def control(sim, method: str, path: str, payload: dict | None = None):
    request = urllib.request.Request(
        f"{sim.control_url}/simulator/{path}",
        data=json.dumps(payload).encode() if payload is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_each_machine_has_its_own_port(make_jura_sim):
    sim = make_jura_sim(machines=3)
    ports = {sim.address(i)[1] for i in range(3)}
    assert len(ports) == 3 and all(sim.address(i)[0] == "127.0.0.1" for i in range(3))


def test_fixed_port_gives_consecutive_ports(make_jura_sim):
    base = two_free_ports()
    sim = make_jura_sim(machines=2, port=base)
    assert [sim.address(i)[1] for i in range(2)] == [base, base + 1]


def test_busy_port_fails_at_start():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = JuraSimulatorConfig(port=taken.getsockname()[1], clock=ManualClock())
        with pytest.raises(OSError):
            JuraSimulator(config).start()


def test_machines_are_named_after_places_or_as_told(make_jura_sim):
    assert [m.name for m in make_jura_sim(machines=2).machines] == [
        "Kitchen",
        "Meeting room",
    ]
    assert make_jura_sim(names=("Kaffeebert",)).machine(0).name == "Kaffeebert"


def test_brewing_on_one_machine_counts_on_that_one_only(make_jura_sim, make_client):
    sim = make_jura_sim(machines=2)
    jura = make_client(sim, 1, auth_hash=sim.machine(1).pair_device(CONN_ID))
    jura.connect(timeout=TIMEOUT)
    jura.brew("espresso", timeout=TIMEOUT)
    sim.clock.advance(120)
    assert (sim.machine(0).total, sim.machine(1).total) == (0, 1)


def test_pairing_is_per_machine(make_jura_sim, make_client):
    sim = make_jura_sim(machines=2)
    auth_hash = sim.machine(0).pair_device(CONN_ID)
    jura = make_client(sim, 1, auth_hash=auth_hash)
    assert jura.connect(timeout=TIMEOUT).state == "WRONG_HASH"


def test_clock_given_in_the_config_is_the_simulators(make_jura_sim):
    clock = ManualClock()
    assert make_jura_sim(clock=clock).clock is clock


def test_connected_tells_whether_a_session_is_open(jura_sim, client):
    opened = jura_sim.connected(0)
    client.close()
    assert opened
    assert wait_until(lambda: not jura_sim.connected(0))


def test_state_is_plain_data_with_addresses(jura_sim, machine):
    machine.brew_at_panel("espresso")
    state = json.loads(json.dumps(jura_sim.state()))
    assert state["machines"][0]["state"] == "brewing"
    assert state["machines"][0]["address"] == list(jura_sim.address(0))


def test_stopped_simulator_refuses_connections(make_jura_sim):
    sim = make_jura_sim()
    address = sim.address(0)
    sim.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=TIMEOUT).close()


def test_stopped_simulator_does_not_start_again(make_jura_sim):
    sim = make_jura_sim()
    sim.stop()
    with pytest.raises(RuntimeError):
        sim.start()


# -- the HTTP control endpoint --------------------------------------------------------


@pytest.fixture
def controlled(make_jura_sim):
    return make_jura_sim(control_port=0)


def test_control_state_lists_the_machines(controlled):
    status, state = control(controlled, "GET", "state")
    assert status == 200 and state["machines"][0]["name"] == "Kitchen"


def test_control_panel_presses_ok_for_a_pairing_client(controlled, make_client):
    jura = make_client(controlled)
    results = []
    pairing = threading.Thread(target=lambda: results.append(jura.pair(timeout=2)))
    pairing.start()
    assert wait_until(lambda: controlled.machine(0).pending_pairing is not None)
    status, answer = control(
        controlled, "POST", "machines/0/panel", {"action": "press_ok"}
    )
    pairing.join()
    assert (status, answer["result"], results[0].state) == (200, True, "CORRECT")


def test_control_panel_brews_and_the_clock_finishes(controlled):
    control(
        controlled, "POST", "machines/0/panel", {"action": "brew", "product": "coffee"}
    )
    status, answer = control(controlled, "POST", "clock/advance", {"seconds": 120})
    assert status == 200
    assert controlled.machine(0).product_count("coffee") == 1


def test_control_panel_refusal_is_409(controlled):
    controlled.machine(0).set_alert("water")
    status, answer = control(
        controlled, "POST", "machines/0/panel", {"action": "brew", "product": "coffee"}
    )
    assert (status, answer["reason"]) == (409, "blocked")


def test_control_sets_alerts(controlled):
    control(
        controlled, "POST", "machines/0/panel", {"action": "alert", "name": "beans"}
    )
    assert "no_beans" in controlled.machine(0).alerts


def test_control_switches_faults(controlled):
    status, faults = control(controlled, "POST", "faults", {"drop_connections": 2})
    assert (status, faults["drop_connections"]) == (200, {"0": 2})


def test_control_unknown_action_is_400(controlled):
    status, _ = control(controlled, "POST", "machines/0/panel", {"action": "dance"})
    assert status == 400


def test_control_unknown_path_is_404(controlled):
    assert control(controlled, "GET", "nowhere")[0] == 404
