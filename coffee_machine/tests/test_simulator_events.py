"""The simulator's event stream (SSE), read with plain ``requests``."""

from __future__ import annotations

import json
import time

import pytest
import requests
from conftest import Api, error_key

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import Simulator

ESPRESSO = keys.PROGRAM_ESPRESSO
LOCAL = keys.STATUS_LOCAL_CONTROL_ACTIVE


class Frames:
    """Reads SSE frames (dicts of field → value) from a streaming response."""

    def __init__(self, response: requests.Response):
        self.response = response
        self.lines = response.iter_lines(decode_unicode=True)

    def next(self) -> dict[str, str]:
        frame: dict[str, str] = {}
        for line in self.lines:
            if line == "":
                if frame:
                    return frame
                continue
            name, _, value = line.partition(":")
            frame[name] = value
        raise EOFError("stream ended")

    def next_data(self, skip_keepalive: bool = True) -> dict[str, str]:
        while True:
            frame = self.next()
            if not (skip_keepalive and frame["event"] == "KEEP-ALIVE"):
                return frame

    def items(self, frame: dict[str, str]) -> list[dict]:
        return json.loads(frame["data"])["items"]


@pytest.fixture
def stream(api):
    response = api.stream()
    yield Frames(response)
    response.close()


def test_stream_needs_accept_event_stream(api):
    answer = api.get("homeappliances/events")
    assert answer.status_code == 406
    assert error_key(answer) == keys.ERROR_NOT_ACCEPTABLE


def test_stream_answers_text_event_stream(api):
    response = api.stream()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    response.close()


def collect(stream: Frames, until_key: str, limit: int = 30) -> list[tuple[str, dict]]:
    seen = []
    for _ in range(limit):
        frame = stream.next_data()
        for item in stream.items(frame):
            seen.append((frame["event"], item))
            if item["key"] == until_key:
                return seen
    raise AssertionError(f"{until_key} not seen in {seen}")


def frame_of(stream: Frames, key: str, limit: int = 30) -> tuple[dict, dict]:
    """The next frame carrying ``key``, and its items by key."""
    for _ in range(limit):
        frame = stream.next_data()
        items = {item["key"]: item for item in stream.items(frame)}
        if key in items:
            return frame, items
    raise AssertionError(f"{key} not seen")


def test_start_sends_status_operation_state_run(stream, machine):
    machine.brew_at_panel(ESPRESSO)
    frame, items = frame_of(stream, keys.STATUS_OPERATION_STATE)
    item = items[keys.STATUS_OPERATION_STATE]
    assert frame["event"] == "STATUS"
    assert frame["id"] == machine.ha_id
    assert item["value"] == keys.OPERATION_RUN
    assert item["displayvalue"] == "Running"
    assert item["uri"] == (
        f"/api/homeappliances/{machine.ha_id}/status/{keys.STATUS_OPERATION_STATE}"
    )
    assert {"timestamp", "level", "handling", "name"} <= item.keys()


def test_start_notifies_the_active_program(stream, machine):
    machine.brew_at_panel(ESPRESSO)
    frame, items = frame_of(stream, keys.ROOT_ACTIVE_PROGRAM)
    assert frame["event"] == "NOTIFY"
    assert items[keys.ROOT_ACTIVE_PROGRAM]["value"] == ESPRESSO
    assert items[keys.OPTION_PROGRAM_PROGRESS]["value"] == 0


def test_start_notifies_the_options_of_the_active_program(api, stream, machine):
    options = {keys.OPTION_FILL_QUANTITY: 45}
    assert api.start(machine.ha_id, ESPRESSO, options).status_code == 204
    _frame, items = frame_of(stream, keys.ROOT_ACTIVE_PROGRAM)
    assert {key: items[key]["value"] for key in options} == options
    assert items[keys.OPTION_FILL_QUANTITY]["uri"].endswith(
        "/programs/active/options/" + keys.OPTION_FILL_QUANTITY
    )


def test_panel_start_sends_local_control_active_first(stream, machine):
    machine.brew_at_panel(ESPRESSO)
    seen = collect(stream, keys.ROOT_ACTIVE_PROGRAM)
    local = [item["value"] for _e, item in seen if item["key"] == LOCAL]
    assert local == [True]


def test_panel_beverage_finished_sends_local_control_inactive(sim, stream, machine):
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    seen = collect(stream, keys.EVENT_PROGRAM_FINISHED)
    local = [item["value"] for _e, item in seen if item["key"] == LOCAL]
    assert local == [True, False]


def test_remote_start_sends_no_local_control(api, stream, machine):
    assert api.start(machine.ha_id, ESPRESSO).status_code == 204
    seen = collect(stream, keys.ROOT_ACTIVE_PROGRAM)
    assert LOCAL not in [item["key"] for _e, item in seen]


def test_progress_is_notified_while_brewing(sim, stream, machine):
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(15)
    frame_of(stream, keys.ROOT_ACTIVE_PROGRAM)
    frame_of(stream, keys.OPTION_PROGRAM_PROGRESS)  # 25 %
    _frame, items = frame_of(stream, keys.OPTION_PROGRAM_PROGRESS)
    assert items[keys.OPTION_PROGRAM_PROGRESS]["value"] == 50
    assert items[keys.OPTION_REMAINING_PROGRAM_TIME]["value"] == 15


