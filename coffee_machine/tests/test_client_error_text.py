"""What an error says about a server's answer is bounded and never an echo.

A connector shows ``error.description or str(error)`` to its users. Only the
documented fields of a JSON error body may reach that text (Home Connect's
``error.key`` / ``error.description``, OAuth's ``error`` /
``error_description``), cleaned of control characters and cut to
:data:`TEXT_LIMIT`; any other body (a proxy's HTML page, a 10 kB blob) is not
quoted at all: the error names its status only.
"""

from __future__ import annotations

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import HA_ID
from stub_server import Canned, api_error, json_answer, sse_answer

from coffee_machine.homeconnect import (
    ApiError,
    HomeConnectClient,
    HomeConnectError,
    InvalidGrant,
    MalformedResponseError,
    ServerError,
    TransportError,
    UnauthorizedError,
    WrongOperationStateError,
    keys,
)
from coffee_machine.homeconnect.client.errors import (
    MESSAGE_LIMIT,
    TEXT_LIMIT,
    clean_text,
)

SCRIPT = b"<script>alert('pwned')</script>"
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Gateway</title>"
    + SCRIPT
    + b"</head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
)
BLOB = b"A" * 5000 + b"SECRET-MARKER" + b"B" * 5000  # 10 kB, no JSON


def _html(status: int, body: bytes = HTML_PAGE) -> Canned:
    return Canned(status=status, headers={"Content-Type": "text/html"}, body=body)


def _texts(error: HomeConnectError) -> list[str]:
    """Everything a connector may show of an error."""
    return [str(error), error.description or "", error.key or ""]


def _assert_bounded(error: HomeConnectError) -> None:
    assert len(str(error)) <= MESSAGE_LIMIT
    assert error.description is None or len(error.description) <= TEXT_LIMIT
    assert error.key is None or len(error.key) <= TEXT_LIMIT
    for text in _texts(error):
        assert not any(ord(char) < 32 or ord(char) == 127 for char in text)


def _assert_no_echo(error: HomeConnectError, *fragments: str) -> None:
    _assert_bounded(error)
    for text in _texts(error):
        for fragment in ("<script", "alert(", "nginx", "<html", *fragments):
            assert fragment not in text


# -- API answers that are not the API's JSON ----------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_html_error_page_is_not_quoted(stub, stub_client, status):
    stub.respond(_html(status))
    with pytest.raises(ServerError) as info:
        stub_client.get_appliances()
    error = info.value
    _assert_no_echo(error)
    assert error.status == status
    assert error.description is None
    assert f"HTTP {status}" in str(error)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, MalformedResponseError),
        (401, UnauthorizedError),
        (409, MalformedResponseError),
    ],
)
def test_html_client_error_page_is_not_quoted(stub, stub_client, status, cls):
    stub.respond(_html(status))
    with pytest.raises(cls) as info:
        stub_client.start_program(HA_ID, keys.PROGRAM_ESPRESSO)
    _assert_no_echo(info.value)
    assert info.value.description is None
    assert f"HTTP {status}" in str(info.value)


def test_ten_kilobytes_of_text_are_not_quoted(stub, stub_client):
    stub.respond(Canned(status=502, headers={"Content-Type": "text/plain"}, body=BLOB))
    with pytest.raises(ServerError) as info:
        stub_client.get_status(HA_ID)
    _assert_no_echo(info.value, "AAAA", "SECRET-MARKER")


def test_json_error_body_without_error_object_is_not_quoted(stub, stub_client):
    stub.respond(json_answer({"message": SCRIPT.decode()}, 500))
    with pytest.raises(ServerError) as info:
        stub_client.get_appliances()
    _assert_no_echo(info.value)


def test_html_page_with_200_is_not_quoted(stub, stub_client):
    stub.respond(_html(200))
    with pytest.raises(MalformedResponseError) as info:
        stub_client.get_appliances()
    _assert_no_echo(info.value)
    assert info.value.description is None
    assert "text/html" in str(info.value)


def test_broken_json_body_is_not_quoted(stub, stub_client):
    stub.respond(json_answer(b'{"data": "' + SCRIPT + BLOB))
    with pytest.raises(MalformedResponseError) as info:
        stub_client.get_appliances()
    _assert_no_echo(info.value, "SECRET-MARKER")


def test_garbled_content_type_is_bounded(stub, stub_client):
    stub.respond(Canned(headers={"Content-Type": "text/" + "x" * 5000}, body=b"{}"))
    with pytest.raises(MalformedResponseError) as info:
        stub_client.get_appliances()
    _assert_bounded(info.value)


# -- API error bodies: the documented fields, cleaned and bounded -------------------


def test_documented_error_fields_are_kept(stub, stub_client):
    stub.respond(
        api_error(409, keys.ERROR_WRONG_OPERATION_STATE, "Program is running.")
    )
    with pytest.raises(WrongOperationStateError) as info:
        stub_client.start_program(HA_ID, keys.PROGRAM_ESPRESSO)
    assert info.value.key == keys.ERROR_WRONG_OPERATION_STATE
    assert info.value.description == "Program is running."
    assert "Program is running." in str(info.value)


def test_long_description_is_cut(stub, stub_client):
    stub.respond(api_error(409, keys.ERROR_WRONG_OPERATION_STATE, "d" * 10_000))
    with pytest.raises(WrongOperationStateError) as info:
        stub_client.stop_program(HA_ID)
    _assert_bounded(info.value)
    assert info.value.description.startswith("ddd")
    assert info.value.description.endswith("…")
    assert len(info.value.description) == TEXT_LIMIT


