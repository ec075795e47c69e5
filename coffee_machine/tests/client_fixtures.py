"""Fixtures for the client tests (import them explicitly in a test module).

* ``stub`` is a :class:`stub_server.StubServer` answering canned bytes;
  ``stub_client`` / ``stub_oauth`` point a client at it with a short timeout.
* ``make_simulator(**config)`` starts a real simulator (manual clock, real
  keep-alives every 0.1 s so liveness tests run fast) and stops it after the
  test; ``simulator`` is a default one, ``tokens`` its first token pair,
  ``hc_api`` a :class:`HomeConnectClient` with them, ``oauth`` an
  :class:`OAuthClient` for it and ``machine_id`` its machine's haId.

Test modules star-import this module (``from client_fixtures import *``) so
that pytest sees the fixtures; the names differ from ``conftest.py``'s
simulator fixtures (``sim``, ``api``, ``ha_id``...) on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from stub_server import StubServer

from coffee_machine.homeconnect import HomeConnectClient, OAuthClient, Tokens

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "HA_ID",
    "hc_api",
    "machine_id",
    "make_simulator",
    "oauth",
    "simulator",
    "stub",
    "stub_client",
    "stub_oauth",
    "submit_form",
    "tokens",
]

HA_ID = "BOSCH-HCS06COM1-D70390681C2C"
CLIENT_ID = "coffee-connector"
CLIENT_SECRET = "coffee-secret"


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


@pytest.fixture
def stub_client(stub: StubServer) -> Iterator[HomeConnectClient]:
    with HomeConnectClient(stub.url, "stub-token", timeout=2.0) as client:
        yield client


@pytest.fixture
def stub_oauth(stub: StubServer) -> Iterator[OAuthClient]:
    oauth = OAuthClient(stub.url, CLIENT_ID, CLIENT_SECRET, timeout=2.0)
    yield oauth
    oauth.close()


# -- the simulator ----------------------------------------------------------------


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., Any]]:
    simulator_module = pytest.importorskip("coffee_machine.homeconnect.simulator")
    started = []

    def make(**config: Any) -> Any:
        config.setdefault("keepalive_real_seconds", 0.1)
        sim = simulator_module.Simulator(simulator_module.SimulatorConfig(**config))
        started.append(sim.start())
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(make_simulator: Callable[..., Any]) -> Any:
    return make_simulator()


@pytest.fixture
def tokens(simulator: Any) -> Tokens:
    return Tokens.from_api(simulator.issue_tokens())


@pytest.fixture
def hc_api(simulator: Any, tokens: Tokens) -> Iterator[HomeConnectClient]:
    with HomeConnectClient(simulator.url, tokens.access_token, timeout=5.0) as client:
        yield client


@pytest.fixture
def machine_id(simulator: Any) -> str:
    return next(iter(simulator.machines))


@pytest.fixture
def oauth(simulator: Any) -> Iterator[OAuthClient]:
    client = OAuthClient(simulator.url, CLIENT_ID, CLIENT_SECRET, timeout=5.0)
    yield client
    client.close()


# -- a browser, as far as the login pages need one --------------------------------


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, list[str]] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = attributes.get("action", "")
            self._in_form = True
        elif self._in_form and tag == "input" and "name" in attributes:
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif self._in_form and tag == "button" and "name" in attributes:
            self.buttons.setdefault(attributes["name"], []).append(
                attributes.get("value", "")
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def submit_form(
    page: requests.Response, *, button: tuple[str, str], **values: str
) -> requests.Response:
    """Fill the page's first form like a user would, and post it (no redirects).

    Fails the test if the form lacks a field we fill or the button we press.
    """
    reader = _FormReader()
    reader.feed(page.text)
    assert reader.action is not None, "the page has no form"
    missing = set(values) - set(reader.fields)
    assert not missing, f"the form has no field {sorted(missing)}"
    name, value = button
    assert value in reader.buttons.get(name, []), f"no button {name}={value}"
    data = {**reader.fields, **values, name: value}
    return requests.post(
        urljoin(page.url, reader.action), data=data, allow_redirects=False, timeout=5
    )