def test_finish_sends_program_finished_event(sim, stream, machine):
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    event, item = collect(stream, keys.EVENT_PROGRAM_FINISHED)[-1]
    assert event == "EVENT"
    assert item["value"] == keys.EVENT_PRESENT


def test_finish_sends_counter_status(sim, stream, machine):
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    seen = collect(stream, keys.COUNTER_PREFIX + "RistrettoEspresso")
    assert seen[-1] == ("STATUS", seen[-1][1])
    assert seen[-1][1]["value"] == 1


def test_empty_beans_event_is_present_then_off(sim, stream, machine):
    machine.beans_g = 10
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    present = collect(stream, keys.EVENT_BEAN_CONTAINER_EMPTY)[-1][1]
    machine.fill_beans()
    off = collect(stream, keys.EVENT_BEAN_CONTAINER_EMPTY)[-1][1]
    assert present["value"] == keys.EVENT_PRESENT
    assert present["level"] == "alert"
    assert off["value"] == keys.EVENT_OFF


def test_power_setting_change_is_notified(stream, machine):
    machine.set_power(keys.POWER_STANDBY)
    frame = stream.next_data()
    assert frame["event"] == "NOTIFY"
    assert stream.items(frame)[0]["value"] == keys.POWER_STANDBY


def test_keep_alive_when_the_clock_passes_the_interval(sim, stream):
    sim.clock.advance(55)
    assert stream.next() == {"event": "KEEP-ALIVE", "data": ""}


def test_no_keep_alive_before_the_interval(sim, stream, machine):
    sim.clock.advance(54)
    machine.set_power(keys.POWER_STANDBY)
    assert stream.next()["event"] == "NOTIFY"


def test_keep_alive_in_real_seconds_when_configured(make_sim):
    sim = make_sim(keepalive_real_seconds=0.2)
    response = Api(sim.url, sim.issue_tokens()["access_token"]).stream()
    started = time.monotonic()
    frame = Frames(response).next()
    response.close()
    assert frame["event"] == "KEEP-ALIVE"
    assert time.monotonic() - started < 1


def test_machine_stream_only_carries_its_machine(make_sim):
    sim = make_sim(machines=2)
    first, second = sim.machines.values()
    api = Api(sim.url, sim.issue_tokens()["access_token"])
    response = api.stream(f"homeappliances/{first.ha_id}/events")
    second.set_power(keys.POWER_STANDBY)
    first.set_power(keys.POWER_STANDBY)
    frame = Frames(response).next_data()
    response.close()
    assert frame["id"] == first.ha_id


def test_offline_sends_disconnected_and_back_connected(sim, stream, machine):
    sim.faults.offline(machine.ha_id, True)
    sim.faults.offline(machine.ha_id, False)
    disconnected, connected = stream.next_data(), stream.next_data()
    assert disconnected["event"] == "DISCONNECTED"
    assert connected["event"] == "CONNECTED"
    assert connected["id"] == machine.ha_id


def test_offline_machine_sends_nothing_else(sim, stream, machine):
    sim.faults.offline(machine.ha_id, True)
    machine.brew_at_panel(ESPRESSO)
    sim.faults.offline(machine.ha_id, False)
    assert [stream.next_data()["event"], stream.next_data()["event"]] == [
        "DISCONNECTED",
        "CONNECTED",
    ]


def test_added_machine_is_paired_on_the_all_stream(sim, stream):
    machine = sim.add_machine("Roof terrace")
    frame = stream.next_data()
    assert frame["event"] == "PAIRED"
    assert frame["id"] == machine.ha_id


def test_removed_machine_is_depaired_on_the_all_stream(sim, stream, ha_id):
    sim.remove_machine(ha_id)
    frame = stream.next_data()
    assert (frame["event"], frame["id"]) == ("DEPAIRED", ha_id)


def test_removed_machine_stream_ends(sim, api, ha_id):
    response = api.stream(f"homeappliances/{ha_id}/events")
    sim.remove_machine(ha_id)
    with pytest.raises(EOFError):
        Frames(response).next()


def test_stream_language_follows_accept_language(sim, token, machine):
    api = Api(sim.url, token, language="de-DE")
    response = api.stream()
    machine.brew_at_panel(ESPRESSO)
    _frame, items = frame_of(Frames(response), keys.STATUS_OPERATION_STATE)
    response.close()
    assert items[keys.STATUS_OPERATION_STATE]["displayvalue"] == "Läuft"


def test_opening_a_stream_counts_as_one_call(sim, api):
    response = api.stream()
    sim.clock.advance(600)
    response.close()
    (account,) = sim.quota.snapshot().values()
    assert account["calls_today"] == 1


def test_eleventh_open_stream_is_429(sim, api):
    responses = [api.stream() for _ in range(10)]
    eleventh = api.stream()
    for response in responses:
        response.close()
    assert eleventh.status_code == 429
    assert eleventh.headers["Retry-After"].isdigit()


def test_stop_ends_open_streams_promptly(make_sim):
    sim: Simulator = make_sim()
    response = Api(sim.url, sim.issue_tokens()["access_token"]).stream()
    started = time.monotonic()
    sim.stop()
    with pytest.raises(EOFError):
        Frames(response).next()
    assert time.monotonic() - started < 1
