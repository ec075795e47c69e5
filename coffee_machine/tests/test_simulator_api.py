"""Every /api endpoint of the simulator: answers, wrapping, media types, errors."""

from __future__ import annotations

import pytest
import requests
from conftest import TIMEOUT, Api, error_key

from coffee_machine.homeconnect import keys

ESPRESSO = keys.PROGRAM_ESPRESSO


def data(response: requests.Response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == keys.MEDIA_TYPE
    return response.json()["data"]


# -- appliances ------------------------------------------------------------------------


def test_appliance_list_has_all_seven_fields(api, ha_id):
    (appliance,) = data(api.get("homeappliances"))["homeappliances"]
    assert appliance == {
        "haId": ha_id,
        "name": appliance["name"],
        "type": "CoffeeMaker",
        "brand": "Bosch",
        "vib": "HCS06COM1",
        "enumber": "HCS06COM1/03",
        "connected": True,
    }


def test_ha_ids_look_like_brand_vib_hex(make_sim):
    sim = make_sim(machines=3, seed=1)
    assert all(
        len(ha) == 28 and ha.startswith("BOSCH-HCS06COM1-") for ha in sim.machines
    )


def test_same_seed_gives_same_machines(make_sim):
    first, second = make_sim(machines=3, seed=1), make_sim(machines=3, seed=1)
    assert [(m.ha_id, m.name) for m in first.machines.values()] == [
        (m.ha_id, m.name) for m in second.machines.values()
    ]


def test_one_appliance(api, ha_id):
    assert data(api.get(f"homeappliances/{ha_id}"))["haId"] == ha_id


def test_unknown_ha_id_is_404(api):
    answer = api.get("homeappliances/BOSCH-HCS06COM1-000000000000/status")
    assert answer.status_code == 404
    assert error_key(answer) == keys.ERROR_RESOURCE_NOT_FOUND


def test_unknown_path_is_404(api):
    assert api.get("nothing/here").status_code == 404


# -- programs --------------------------------------------------------------------------


def test_available_programs_are_the_hosted_simulators_six(api, ha_id):
    programs = data(api.get(f"homeappliances/{ha_id}/programs/available"))["programs"]
    assert [keys.short_name(p["key"]) for p in programs] == [
        "Espresso",
        "EspressoMacchiato",
        "Coffee",
        "Cappuccino",
        "LatteMacchiato",
        "CaffeLatte",
    ]
    assert programs[0]["constraints"] == {"execution": "selectandstart"}


def test_available_program_gives_option_constraints(api, ha_id):
    program = data(api.get(f"homeappliances/{ha_id}/programs/available/{ESPRESSO}"))
    options = {o["key"]: o for o in program["options"]}
    fill = options[keys.OPTION_FILL_QUANTITY]
    assert fill["type"] == "Int"
    assert fill["unit"] == "ml"
    assert fill["constraints"] == {"min": 35, "max": 60, "stepsize": 5, "default": 40}
    beans = options[keys.OPTION_BEAN_AMOUNT]["constraints"]
    assert len(beans["allowedvalues"]) == len(beans["displayvalues"]) == 8


def test_unknown_available_program_is_program_not_available(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/programs/available/Made.Up.Program")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_PROGRAM_NOT_AVAILABLE


def test_available_programs_while_brewing_is_wrong_operation_state(api, ha_id):
    api.start(ha_id, ESPRESSO)
    answer = api.get(f"homeappliances/{ha_id}/programs/available")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_available_programs_in_standby_is_wrong_operation_state(api, ha_id, machine):
    machine.set_power(keys.POWER_STANDBY)
    answer = api.get(f"homeappliances/{ha_id}/programs/available")
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_start_answers_204_without_body(api, ha_id):
    answer = api.start(ha_id, ESPRESSO, {keys.OPTION_FILL_QUANTITY: 45})
    assert answer.status_code == 204
    assert answer.content == b""


def test_active_program_shows_options_and_progress(sim, api, ha_id):
    api.start(ha_id, ESPRESSO, {keys.OPTION_FILL_QUANTITY: 45})
    sim.clock.advance(15)
    program = data(api.get(f"homeappliances/{ha_id}/programs/active"))
    options = {o["key"]: o["value"] for o in program["options"]}
    assert program["key"] == ESPRESSO
    assert options[keys.OPTION_FILL_QUANTITY] == 45
    assert options[keys.OPTION_PROGRAM_PROGRESS] == 50
    assert options[keys.OPTION_REMAINING_PROGRAM_TIME] == 15


def test_active_program_when_idle_is_404_no_program_active(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/programs/active")
    assert answer.status_code == 404
    assert error_key(answer) == keys.ERROR_NO_PROGRAM_ACTIVE


def test_active_program_options(api, ha_id):
    api.start(ha_id, ESPRESSO)
    options = data(api.get(f"homeappliances/{ha_id}/programs/active/options"))
    assert keys.OPTION_PROGRAM_PROGRESS in [o["key"] for o in options["options"]]


def test_active_program_one_option(api, ha_id):
    api.start(ha_id, ESPRESSO)
    path = f"homeappliances/{ha_id}/programs/active/options/{keys.OPTION_FILL_QUANTITY}"
    assert data(api.get(path)) == {
        "key": keys.OPTION_FILL_QUANTITY,
        "name": "Fill quantity",
        "value": 40,
        "unit": "ml",
    }


def test_stop_answers_204_and_ends_the_program(api, ha_id, machine):
    api.start(ha_id, ESPRESSO)
    answer = api.delete(f"homeappliances/{ha_id}/programs/active")
    assert answer.status_code == 204
    assert machine.active is None


def test_stop_when_idle_is_wrong_operation_state(api, ha_id):
    answer = api.delete(f"homeappliances/{ha_id}/programs/active")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_select_then_get_selected_program(api, ha_id):
    path = f"homeappliances/{ha_id}/programs/selected"
    answer = api.put(
        path,
        {"key": ESPRESSO, "options": [{"key": keys.OPTION_FILL_QUANTITY, "value": 50}]},
    )
    selected = data(api.get(path))
    assert answer.status_code == 204
    assert selected["key"] == ESPRESSO
    assert {"key": keys.OPTION_FILL_QUANTITY, "name": "Fill quantity", "value": 50,
            "unit": "ml"} in selected["options"]  # fmt: skip


def test_selected_program_when_none_is_404_no_program_selected(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/programs/selected")
    assert answer.status_code == 404
    assert error_key(answer) == keys.ERROR_NO_PROGRAM_SELECTED


def test_selected_program_options(api, ha_id):
    api.put(f"homeappliances/{ha_id}/programs/selected", {"key": ESPRESSO})
    options = data(api.get(f"homeappliances/{ha_id}/programs/selected/options"))
    assert len(options["options"]) == 3


def test_start_body_without_data_is_400(api, ha_id):
    answer = api.session.put(
        api.url(f"homeappliances/{ha_id}/programs/active"),
        json={"key": ESPRESSO},
        headers=api.headers(body=True),
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400


def test_wrong_method_on_a_known_path_is_405(api, ha_id):
    assert api.delete(f"homeappliances/{ha_id}/status").status_code == 405


# -- status and settings ---------------------------------------------------------------


def test_status_lists_operation_state_and_counters(api, ha_id):
    status = {
        s["key"]: s for s in data(api.get(f"homeappliances/{ha_id}/status"))["status"]
    }
    assert status[keys.STATUS_OPERATION_STATE]["value"] == keys.OPERATION_READY
    assert status[keys.STATUS_OPERATION_STATE]["displayvalue"] == "Ready"
    assert status[keys.STATUS_REMOTE_START_ALLOWED]["value"] is True
    assert status[keys.STATUS_DOOR_STATE]["value"] == keys.DOOR_CLOSED
    assert all(status[counter]["value"] == 0 for counter in keys.COUNTERS)


def test_one_status_item(api, ha_id):
    item = data(api.get(f"homeappliances/{ha_id}/status/{keys.STATUS_OPERATION_STATE}"))
    assert item["value"] == keys.OPERATION_READY
    assert item["type"] == "BSH.Common.EnumType.OperationState"


def test_unknown_status_is_unsupported_status(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/status/BSH.Common.Status.Nothing")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_UNSUPPORTED_STATUS


def test_settings_list_power_child_lock_and_cup_warmer(api, ha_id):
    settings = data(api.get(f"homeappliances/{ha_id}/settings"))["settings"]
    assert [s["key"] for s in settings] == [
        keys.SETTING_POWER_STATE,
        keys.SETTING_CHILD_LOCK,
        keys.SETTING_CUP_WARMER,
    ]


def test_power_setting_allows_on_and_standby(api, ha_id):
    setting = data(
        api.get(f"homeappliances/{ha_id}/settings/{keys.SETTING_POWER_STATE}")
    )
    assert setting["constraints"]["allowedvalues"] == [
        keys.POWER_ON,
        keys.POWER_STANDBY,
    ]


def test_put_power_standby_makes_the_machine_inactive(api, ha_id, machine):
    answer = api.put(
        f"homeappliances/{ha_id}/settings/{keys.SETTING_POWER_STATE}",
        {"key": keys.SETTING_POWER_STATE, "value": keys.POWER_STANDBY},
    )
    assert answer.status_code == 204
    assert machine.operation_state == keys.OPERATION_INACTIVE


def test_put_power_off_when_not_allowed_is_invalid_setting_state(api, ha_id):
    answer = api.put(
        f"homeappliances/{ha_id}/settings/{keys.SETTING_POWER_STATE}",
        {"key": keys.SETTING_POWER_STATE, "value": keys.POWER_OFF},
    )
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_INVALID_SETTING_STATE


def test_power_off_allowed_when_configured(make_sim):
    sim = make_sim(
        allowed_power_states=(keys.POWER_ON, keys.POWER_STANDBY, keys.POWER_OFF)
    )
    ha_id = next(iter(sim.machines))
    api = Api(sim.url, sim.issue_tokens()["access_token"])
    answer = api.put(
        f"homeappliances/{ha_id}/settings/{keys.SETTING_POWER_STATE}",
        {"key": keys.SETTING_POWER_STATE, "value": keys.POWER_OFF},
    )
    assert answer.status_code == 204


def test_put_cup_warmer(api, ha_id, machine):
    api.put(
        f"homeappliances/{ha_id}/settings/{keys.SETTING_CUP_WARMER}",
        {"key": keys.SETTING_CUP_WARMER, "value": True},
    )
    assert machine.cup_warmer is True


def test_unknown_setting_is_unsupported_setting(api, ha_id):
    answer = api.get(f"homeappliances/{ha_id}/settings/BSH.Common.Setting.Nothing")
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_UNSUPPORTED_SETTING


# -- media types and language ----------------------------------------------------------


def test_wrong_accept_is_406(api):
    answer = api.get("homeappliances", Accept="application/xml")
    assert answer.status_code == 406
    assert error_key(answer) == keys.ERROR_NOT_ACCEPTABLE


@pytest.mark.parametrize("accept", ["*/*", "application/*", ""])
def test_lenient_accept_is_served(sim, token, accept):
    headers = {"Authorization": f"Bearer {token}"}
    if accept:
        headers["Accept"] = accept
    answer = requests.get(
        f"{sim.url}/api/homeappliances", headers=headers, timeout=TIMEOUT
    )
    assert answer.status_code == 200


def test_wrong_content_type_on_a_body_is_415(api, ha_id):
    answer = api.session.put(
        api.url(f"homeappliances/{ha_id}/programs/active"),
        json={"data": {"key": ESPRESSO}},
        headers=api.headers(**{"Content-Type": "application/json"}),
        timeout=TIMEOUT,
    )
    assert answer.status_code == 415
    assert error_key(answer) == keys.ERROR_UNSUPPORTED_MEDIA_TYPE


def test_media_type_with_charset_is_accepted(api, ha_id):
    content_type = keys.MEDIA_TYPE + "; charset=utf-8"
    answer = api.session.put(
        api.url(f"homeappliances/{ha_id}/programs/active"),
        json={"data": {"key": ESPRESSO}},
        headers=api.headers(**{"Content-Type": content_type}),
        timeout=TIMEOUT,
    )
    assert answer.status_code == 204


def test_accept_language_de_localises_names_and_display_values(api, ha_id):
    api.language = "de-DE"
    status = data(
        api.get(f"homeappliances/{ha_id}/status/{keys.STATUS_OPERATION_STATE}")
    )
    assert status["name"] == "Betriebszustand"
    assert status["displayvalue"] == "Bereit"


@pytest.mark.parametrize("language", ["en-GB", "en-US", None])
def test_english_names_by_default_and_for_en(api, ha_id, language):
    api.language = language
    program = data(api.get(f"homeappliances/{ha_id}/programs/available"))["programs"]
    assert program[2]["name"] == "Coffee"


def test_connection_stays_usable_after_a_refused_put(sim, ha_id):
    narrow = Api(sim.url, sim.issue_tokens("IdentifyAppliance Monitor")["access_token"])
    refused = narrow.start(ha_id, ESPRESSO)
    assert refused.status_code == 403
    assert narrow.get("homeappliances").status_code == 200  # same kept-alive socket
