"""Broken answers end in the library's own exception class, never in a crash.

A stub server sends what no well-behaved Home Connect would; each test names
the precise class the caller gets.
"""

from __future__ import annotations

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import HA_ID
from stub_server import Canned, api_error, json_answer, sse_answer

from coffee_machine.homeconnect import (
    DEFAULT_RETRY_AFTER,
    HomeConnectClient,
    MalformedResponseError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    TransportError,
    keys,
)

APPLIANCE = {
    "haId": HA_ID,
    "name": "Kitchen",
    "type": "CoffeeMaker",
    "brand": "Bosch",
    "vib": "HCS06COM1",
    "enumber": "HCS06COM1/03",
    "connected": True,
}


def _appliance(**changes):
    data = dict(APPLIANCE, **changes)
    return {key: value for key, value in data.items() if value is not ...}


# -- the body ---------------------------------------------------------------------


def test_bad_json_is_malformed(stub, stub_client):
    stub.respond(json_answer(b'{"data": {"homeappliances": [}'))
    with pytest.raises(MalformedResponseError) as info:
        stub_client.get_appliances()
    assert info.value.status == 200


def test_missing_data_wrapper_is_malformed(stub, stub_client):
    stub.respond(json_answer({"homeappliances": [APPLIANCE]}))
    with pytest.raises(MalformedResponseError, match="'data'"):
        stub_client.get_appliances()


def test_json_list_instead_of_object_is_malformed(stub, stub_client):
    stub.respond(json_answer([APPLIANCE]))
    with pytest.raises(MalformedResponseError):
        stub_client.get_appliances()


def test_empty_body_on_200_is_malformed(stub, stub_client):
    stub.respond(json_answer(b""))
    with pytest.raises(MalformedResponseError):
        stub_client.get_appliance(HA_ID)


def test_html_page_with_200_is_malformed(stub, stub_client):
    stub.respond(
        Canned(headers={"Content-Type": "text/html"}, body=b"<html>Login</html>")
    )
    with pytest.raises(MalformedResponseError, match="text/html"):
        stub_client.get_appliance(HA_ID)


def test_missing_content_type_is_malformed(stub, stub_client):
    stub.respond(Canned(body=b'{"data": {}}'))
    with pytest.raises(MalformedResponseError):
        stub_client.get_status(HA_ID)


def test_unexpected_redirect_status_is_malformed(stub, stub_client):
    stub.respond(Canned(status=304))
    with pytest.raises(MalformedResponseError, match="304"):
        stub_client.get_status(HA_ID)


# -- fields -----------------------------------------------------------------------


def test_appliances_not_a_list_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": {"homeappliances": {"0": APPLIANCE}}}))
    with pytest.raises(MalformedResponseError, match="homeappliances"):
        stub_client.get_appliances()


def test_mistyped_connected_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": _appliance(connected="yes")}))
    with pytest.raises(MalformedResponseError, match="connected"):
        stub_client.get_appliance(HA_ID)


def test_missing_appliance_field_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": {"homeappliances": [_appliance(haId=...)]}}))
    with pytest.raises(MalformedResponseError, match="haId is missing"):
        stub_client.get_appliances()


def test_null_required_string_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": _appliance(name=None)}))
    with pytest.raises(MalformedResponseError, match="name"):
        stub_client.get_appliance(HA_ID)


def test_status_item_without_value_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": {"status": [{"key": "X"}]}}))
    with pytest.raises(MalformedResponseError, match="value"):
        stub_client.get_status(HA_ID)


def test_program_options_not_a_list_is_malformed(stub, stub_client):
    stub.respond(
        json_answer({"data": {"key": keys.PROGRAM_ESPRESSO, "options": "none"}})
    )
    with pytest.raises(MalformedResponseError, match="options"):
        stub_client.get_active_program(HA_ID)


def test_option_constraint_of_wrong_type_is_malformed(stub, stub_client):
    option = {
        "key": keys.OPTION_FILL_QUANTITY,
        "type": "Int",
        "constraints": {"min": "35", "max": 60},
    }
    stub.respond(
        json_answer({"data": {"key": keys.PROGRAM_ESPRESSO, "options": [option]}})
    )
    with pytest.raises(MalformedResponseError, match="min"):
        stub_client.get_available_program(HA_ID, keys.PROGRAM_ESPRESSO)


