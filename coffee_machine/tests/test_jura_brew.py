"""Brewing with jura-connect: the recipe blob, refusals, progress frames."""

from __future__ import annotations

import time

import pytest
from jura_connect.progress import ProgressState, ProgressType
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import CONN_ID, TIMEOUT

from coffee_machine.jura.simulator import RealClock


def brew_and_follow(jura_sim, client, product, **overrides):
    assert client.brew(product, timeout=TIMEOUT, **overrides) == "@tp"
    jura_sim.clock.advance(120)  # every frame is now waiting in the socket
    return client.follow_progress(timeout=TIMEOUT)


def test_brew_by_name_with_overrides_is_accepted(machine, client):
    reply = client.brew(
        "espresso", strength=5, ml=40, temperature="low", timeout=TIMEOUT
    )
    assert reply == "@tp"
    assert machine.brews[0]["values"] == {
        "coffee_strength": 5,
        "water_amount": 40,
        "temperature": 0,
    }


def test_brew_without_overrides_uses_the_products_defaults(machine, client):
    client.brew("cafe_barista", timeout=TIMEOUT)
    assert machine.brews[0]["values"] == {
        "coffee_strength": 7,
        "water_amount": 45,
        "bypass": 45,
        "temperature": 1,
    }


def test_brewed_product_is_counted_once(jura_sim, machine, client):
    client.brew("flat_white", timeout=TIMEOUT)
    jura_sim.clock.advance(120)
    counters = client.read_product_counters(timeout_per_page=TIMEOUT)
    assert (counters.total, counters.by_name["flat_white"]) == (1, 1)


def test_brew_is_marked_remote_in_the_machine_log(machine, client):
    client.brew("coffee", timeout=TIMEOUT)
    assert machine.brews[0]["source"] == "remote"


@pytest.mark.parametrize(
    "overrides",
    [{"ml": 10}, {"ml": 42}, {"strength": 11}, {"temperature": "scalding"}],
)
def test_out_of_range_is_refused_by_the_client_before_the_wire(
    machine, client, overrides
):
    with pytest.raises(ValueError):
        client.brew("espresso", timeout=TIMEOUT, **overrides)
    assert machine.brews == []


def test_low_temperature_not_offered_on_doppio_is_refused(machine, client):
    with pytest.raises(ValueError):
        client.brew("espresso_doppio", temperature="low", timeout=TIMEOUT)


def test_machine_itself_refuses_an_out_of_range_blob(machine, client):
    blob = "02000802000002000100000000000000"  # 10 ml of espresso
    assert client.request(f"@TP:{blob}", match="^@tp", timeout=TIMEOUT) == "@tp:00"
    assert machine.brews == []


def test_ff_padded_blob_is_acknowledged_but_not_brewed(machine, client):
    blob = "28FF0709FFFF01FFFF09FFFFFFFFFFFF"
    assert client.request(f"@TP:{blob}", match="^@tp", timeout=TIMEOUT) == "@tp:00"
    assert machine.state == "idle"


def test_brew_while_brewing_is_refused(machine, client):
    client.brew("espresso", timeout=TIMEOUT)
    assert client.brew("coffee", timeout=TIMEOUT) == "@tp:00"
    assert [b["product"] for b in machine.brews] == ["espresso"]


def test_brew_while_the_tank_is_empty_is_refused(machine, client):
    machine.set_alert("water")
    assert client.brew("espresso", timeout=TIMEOUT) == "@tp:00"
    assert machine.brews == []


def test_no_beans_refuses_coffee_but_brews_hot_water(machine, client):
    machine.set_alert("beans")
    refused = client.brew("espresso", timeout=TIMEOUT)
    accepted = client.brew("hotwater_portion", timeout=TIMEOUT)
    assert (refused, accepted) == ("@tp:00", "@tp")


def test_retry_does_not_brew_twice(jura_sim, machine, client):
    client.brew("espresso", retry=True, timeout=TIMEOUT)
    jura_sim.clock.advance(120)
    assert machine.total == 1


def test_progress_runs_from_grinding_to_enjoy(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "espresso")
    states = [f.state for f in frames]
    assert states[0] == ProgressState.COFFEE_BEAN_AMOUNT
    assert ProgressState.COFFEE_WATER_AMOUNT in states
    assert states[-1] == ProgressState.ENJOY and frames[-1].is_complete


def test_progress_frames_name_the_product(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "cortado")
    assert {f.product for f in frames} == {"cortado"}
    assert {f.progress_type for f in frames} == {ProgressType.PRODUCT}


def test_progress_percentage_climbs_to_100(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "coffee")
    percents = [f.percent for f in frames if f.percent is not None]
    assert percents == sorted(percents)
    assert (percents[0], percents[-1]) == (0, 100)


def test_water_phase_counts_ticks_up_to_the_recipe(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "espresso", ml=40)
    water = [f for f in frames if f.state == ProgressState.COFFEE_WATER_AMOUNT]
    assert water[-1].maximum == 40 // 5
    assert water[-1].actual == water[-1].maximum


def test_strength_is_reported_while_grinding(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "espresso", strength=3)
    grinding = [f for f in frames if f.state == ProgressState.COFFEE_BEAN_AMOUNT]
    assert {(f.actual, f.maximum) for f in grinding} == {(3, 3)}


def test_bypass_phase_is_read_as_bypass_water(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "cafe_barista")
    bypass = [f for f in frames if f.state_code == 0x41]
    assert bypass and all("bypass" in f.format() for f in bypass)
    assert bypass[-1].maximum == 45 // 5


def test_hot_water_phase_is_read_as_hot_water(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "hotwater_portion", ml=100)
    water = [f for f in frames if f.state_code == 0x41]
    assert water and water[-1].maximum == 100 // 5
    assert all("bypass" not in f.format() for f in water)


def test_milk_foam_comes_before_the_coffee(jura_sim, client):
    frames = brew_and_follow(jura_sim, client, "cappuccino", milk_foam=10)
    states = [f.state for f in frames]
    foam = states.index(ProgressState.MILK_FOAM_VOLUME)
    assert foam < states.index(ProgressState.COFFEE_BEAN_AMOUNT)


def test_brew_start_marker_follows_the_acknowledgement(client):
    assert client.brew("espresso", timeout=TIMEOUT) == "@tp"
    frames = client.iter_frames(until=time.monotonic() + TIMEOUT)
    assert (next(frames), next(frames)[:8]) == ("@TB", "@TV:3902")


def test_cancel_stops_the_brew_uncounted(jura_sim, machine, client):
    client.brew("coffee", timeout=TIMEOUT)
    assert client.request("@TG:FF", match="^@tg:FF", timeout=TIMEOUT) == "@tg:FF"
    jura_sim.clock.advance(120)
    assert (machine.state, machine.total) == ("idle", 0)


def test_brew_follow_true_collects_the_progress_in_real_time(
    make_jura_sim, make_client
):
    sim = make_jura_sim(clock=RealClock(factor=200))  # a 40 s brew: 0.2 s
    hash_ = sim.machine(0).pair_device(CONN_ID)
    jura = make_client(sim, auth_hash=hash_)
    jura.connect(timeout=TIMEOUT)
    reply = jura.brew("espresso", follow=True, follow_timeout=5, timeout=TIMEOUT)
    assert reply == "@tp"
    assert jura.last_progress[-1].is_complete
    assert jura.last_progress[0].state == ProgressState.COFFEE_BEAN_AMOUNT
