"""The event stream's liveness rules, against a stub that misbehaves."""

from __future__ import annotations

import threading
import time

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import HA_ID
from stub_server import Canned, api_error, sse_answer

from coffee_machine.homeconnect import (
    HomeConnectClient,
    RateLimitedError,
    TransportError,
    UnauthorizedError,
    keys,
)

KEEP_ALIVE = b"event: KEEP-ALIVE\ndata:\n\n"


def _status(value: int, ha_id: str = HA_ID) -> bytes:
    return (
        b"event: STATUS\n"
        b'data: {"items": [{"key": "' + keys.COUNTERS[0].encode() + b'", '
        b'"value": ' + str(value).encode() + b', "timestamp": 1700000000, '
        b'"level": "hint", "handling": "none"}]}\n'
        b"id: " + ha_id.encode() + b"\n\n"
    )


@pytest.fixture
def fast_client(stub):
    with HomeConnectClient(stub.url, "token", timeout=2.0) as client:
        yield client


def test_keep_alives_are_yielded(stub, stub_client):
    stub.respond(sse_answer(KEEP_ALIVE, _status(1)))
    stream = stub_client.events(HA_ID, reconnect=False)
    assert [next(stream).type, next(stream).type] == ["KEEP-ALIVE", "STATUS"]


def test_clean_end_without_reconnect_ends_iteration(stub, stub_client):
    stub.respond(sse_answer(_status(1), _status(2)))
    events = list(stub_client.events(HA_ID, reconnect=False))
    assert [e.items[0].value for e in events] == [1, 2]


def test_silence_reconnects_with_last_event_id(stub, fast_client):
    stub.respond(sse_answer(_status(1), hang=True), sse_answer(_status(2)))
    stream = fast_client.events(HA_ID, keepalive_timeout=0.3, max_reconnects=1)
    assert next(stream).items[0].value == 1
    assert next(stream).items[0].value == 2
    assert stream.reconnects == 1
    assert "Last-Event-ID" not in stub.requests[0].headers
    assert stub.requests[1].headers["Last-Event-ID"] == HA_ID


def test_server_closing_the_stream_reconnects(stub, fast_client):
    stub.respond(sse_answer(_status(1)), sse_answer(_status(2)))
    stream = fast_client.events(HA_ID, max_reconnects=1)
    assert [next(stream).items[0].value, next(stream).items[0].value] == [1, 2]
    assert stream.reconnects == 1


def test_cut_frame_is_dropped_and_the_stream_resumes(stub, fast_client):
    stub.respond(
        sse_answer(_status(1), b'event: STATUS\ndata: {"items"'),
        sse_answer(_status(3)),
    )
    stream = fast_client.events(HA_ID, max_reconnects=1)
    assert [next(stream).items[0].value, next(stream).items[0].value] == [1, 3]


def test_reconnects_are_capped(stub, fast_client):
    stub.respond(sse_answer(KEEP_ALIVE), sse_answer(KEEP_ALIVE), sse_answer(KEEP_ALIVE))
    stream = fast_client.events(HA_ID, max_reconnects=2)
    assert [next(stream).type for _ in range(3)] == ["KEEP-ALIVE"] * 3
    with pytest.raises(TransportError, match="Gave up after 2"):
        next(stream)
    assert stream.reconnects == 2
    with pytest.raises(StopIteration):
        next(stream)


def test_each_reconnect_is_one_counted_request(stub):
    stub.respond(sse_answer(KEEP_ALIVE), sse_answer(KEEP_ALIVE))
    seen = []
    client = HomeConnectClient(stub.url, "t", on_request=lambda m, p: seen.append(p))
    stream = client.events(max_reconnects=1)
    next(stream)
    next(stream)
    assert seen == ["/api/homeappliances/events"] * 2


def test_refused_reconnect_raises_the_api_error(stub, fast_client):
    stub.respond(sse_answer(_status(1)), api_error(401, keys.ERROR_INVALID_TOKEN))
    stream = fast_client.events(HA_ID)
    next(stream)
    with pytest.raises(UnauthorizedError):
        next(stream)


def test_rate_limited_opening_carries_retry_after(stub, fast_client):
    stub.respond(api_error(429, "429", **{"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as info:
        next(fast_client.events())
    assert info.value.retry_after == 3600.0


def test_iteration_after_refused_reconnect_tries_again(stub, fast_client):
    stub.respond(
        sse_answer(_status(1)),
        Canned(close=True),
        sse_answer(_status(2)),
    )
    stream = fast_client.events(HA_ID)
    next(stream)
    with pytest.raises(TransportError):
        next(stream)
    assert next(stream).items[0].value == 2


def test_close_from_another_thread_ends_iteration(stub, fast_client):
    stub.respond(sse_answer(KEEP_ALIVE, hang=True))
    stream = fast_client.events(HA_ID, keepalive_timeout=30)
    seen = []

    def read():
        seen.extend(event.type for event in stream)

    reader = threading.Thread(target=read)
    reader.start()
    stub.wait_for_requests(1)
    time.sleep(0.1)
    started = time.monotonic()
    stream.close()
    reader.join(timeout=5)
    assert not reader.is_alive()
    assert time.monotonic() - started < 5
    assert seen == ["KEEP-ALIVE"]
    assert stream.closed


def test_closed_stream_does_not_connect(stub, stub_client):
    stream = stub_client.events()
    stream.close()
    assert list(stream) == []
    assert stub.requests == []


def test_nothing_is_sent_before_iterating(stub, stub_client):
    stub_client.events(HA_ID)
    assert stub.requests == []


def test_connections_dying_silently_are_reopened_ever_slower(stub):
    stub.respond(sse_answer(), sse_answer(), sse_answer(), sse_answer(KEEP_ALIVE))
    client = HomeConnectClient(stub.url, "t", timeout=2.0)
    stream = client.events(reconnect_delay=0.1, max_reconnects=3)
    started = time.monotonic()
    assert next(stream).type == "KEEP-ALIVE"
    assert stream.reconnects == 3
    assert time.monotonic() - started >= 0.1 + 0.2 + 0.4


def test_close_interrupts_the_backoff(stub):
    stub.respond(sse_answer(), sse_answer(KEEP_ALIVE))
    client = HomeConnectClient(stub.url, "t", timeout=2.0)
    stream = client.events(reconnect_delay=30.0)
    threading.Timer(0.2, stream.close).start()
    started = time.monotonic()
    assert list(stream) == []
    assert time.monotonic() - started < 5
