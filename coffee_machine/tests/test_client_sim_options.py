"""The client's options and commands, against the simulator over HTTP."""

from __future__ import annotations

import pytest
from client_fixtures import *  # noqa: F403

from coffee_machine.homeconnect import (
    NoProgramActiveError,
    UnsupportedError,
    WrongOperationStateError,
    keys,
)

ESPRESSO = keys.PROGRAM_ESPRESSO
FILL = keys.OPTION_FILL_QUANTITY
STRONG = keys.coffee_enum_value("BeanAmount", "Strong")


def test_selected_option_is_set_then_read(hc_api, machine_id):
    hc_api.select_program(machine_id, ESPRESSO)
    hc_api.set_selected_option(machine_id, FILL, 55)
    values = {o.key: o.value for o in hc_api.get_selected_options(machine_id)}
    assert values[FILL] == 55


def test_selected_options_are_set_from_a_mapping(hc_api, machine_id):
    hc_api.select_program(machine_id, ESPRESSO)
    hc_api.set_selected_options(machine_id, {FILL: 50, keys.OPTION_BEAN_AMOUNT: STRONG})
    program = hc_api.get_selected_program(machine_id)
    assert program.option_value(keys.OPTION_BEAN_AMOUNT) == STRONG


def test_selected_option_out_of_range_raises_unsupported(hc_api, machine_id):
    hc_api.select_program(machine_id, ESPRESSO)
    with pytest.raises(UnsupportedError):
        hc_api.set_selected_option(machine_id, FILL, 300)


def test_active_options_show_the_progress(hc_api, machine_id):
    hc_api.start_program(machine_id, ESPRESSO)
    keys_read = [o.key for o in hc_api.get_active_options(machine_id)]
    assert keys.OPTION_PROGRAM_PROGRESS in keys_read


def test_active_options_when_idle_raise_no_program_active(hc_api, machine_id):
    with pytest.raises(NoProgramActiveError):
        hc_api.get_active_options(machine_id)


def test_changing_a_brewing_option_raises_wrong_operation_state(hc_api, machine_id):
    hc_api.start_program(machine_id, ESPRESSO)
    with pytest.raises(WrongOperationStateError):
        hc_api.set_active_option(machine_id, FILL, 45)


def test_commands_are_listed(hc_api, machine_id):
    assert hc_api.get_commands(machine_id) == [keys.COMMAND_ACKNOWLEDGE_EVENT]


def test_acknowledge_events_confirms_the_alerts(hc_api, machine_id, simulator):
    machine = simulator.machine(machine_id)
    machine.beans_g = 5
    machine.brew_at_panel(ESPRESSO)
    simulator.clock.advance(30)
    hc_api.acknowledge_events(machine_id)
    assert keys.EVENT_BEAN_CONTAINER_EMPTY in machine.confirmed_events


def test_another_command_raises_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError):
        hc_api.send_command(machine_id, "BSH.Common.Command.PauseProgram")
