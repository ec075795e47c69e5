"""BSH's own Swagger examples parse into our models (typos and all).

The spec lives beside the project in ``shared/hcsdk-production.yaml``; these
tests skip, saying so, where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coffee_machine.homeconnect import (
    Appliance,
    ProgramDefinition,
    ProgramSummary,
    ServerSentEvent,
    StatusItem,
    event_from_frame,
)

SPEC_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "hcsdk-production.yaml",
    Path(__file__).resolve().parents[2] / "shared" / "hcsdk-production.yaml",
]


@pytest.fixture(scope="module")
def definitions():
    yaml = pytest.importorskip("yaml")
    for path in SPEC_CANDIDATES:
        if path.exists():
            return yaml.safe_load(path.read_text(encoding="utf-8"))["definitions"]
    pytest.skip("hcsdk-production.yaml is absent (looked in ../shared)")


def test_appliance_example(definitions):
    appliance = Appliance.from_api(definitions["HomeAppliance"]["example"]["data"])
    assert appliance.connected is True


def test_available_programs_example_with_contraints_typo(definitions):
    data = definitions["ArrayOfAvailablePrograms"]["example"]["data"]
    programs = [ProgramSummary.from_api(p) for p in data["programs"]]
    assert [p.execution for p in programs] == ["selectandstart", "none", "startonly"]


def test_program_definition_example(definitions):
    data = definitions["ProgramDefinition"]["example"]["data"]
    definition = ProgramDefinition.from_api(data)
    assert definition.options[0].constraints.max == 275
    assert definition.options[0].constraints.extra == {"liveupdate": True}


def test_status_example_keeps_type_and_constraints(definitions):
    item = StatusItem.from_api(definitions["Status"]["example"]["data"])
    assert item.value.endswith("OperationState.Ready")
    assert set(item.extra) == {"type", "constraints"}


def test_events_example(definitions):
    data = json.dumps(definitions["ArrayOfEvents"]["example"])
    event = event_from_frame(ServerSentEvent(event="NOTIFY", data=data, id="HA"))
    assert event.items[0].unit == "°C"
    assert event.items[0].value == 200
