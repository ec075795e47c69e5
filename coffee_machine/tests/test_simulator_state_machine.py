"""What a simulated coffee machine does when asked to brew (over HTTP and in Python)."""

from __future__ import annotations

import pytest
from conftest import Api, error_key

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import (
    CoffeeMachine,
    MachineError,
    MachineSettings,
    ManualClock,
    ProgramSpec,
    build_catalogue,
)
from coffee_machine.homeconnect.simulator.catalogue import bean_amount_option

ESPRESSO = keys.PROGRAM_ESPRESSO
FILL = keys.OPTION_FILL_QUANTITY
BEANS = keys.OPTION_BEAN_AMOUNT
COUNTER = keys.COUNTER_PREFIX


def counter(machine: CoffeeMachine, family: str = "") -> int:
    return machine.counters[COUNTER + family]


def make_machine(catalogue: str = "default", **settings) -> CoffeeMachine:
    return CoffeeMachine(
        "BOSCH-HCS06COM1-0123456789AB",
        "Test",
        clock=ManualClock(),
        catalogue=build_catalogue(catalogue),
        settings=MachineSettings(**settings),
    )


def brew(machine: CoffeeMachine, program: str = ESPRESSO, **options) -> None:
    machine.brew_at_panel(program, options or None)
    machine.clock.advance(
        machine.settings.brew_seconds + machine.settings.finished_seconds
    )


# -- brewing ---------------------------------------------------------------------------


def test_brew_runs_for_brew_seconds(sim, api, ha_id, machine):
    api.start(ha_id, ESPRESSO)
    sim.clock.advance(29)
    assert machine.operation_state == keys.OPERATION_RUN


def test_finished_brew_is_finished_then_ready(sim, api, ha_id, machine):
    api.start(ha_id, ESPRESSO)
    sim.clock.advance(30)
    finished = machine.operation_state
    sim.clock.advance(5)
    assert finished == keys.OPERATION_FINISHED
    assert machine.operation_state == keys.OPERATION_READY


def test_finished_brew_grows_total_and_family_counters(sim, api, ha_id, machine):
    api.start(ha_id, ESPRESSO)
    sim.clock.advance(30)
    status = api.get(f"homeappliances/{ha_id}/status").json()["data"]["status"]
    values = {s["key"]: s["value"] for s in status}
    assert values[COUNTER] == 1
    assert values[COUNTER + "RistrettoEspresso"] == 1
    assert values[COUNTER + "Coffee"] == 0


@pytest.mark.parametrize(
    ("program", "families"),
    [
        (keys.PROGRAM_RISTRETTO, ("RistrettoEspresso",)),
        (keys.PROGRAM_ESPRESSO, ("RistrettoEspresso",)),
        (keys.PROGRAM_COFFEE, ("Coffee",)),
        (keys.PROGRAM_CAPPUCCINO, ("CoffeeAndMilk",)),
        (keys.PROGRAM_LATTE_MACCHIATO, ("CoffeeAndMilk",)),
        (keys.PROGRAM_CAFFE_LATTE, ("CoffeeAndMilk",)),
        (keys.PROGRAM_ESPRESSO_MACCHIATO, ("CoffeeAndMilk",)),
        (keys.PROGRAM_MILK_FROTH, ("FrothyMilk",)),
        (keys.PROGRAM_WARM_MILK, ("HotMilk",)),
        (keys.PROGRAM_HOT_WATER, ("HotWater", "HotWaterCups")),
    ],
)
def test_each_beverage_counts_in_its_family(program, families):
    machine = make_machine("full")
    brew(machine, program)
    grown = {k for k, v in machine.counters.items() if v and k != COUNTER}
    assert grown == {COUNTER + family for family in families}


def test_ground_coffee_counts_as_powder_coffee():
    machine = make_machine()
    beans = bean_amount_option(keys.BEAN_AMOUNTS)
    spec = machine.catalogue[ESPRESSO]
    machine.catalogue[ESPRESSO] = ProgramSpec(
        ESPRESSO, (beans, *spec.options[2:]), families=spec.families
    )
    brew(
        machine,
        ESPRESSO,
        **{BEANS: keys.coffee_enum_value("BeanAmount", "CoffeeGround")},
    )
    assert counter(machine, "PowderCoffee") == 1
    assert counter(machine, "RistrettoEspresso") == 0


