"""The simulator's framing and cipher, checked against the client's own."""

from __future__ import annotations

import random

import pytest
from jura_connect import crypto, protocol

from coffee_machine.jura.simulator.framing import (
    RESERVED,
    FrameDecoder,
    decode_body,
    encode_frame,
    pick_key,
    scramble,
)

TEXTS = [b"@TG:43", b"", b"@TP:28000709000001000109000000000000", bytes(range(256))]


def test_scrambling_twice_gives_the_text_back():
    data = bytes(range(256)) * 2
    assert all(scramble(scramble(data, key), key) == data for key in range(256))


@pytest.mark.parametrize("text", TEXTS)
def test_frames_are_byte_identical_to_the_clients_for_every_key(text):
    assert all(
        encode_frame(text, key=key) == protocol.wrap(text, key=key)
        for key in range(256)
    )


@pytest.mark.parametrize("text", TEXTS)
def test_frames_of_the_client_decode_to_their_text(text):
    assert all(
        FrameDecoder().feed(protocol.wrap(text, key=key)) == [text]
        for key in range(256)
    )


def test_frames_decode_with_the_clients_cipher():
    frame = encode_frame("@tg:43001A000100090168109F005F", key=0x31)
    assert crypto.decode_payload(frame[1:-2]) == b"@tg:43001A000100090168109F005F\r\n"


def test_text_carries_the_inner_line_break():
    frame = encode_frame("@TS:01", key=0x10)
    assert scramble(frame[2:-2], 0x10) == b"@TS:01\r\n"


def test_reserved_bytes_never_appear_inside_a_frame():
    rng = random.Random(3)
    for _ in range(200):
        body = encode_frame(bytes(rng.randrange(256) for _ in range(40)))[1:-2]
        assert not {0x00, 0x0A, 0x0D, 0x26} & set(body)


def test_reserved_key_is_escaped():
    frame = encode_frame("@HU?", key=0x0D)
    assert frame[1:3] == bytes((0x1B, 0x0D ^ 0x80))
    assert decode_body(frame[1:-2]) == b"@HU?"


def test_picked_keys_never_end_in_e_or_f():
    rng = random.Random(1)
    assert {pick_key(rng) & 0x0F for _ in range(2000)} == set(range(14))


def test_decoder_reassembles_a_frame_cut_into_single_bytes():
    decoder = FrameDecoder()
    texts = []
    for byte in encode_frame("@TR:32,00", key=0x42):
        texts += decoder.feed(bytes((byte,)))
    assert texts == [b"@TR:32,00"]


def test_decoder_drops_garbage_before_a_frame():
    assert FrameDecoder().feed(b"\x00garbage" + encode_frame("@HU?")) == [b"@HU?"]


def test_decoder_returns_several_frames_of_one_read():
    data = encode_frame("@TG:43") + encode_frame("") + encode_frame("@TG:C0")
    assert FrameDecoder().feed(data) == [b"@TG:43", b"", b"@TG:C0"]


def test_reserved_set_is_the_documented_one():
    assert frozenset({0x00, 0x0A, 0x0D, 0x1B, 0x26}) == RESERVED == crypto.RESERVED
