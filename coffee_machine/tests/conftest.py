"""Shared fixtures: a simulator on a free loopback port, a token, an API helper.

* ``sim_config``: the :class:`SimulatorConfig` of the ``sim`` fixture; a test
  module overrides it by defining its own ``sim_config`` fixture;
* ``sim``: a started :class:`Simulator` (port 0, manual clock, quotas as in
  reality), stopped after the test;
* ``make_sim``: a factory for tests that need a differently configured one;
* ``token``: an access token with ``IdentifyAppliance CoffeeMaker``;
* ``ha_id``: the first machine's haId; ``machine``: that machine;
* ``api``: an :class:`Api` helper that sends the right headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import (
    CoffeeMachine,
    Simulator,
    SimulatorConfig,
)

TIMEOUT = 5


class Api:
    """Plain ``requests`` calls to ``/api`` with the headers Home Connect wants."""

    def __init__(self, base_url: str, token: str | None, language: str | None = None):
        self.base_url = base_url
        self.token = token
        self.language = language
        self.session = requests.Session()

    def headers(self, body: bool = False, **extra: str) -> dict[str, str]:
        headers = {"Accept": keys.MEDIA_TYPE}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.language:
            headers["Accept-Language"] = self.language
        if body:
            headers["Content-Type"] = keys.MEDIA_TYPE
        headers.update(extra)
        return headers

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/{path.lstrip('/')}"

    def get(self, path: str, **headers: str) -> requests.Response:
        return self.session.get(
            self.url(path), headers=self.headers(**headers), timeout=TIMEOUT
        )

    def put(self, path: str, data: Any, **headers: str) -> requests.Response:
        return self.session.put(
            self.url(path),
            json={"data": data},
            headers=self.headers(body=True, **headers),
            timeout=TIMEOUT,
        )

    def delete(self, path: str, **headers: str) -> requests.Response:
        return self.session.delete(
            self.url(path), headers=self.headers(**headers), timeout=TIMEOUT
        )

    def start(
        self, ha_id: str, program: str, options: dict[str, Any] | None = None
    ) -> requests.Response:
        """PUT programs/active with ``options`` given as ``{key: value}``."""
        data = {
            "key": program,
            "options": [{"key": k, "value": v} for k, v in (options or {}).items()],
        }
        return self.put(f"homeappliances/{ha_id}/programs/active", data)

    def stream(self, path: str = "homeappliances/events") -> requests.Response:
        """Open an event stream (``stream=True``, short read timeout)."""
        return self.session.get(
            self.url(path),
            headers=self.headers(Accept=keys.EVENT_STREAM_MEDIA_TYPE),
            stream=True,
            timeout=(TIMEOUT, 2),
        )

    def close(self) -> None:
        self.session.close()


def error_key(response: requests.Response) -> str:
    """The ``error.key`` of an API error answer."""
    return response.json()["error"]["key"]


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(machines=1, seed=7)


@pytest.fixture
def sim(sim_config: SimulatorConfig) -> Iterator[Simulator]:
    with Simulator(sim_config) as simulator:
        yield simulator


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    started: list[Simulator] = []

    def factory(**overrides: Any) -> Simulator:
        simulator = Simulator(SimulatorConfig(**{"seed": 7, **overrides})).start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


@pytest.fixture
def token(sim: Simulator) -> str:
    return sim.issue_tokens()["access_token"]


@pytest.fixture
def ha_id(sim: Simulator) -> str:
    return next(iter(sim.machines))


@pytest.fixture
def machine(sim: Simulator, ha_id: str) -> CoffeeMachine:
    return sim.machines[ha_id]


@pytest.fixture
def api(sim: Simulator, token: str) -> Iterator[Api]:
    helper = Api(sim.url, token)
    yield helper
    helper.close()