def test_control_characters_are_stripped(stub, stub_client):
    nasty = "Busy\r\nSet-Cookie: x=1\x1b[2J\u202egnp.exe\x00 now"
    stub.respond(api_error(409, keys.ERROR_WRONG_OPERATION_STATE, nasty))
    with pytest.raises(WrongOperationStateError) as info:
        stub_client.stop_program(HA_ID)
    description = info.value.description
    assert description == "Busy Set-Cookie: x=1 [2J gnp.exe now"
    _assert_bounded(info.value)
    assert "\u202e" not in str(info.value)


def test_long_error_key_is_cut(stub, stub_client):
    stub.respond(api_error(409, "SDK.Error." + "K" * 5000, "why"))
    with pytest.raises(ApiError) as info:
        stub_client.stop_program(HA_ID)
    _assert_bounded(info.value)


# -- the event stream ---------------------------------------------------------------


def test_event_stream_refused_with_html_is_not_quoted(stub, stub_client):
    stub.respond(_html(503))
    with pytest.raises(ServerError) as info:
        next(stub_client.events(HA_ID, reconnect=False))
    _assert_no_echo(info.value)


def test_event_with_non_json_data_is_not_quoted(stub, stub_client):
    stub.respond(sse_answer(b"event: STATUS\ndata: " + SCRIPT + BLOB + b"\n\n"))
    stream = stub_client.events(HA_ID, reconnect=False)
    with pytest.raises(MalformedResponseError) as info:
        next(stream)
    stream.close()
    _assert_no_echo(info.value, "SECRET-MARKER", "AAAA")


def test_event_without_items_is_not_quoted(stub, stub_client):
    payload = b'{"html": "' + SCRIPT + b'"}'
    stub.respond(sse_answer(b"event: NOTIFY\ndata: " + payload + b"\n\n"))
    stream = stub_client.events(HA_ID, reconnect=False)
    with pytest.raises(MalformedResponseError) as info:
        next(stream)
    stream.close()
    _assert_no_echo(info.value)


# -- the token endpoint -------------------------------------------------------------


def test_token_endpoint_html_page_is_not_quoted(stub, stub_oauth):
    stub.respond(_html(400))
    with pytest.raises(MalformedResponseError) as info:
        stub_oauth.refresh("refresh-1")
    _assert_no_echo(info.value)
    assert info.value.description is None
    assert "HTTP 400" in str(info.value)


def test_token_endpoint_gateway_page_is_not_quoted(stub, stub_oauth):
    stub.respond(_html(502))
    with pytest.raises(ServerError) as info:
        stub_oauth.refresh("refresh-1")
    _assert_no_echo(info.value)


def test_token_endpoint_200_html_is_not_quoted(stub, stub_oauth):
    stub.respond(_html(200))
    with pytest.raises(MalformedResponseError) as info:
        stub_oauth.refresh("refresh-1")
    _assert_no_echo(info.value)


def test_oauth_error_fields_are_kept_cleaned_and_cut(stub, stub_oauth):
    description = "Refresh\ntoken\x07 revoked. " + "x" * 10_000
    stub.respond(
        json_answer(
            {"error": "invalid_grant", "error_description": description},
            400,
            content_type="application/json",
        )
    )
    with pytest.raises(InvalidGrant) as info:
        stub_oauth.refresh("refresh-1")
    error = info.value
    _assert_bounded(error)
    assert error.error == error.key == "invalid_grant"
    assert error.description.startswith("Refresh token revoked. xxx")
    assert len(error.description) == TEXT_LIMIT


# -- the connection -----------------------------------------------------------------


def test_garbage_status_line_is_bounded(stub, stub_client):
    stub.respond(Canned(raw=b"\x1b[31m" + SCRIPT + b"Z" * 60_000 + b"\r\n\r\n"))
    with pytest.raises(TransportError) as info:
        stub_client.get_appliances()
    _assert_bounded(info.value)
    assert "Z" * (TEXT_LIMIT + 1) not in str(info.value)


def test_invalid_token_is_not_quoted(stub):
    client = HomeConnectClient(stub.url, "tok\r\nen-secret", timeout=2.0)
    with pytest.raises(TransportError) as info:
        client.get_appliances()
    client.close()
    assert "secret" not in str(info.value)
    assert info.value.__cause__ is None
    assert stub.requests == []


# -- clean_text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        (" \n\t ", None),
        ("plain", "plain"),
        ("two\nlines\r\nhere", "two lines here"),
        ("tab\tand\x00nul", "tab and nul"),
        ("right-to-left \u202eoverride", "right-to-left override"),
        ("zero\u200bwidth", "zero width"),
        ("line\u2028separator", "line separator"),
        ("accents éè and 漢字 stay", "accents éè and 漢字 stay"),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_text_cuts_with_an_ellipsis():
    assert clean_text("a" * 500) == "a" * (TEXT_LIMIT - 1) + "…"
    assert clean_text("a" * TEXT_LIMIT) == "a" * TEXT_LIMIT
    assert clean_text("word " * 10, 12) == "word word w…"


def test_every_error_message_is_bounded():
    error = ServerError("m" * 10_000, description="d" * 10_000, key="k" * 10_000)
    assert len(str(error)) == MESSAGE_LIMIT
    assert len(error.description) == len(error.key) == TEXT_LIMIT