def test_stopped_brew_counts_nothing(sim, api, ha_id, machine):
    api.start(ha_id, ESPRESSO)
    sim.clock.advance(10)
    api.delete(f"homeappliances/{ha_id}/programs/active")
    sim.clock.advance(60)
    assert counter(machine) == 0
    assert machine.brews[-1]["result"] == "aborted"


def test_standby_aborts_the_brew(machine):
    machine.brew_at_panel(ESPRESSO)
    machine.set_power(keys.POWER_STANDBY)
    assert machine.active is None
    assert keys.EVENT_PROGRAM_ABORTED in machine.present_events


def test_panel_brew_needs_no_remote_start(machine):
    machine.disallow_remote_start()
    machine.brew_at_panel(ESPRESSO)
    assert machine.brews[-1]["source"] == "panel"


def test_brew_log_records_api_brews_with_options(sim, api, ha_id, machine):
    api.start(ha_id, ESPRESSO, {FILL: 50})
    sim.clock.advance(30)
    (entry,) = machine.brews
    assert entry["source"] == "api"
    assert entry["options"][FILL] == 50
    assert entry["result"] == "finished"


# -- consumables -----------------------------------------------------------------------


def test_beans_run_out_after_the_container_is_used_up():
    machine = make_machine(bean_capacity_g=30)  # three Normal cups of 10 g
    for _ in range(3):
        brew(machine)
    assert keys.EVENT_BEAN_CONTAINER_EMPTY in machine.present_events
    assert machine.operation_state == keys.OPERATION_ACTION_REQUIRED


def test_stronger_coffee_uses_more_beans():
    machine = make_machine()
    brew(
        machine, ESPRESSO, **{BEANS: keys.coffee_enum_value("BeanAmount", "DoubleShot")}
    )
    assert machine.beans_g == 250 - 18


def test_start_with_empty_beans_is_wrong_operation_state(sim, api, ha_id, machine):
    machine.beans_g = 0
    machine._event(keys.EVENT_BEAN_CONTAINER_EMPTY, keys.EVENT_PRESENT)
    answer = api.start(ha_id, ESPRESSO)
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_WRONG_OPERATION_STATE


def test_filling_beans_clears_the_event_and_makes_ready():
    machine = make_machine(bean_capacity_g=10)
    brew(machine)
    machine.fill_beans()
    assert keys.EVENT_BEAN_CONTAINER_EMPTY not in machine.present_events
    assert machine.operation_state == keys.OPERATION_READY


def test_water_runs_out_scaled_by_fill_quantity():
    machine = make_machine(water_capacity_ml=100)
    brew(machine, ESPRESSO, **{FILL: 60})
    first = machine.water_ml
    brew(machine, ESPRESSO, **{FILL: 40})
    assert first == 40
    assert keys.EVENT_WATER_TANK_EMPTY in machine.present_events


def test_filling_water_clears_water_tank_empty():
    machine = make_machine(water_capacity_ml=50)
    brew(machine)
    machine.fill_water()
    assert keys.EVENT_WATER_TANK_EMPTY not in machine.present_events


def test_drip_tray_fills_after_its_capacity_in_cups():
    machine = make_machine(drip_tray_capacity_cups=2)
    brew(machine)
    brew(machine)
    assert keys.EVENT_DRIP_TRAY_FULL in machine.present_events
    with pytest.raises(MachineError) as refused:
        machine.brew_at_panel(ESPRESSO)
    assert refused.value.key == keys.ERROR_WRONG_OPERATION_STATE


def test_emptying_drip_tray_lets_it_brew_again():
    machine = make_machine(drip_tray_capacity_cups=1)
    brew(machine)
    machine.empty_drip_tray()
    machine.brew_at_panel(ESPRESSO)
    assert machine.operation_state == keys.OPERATION_RUN


# -- maintenance countdowns ------------------------------------------------------------


