"""Every endpoint of the client, against the simulator over real HTTP."""

from __future__ import annotations

from client_fixtures import *  # noqa: F403  (pytest fixtures)

from coffee_machine.homeconnect import (
    Appliance,
    HomeConnectClient,
    Option,
    ProgramDefinition,
    keys,
)


def test_appliances_are_listed(hc_api, simulator):
    appliances = hc_api.get_appliances()
    assert [a.ha_id for a in appliances] == list(simulator.machines)
    assert all(isinstance(a, Appliance) for a in appliances)
    assert all(a.type == keys.APPLIANCE_TYPE and a.connected for a in appliances)


def test_one_appliance_matches_the_list(hc_api, machine_id):
    assert hc_api.get_appliance(machine_id) == hc_api.get_appliances()[0]


def test_several_machines_are_listed(make_simulator):
    sim = make_simulator(machines=3)
    client = HomeConnectClient(sim.url, sim.issue_tokens()["access_token"])
    assert len({a.ha_id for a in client.get_appliances()}) == 3


def test_available_programs_can_be_started(hc_api, machine_id):
    programs = {p.key: p for p in hc_api.get_available_programs(machine_id)}
    assert keys.PROGRAM_ESPRESSO in programs
    assert programs[keys.PROGRAM_ESPRESSO].execution == "selectandstart"


def test_available_program_has_option_constraints(hc_api, machine_id):
    definition = hc_api.get_available_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert isinstance(definition, ProgramDefinition)
    fill = definition.option(keys.OPTION_FILL_QUANTITY)
    assert (fill.unit, fill.constraints.min, fill.constraints.max) == ("ml", 35, 60)
    assert fill.constraints.stepsize == 5
    assert fill.constraints.allows(40) and not fill.constraints.allows(42)
    strength = definition.option(keys.OPTION_BEAN_AMOUNT)
    assert keys.coffee_enum_value("BeanAmount", "Strong") in (
        strength.constraints.allowed_values
    )


def test_no_active_program_when_idle(hc_api, machine_id):
    assert hc_api.get_active_program(machine_id) is None


def test_start_program_brews_with_the_options(hc_api, machine_id, simulator):
    hc_api.start_program(
        machine_id, keys.PROGRAM_ESPRESSO, {keys.OPTION_FILL_QUANTITY: 50}
    )
    program = hc_api.get_active_program(machine_id)
    assert program.key == keys.PROGRAM_ESPRESSO
    assert program.option_value(keys.OPTION_FILL_QUANTITY) == 50
    assert simulator.machines[machine_id].snapshot()["active_program"]


def test_start_program_with_option_objects(hc_api, machine_id):
    strong = keys.coffee_enum_value("BeanAmount", "Strong")
    hc_api.start_program(
        machine_id,
        keys.PROGRAM_COFFEE,
        [
            Option(keys.OPTION_FILL_QUANTITY, 120, "ml"),
            Option(keys.OPTION_BEAN_AMOUNT, strong),
        ],
    )
    program = hc_api.get_active_program(machine_id)
    assert program.option_value(keys.OPTION_BEAN_AMOUNT) == strong


def test_progress_is_visible_while_brewing(hc_api, machine_id, simulator):
    hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    simulator.clock.advance(simulator.config.brew_seconds / 2)
    progress = hc_api.get_active_program(machine_id).option_value(
        keys.OPTION_PROGRAM_PROGRESS
    )
    assert 0 < progress < 100


def test_finished_brew_counts_and_frees_the_machine(hc_api, machine_id, simulator):
    hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    simulator.clock.advance(
        simulator.config.brew_seconds + simulator.config.finished_seconds + 1
    )
    assert hc_api.get_active_program(machine_id) is None
    counter = hc_api.get_status_item(machine_id, keys.COUNTER_PREFIX)
    assert counter.value == 1


def test_stop_program_ends_the_brew(hc_api, machine_id):
    hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert hc_api.stop_program(machine_id) is None
    assert hc_api.get_active_program(machine_id) is None


def test_no_selected_program_is_none(hc_api, machine_id):
    assert hc_api.get_selected_program(machine_id) is None


def test_select_program_then_read_it(hc_api, machine_id):
    hc_api.select_program(
        machine_id, keys.PROGRAM_CAPPUCCINO, {keys.OPTION_FILL_QUANTITY: 200}
    )
    selected = hc_api.get_selected_program(machine_id)
    assert selected.key == keys.PROGRAM_CAPPUCCINO
    assert selected.option_value(keys.OPTION_FILL_QUANTITY) == 200


def test_status_lists_the_operation_state(hc_api, machine_id):
    status = {item.key: item for item in hc_api.get_status(machine_id)}
    assert status[keys.STATUS_OPERATION_STATE].value == keys.OPERATION_READY
    assert status[keys.STATUS_REMOTE_START_ALLOWED].value is True
    assert all(counter in status for counter in keys.COUNTERS)


def test_one_status_item(hc_api, machine_id):
    item = hc_api.get_status_item(machine_id, keys.STATUS_OPERATION_STATE)
    assert (item.key, item.value) == (keys.STATUS_OPERATION_STATE, keys.OPERATION_READY)
    assert item.display_value == "Ready"


def test_settings_list_power_state(hc_api, machine_id):
    settings = {item.key: item.value for item in hc_api.get_settings(machine_id)}
    assert settings[keys.SETTING_POWER_STATE] == keys.POWER_ON


def test_put_setting_changes_it(hc_api, machine_id, simulator):
    hc_api.put_setting(machine_id, keys.SETTING_POWER_STATE, keys.POWER_STANDBY)
    assert (
        hc_api.get_setting(machine_id, keys.SETTING_POWER_STATE).value
        == keys.POWER_STANDBY
    )
    assert simulator.machines[machine_id].power_state == keys.POWER_STANDBY


def test_boolean_setting_round_trip(hc_api, machine_id):
    hc_api.put_setting(machine_id, keys.SETTING_CHILD_LOCK, True)
    assert hc_api.get_setting(machine_id, keys.SETTING_CHILD_LOCK).value is True


def test_accept_language_localises_display_values(simulator, tokens, machine_id):
    client = HomeConnectClient(simulator.url, tokens.access_token, language="de-DE")
    item = client.get_status_item(machine_id, keys.STATUS_OPERATION_STATE)
    assert item.display_value == "Bereit"


def test_on_request_counts_what_the_quota_counts(simulator, tokens, machine_id):
    calls = []
    client = HomeConnectClient(
        simulator.url, tokens.access_token, on_request=lambda m, p: calls.append(p)
    )
    client.get_appliances()
    client.get_status(machine_id)
    client.get_active_program(machine_id)
    quota = simulator.state()["quota"]
    assert len(calls) == 3
    assert sum(account["calls_total"] for account in quota.values()) == 3


def test_a_client_keeps_one_connection_for_its_calls(make_simulator):
    sim = make_simulator()
    token = sim.issue_tokens()["access_token"]
    before = sim.connections
    with HomeConnectClient(sim.url, token) as client:
        ha_id = client.get_appliances()[0].ha_id
        client.get_status(ha_id)
        client.get_settings(ha_id)
    assert sim.connections - before == 1


def test_each_new_client_opens_its_own_connection(make_simulator):
    sim = make_simulator()
    token = sim.issue_tokens()["access_token"]
    before = sim.connections
    for _ in range(3):
        with HomeConnectClient(sim.url, token) as client:
            client.get_appliances()
    assert sim.connections - before == 3
