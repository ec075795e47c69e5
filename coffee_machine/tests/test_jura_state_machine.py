"""What a simulated JURA machine does, in Python, without a network."""

from __future__ import annotations

import json
import random

import pytest

from coffee_machine.clock import ManualClock
from coffee_machine.jura.simulator import (
    JuraMachine,
    JuraMachineSettings,
    MachineRefused,
    load_profile,
)
from coffee_machine.jura.simulator.brewing import (
    BrewPlan,
    RecipeRejected,
    decode_recipe,
    make_recipe,
)
from coffee_machine.jura.simulator.state_machine import (
    ABORTED,
    CORRECT,
    EXPIRED,
    PENDING,
    WRONG_HASH,
    WRONG_PIN,
)

PROFILE = load_profile()
ESPRESSO_BLOB = "02000809000002000100000000000000"  # strength 8, 45 ml, high


def make_machine(**settings) -> tuple[JuraMachine, list[str]]:
    machine = JuraMachine(clock=ManualClock(), settings=JuraMachineSettings(**settings))
    pushed: list[str] = []
    machine.add_listener(pushed.append)
    machine.start()
    return machine, pushed


def answers() -> tuple[list[tuple[str, str | None]], object]:
    got: list[tuple[str, str | None]] = []
    return got, lambda outcome, new_hash: got.append((outcome, new_hash))


# -- recipes ---------------------------------------------------------------------------


def test_recipe_blob_reads_parameters_in_menu_units():
    recipe = decode_recipe(PROFILE, ESPRESSO_BLOB)
    assert recipe.product.name == "espresso"
    assert dict(recipe.values) == {
        "coffee_strength": 8,
        "water_amount": 45,
        "temperature": 2,
    }


def test_recipe_writes_back_the_same_blob():
    assert decode_recipe(PROFILE, ESPRESSO_BLOB).blob(PROFILE) == ESPRESSO_BLOB


@pytest.mark.parametrize(
    "blob",
    [
        "28FF0709FFFF01FFFF09FFFFFFFFFFFF",  # FF-padded: byte 8 is not 01
        "02000809000002000100",  # too short
        "77000809000002000100000000000000",  # no product 0x77
        "02000800000002000100000000000000",  # no water: 0 ml < 15
        "02000B09000002000100000000000000",  # strength 11
        "02000809000003000100000000000000",  # temperature 3
        "not hex at all",
    ],
)
def test_machine_does_not_take_a_bad_blob(blob):
    with pytest.raises(RecipeRejected):
        decode_recipe(PROFILE, blob)


def test_panel_recipe_takes_temperature_by_name():
    recipe = make_recipe(PROFILE, PROFILE.product("coffee"), {"temperature": "low"})
    assert recipe.values["temperature"] == 0


def test_panel_recipe_refuses_an_option_the_product_has_not():
    with pytest.raises(RecipeRejected):
        make_recipe(PROFILE, PROFILE.product("espresso"), {"milk_foam_amount": 10})


# -- the phases of a brew --------------------------------------------------------------


def plan_states(product: str) -> list[int]:
    settings = JuraMachineSettings()
    recipe = make_recipe(PROFILE, PROFILE.product(product), None)
    return [phase.state for phase in BrewPlan(recipe, settings).phases]


def test_coffee_grinds_then_pours_water_then_bypass():
    assert plan_states("cafe_barista") == [0x39, 0x3C, 0x41]


def test_milky_coffee_foams_milk_pauses_then_makes_coffee():
    assert plan_states("latte_macchiato") == [0x34, 0x33, 0x39, 0x3C]


def test_hot_water_is_one_water_phase():
    assert plan_states("hotwater_portion") == [0x41]


def test_captured_cafe_barista_frame_shape_is_reproduced():
    recipe = decode_recipe(PROFILE, "28000709000001000109000000000000")
    plan = BrewPlan(recipe, JuraMachineSettings())
    # grinding, at the very start: the frame a real S8 sent, byte for byte
    assert plan.frame(0.0) == "@TV:392807070009FFFF000911FFFF110000"


def test_percentage_only_grows_and_ends_at_100():
    recipe = make_recipe(PROFILE, PROFILE.product("cafe_barista"), None)
    plan = BrewPlan(recipe, JuraMachineSettings())
    percents = [
        int(plan.frame(t / 2)[-4:-2], 16) for t in range(int(plan.duration * 2) + 2)
    ]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert all(p % 10 == 0 for p in percents)


def test_hot_water_frame_leaves_bypass_slot_unused():
    recipe = make_recipe(PROFILE, PROFILE.product("hotwater_portion"), None)
    frame = BrewPlan(recipe, JuraMachineSettings()).frame(5.0)
    window = bytes.fromhex(frame[4:])[2:]
    assert frame.startswith("@TV:410D")
    assert window[6] == 0xFF
    assert window[3] == 220 // 5


