"""Fixtures for the JURA tests (import them explicitly in a test module).

The tests drive ``jura-connect``'s own :class:`JuraClient`, unmodified, over
real TCP on loopback against :class:`JuraSimulator`, with a manual clock:
simulated time (a brew, a pairing dialog, the status push) moves only when a
test calls ``sim.clock.advance``, and client timeouts are short, so nothing
waits long.

* ``jura_config``: the :class:`JuraSimulatorConfig` of ``jura_sim``; a test
  module overrides it by defining its own ``jura_config`` fixture;
* ``jura_sim``: a started simulator (one machine, manual clock), stopped
  after the test; ``make_jura_sim(**config)`` for other shapes;
* ``machine``: machine 0 of ``jura_sim``;
* ``ef1091``: the client's profile of the S8 (EB), so it names things;
* ``make_client(sim, index=0, **kwargs)``: a :class:`JuraClient` on a
  machine, closed after the test;
* ``client``: a client already paired with machine 0 and connected;
* ``press_ok_when_asked(machine)``: presses OK from another thread as soon as
  the machine shows its dialog (a client blocks while it pairs).

Every module importing this one also gets ``no_leaks`` (autouse): the
simulator's threads are gone and no socket was left unclosed after a test.

Test modules star-import this module (``from jura_fixtures import *``).
"""

from __future__ import annotations

import gc
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jura_connect.client import JuraClient
from jura_connect.profile import MachineProfile, load_profile

from coffee_machine.clock import ManualClock
from coffee_machine.jura.simulator import (
    JuraMachine,
    JuraSimulator,
    JuraSimulatorConfig,
)

__all__ = [
    "CONN_ID",
    "advance_to_status",
    "client",
    "ef1091",
    "jura_config",
    "jura_sim",
    "machine",
    "make_client",
    "make_jura_sim",
    "no_leaks",
    "press_ok_when_asked",
    "wait_until",
]

CONN_ID = "odoo-connector"
TIMEOUT = 1.0  # real seconds: what every client call may wait at most


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
    leaked = [
        t
        for t in threading.enumerate()
        if t not in before and t.name.startswith("jura")
    ]
    assert leaked == [], f"threads left running: {leaked}"
    unclosed = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == [], f"unclosed resources: {[str(w.message) for w in unclosed]}"


@pytest.fixture
def jura_config() -> JuraSimulatorConfig:
    return JuraSimulatorConfig(machines=1, clock=ManualClock())


@pytest.fixture
def jura_sim(jura_config: JuraSimulatorConfig) -> Iterator[JuraSimulator]:
    with JuraSimulator(jura_config) as simulator:
        yield simulator


@pytest.fixture
def make_jura_sim() -> Iterator[Callable[..., JuraSimulator]]:
    started: list[JuraSimulator] = []

    def factory(**config: Any) -> JuraSimulator:
        config.setdefault("clock", ManualClock())
        simulator = JuraSimulator(JuraSimulatorConfig(**config)).start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


@pytest.fixture
def machine(jura_sim: JuraSimulator) -> JuraMachine:
    return jura_sim.machine(0)


@pytest.fixture(scope="session")
def ef1091() -> MachineProfile:
    return load_profile("EF1091")


@pytest.fixture
def make_client(ef1091: MachineProfile) -> Iterator[Callable[..., JuraClient]]:
    clients: list[JuraClient] = []

    def factory(sim: JuraSimulator, index: int = 0, **kwargs: Any) -> JuraClient:
        host, port = sim.address(index)
        kwargs.setdefault("conn_id", CONN_ID)
        kwargs.setdefault("profile", ef1091)
        kwargs.setdefault("connect_timeout", TIMEOUT)
        kwargs.setdefault("read_timeout", TIMEOUT)
        jura = JuraClient(host, port, **kwargs)
        clients.append(jura)
        return jura

    yield factory
    for jura in clients:
        jura.close()


@pytest.fixture
def client(
    jura_sim: JuraSimulator,
    machine: JuraMachine,
    make_client: Callable[..., JuraClient],
) -> JuraClient:
    jura = make_client(jura_sim, auth_hash=machine.pair_device(CONN_ID))
    assert jura.connect(timeout=TIMEOUT).state == "CORRECT"
    return jura


@pytest.fixture
def press_ok_when_asked() -> Iterator[Callable[[JuraMachine], threading.Thread]]:
    threads: list[threading.Thread] = []

    def start(machine: JuraMachine, *, refuse: bool = False) -> threading.Thread:
        def wait_and_press() -> None:
            if wait_until(lambda: machine.pending_pairing is not None, 2 * TIMEOUT):
                if refuse:
                    machine.refuse()
                else:
                    machine.press_ok()

        thread = threading.Thread(target=wait_and_press, name="press-ok")
        thread.start()
        threads.append(thread)
        return thread

    yield start
    for thread in threads:
        thread.join()


def wait_until(predicate: Callable[[], object], timeout: float = TIMEOUT) -> bool:
    """Poll ``predicate`` (another thread's doing) for up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def advance_to_status(sim: JuraSimulator) -> None:
    """Move the clock just past the next ``@TF:`` push."""
    sim.clock.advance(sim.config.status_interval + 0.01)
