"""What the client puts on the wire, checked against a stub server."""

from __future__ import annotations

import json

import pytest
import requests
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import HA_ID
from stub_server import Canned, api_error, json_answer, sse_answer

from coffee_machine.homeconnect import (
    HomeConnectClient,
    NoProgramActiveError,
    NotFoundError,
    OAuthClient,
    Option,
    keys,
)

NO_CONTENT = Canned(status=204)


class RecordingSession(requests.Session):
    """A session that remembers the keyword arguments of every request."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.closed = False

    def close(self):
        self.closed = True
        return super().close()

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        return super().request(method, url, **kwargs)


def _every_call(client):
    client.get_appliances()
    client.get_appliance(HA_ID)
    client.get_available_programs(HA_ID)
    client.get_available_program(HA_ID, keys.PROGRAM_ESPRESSO)
    client.get_active_program(HA_ID)
    client.start_program(HA_ID, keys.PROGRAM_ESPRESSO)
    client.stop_program(HA_ID)
    client.get_selected_program(HA_ID)
    client.select_program(HA_ID, keys.PROGRAM_COFFEE)
    client.get_status(HA_ID)
    client.get_status_item(HA_ID, keys.STATUS_OPERATION_STATE)
    client.get_settings(HA_ID)
    client.get_setting(HA_ID, keys.SETTING_POWER_STATE)
    client.put_setting(HA_ID, keys.SETTING_POWER_STATE, keys.POWER_ON)
    next(client.events(HA_ID, reconnect=False))


def _answers_for_every_call():
    appliance = {
        "haId": HA_ID,
        "name": "n",
        "type": "CoffeeMaker",
        "brand": "b",
        "vib": "v",
        "enumber": "e",
        "connected": True,
    }
    program = {"key": keys.PROGRAM_ESPRESSO}
    item = {"key": "k", "value": 1}
    return [
        json_answer({"data": {"homeappliances": [appliance]}}),
        json_answer({"data": appliance}),
        json_answer({"data": {"programs": [program]}}),
        json_answer({"data": program}),
        json_answer({"data": program}),
        NO_CONTENT,
        NO_CONTENT,
        json_answer({"data": program}),
        NO_CONTENT,
        json_answer({"data": {"status": [item]}}),
        json_answer({"data": item}),
        json_answer({"data": {"settings": [item]}}),
        json_answer({"data": item}),
        NO_CONTENT,
        sse_answer(b"event: KEEP-ALIVE\n\n"),
    ]


def test_every_call_has_a_timeout(stub):
    stub.respond(*_answers_for_every_call())
    session = RecordingSession()
    client = HomeConnectClient(stub.url, "t", timeout=3.0, session=session)
    _every_call(client)
    assert len(session.calls) == 15
    assert all(kwargs.get("timeout") for _, _, kwargs in session.calls)


def test_event_stream_timeout_is_connect_and_keepalive(stub):
    stub.respond(sse_answer(b"event: KEEP-ALIVE\n\n"))
    session = RecordingSession()
    client = HomeConnectClient(stub.url, "t", timeout=3.0, session=session)
    next(client.events(keepalive_timeout=65.0, reconnect=False))
    assert session.calls[0][2]["timeout"] == (3.0, 65.0)
    assert session.calls[0][2]["stream"] is True


def test_own_session_is_closed_with_the_client(stub):
    client = HomeConnectClient(stub.url, "t")
    closed = []
    client.session.close = lambda: closed.append(True)
    client.close()
    assert closed == [True]


def test_every_call_sends_media_type_and_bearer_token(stub):
    stub.respond(*_answers_for_every_call())
    _every_call(HomeConnectClient(stub.url, "secret-token"))
    for request in stub.requests[:-1]:
        assert request.headers["Accept"] == keys.MEDIA_TYPE
        assert request.headers["Authorization"] == "Bearer secret-token"


def test_bodies_are_sent_with_the_media_type(stub):
    stub.respond(*_answers_for_every_call())
    _every_call(HomeConnectClient(stub.url, "t"))
    with_body = [r for r in stub.requests if r.body]
    assert [r.method for r in with_body] == ["PUT", "PUT", "PUT"]
    for request in with_body:
        assert request.headers["Content-Type"] == keys.MEDIA_TYPE


def test_on_request_is_called_once_per_http_call(stub):
    stub.respond(*_answers_for_every_call())
    seen = []
    _every_call(
        HomeConnectClient(stub.url, "t", on_request=lambda m, p: seen.append((m, p)))
    )
    assert len(seen) == len(stub.requests) == 15
    assert seen[0] == ("GET", "/api/homeappliances")
    assert seen[5] == ("PUT", f"/api/homeappliances/{HA_ID}/programs/active")


def test_oauth_calls_go_through_on_request(stub):
    stub.respond(Canned(status=500))
    seen = []
    oauth = OAuthClient(stub.url, "c", on_request=lambda m, p: seen.append((m, p)))
    with pytest.raises(Exception):  # noqa: B017 - the class is not the point here
        oauth.refresh("r")
    assert seen == [("POST", "/security/oauth/token")]


def test_event_stream_asks_for_text_event_stream(stub, stub_client):
    stub.respond(sse_answer(b"event: KEEP-ALIVE\n\n"))
    next(stub_client.events(HA_ID, reconnect=False))
    request = stub.requests[0]
    assert request.path == f"/api/homeappliances/{HA_ID}/events"
    assert request.headers["Accept"] == "text/event-stream"
    assert request.headers["Authorization"] == "Bearer stub-token"


def test_all_appliances_event_stream_path(stub, stub_client):
    stub.respond(sse_answer(b"event: KEEP-ALIVE\n\n"))
    next(stub_client.events(reconnect=False))
    assert stub.requests[0].path == "/api/homeappliances/events"


def test_language_is_sent_as_accept_language(stub):
    stub.respond(json_answer({"data": {"status": []}}))
    HomeConnectClient(stub.url, "t", language="de-DE").get_status(HA_ID)
    assert stub.requests[0].headers["Accept-Language"] == "de-DE"


def test_no_language_no_accept_language(stub, stub_client):
    stub.respond(json_answer({"data": {"status": []}}))
    stub_client.get_status(HA_ID)
    assert "Accept-Language" not in stub.requests[0].headers


def test_access_token_can_be_replaced(stub, stub_client):
    stub.respond(json_answer({"data": {"status": []}}))
    stub_client.access_token = "fresh-token"
    stub_client.get_status(HA_ID)
    assert stub.requests[0].headers["Authorization"] == "Bearer fresh-token"


def test_base_url_may_end_with_api(stub):
    stub.respond(json_answer({"data": {"status": []}}))
    HomeConnectClient(stub.url + "/api/", "t").get_status(HA_ID)
    assert stub.requests[0].path == f"/api/homeappliances/{HA_ID}/status"


def test_keys_and_ids_are_quoted_in_paths(stub, stub_client):
    stub.respond(json_answer({"data": {"key": "a/b", "value": 1}}))
    stub_client.get_status_item("weird id", "a/b")
    assert stub.requests[0].path == "/api/homeappliances/weird%20id/status/a%2Fb"


def test_start_program_with_a_mapping_of_options(stub, stub_client):
    stub.respond(NO_CONTENT)
    stub_client.start_program(
        HA_ID,
        keys.PROGRAM_ESPRESSO,
        {keys.OPTION_FILL_QUANTITY: 40, keys.OPTION_BEAN_AMOUNT: "X.Strong"},
    )
    assert json.loads(stub.requests[0].body) == {
        "data": {
            "key": keys.PROGRAM_ESPRESSO,
            "options": [
                {"key": keys.OPTION_FILL_QUANTITY, "value": 40},
                {"key": keys.OPTION_BEAN_AMOUNT, "value": "X.Strong"},
            ],
        }
    }


def test_start_program_with_option_objects_sends_units(stub, stub_client):
    stub.respond(NO_CONTENT)
    stub_client.start_program(
        HA_ID, "Vendor.Secret.Program", [Option(keys.OPTION_FILL_QUANTITY, 40, "ml")]
    )
    assert json.loads(stub.requests[0].body)["data"] == {
        "key": "Vendor.Secret.Program",
        "options": [{"key": keys.OPTION_FILL_QUANTITY, "value": 40, "unit": "ml"}],
    }


def test_start_program_without_options_sends_only_the_key(stub, stub_client):
    stub.respond(NO_CONTENT)
    assert stub_client.start_program(HA_ID, keys.PROGRAM_COFFEE) is None
    assert json.loads(stub.requests[0].body) == {"data": {"key": keys.PROGRAM_COFFEE}}


def test_put_setting_body(stub, stub_client):
    stub.respond(NO_CONTENT)
    stub_client.put_setting(HA_ID, keys.SETTING_POWER_STATE, keys.POWER_STANDBY)
    request = stub.requests[0]
    assert request.method == "PUT"
    assert request.path.endswith("/settings/BSH.Common.Setting.PowerState")
    assert json.loads(request.body) == {
        "data": {"key": keys.SETTING_POWER_STATE, "value": keys.POWER_STANDBY}
    }


def test_stop_program_is_a_delete(stub, stub_client):
    stub.respond(NO_CONTENT)
    stub_client.stop_program(HA_ID)
    assert (stub.requests[0].method, stub.requests[0].path) == (
        "DELETE",
        f"/api/homeappliances/{HA_ID}/programs/active",
    )


def test_no_active_program_is_none(stub, stub_client):
    stub.respond(api_error(404, keys.ERROR_NO_PROGRAM_ACTIVE))
    assert stub_client.get_active_program(HA_ID) is None


def test_no_selected_program_is_none(stub, stub_client):
    stub.respond(api_error(404, keys.ERROR_NO_PROGRAM_SELECTED))
    assert stub_client.get_selected_program(HA_ID) is None


def test_unknown_appliance_on_active_program_still_raises(stub, stub_client):
    stub.respond(api_error(404, keys.ERROR_NOT_FOUND))
    with pytest.raises(NotFoundError) as info:
        stub_client.get_active_program("nope")
    assert not isinstance(info.value, NoProgramActiveError)


def test_unknown_keys_and_values_are_kept(stub, stub_client):
    stub.respond(
        json_answer(
            {
                "data": {
                    "key": "ConsumerProducts.CoffeeMaker.Program.MyCoffee.MyCoffee3",
                    "options": [
                        {
                            "key": "Vendor.Option.Froth",
                            "value": "Vendor.EnumType.Froth.Cloud",
                            "future": {"x": 1},
                        }
                    ],
                    "newField": True,
                }
            }
        )
    )
    program = stub_client.get_active_program(HA_ID)
    assert program.key.endswith("MyCoffee3")
    assert program.option_value("Vendor.Option.Froth") == "Vendor.EnumType.Froth.Cloud"
    assert program.options[0].extra == {"future": {"x": 1}}
    assert program.extra == {"newField": True}


def test_injected_session_is_used_and_not_closed(stub):
    stub.respond(json_answer({"data": {"status": []}}))
    session = RecordingSession()
    with HomeConnectClient(stub.url, "t", session=session) as client:
        client.get_status(HA_ID)
    assert client.session is session
    assert len(session.calls) == 1
    assert not session.closed  # the caller owns it