# -- brewing ---------------------------------------------------------------------------


def test_panel_brew_pushes_brew_start_then_progress():
    machine, pushed = make_machine()
    machine.brew_at_panel("espresso")
    assert pushed[0] == "@TB"
    assert pushed[1].startswith("@TV:3902")


def test_product_is_counted_once_when_done():
    machine, _ = make_machine()
    machine.brew_at_panel("espresso")
    machine.clock.advance(20)
    during = machine.product_count("espresso")
    machine.clock.advance(60)
    assert (during, machine.product_count("espresso"), machine.total) == (0, 1, 1)


def test_double_counts_twice_in_the_total():
    machine, _ = make_machine()
    machine.brew(decode_recipe(PROFILE, "31000000000000000100000000000000"))
    machine.clock.advance(60)
    assert (machine.product_count("2_espressi"), machine.total) == (1, 2)


def test_finished_brew_shows_enjoy_then_goes_idle():
    machine, pushed = make_machine()
    machine.brew_at_panel("espresso")
    machine.clock.advance(30)
    enjoying = machine.state
    machine.clock.advance(20)
    assert (enjoying, machine.state) == ("enjoy", "idle")
    assert "@TV:3E02" in pushed
    assert pushed[pushed.index("@TS") + 1].startswith("@TF:")


def test_last_progress_frame_before_enjoy_is_at_100_percent():
    machine, pushed = make_machine()
    machine.brew_at_panel("espresso")
    machine.clock.advance(60)
    last = pushed[pushed.index("@TV:3E02") - 1]
    assert last.startswith("@TV:3C02") and last[-4:-2] == "64"


def test_no_status_push_while_brewing():
    machine, pushed = make_machine()
    machine.brew_at_panel("espresso")
    machine.clock.advance(25)
    assert not any(frame.startswith("@TF:") for frame in pushed)


def test_status_is_pushed_every_interval_while_idle():
    machine, pushed = make_machine(status_interval=2.0)
    machine.clock.advance(10)
    assert pushed == ["@TF:0004000000000000"] * 5


def test_brew_refused_while_brewing():
    machine, _ = make_machine()
    machine.brew_at_panel("espresso")
    with pytest.raises(MachineRefused) as refused:
        machine.brew_at_panel("coffee")
    assert refused.value.reason == "busy"


def test_brew_accepted_during_enjoy():
    machine, _ = make_machine()
    machine.brew_at_panel("espresso")
    machine.clock.advance(30)
    machine.brew_at_panel("coffee")
    assert machine.state == "brewing"


def test_empty_water_tank_blocks_every_product():
    machine, _ = make_machine()
    machine.set_alert("water")
    with pytest.raises(MachineRefused) as refused:
        machine.brew_at_panel("hotwater_portion")
    assert refused.value.reason == "blocked"


def test_no_beans_blocks_coffee_but_not_hot_water():
    machine, _ = make_machine()
    machine.set_alert("beans")
    with pytest.raises(MachineRefused):
        machine.brew_at_panel("espresso")
    machine.brew_at_panel("hotwater_portion")
    assert machine.state == "brewing"


def test_cleaning_reminder_blocks_nothing():
    machine, _ = make_machine()
    machine.set_alert("cleaning")
    machine.brew_at_panel("espresso")
    assert machine.state == "brewing"


def test_filling_the_tank_lifts_the_block():
    machine, _ = make_machine()
    machine.set_alert("water")
    machine.fill_water()
    machine.brew_at_panel("espresso")
    assert machine.state == "brewing"


def test_panel_is_refused_while_a_device_locks_the_keys():
    machine, _ = make_machine()
    machine.lock_keys()
    with pytest.raises(MachineRefused) as refused:
        machine.brew_at_panel("espresso")
    assert refused.value.reason == "locked"


def test_unknown_alert_name_is_a_key_error():
    machine, _ = make_machine()
    with pytest.raises(KeyError):
        machine.set_alert("earthquake")


def test_cancelled_brew_is_not_counted():
    machine, _ = make_machine()
    machine.brew_at_panel("espresso")
    assert machine.cancel() is True
    machine.clock.advance(60)
    assert (machine.total, machine.brews[0]["result"]) == (0, "cancelled")


def test_cancel_without_a_brew_does_nothing():
    machine, _ = make_machine()
    assert machine.cancel() is False


# -- status bits -----------------------------------------------------------------------


def test_status_bits_are_msb_first():
    machine, _ = make_machine()
    machine.set_alert("fill_water")  # bit 1
    machine.set_alert("energy_safe")  # bit 36
    assert machine.status_bits().hex().upper() == "4000000008000000"


def test_idle_machine_reports_coffee_ready():
    machine, _ = make_machine()
    assert machine.status_frame() == "@TF:0004000000000000"


