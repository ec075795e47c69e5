"""Reading a machine with jura-connect: status, alerts, counters, settings."""

from __future__ import annotations

import pytest
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import TIMEOUT, advance_to_status

from coffee_machine.jura.simulator.dongle import checksum


def status(jura_sim, client):
    advance_to_status(jura_sim)
    return client.read_status(timeout=TIMEOUT)


def test_idle_machine_reports_coffee_ready(jura_sim, client):
    reading = status(jura_sim, client)
    assert reading.raw.hex().upper() == "0004000000000000"
    assert (reading.errors, reading.info) == ((), ("coffee_ready",))


def test_status_waits_for_the_next_push(client):
    with pytest.raises(TimeoutError):
        client.read_status(timeout=0.2)  # the clock has not moved: no push


@pytest.mark.parametrize(
    ("alert", "name"),
    [
        ("water", "fill_water"),
        ("tray", "empty_tray"),
        ("grounds", "empty_grounds"),
    ],
)
def test_blocking_alert_is_read_as_an_error(jura_sim, machine, client, alert, name):
    machine.set_alert(alert)
    reading = status(jura_sim, client)
    assert reading.errors == (name,)
    assert "espresso" in reading.blocked_products


def test_no_beans_is_info_that_blocks_coffee_only(jura_sim, machine, client):
    machine.set_alert("beans")
    reading = status(jura_sim, client)
    assert "no_beans" in reading.info
    assert reading.can_brew("hotwater_portion")
    assert not reading.can_brew("espresso")


@pytest.mark.parametrize(
    ("alert", "name", "process"),
    [
        ("cleaning", "cleaning_alert", "cleaning"),
        ("descaling", "descale_alert", "descale"),
        ("filter", "filter_alert", "filter_change"),
    ],
)
def test_maintenance_reminder_is_a_process_flag(
    jura_sim, machine, client, alert, name, process
):
    machine.set_alert(alert)
    reading = status(jura_sim, client)
    assert reading.process == (name,)
    assert reading.alert_processes == ((name, process),)


def test_cleared_alert_is_gone_from_the_next_push(jura_sim, machine, client):
    machine.set_alert("water")
    status(jura_sim, client)
    machine.fill_water()
    assert status(jura_sim, client).errors == ()


def test_locked_screen_shows_in_the_status(jura_sim, client):
    assert client.lock_screen() == "@ts"
    locked = status(jura_sim, client)
    client.unlock_screen()
    assert "locked_keys" in locked.info
    assert "locked_keys" not in status(jura_sim, client).info


def test_maintenance_counters_in_the_declared_order(machine, client):
    machine.set_maintenance(
        cleaning=26,
        filter_change=1,
        descale=9,
        cappu_rinse=360,
        coffee_rinse=4255,
        cappu_clean=95,
    )
    counters = client.read_maintenance_counter(timeout=TIMEOUT)
    assert counters.raw.hex().upper() == "001A000100090168109F005F"  # as captured
    assert (counters.cleaning, counters.coffee_rinse) == (26, 4255)


def test_maintenance_percent_without_filter_reads_255(machine, client):
    percent = client.read_maintenance_percent(timeout=TIMEOUT)
    assert (percent.cleaning, percent.filter_change, percent.descale) == (0, 255, 0)


def test_cleaning_done_at_the_panel_is_counted(machine, client):
    machine.clean()
    assert client.read_maintenance_counter(timeout=TIMEOUT).cleaning == 1


def test_machine_info_bundles_status_and_counters(jura_sim, client):
    jura_sim.clock.advance(2.1)
    info = client.read_machine_info(timeout=TIMEOUT)
    assert info.handshake_state == "CORRECT"
    assert info.maintenance_percent.filter_change == 255


def test_product_counters_of_a_new_machine_are_zero(client):
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert counters.total == 0
    assert counters.by_name["cortado"] == 0


def test_codes_the_machine_lacks_read_unused(client):
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert counters.raw_slots[1] == 0xFFFF  # no ristretto on an S8 (EB)


def test_panel_brew_grows_its_product_counter(jura_sim, machine, client):
    machine.brew_at_panel("cortado")
    jura_sim.clock.advance(60)
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert (counters.total, counters.by_name["cortado"]) == (1, 1)
    assert counters.by_name["espresso"] == 0


def test_counter_history_is_read_back(machine, client):
    machine.set_product_count("cafe_barista", 1231)
    machine.set_product_count("2_coffee", 10)
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert counters.by_name["cafe_barista"] == 1231
    assert counters.total == 1241


def test_setting_is_read_with_its_checksum(client):
    assert client.get_setting("hardness", timeout=TIMEOUT).raw == "10"


def test_setting_written_the_clients_way_is_stored(machine, client):
    client.set_setting("hardness", "0D", timeout=TIMEOUT)  # 13 dH, locked write
    assert machine.read_setting("02") == "0D"


def test_unlocked_setting_write_is_acknowledged_but_ignored(machine, client):
    reply = client.request(f"@TM:02,0D{checksum('02,0D')}", match="^@", timeout=TIMEOUT)
    assert (reply, machine.read_setting("02")) == ("@tm:02", "10")


def test_setting_write_with_a_bad_checksum_is_an_error(client):
    assert client.request("@TM:02,0D00", match="^@", timeout=TIMEOUT) == "@an:error"


def test_unknown_memory_address_answers_address_with_bit_7(client):
    assert client.request("@TM:23", match=r"^@tm:", timeout=TIMEOUT) == "@tm:A3"


def test_live_limits_follow_the_profile(client):
    limits = client.read_limit_load("latte_macchiato", timeout=TIMEOUT)
    assert limits.allows("milk_foam_amount", 45)
    assert not limits.allows("milk_foam_amount", 46)


def test_programmable_slots_are_reported_but_not_supported(client):
    slots = client.read_pmode_slots(timeout=TIMEOUT)
    assert slots.num_slots == 20
    assert (slots.slots, len(slots.unsupported)) == ((), 20)


def test_milk_cooler_status_is_no_cooler(client):
    assert client.read_milk_cooler_status(timeout=TIMEOUT).state == "no_cooler"


def test_bare_bank_read_gets_no_answer(client):
    with pytest.raises(TimeoutError):
        client.request("@TR:32", match=r"^@tr", timeout=0.2)
