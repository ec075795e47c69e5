"""UDP discovery: jura-connect's scan finds the simulated machines.

The client sends its probes to UDP port 51515, always; these tests need that
port free on 127.0.0.1 and skip otherwise. The client listens on a port of
its own (``bind_port=0``): the simulator holds 51515.
"""

from __future__ import annotations

import pytest
from jura_connect import discovery
from jura_connect.profile import lookup_by_article_number
from jura_fixtures import *  # noqa: F403  (pytest fixtures)
from jura_fixtures import TIMEOUT

from coffee_machine.jura.simulator.discovery import encode_date


@pytest.fixture
def discoverable(make_jura_sim):
    def start(**config):
        try:
            return make_jura_sim(discovery=True, **config)
        except OSError as exc:
            pytest.skip(f"UDP port 51515 is busy on 127.0.0.1: {exc}")

    return start


def scan(**kwargs):
    return list(
        discovery.discover(
            timeout=0.3, repeats=1, bind_port=0, targets=["127.0.0.1"], **kwargs
        )
    )


def test_scan_finds_the_machine_by_its_name(discoverable):
    discoverable(names=("Kaffeebert",))
    (found,) = scan()
    assert (found.address, found.name, found.fw) == (
        "127.0.0.1",
        "Kaffeebert",
        "TT237W V06.11",
    )


def test_article_number_tells_the_client_the_machine_type(discoverable):
    discoverable()
    (found,) = scan()
    entry = lookup_by_article_number(found.article_number)
    assert (entry.friendly_name, entry.ef_code) == ("S8 (EB)", "EF1091")


def test_idle_machine_is_ready_and_not_busy(discoverable):
    discoverable()
    (found,) = scan()
    assert (found.ready, found.busy, found.standby) == (True, False, False)


def test_brewing_machine_is_busy(discoverable):
    sim = discoverable()
    sim.machine(0).brew_at_panel("espresso")
    (found,) = scan()
    assert found.busy


def test_reply_carries_the_status_bits(discoverable):
    sim = discoverable()
    sim.machine(0).set_alert("water")
    (found,) = scan()
    assert found.status_hex == "4000000000000000"


def test_reply_carries_the_production_date(discoverable):
    discoverable()
    (found,) = scan()
    assert encode_date(found.production_date) == encode_date(found.uchi_production_date)
    assert found.production_date.year == 2021


def test_offline_machine_does_not_answer(discoverable):
    sim = discoverable()
    sim.faults.offline(0)
    assert scan() == []


def test_unicast_probe_finds_the_machine(discoverable):
    discoverable()
    found = discovery.probe("127.0.0.1", timeout=TIMEOUT)
    assert found is not None and found.name == "Kitchen"


def test_machine_without_discovery_stays_silent(make_jura_sim):
    make_jura_sim()
    assert discovery.probe("127.0.0.1", timeout=0.3) is None


def test_tcp_probe_reaches_the_dongle_port(jura_sim):
    host, port = jura_sim.address(0)
    assert discovery.tcp_probe(host, port, timeout=TIMEOUT)