def test_blocking_alert_clears_coffee_ready():
    machine, _ = make_machine()
    machine.set_alert("tray")
    assert "coffee_ready" not in machine.active_alerts()


def test_locked_keys_set_bit_39():
    machine, _ = make_machine()
    machine.lock_keys()
    assert machine.status_bits()[4] & 0x01


# -- maintenance -----------------------------------------------------------------------


def test_percentage_grows_with_products_and_raises_the_reminder():
    machine, _ = make_machine(cleaning_every=2)
    for _ in range(2):
        machine.brew_at_panel("espresso")
        machine.clock.advance(60)
    assert machine.maintenance_percent()["cleaning"] == 100
    assert "cleaning_alert" in machine.alerts


def test_cleaning_counts_resets_the_percentage_and_the_reminder():
    machine, _ = make_machine(cleaning_every=1)
    machine.brew_at_panel("espresso")
    machine.clock.advance(60)
    machine.clean()
    assert machine.maintenance["cleaning"] == 1
    assert machine.maintenance_percent()["cleaning"] == 0
    assert "cleaning_alert" not in machine.alerts


def test_filter_percentage_is_ff_without_a_filter():
    machine, _ = make_machine()
    assert machine.maintenance_percent()["filter_change"] == 0xFF


def test_fitting_a_filter_makes_its_percentage_count():
    machine, _ = make_machine(filter_every=4)
    machine.change_filter()
    machine.brew_at_panel("espresso")
    machine.clock.advance(60)
    assert machine.maintenance_percent()["filter_change"] == 25


def test_unknown_maintenance_counter_is_a_key_error():
    machine, _ = make_machine()
    with pytest.raises(KeyError):
        machine.set_maintenance(polishing=3)


# -- pairing ---------------------------------------------------------------------------


def test_new_device_without_hash_waits_for_the_dialog():
    machine, _ = make_machine()
    got, answer = answers()
    assert machine.handshake("", "phone", "", answer) == (PENDING, None)
    assert machine.pending_pairing == "phone"


def test_pressing_ok_answers_a_fresh_64_hex_hash():
    machine, _ = make_machine()
    got, answer = answers()
    machine.handshake("", "phone", "", answer)
    assert machine.press_ok() is True
    ((outcome, new_hash),) = got
    assert outcome == CORRECT and len(new_hash) == 64
    assert machine.known_devices == {"phone": new_hash}


def test_refusing_answers_aborted():
    machine, _ = make_machine()
    got, answer = answers()
    machine.handshake("", "phone", "", answer)
    machine.refuse()
    assert got == [(ABORTED, None)]
    assert machine.known_devices == {}


def test_unanswered_dialog_expires_on_the_simulated_clock():
    machine, _ = make_machine(pairing_timeout=40)
    got, answer = answers()
    machine.handshake("", "phone", "", answer)
    machine.clock.advance(41)
    assert got == [(EXPIRED, None)]
    assert machine.press_ok() is False


def test_known_device_with_its_hash_is_correct_without_dialog():
    machine, _ = make_machine()
    auth_hash = machine.pair_device("phone")
    assert machine.handshake("", "phone", auth_hash, None) == (CORRECT, None)
    assert machine.pending_pairing is None


def test_known_device_without_its_hash_is_aborted():
    machine, _ = make_machine()
    machine.pair_device("phone")
    assert machine.handshake("", "phone", "", None)[0] == ABORTED


def test_wrong_hash_is_wrong_hash():
    machine, _ = make_machine()
    machine.pair_device("phone")
    assert machine.handshake("", "phone", "0" * 64, None)[0] == WRONG_HASH


def test_machine_with_a_pin_checks_it_every_time():
    machine, _ = make_machine(pin="4711")
    auth_hash = machine.pair_device("phone")
    assert machine.handshake("", "phone", auth_hash, None)[0] == WRONG_PIN
    assert machine.handshake("4711", "phone", auth_hash, None)[0] == CORRECT


def test_auto_accept_pairs_at_once():
    machine, _ = make_machine(auto_accept=True)
    outcome, new_hash = machine.handshake("", "phone", "", None)
    assert outcome == CORRECT and machine.known_devices["phone"] == new_hash


def test_same_seed_gives_the_same_hash():
    def first_hash() -> str:
        machine = JuraMachine(clock=ManualClock(), rng=random.Random("x"))
        return machine.pair_device("phone")

    assert first_hash() == first_hash()


def test_settings_change_only_while_keys_are_locked():
    machine, _ = make_machine()
    unlocked = machine.write_setting("02", "0D")
    machine.lock_keys()
    locked = machine.write_setting("02", "0D")
    assert (unlocked, locked, machine.read_setting("02")) == (False, True, "0D")


def test_snapshot_is_plain_data():
    machine, _ = make_machine()
    machine.brew_at_panel("espresso")
    assert json.loads(json.dumps(machine.snapshot()))["brewing"]["product"] == (
        "espresso"
    )