def events_seen(machine: CoffeeMachine, cups: int) -> list[str]:
    seen: list[str] = []
    for _ in range(cups):
        before = set(machine.present_events)
        brew(machine)
        seen += sorted(machine.present_events - before - {keys.EVENT_PROGRAM_FINISHED})
        machine.present_events.discard(keys.EVENT_PROGRAM_FINISHED)
    return [keys.short_name(event) for event in seen]


def test_descaling_warns_at_20_15_10_5_cups_then_is_due():
    machine = make_machine(
        descale_every_cups=25,
        clean_every_cups=0,
        calc_n_clean_every_cups=0,
        drip_tray_capacity_cups=100,
        bean_capacity_g=1000,
        water_capacity_ml=5000,
    )
    assert events_seen(machine, 25) == [
        "DescalingIn20Cups",
        "DescalingIn15Cups",
        "DescalingIn10Cups",
        "DescalingIn5Cups",
        "DeviceShouldBeDescaled",
    ]


def test_descaling_becomes_overdue_then_blocks():
    machine = make_machine(
        descale_every_cups=1,
        clean_every_cups=0,
        calc_n_clean_every_cups=0,
        overdue_after_cups=1,
        blockage_after_cups=2,
    )
    assert events_seen(machine, 3) == [
        "DeviceShouldBeDescaled",
        "DeviceDescalingOverdue",
        "DeviceDescalingBlockage",
    ]
    assert machine.operation_state == keys.OPERATION_ACTION_REQUIRED


def test_descaling_clears_every_descaling_event():
    machine = make_machine(descale_every_cups=1, calc_n_clean_every_cups=0)
    brew(machine)
    machine.descale()
    assert keys.EVENT_SHOULD_BE_DESCALED not in machine.present_events
    assert machine.countdowns["descaling"].remaining == 1


def test_cleaning_comes_due_and_is_cleared_by_clean():
    machine = make_machine(clean_every_cups=1, calc_n_clean_every_cups=0)
    brew(machine)
    due = keys.EVENT_SHOULD_BE_CLEANED in machine.present_events
    machine.clean()
    assert due
    assert keys.EVENT_SHOULD_BE_CLEANED not in machine.present_events


def test_calc_n_clean_warns_twenty_cups_ahead():
    machine = make_machine(calc_n_clean_every_cups=21)
    assert events_seen(machine, 1) == ["CalcNCleanIn20Cups"]


def test_calc_n_clean_clears_its_warning():
    machine = make_machine(calc_n_clean_every_cups=21)
    brew(machine)
    machine.calc_n_clean()
    assert keys.EVENT_CALC_N_CLEAN_IN[20] not in machine.present_events


# -- remote start ----------------------------------------------------------------------


def test_remote_start_lapses_after_its_ttl(sim, api, ha_id, machine):
    sim.clock.advance(86400)
    api.token = sim.issue_tokens()["access_token"]
    answer = api.start(ha_id, ESPRESSO)
    assert machine.remote_start_allowed is False
    assert answer.status_code == 409
    assert error_key(answer) == keys.ERROR_REMOTE_START_NOT_ALLOWED


def test_pressing_remote_start_again_allows_a_start(sim, api, ha_id, machine):
    sim.clock.advance(86400)
    api.token = sim.issue_tokens()["access_token"]
    machine.allow_remote_start()
    assert api.start(ha_id, ESPRESSO).status_code == 204


def test_remote_start_ttl_restarts_when_pressed_again(sim, machine):
    sim.clock.advance(80000)
    machine.allow_remote_start()
    sim.clock.advance(80000)
    assert machine.remote_start_allowed is True


# -- start preconditions, in the order a machine checks them ---------------------------


@pytest.fixture
def refuse(api, ha_id):
    def start(program: str = ESPRESSO, options: dict | None = None) -> str:
        answer = api.start(ha_id, program, options)
        assert answer.status_code == 409, answer.text
        return error_key(answer)

    return start


def test_offline_is_checked_first(sim, machine, refuse):
    machine.set_power(keys.POWER_STANDBY)
    sim.faults.offline(machine.ha_id)
    assert refuse() == keys.ERROR_OFFLINE


