"""Every operation of BSH's specification, driven by requests drawn from it.

schemathesis reads ``hcsdk-production.yaml`` (found as in
``test_simulator_schema.py``; absent, this module skips) and makes one test
per operation: Hypothesis draws requests that the specification allows
(parameters, headers, bodies), each is sent over HTTP to a running simulator,
and the answer must be one the specification documents for that operation:
its status code, content type, headers and body schema.

Drawn at random, a ``{haId}`` would only ever meet ``404``. So before each
request a real token goes in, and the keys the machines know are mixed in:
every ``{haId}`` is one of the simulator's machines, and program, option,
status, setting and command keys, in the path and in the body, are sometimes
real ones with a valid value (:class:`Vocabulary`). The machines live through
every request of the module, so the operations also meet them brewing,
selected, in standby: each answer must be documented in whatever state the
earlier requests left.

The run is deterministic: a fixed seed, derandomized Hypothesis, no example
database, and a manual clock (a beverage started brews until it is stopped).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import QuotaConfig, Simulator, SimulatorConfig

schemathesis = pytest.importorskip("schemathesis")
yaml = pytest.importorskip("yaml")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = Path(
    os.environ.get("HOMECONNECT_SPEC")
    or REPO.parent / "shared" / "hcsdk-production.yaml"
)
SEED = 23
EXAMPLES = 30
SCOPE = "IdentifyAppliance CoffeeMaker Images"
#: The two event streams never end: test_simulator_events.py covers them.
STREAMS = r"/events$"
IMAGE_PATH = "/homeappliances/{haId}/images/{imagekey}"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]

schema = schemathesis.pytest.from_fixture("spec_schema").exclude(path_regex=STREAMS)


class Vocabulary:
    """The machines' own words, mixed into drawn requests.

    A drawn key is kept or traded for a real one, chosen by a checksum of
    what was drawn: the same drawing always gives the same request.
    """

    def __init__(self, sim: Simulator):
        machine = sim.machine()
        options = {o.key for spec in machine.catalogue.values() for o in spec.options}
        self.words: dict[str, list[Any]] = {
            "haId": list(sim.machines),
            "programkey": list(machine.catalogue),
            "optionkey": sorted(options) + [keys.OPTION_PROGRAM_PROGRESS],
            "statuskey": [keys.STATUS_OPERATION_STATE, *keys.COUNTERS[:2]],
            "settingkey": [k for k, _v, _u in machine.settings_items()],
            "commandkey": [keys.COMMAND_ACKNOWLEDGE_EVENT],
        }
        self.values: dict[str, list[Any]] = {
            keys.OPTION_FILL_QUANTITY: [40, 120, 7],
            keys.OPTION_BEAN_AMOUNT: [keys.coffee_enum_value("BeanAmount", "Strong")],
            keys.OPTION_COFFEE_TEMPERATURE: [
                keys.coffee_enum_value("CoffeeTemperature", "92C")
            ],
            keys.SETTING_POWER_STATE: [keys.POWER_ON, keys.POWER_STANDBY],
            keys.SETTING_CHILD_LOCK: [False, True],
            keys.SETTING_CUP_WARMER: [True, False],
            keys.COMMAND_ACKNOWLEDGE_EVENT: [True],
        }

    @staticmethod
    def _pick(drawn: Any, pool: list[Any], by: Any = None) -> Any:
        """``drawn`` or one of ``pool``, by the checksum of ``by`` (or ``drawn``)."""
        index = zlib.crc32(repr(drawn if by is None else by).encode())
        index %= len(pool) + 1
        return pool[index] if index < len(pool) else drawn

    def word(self, kind: str, drawn: Any) -> Any:
        if kind == "haId":  # always a real machine: an unknown one is a 404
            return self.words[kind][zlib.crc32(repr(drawn).encode()) % 2]
        return self._pick(drawn, self.words.get(kind, []))

    def item(self, kind: str, item: Any, path_key: str | None = None) -> Any:
        """A ``{"key", "value"}`` item with, maybe, a real key and value (the
        path's key, for a path that names one)."""
        if not isinstance(item, dict) or "key" not in item:
            return item
        if path_key is None:
            key = self.word(kind, item["key"])
        else:
            key = self._pick(item["key"], [path_key], by=item)
        value = self._pick(item.get("value"), self.values.get(key, []), by=item)
        return {**item, "key": key, "value": value}

    def body(self, case: Any) -> Any:
        """The drawn body, its keys maybe real, its key the path's if it has one."""
        body, path = case.body, case.operation.path
        if not isinstance(body, dict) or "data" not in body:
            return body
        kind = _body_kind(path)
        data = body["data"]
        if isinstance(data, list):
            return {**body, "data": [self.item(kind, item) for item in data]}
        if not isinstance(data, dict):
            return body
        if path.endswith("}"):  # a path that names its key
            data = self.item(kind, data, case.path_parameters[_last(path)])
        elif kind == "programkey":
            data = self.item(kind, data)
        if isinstance(data.get("options"), list):
            options = [self.item("optionkey", option) for option in data["options"]]
            data = {**data, "options": options}
        return {**body, "data": data}

    def fill(self, case: Any, token: str) -> None:
        """Real haId, keys, token in the drawn ``case``."""
        case.path_parameters = {
            name: self.word(name, drawn)
            for name, drawn in (case.path_parameters or {}).items()
        }
        case.body = self.body(case)
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def _last(path: str) -> str:
    return path.rsplit("{", 1)[1].rstrip("}")


def _body_kind(path: str) -> str:
    for part, kind in (
        ("/options", "optionkey"),
        ("/settings", "settingkey"),
        ("/commands", "commandkey"),
    ):
        if part in path:
            return kind
    return "programkey"


def content_type_is_checked(case: Any, response: Any) -> bool:
    """Whether the specification's content type holds (see the two cases)."""
    if response.status_code == 204 and not response.content:
        # The global `produces` types every answer; an empty 204 has no type.
        return False
    if case.operation.path == IMAGE_PATH and response.status_code != 200:
        # Home Connect refuses in JSON, an image too; `produces` is the image's.
        return False
    return True


@pytest.fixture(scope="module")
def spec_sim() -> Iterator[Simulator]:
    config = SimulatorConfig(machines=2, seed=5, quota=QuotaConfig(enabled=False))
    with Simulator(config) as sim:
        yield sim


@pytest.fixture(scope="module")
def spec_token(spec_sim: Simulator) -> str:
    return spec_sim.issue_tokens(SCOPE)["access_token"]


@pytest.fixture(scope="module")
def vocabulary(spec_sim: Simulator) -> Vocabulary:
    return Vocabulary(spec_sim)


@pytest.fixture(scope="module")
def spec_schema(spec_sim: Simulator) -> Any:
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"Home Connect spec not found at {SPEC_PATH}: set HOMECONNECT_SPEC "
            "to hcsdk-production.yaml to run the conformance tests"
        )
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": f"{spec_sim.url}/api",
            "generation": {
                "mode": "positive",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return schemathesis.openapi.from_dict(spec, config=config)


def brewing_with_a_selection(sim: Simulator, ha_id: str | None) -> None:
    """Put the machine on, with an espresso selected and one brewing."""
    machine = sim.machine(ha_id)
    with sim.lock:
        machine.set_power(keys.POWER_ON)
        if machine.active is None:
            if machine.selected is None:
                machine.select_program(keys.PROGRAM_ESPRESSO)
            machine.brew_at_panel(keys.PROGRAM_ESPRESSO)


def call_and_check(case: Any) -> None:
    """Send the case; its answer must be documented (the check fails by name)."""
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if content_type_is_checked(case, response):
        case.validate_response(response, checks=[checks.content_type_conformance])


SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@SETTINGS
def test_operation_answers_as_specified(case, spec_token, vocabulary):
    vocabulary.fill(case, spec_token)
    call_and_check(case)


@schema.parametrize()
@SETTINGS
def test_operation_answers_as_specified_while_brewing(
    case, spec_sim, spec_token, vocabulary
):
    vocabulary.fill(case, spec_token)
    brewing_with_a_selection(spec_sim, case.path_parameters.get("haId"))
    call_and_check(case)
