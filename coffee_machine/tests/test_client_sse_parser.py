"""The SSE parser: frames from bytes, whatever the chunking."""

from __future__ import annotations

import pytest

from coffee_machine.homeconnect import (
    Event,
    MalformedResponseError,
    ServerSentEvent,
    SSEParser,
    event_from_frame,
)


def _parse(*chunks: bytes) -> list[ServerSentEvent]:
    parser = SSEParser()
    frames = []
    for chunk in chunks:
        frames.extend(parser.feed(chunk))
    return frames


def test_frame_with_event_data_and_id():
    (frame,) = _parse(b"event: STATUS\ndata: {}\nid: HA-1\n\n")
    assert frame == ServerSentEvent(event="STATUS", data="{}", id="HA-1")


def test_multi_line_data_is_joined_with_newline():
    (frame,) = _parse(b'event: NOTIFY\ndata: {"items":\ndata: []}\n\n')
    assert frame.data == '{"items":\n[]}'


def test_comment_lines_are_ignored():
    (frame,) = _parse(b": hello\nevent: EVENT\n: in between\ndata: x\n\n")
    assert (frame.event, frame.data) == ("EVENT", "x")


def test_comment_only_block_dispatches_nothing():
    assert _parse(b": ping\n\n") == []


def test_crlf_line_ends():
    frames = _parse(b"event: STATUS\r\ndata: a\r\n\r\nevent: EVENT\r\ndata: b\r\n\r\n")
    assert [(f.event, f.data) for f in frames] == [("STATUS", "a"), ("EVENT", "b")]


def test_bare_cr_line_ends():
    (frame,) = _parse(b"event: STATUS\rdata: a\r\r")
    assert (frame.event, frame.data) == ("STATUS", "a")


def test_crlf_split_between_chunks_is_one_line_end():
    frames = _parse(b"event: STATUS\r", b"\ndata: a\r", b"\n\r", b"\n")
    assert [(f.event, f.data) for f in frames] == [("STATUS", "a")]


def test_byte_by_byte_feeding_gives_the_same_frames():
    stream = "event: STATUS\ndata: caf\u00e9 \u2615\nid: HA-1\n\nevent: KEEP-ALIVE\n\n"
    frames = _parse(*(bytes([b]) for b in stream.encode("utf-8")))
    assert [(f.event, f.data, f.id) for f in frames] == [
        ("STATUS", "caf\u00e9 \u2615", "HA-1"),
        ("KEEP-ALIVE", "", None),
    ]


def test_frame_is_dispatched_only_at_the_blank_line():
    parser = SSEParser()
    assert parser.feed(b"event: STATUS\ndata: a\n") == []
    assert parser.pending
    assert len(parser.feed(b"\n")) == 1
    assert not parser.pending


def test_truncated_final_frame_is_not_yielded():
    frames = _parse(b'event: STATUS\ndata: a\n\nevent: STATUS\ndata: {"it')
    assert [f.data for f in frames] == ["a"]


def test_keep_alive_without_data_is_dispatched():
    (frame,) = _parse(b"event: KEEP-ALIVE\n\n")
    assert frame.event == "KEEP-ALIVE"


def test_data_without_event_name_is_a_message():
    (frame,) = _parse(b"data: hi\n\n")
    assert frame.event == "message"


def test_field_without_colon_and_without_space():
    (frame,) = _parse(b"event:STATUS\ndata\n\n")
    assert (frame.event, frame.data) == ("STATUS", "")


def test_only_one_leading_space_is_stripped():
    (frame,) = _parse(b"data:  two spaces\n\n")
    assert frame.data == " two spaces"


def test_unknown_fields_are_ignored():
    (frame,) = _parse(b"event: STATUS\nfoo: bar\ndata: a\n\n")
    assert (frame.event, frame.data) == ("STATUS", "a")


def test_retry_field_is_read():
    (frame,) = _parse(b"retry: 3000\nevent: KEEP-ALIVE\n\n")
    assert frame.retry == 3000


def test_leading_byte_order_mark_is_dropped():
    (frame,) = _parse("\ufeffevent: STATUS\ndata: a\n\n".encode())
    assert frame.event == "STATUS"


def test_status_frame_becomes_event_with_items():
    frame = ServerSentEvent(
        event="STATUS",
        id="HA-1",
        data='{"items": [{"key": "BSH.Common.Status.OperationState", '
        '"value": "BSH.Common.EnumType.OperationState.Run", "timestamp": 1700000000,'
        ' "level": "hint", "handling": "none", "uri": "/api/x", "Future": 1}]}',
    )
    event = event_from_frame(frame)
    assert (event.type, event.ha_id) == ("STATUS", "HA-1")
    (item,) = event.items
    assert item.value == "BSH.Common.EnumType.OperationState.Run"
    assert (item.timestamp, item.level, item.handling) == (1700000000, "hint", "none")
    assert item.extra == {"Future": 1}


def test_unknown_event_type_is_kept():
    event = event_from_frame(ServerSentEvent(event="BREWED-BY-ROBOT", data="{}"))
    assert event == Event(type="BREWED-BY-ROBOT", raw="{}")


def test_connected_frame_without_items_has_no_items():
    event = event_from_frame(ServerSentEvent(event="CONNECTED", data="", id="HA-1"))
    assert (event.type, event.ha_id, event.items) == ("CONNECTED", "HA-1", ())


@pytest.mark.parametrize("kind", ["STATUS", "EVENT", "NOTIFY"])
def test_item_frames_without_data_are_malformed(kind):
    with pytest.raises(MalformedResponseError):
        event_from_frame(ServerSentEvent(event=kind, data=""))


def test_item_frame_with_non_json_data_is_malformed():
    with pytest.raises(MalformedResponseError, match="not JSON"):
        event_from_frame(ServerSentEvent(event="STATUS", data="{oops"))


def test_cr_then_empty_chunk_then_lf_is_one_line_end():
    frames = _parse(b"event: STATUS\r", b"", b"\ndata: a\n\n")
    assert [(f.event, f.data) for f in frames] == [("STATUS", "a")]


def test_ha_id_falls_back_to_the_data():
    frame = ServerSentEvent(event="PAIRED", data='{"haId": "HA-9", "items": []}')
    assert event_from_frame(frame).ha_id == "HA-9"