def test_available_programs_without_key_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": {"programs": [{"name": "Espresso"}]}}))
    with pytest.raises(MalformedResponseError, match="key"):
        stub_client.get_available_programs(HA_ID)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_appliances(),
        lambda c: c.get_appliance(HA_ID),
        lambda c: c.get_available_programs(HA_ID),
        lambda c: c.get_available_program(HA_ID, keys.PROGRAM_ESPRESSO),
        lambda c: c.get_active_program(HA_ID),
        lambda c: c.get_selected_program(HA_ID),
        lambda c: c.get_status(HA_ID),
        lambda c: c.get_status_item(HA_ID, keys.STATUS_OPERATION_STATE),
        lambda c: c.get_settings(HA_ID),
        lambda c: c.get_setting(HA_ID, keys.SETTING_POWER_STATE),
    ],
    ids=[
        "appliances",
        "appliance",
        "available_programs",
        "available_program",
        "active_program",
        "selected_program",
        "status",
        "status_item",
        "settings",
        "setting",
    ],
)
@pytest.mark.parametrize(
    "data", [None, 42, "text", [], {}], ids=["null", "int", "str", "list", "empty"]
)
def test_every_getter_turns_wrong_data_into_malformed(stub, stub_client, call, data):
    stub.respond(json_answer({"data": data}))
    with pytest.raises(MalformedResponseError):
        call(stub_client)


# -- error answers ----------------------------------------------------------------