def test_power_is_checked_before_remote_start(machine, refuse):
    machine.set_power(keys.POWER_STANDBY)
    machine.disallow_remote_start()
    assert refuse() == keys.ERROR_WRONG_OPERATION_STATE


def test_remote_start_is_checked_before_activity(machine, refuse):
    machine.brew_at_panel(ESPRESSO)
    machine.disallow_remote_start()
    assert refuse() == keys.ERROR_REMOTE_START_NOT_ALLOWED


def test_active_program_is_checked_before_the_program(machine, refuse):
    machine.brew_at_panel(ESPRESSO)
    assert refuse("Made.Up.Program") == keys.ERROR_WRONG_OPERATION_STATE


def test_unknown_program_is_unsupported_program(refuse):
    assert refuse("Made.Up.Program") == keys.ERROR_UNSUPPORTED_PROGRAM


def test_unavailable_program_is_program_not_available(machine, refuse):
    machine.catalogue["X.Off"] = ProgramSpec("X.Off", available=False)
    assert refuse("X.Off") == keys.ERROR_PROGRAM_NOT_AVAILABLE


def test_unknown_option_is_unsupported_option(refuse):
    assert refuse(options={"BSH.Common.Option.StartInRelative": 60}) == (
        keys.ERROR_UNSUPPORTED_OPTION
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        (FILL, 65),  # above max
        (FILL, 30),  # below min
        (FILL, 42),  # not on a step of 5
        (FILL, "40"),  # not an integer
        (BEANS, keys.coffee_enum_value("BeanAmount", "TripleShot")),  # not offered
    ],
)
def test_bad_option_value_is_invalid_option_value(refuse, option, value):
    assert refuse(options={option: value}) == keys.ERROR_INVALID_OPTION_VALUE


def test_options_are_checked_before_consumables(machine, refuse):
    machine._event(keys.EVENT_WATER_TANK_EMPTY, keys.EVENT_PRESENT)
    assert refuse(options={FILL: 65}) == keys.ERROR_INVALID_OPTION_VALUE


def test_machine_in_error_refuses_to_brew(machine, refuse):
    machine.set_error(True)
    assert machine.operation_state == keys.OPERATION_ERROR
    assert refuse() == keys.ERROR_WRONG_OPERATION_STATE


# -- unknown programs and identity -----------------------------------------------------


@pytest.fixture
def extra_sim(make_sim):
    return make_sim(
        extra_programs=(
            "ConsumerProducts.CoffeeMaker.Program.CleaningModes.ApplianceOnRinsing",
            "BSH.Common.Program.Favorite.001",
        )
    )


def test_configured_unknown_programs_are_listed(extra_sim):
    ha_id = next(iter(extra_sim.machines))
    api = Api(extra_sim.url, extra_sim.issue_tokens()["access_token"])
    programs = api.get(f"homeappliances/{ha_id}/programs/available").json()["data"]
    listed = {p["key"]: p["constraints"]["execution"] for p in programs["programs"]}
    assert listed["BSH.Common.Program.Favorite.001"] == "selectandstart"
    assert listed[keys.CLEANING_PREFIX + "ApplianceOnRinsing"] == "startonly"


def test_rinsing_program_counts_no_beverage(extra_sim):
    machine = extra_sim.machine()
    brew(machine, keys.CLEANING_PREFIX + "ApplianceOnRinsing")
    assert counter(machine) == 0


def test_favourite_counts_as_a_coffee(extra_sim):
    machine = extra_sim.machine()
    brew(machine, "BSH.Common.Program.Favorite.001")
    assert counter(machine, "Coffee") == 1


def test_rename_shows_in_the_appliance_list(api, ha_id, machine):
    machine.rename("Third floor")
    assert api.get(f"homeappliances/{ha_id}").json()["data"]["name"] == "Third floor"


def test_offline_machine_is_listed_as_not_connected(sim, api, ha_id):
    sim.faults.offline(ha_id)
    listed = api.get("homeappliances").json()["data"]["homeappliances"]
    assert listed[0]["connected"] is False
