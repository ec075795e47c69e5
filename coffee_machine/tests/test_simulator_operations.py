"""The operations a coffee maker answers beyond brewing: all programs, options
of the selected and the active program, settings at once, commands, images."""

from __future__ import annotations

from conftest import Api, error_key

from coffee_machine.homeconnect import keys

ESPRESSO = keys.PROGRAM_ESPRESSO
FILL = keys.OPTION_FILL_QUANTITY
STRONG = keys.coffee_enum_value("BeanAmount", "Strong")


def data(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def select_espresso(api, ha_id):
    api.put(f"homeappliances/{ha_id}/programs/selected", {"key": ESPRESSO})


def test_all_programs_say_which_can_run_now(api, ha_id):
    programs = data(api.get(f"homeappliances/{ha_id}/programs"))["programs"]
    assert {"key": ESPRESSO, "name": "Espresso",
            "constraints": {"available": True, "execution": "selectandstart"}
            } in programs  # fmt: skip


def test_all_programs_while_brewing_are_unavailable(api, ha_id):
    api.start(ha_id, ESPRESSO)
    programs = data(api.get(f"homeappliances/{ha_id}/programs"))["programs"]
    assert not any(p["constraints"]["available"] for p in programs)


def test_all_programs_show_the_active_one(api, ha_id):
    api.start(ha_id, ESPRESSO)
    active = data(api.get(f"homeappliances/{ha_id}/programs"))["active"]
    assert (active["key"], active["constraints"]) == (ESPRESSO, {"access": "read"})


def test_all_programs_without_selection_give_constraints_only(api, ha_id):
    selected = data(api.get(f"homeappliances/{ha_id}/programs"))["selected"]
    assert selected == {"constraints": {"access": "readWrite"}}


def test_selected_option_change_is_kept(api, ha_id):
    select_espresso(api, ha_id)
    path = f"homeappliances/{ha_id}/programs/selected/options/{FILL}"
    answer = api.put(path, {"key": FILL, "value": 55})
    assert answer.status_code == 204
    assert data(api.get(path))["value"] == 55


def test_selected_options_change_together(api, ha_id):
    select_espresso(api, ha_id)
    path = f"homeappliances/{ha_id}/programs/selected/options"
    options = [{"key": FILL, "value": 50}, {"key": keys.OPTION_BEAN_AMOUNT,
                                            "value": STRONG}]  # fmt: skip
    api.put(path, {"options": options})
    values = {o["key"]: o["value"] for o in data(api.get(path))["options"]}
    assert (values[FILL], values[keys.OPTION_BEAN_AMOUNT]) == (50, STRONG)


def test_selected_option_change_is_notified(sim, api, ha_id):
    select_espresso(api, ha_id)
    stream = api.stream(f"homeappliances/{ha_id}/events")
    api.put(
        f"homeappliances/{ha_id}/programs/selected/options/{FILL}",
        {"key": FILL, "value": 45},
    )
    lines = stream.iter_lines(decode_unicode=True)
    notify = next(line for line in lines if FILL in line)
    stream.close()
    assert '"value":45' in notify


def test_selected_options_without_selection_are_refused(api, ha_id):
    answer = api.put(
        f"homeappliances/{ha_id}/programs/selected/options/{FILL}",
        {"key": FILL, "value": 40},
    )
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_SELECTED_PROGRAM_NOT_SET


def test_selected_option_out_of_range_is_invalid_option_value(api, ha_id):
    select_espresso(api, ha_id)
    answer = api.put(
        f"homeappliances/{ha_id}/programs/selected/options/{FILL}",
        {"key": FILL, "value": 300},
    )
    assert (answer.status_code, error_key(answer)) == (
        409,
        keys.ERROR_INVALID_OPTION_VALUE,
    )


def test_selected_option_while_brewing_is_wrong_operation_state(api, ha_id):
    select_espresso(api, ha_id)
    api.start(ha_id, ESPRESSO)
    answer = api.put(
        f"homeappliances/{ha_id}/programs/selected/options/{FILL}",
        {"key": FILL, "value": 45},
    )
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_option_body_naming_another_key_is_unsupported_option(api, ha_id):
    select_espresso(api, ha_id)
    answer = api.put(
        f"homeappliances/{ha_id}/programs/selected/options/{FILL}",
        {"key": keys.OPTION_BEAN_AMOUNT, "value": STRONG},
    )
    assert (answer.status_code, error_key(answer)) == (
        409,
        keys.ERROR_UNSUPPORTED_OPTION,
    )


def test_active_option_change_while_brewing_is_wrong_operation_state(api, ha_id):
    api.start(ha_id, ESPRESSO)
    answer = api.put(
        f"homeappliances/{ha_id}/programs/active/options/{FILL}",
        {"key": FILL, "value": 45},
    )
    assert (answer.status_code, error_key(answer)) == (
        409,
        keys.ERROR_WRONG_OPERATION_STATE,
    )


def test_active_option_the_program_lacks_is_unsupported_option(api, ha_id):
    api.start(ha_id, ESPRESSO)
    answer = api.put(
        f"homeappliances/{ha_id}/programs/active/options",
        {"options": [{"key": keys.OPTION_FLOW_RATE, "value": "x"}]},
    )
    assert error_key(answer) == keys.ERROR_UNSUPPORTED_OPTION


def test_active_options_when_idle_are_active_program_not_set(api, ha_id):
    answer = api.put(
        f"homeappliances/{ha_id}/programs/active/options",
        {"options": [{"key": FILL, "value": 45}]},
    )
    assert (answer.status_code, error_key(answer)) == (
        409,
        keys.ERROR_ACTIVE_PROGRAM_NOT_SET,
    )


def test_reading_an_option_the_program_lacks_is_404(api, ha_id):
    api.start(ha_id, ESPRESSO)
    answer = api.get(
        f"homeappliances/{ha_id}/programs/active/options/{keys.OPTION_FLOW_RATE}"
    )
    assert (answer.status_code, error_key(answer)) == (
        404,
        keys.ERROR_UNSUPPORTED_OPTION,
    )


def test_settings_change_together(api, ha_id, machine):
    answer = api.session.put(
        api.url(f"homeappliances/{ha_id}/settings"),
        json={"data": [{"key": keys.SETTING_CUP_WARMER, "value": True},
                       {"key": keys.SETTING_CHILD_LOCK, "value": True}]},
        headers=api.headers(body=True),
        timeout=5,
    )  # fmt: skip
    assert answer.status_code == 204
    assert (machine.cup_warmer, machine.child_lock) == (True, True)


def test_settings_with_an_unknown_key_change_none(api, ha_id, machine):
    answer = api.session.put(
        api.url(f"homeappliances/{ha_id}/settings"),
        json={"data": [{"key": keys.SETTING_CUP_WARMER, "value": True},
                       {"key": "Nope", "value": True}]},
        headers=api.headers(body=True),
        timeout=5,
    )  # fmt: skip
    assert error_key(answer) == keys.ERROR_UNSUPPORTED_SETTING
    assert machine.cup_warmer is False


def test_setting_body_naming_another_key_is_unsupported_setting(api, ha_id):
    answer = api.put(
        f"homeappliances/{ha_id}/settings/{keys.SETTING_CUP_WARMER}",
        {"key": keys.SETTING_CHILD_LOCK, "value": True},
    )
    assert (answer.status_code, error_key(answer)) == (
        409,
        keys.ERROR_UNSUPPORTED_SETTING,
    )


def test_commands_list_acknowledge_event(api, ha_id):
    commands = data(api.get(f"homeappliances/{ha_id}/commands"))["commands"]
    assert [c["key"] for c in commands] == [keys.COMMAND_ACKNOWLEDGE_EVENT]


def test_acknowledge_event_confirms_a_present_alert(sim, api, ha_id, machine):
    machine.beans_g = 5
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    key = keys.COMMAND_ACKNOWLEDGE_EVENT
    answer = api.put(
        f"homeappliances/{ha_id}/commands/{key}", {"key": key, "value": True}
    )
    assert answer.status_code == 204
    assert keys.EVENT_BEAN_CONTAINER_EMPTY in machine.confirmed_events


def test_an_acknowledged_alert_still_blocks_brewing(sim, api, ha_id, machine):
    machine.beans_g = 5
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    machine.acknowledge_events()
    assert machine.operation_state == keys.OPERATION_ACTION_REQUIRED


def test_another_command_is_unsupported_command_403(api, ha_id):
    key = "BSH.Common.Command.PauseProgram"
    answer = api.put(
        f"homeappliances/{ha_id}/commands/{key}", {"key": key, "value": True}
    )
    assert (answer.status_code, error_key(answer)) == (
        403,
        keys.ERROR_UNSUPPORTED_COMMAND,
    )


def test_images_without_the_images_scope_are_forbidden(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/images")
    assert (answer.status_code, error_key(answer)) == (
        403,
        keys.ERROR_INSUFFICIENT_SCOPE,
    )


def test_a_coffee_maker_has_no_images(sim, ha_id):
    api = Api(sim.url, sim.issue_tokens("IdentifyAppliance Images")["access_token"])
    assert data(api.get(f"homeappliances/{ha_id}/images")) == {"images": []}


def test_an_image_is_404_in_json(sim, ha_id):
    api = Api(sim.url, sim.issue_tokens("IdentifyAppliance Images")["access_token"])
    answer = api.get(f"homeappliances/{ha_id}/images/abc", Accept="image/jpeg")
    assert (answer.status_code, error_key(answer)) == (404, keys.ERROR_NOT_FOUND)
