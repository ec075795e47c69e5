"""Every kind of simulator answer validates against BSH's own Swagger definitions.

The spec (``hcsdk-production.yaml``) is BSH's data file, not ours: it is found
through ``$HOMECONNECT_SPEC`` or at ``<repo>/../shared/hcsdk-production.yaml``
(``<repo>`` holds ``coffee_machine/``). Where it is absent, these tests skip.
Its ``definitions`` are JSON Schema (draft 4) with ``$ref:
'#/definitions/X'``; a registry over the whole document resolves them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import TIMEOUT, Api

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import QuotaConfig, Simulator, SimulatorConfig

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")
from referencing.jsonschema import DRAFT4  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = Path(
    os.environ.get("HOMECONNECT_SPEC")
    or REPO.parent / "shared" / "hcsdk-production.yaml"
)
SPEC_URI = "urn:homeconnect:hcsdk-production"
ESPRESSO = keys.PROGRAM_ESPRESSO
EXTRA = ("BSH.Common.Program.Favorite.001", keys.CLEANING_PREFIX + "ApplianceOnRinsing")


@pytest.fixture(scope="module")
def validate() -> Callable[[str, Any], None]:
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"Home Connect spec not found at {SPEC_PATH}: set HOMECONNECT_SPEC "
            "to hcsdk-production.yaml to run the schema tests"
        )
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    resource = referencing.Resource.from_contents(spec, default_specification=DRAFT4)
    registry = referencing.Registry().with_resource(SPEC_URI, resource)

    def check(definition: str, payload: Any) -> None:
        assert definition in spec["definitions"], definition
        schema = {"$ref": f"{SPEC_URI}#/definitions/{definition}"}
        validator = jsonschema.Draft4Validator(schema, registry=registry)
        errors = sorted(validator.iter_errors(payload), key=str)
        assert not errors, f"{definition}: {errors[0].message} in {payload}"

    return check


@pytest.fixture
def schema_sim():
    config = SimulatorConfig(
        seed=3, extra_programs=EXTRA, quota=QuotaConfig(per_minute=None)
    )
    with Simulator(config) as sim:
        yield sim


@pytest.fixture
def client(schema_sim):
    return Api(schema_sim.url, schema_sim.issue_tokens()["access_token"])


def body(response: requests.Response) -> Any:
    return response.json()


SUCCESSES = {
    "ArrayOfHomeAppliances": lambda api, ha: api.get("homeappliances"),
    "HomeAppliance": lambda api, ha: api.get(f"homeappliances/{ha}"),
    "ArrayOfAvailablePrograms": lambda api, ha: api.get(
        f"homeappliances/{ha}/programs/available"
    ),
    "ProgramDefinition": lambda api, ha: api.get(
        f"homeappliances/{ha}/programs/available/{ESPRESSO}"
    ),
    "ArrayOfStatus": lambda api, ha: api.get(f"homeappliances/{ha}/status"),
    "Status": lambda api, ha: api.get(
        f"homeappliances/{ha}/status/{keys.STATUS_OPERATION_STATE}"
    ),
    "ArrayOfSettings": lambda api, ha: api.get(f"homeappliances/{ha}/settings"),
    "GetSetting": lambda api, ha: api.get(
        f"homeappliances/{ha}/settings/{keys.SETTING_POWER_STATE}"
    ),
}


@pytest.mark.parametrize("definition", sorted(SUCCESSES))
@pytest.mark.parametrize("language", ["en-GB", "de-DE"])
def test_idle_answers_validate(validate, client, schema_sim, definition, language):
    client.language = language
    answer = SUCCESSES[definition](client, schema_sim.machine().ha_id)
    assert answer.status_code == 200
    validate(definition, body(answer))


BREWING = {
    "Program": "programs/active",
    "ArrayOfOptions": "programs/active/options",
    "Option": f"programs/active/options/{keys.OPTION_PROGRAM_PROGRESS}",
}


@pytest.mark.parametrize("definition", sorted(BREWING))
def test_brewing_answers_validate(validate, client, schema_sim, definition):
    ha_id = schema_sim.machine().ha_id
    client.start(ha_id, ESPRESSO, {keys.OPTION_FILL_QUANTITY: 45})
    schema_sim.clock.advance(10)
    answer = client.get(f"homeappliances/{ha_id}/{BREWING[definition]}")
    assert answer.status_code == 200
    validate(definition, body(answer))


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ("Program", "programs/selected"),
        ("ArrayOfOptions", "programs/selected/options"),
        ("Option", f"programs/selected/options/{keys.OPTION_BEAN_AMOUNT}"),
    ],
)
def test_selected_answers_validate(validate, client, schema_sim, definition, path):
    ha_id = schema_sim.machine().ha_id
    client.put(f"homeappliances/{ha_id}/programs/selected", {"key": ESPRESSO})
    answer = client.get(f"homeappliances/{ha_id}/{path}")
    assert answer.status_code == 200
    validate(definition, body(answer))


def error_cases() -> dict[str, Callable[[Simulator, Api, str], requests.Response]]:
    def offline(sim, api, ha):
        sim.faults.offline(ha)
        return api.get(f"homeappliances/{ha}/status")

    def timeout(sim, api, ha):
        sim.faults.timeout_408(1)
        return api.get("homeappliances")

    def server_error(sim, api, ha):
        sim.faults.server_error(1)
        return api.get("homeappliances")

    def too_many(sim, api, ha):
        sim.quota.config.per_day = 0
        return api.get("homeappliances")

    def forbidden(sim, api, ha):
        api.token = sim.issue_tokens("IdentifyAppliance")["access_token"]
        return api.get(f"homeappliances/{ha}/status")

    def unsupported_media(sim, api, ha):
        return api.session.put(
            api.url(f"homeappliances/{ha}/programs/active"),
            data=json.dumps({"data": {"key": ESPRESSO}}),
            headers=api.headers(**{"Content-Type": "text/plain"}),
            timeout=TIMEOUT,
        )

    return {
        "UnauthorizedError": lambda sim, api, ha: Api(sim.url, "x").get(
            "homeappliances"
        ),
        "ForbiddenError": forbidden,
        "NotFoundError": lambda sim, api, ha: api.get("homeappliances/NOPE"),
        "NoProgramActiveError": lambda sim, api, ha: api.get(
            f"homeappliances/{ha}/programs/active"
        ),
        "NoProgramSelectedError": lambda sim, api, ha: api.get(
            f"homeappliances/{ha}/programs/selected"
        ),
        "NotAcceptableError": lambda sim, api, ha: api.get(
            "homeappliances", Accept="text/html"
        ),
        "RequestTimeoutError": timeout,
        "ConflictError": offline,
        "WrongOperationStateError": lambda sim, api, ha: api.delete(
            f"homeappliances/{ha}/programs/active"
        ),
        "ProgramNotAvailableError": lambda sim, api, ha: api.get(
            f"homeappliances/{ha}/programs/available/Nope"
        ),
        "UnsupportedMediaTypeError": unsupported_media,
        "TooManyRequestsError": too_many,
        "InteralServerError": server_error,
    }


ERRORS = error_cases()
STATUS = {
    "UnauthorizedError": 401,
    "ForbiddenError": 403,
    "NotFoundError": 404,
    "NoProgramActiveError": 404,
    "NoProgramSelectedError": 404,
    "NotAcceptableError": 406,
    "RequestTimeoutError": 408,
    "ConflictError": 409,
    "WrongOperationStateError": 409,
    "ProgramNotAvailableError": 409,
    "UnsupportedMediaTypeError": 415,
    "TooManyRequestsError": 429,
    "InteralServerError": 500,
}


@pytest.mark.parametrize("definition", sorted(ERRORS))
def test_error_answers_validate(validate, client, schema_sim, definition):
    answer = ERRORS[definition](schema_sim, client, schema_sim.machine().ha_id)
    assert answer.status_code == STATUS[definition]
    validate(definition, body(answer))


def stream_payloads(sim: Simulator, api: Api) -> dict[str, list[dict]]:
    """Make every kind of stream event happen; return data payloads by type."""
    response = api.stream()
    machine = sim.machine()
    machine.beans_g = 5
    machine.brew_at_panel(ESPRESSO)
    sim.clock.advance(30)
    machine.fill_beans()
    machine.set_power(keys.POWER_STANDBY)
    sim.faults.offline(machine.ha_id)
    sim.faults.offline(machine.ha_id, False)
    sim.remove_machine(sim.add_machine().ha_id)
    payloads: dict[str, list[dict]] = {}
    event = None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event:"):
            event = line[len("event:") :]
        elif line.startswith("data:") and event != "KEEP-ALIVE":
            payloads.setdefault(event, []).append(json.loads(line[len("data:") :]))
        if event == "DEPAIRED" and line == "":
            break
    response.close()
    return payloads


def test_every_stream_event_kind_validates(validate, client, schema_sim):
    payloads = stream_payloads(schema_sim, client)
    assert set(payloads) == {
        "STATUS",
        "EVENT",
        "NOTIFY",
        "CONNECTED",
        "DISCONNECTED",
        "PAIRED",
        "DEPAIRED",
    }
    for kind in payloads.values():
        for payload in kind:
            validate("ArrayOfEvents", payload)


def test_validator_rejects_an_appliance_without_connected(validate):
    appliance = {k: "x" for k in ("haId", "name", "type", "brand", "vib", "enumber")}
    with pytest.raises(AssertionError, match="'connected' is a required property"):
        validate("ArrayOfHomeAppliances", {"data": {"homeappliances": [appliance]}})