def test_html_502_page_is_server_error(stub, stub_client):
    stub.respond(
        Canned(
            status=502,
            headers={"Content-Type": "text/html"},
            body=b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
    )
    with pytest.raises(ServerError) as info:
        stub_client.get_appliances()
    assert info.value.status == 502
    # the page is a gateway's, not the API's: its text is not quoted
    assert info.value.description is None
    assert "HTTP 502" in str(info.value)
    assert "<html>" not in str(info.value)


def test_conflict_without_error_object_is_malformed(stub, stub_client):
    stub.respond(json_answer({"message": "nope"}, 409))
    with pytest.raises(MalformedResponseError) as info:
        stub_client.start_program(HA_ID, keys.PROGRAM_ESPRESSO)
    assert info.value.status == 409


def test_error_key_of_wrong_type_is_malformed(stub, stub_client):
    stub.respond(json_answer({"error": {"key": 409}}, 409))
    with pytest.raises(MalformedResponseError):
        stub_client.stop_program(HA_ID)


def test_garbled_retry_after_defaults_to_sixty_seconds(stub, stub_client):
    stub.respond(api_error(429, "429", "slow down", **{"Retry-After": "soon-ish"}))
    with pytest.raises(RateLimitedError) as info:
        stub_client.get_appliances()
    assert info.value.retry_after == DEFAULT_RETRY_AFTER == 60.0


def test_rate_limit_without_body_still_rate_limited(stub, stub_client):
    stub.respond(Canned(status=429, headers={"Retry-After": "17"}))
    with pytest.raises(RateLimitedError) as info:
        stub_client.get_appliances()
    assert info.value.retry_after == 17.0


# -- the connection ---------------------------------------------------------------


def test_connection_closed_without_answer_is_transport_error(stub, stub_client):
    stub.respond(Canned(close=True))
    with pytest.raises(TransportError) as info:
        stub_client.get_appliances()
    assert type(info.value) is TransportError
    assert info.value.status is None


def test_garbage_instead_of_http_is_transport_error(stub, stub_client):
    stub.respond(Canned(raw=b"SSH-2.0-OpenSSH_9.6\r\n"))
    with pytest.raises(TransportError):
        stub_client.get_appliances()


def test_body_shorter_than_announced_is_transport_error(stub, stub_client):
    stub.respond(
        Canned(
            raw=b"HTTP/1.1 200 OK\r\nContent-Type: "
            + keys.MEDIA_TYPE.encode()
            + b'\r\nContent-Length: 500\r\n\r\n{"data": {'
        )
    )
    with pytest.raises(TransportError):
        stub_client.get_appliances()


def test_read_timeout_is_request_timeout(stub):
    stub.respond(Canned(delay=2.0, body=b"{}"))
    client = HomeConnectClient(stub.url, "token", timeout=0.2)
    with pytest.raises(RequestTimeout):
        client.get_appliances()


def test_connection_refused_is_transport_error():
    client = HomeConnectClient("http://127.0.0.1:9", "token", timeout=1.0)
    with pytest.raises(TransportError) as info:
        client.get_appliances()
    assert not isinstance(info.value, RequestTimeout)


# -- the event stream -------------------------------------------------------------


STATUS_FRAME = (
    b"event: STATUS\n"
    b'data: {"items": [{"key": "BSH.Common.Status.OperationState", '
    b'"value": "BSH.Common.EnumType.OperationState.Run", "timestamp": 1700000000, '
    b'"level": "hint", "handling": "none"}]}\n'
    b"id: " + HA_ID.encode() + b"\n\n"
)


def test_truncated_event_stream_yields_complete_frames_then_transport_error(
    stub, stub_client
):
    stub.respond(sse_answer(STATUS_FRAME, b'event: STATUS\ndata: {"items": [{"ke'))
    stream = stub_client.events(HA_ID, reconnect=False)
    first = next(stream)
    assert first.type == "STATUS"
    with pytest.raises(TransportError, match="middle of an event"):
        next(stream)


def test_event_data_not_json_is_malformed_and_stream_goes_on(stub, stub_client):
    stub.respond(sse_answer(b"event: NOTIFY\ndata: {not json\nid: X\n\n", STATUS_FRAME))
    stream = stub_client.events(HA_ID, reconnect=False)
    with pytest.raises(MalformedResponseError, match="not JSON"):
        next(stream)
    assert next(stream).type == "STATUS"


def test_event_items_not_a_list_is_malformed(stub, stub_client):
    stub.respond(sse_answer(b'event: STATUS\ndata: {"items": {}}\n\n'))
    with pytest.raises(MalformedResponseError, match="items"):
        next(stub_client.events(HA_ID, reconnect=False))


def test_event_item_with_mistyped_timestamp_is_malformed(stub, stub_client):
    stub.respond(
        sse_answer(
            b'event: EVENT\ndata: {"items": [{"key": "K", "value": 1, '
            b'"timestamp": "yesterday"}]}\n\n'
        )
    )
    with pytest.raises(MalformedResponseError, match="timestamp"):
        next(stub_client.events(HA_ID, reconnect=False))


def test_event_stream_with_json_content_type_is_malformed(stub, stub_client):
    stub.respond(json_answer({"data": {}}))
    with pytest.raises(MalformedResponseError, match="text/event-stream"):
        next(stub_client.events(HA_ID, reconnect=False))


def test_event_stream_refused_with_html_502_is_server_error(stub, stub_client):
    stub.respond(
        Canned(status=502, headers={"Content-Type": "text/html"}, body=b"<h1>502</h1>")
    )
    with pytest.raises(ServerError):
        next(stub_client.events(reconnect=False))


def test_silent_event_stream_without_reconnect_is_request_timeout(stub):
    stub.respond(sse_answer(b"event: KEEP-ALIVE\ndata:\n\n", hang=True))
    client = HomeConnectClient(stub.url, "token", timeout=2.0)
    stream = client.events(HA_ID, keepalive_timeout=0.3, reconnect=False)
    assert next(stream).type == "KEEP-ALIVE"
    with pytest.raises(RequestTimeout, match="keep-alive"):
        next(stream)


def test_event_stream_connection_closed_without_answer_is_transport_error(
    stub, stub_client
):
    stub.respond(Canned(close=True))
    with pytest.raises(TransportError):
        next(stub_client.events(HA_ID, reconnect=False))


# -- the token endpoint -----------------------------------------------------------


def test_token_answer_bad_json_is_malformed(stub, stub_oauth):
    stub.respond(json_answer(b"{access_token", content_type="application/json"))
    with pytest.raises(MalformedResponseError):
        stub_oauth.refresh("refresh-1")


def test_token_answer_without_access_token_is_malformed(stub, stub_oauth):
    stub.respond(json_answer({"token_type": "Bearer"}, content_type="application/json"))
    with pytest.raises(MalformedResponseError, match="access_token"):
        stub_oauth.refresh("refresh-1")


def test_token_answer_with_text_expiry_is_malformed(stub, stub_oauth):
    stub.respond(
        json_answer(
            {"access_token": "a", "expires_in": "tomorrow"},
            content_type="application/json",
        )
    )
    with pytest.raises(MalformedResponseError, match="expires_in"):
        stub_oauth.refresh("refresh-1")


def test_token_answer_as_html_is_malformed(stub, stub_oauth):
    stub.respond(Canned(headers={"Content-Type": "text/html"}, body=b"<html>"))
    with pytest.raises(MalformedResponseError):
        stub_oauth.exchange_code("code", "http://localhost/cb", "verifier")


def test_token_error_without_error_code_is_malformed(stub, stub_oauth):
    stub.respond(json_answer({"message": "bad"}, 400, content_type="application/json"))
    with pytest.raises(MalformedResponseError) as info:
        stub_oauth.refresh("refresh-1")
    assert info.value.status == 400


def test_device_authorization_without_user_code_is_malformed(stub, stub_oauth):
    stub.respond(
        json_answer(
            {"device_code": "d", "verification_uri": "http://x/device"},
            content_type="application/json",
        )
    )
    with pytest.raises(MalformedResponseError, match="user_code"):
        stub_oauth.start_device_authorization(keys.DEFAULT_SCOPE)


def test_token_endpoint_closing_the_socket_is_transport_error(stub, stub_oauth):
    stub.respond(Canned(close=True))
    with pytest.raises(TransportError):
        stub_oauth.refresh("refresh-1")
