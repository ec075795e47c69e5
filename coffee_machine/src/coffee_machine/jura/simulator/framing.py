"""The Smart Connect framing, seen from the machine: ``*`` + body + ``\\r\\n``.

Every TCP frame, both ways, is::

    b"*"  <key byte> <obfuscated text>  b"\\r\\n"

*The text.* ASCII, such as ``@TG:43``, and it carries its own ``\\r\\n``
*inside* the obfuscation (J.O.E. always sends it, and an S8 drops a settings
write that lacks it), in addition to the outer terminator. An *empty* text
(just the inner ``\\r\\n``) is how a client hangs up.

*The cipher.* Not encryption, an obfuscation: a permutation of each 4-bit
nibble that depends on the nibble's position in the text (0, 1, 2... two per
byte) and on a key byte the sender picks at random for every frame (never
with a low nibble of ``E`` or ``F``) and sends first, in clear. Applying the
permutation twice gives the nibble back, so one function both hides and
reveals.

*The escape.* Five byte values never appear between ``*`` and ``\\r\\n``:
``00``, ``0A``, ``0D``, ``1B``, ``26``. Such a byte, the key byte included, is
sent as ``1B`` followed by the byte XOR ``80``. So a reader finds a frame by
looking for ``*`` and then the next ``\\r\\n``.

>>> frame = encode_frame("@TG:43", key=0x42)
>>> frame[:1], frame[-2:]
(b'*', b'\\r\\n')
>>> FrameDecoder().feed(b"noise" + frame)
[b'@TG:43']
"""

from __future__ import annotations

import random

__all__ = [
    "RESERVED",
    "FrameDecoder",
    "decode_body",
    "encode_frame",
    "pick_key",
    "scramble",
]

#: The two 4-bit substitution tables of the permutation.
SBOX_A = (1, 0, 3, 2, 15, 14, 8, 10, 6, 13, 7, 12, 11, 9, 5, 4)
SBOX_B = (9, 12, 6, 11, 10, 15, 2, 14, 13, 0, 4, 3, 1, 8, 7, 5)

#: Byte values that must be escaped inside a frame.
RESERVED = frozenset({0x00, 0x0A, 0x0D, 0x1B, 0x26})
ESCAPE = 0x1B
SYNC = b"*"
END = b"\r\n"

#: A frame longer than this without its ``\r\n`` is garbage: drop it.
MAX_FRAME_BYTES = 4096


def _permute(nibble: int, position: int, key: int) -> int:
    """The self-inverse permutation of one nibble at ``position``."""
    high = key >> 4
    block = position >> 4
    first = (nibble + position + high) % 16
    second = (block + SBOX_A[first] + key - position - high) % 16
    third = (SBOX_B[second] + high + position - key - block) % 16
    return (SBOX_A[third] - position - high) % 16


def scramble(data: bytes, key: int) -> bytes:
    """Obfuscate ``data`` with ``key``; scrambling twice gives ``data`` back."""
    out = bytearray()
    for index, byte in enumerate(data):
        position = 2 * index
        high = _permute(byte >> 4, position, key)
        low = _permute(byte & 0x0F, position + 1, key)
        out.append(high << 4 | low)
    return bytes(out)


def pick_key(rng: random.Random | None = None) -> int:
    """A key byte as J.O.E. picks them: random, low nibble never E or F."""
    rng = rng or random
    while True:
        key = rng.randrange(256)
        if key & 0x0F < 0x0E:
            return key


def _escape(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        if byte in RESERVED:
            out += bytes((ESCAPE, byte ^ 0x80))
        else:
            out.append(byte)
    return bytes(out)


def _unescape(data: bytes) -> bytes:
    out = bytearray()
    escaped = False
    for byte in data:
        if escaped:
            out.append(byte ^ 0x80)
            escaped = False
        elif byte == ESCAPE:
            escaped = True
        else:
            out.append(byte)
    return bytes(out)


def encode_frame(
    text: str | bytes, *, key: int | None = None, rng: random.Random | None = None
) -> bytes:
    """One frame on the wire for ``text`` (the inner ``\\r\\n`` is added)."""
    body = text.encode("latin-1") if isinstance(text, str) else bytes(text)
    if not body.endswith(END):
        body += END
    key = pick_key(rng) if key is None else key & 0xFF
    return SYNC + _escape(bytes((key,)) + scramble(body, key)) + END


def decode_body(raw: bytes) -> bytes:
    """The text of one frame, given what lies between ``*`` and ``\\r\\n``."""
    data = _unescape(raw)
    if not data:
        return b""
    text = scramble(data[1:], data[0])
    return text.rstrip(b"\r\n")


class FrameDecoder:
    """Turns a byte stream into frame texts, however the bytes are cut up."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the texts of every frame now complete."""
        self._buffer += data
        texts: list[bytes] = []
        while True:
            start = self._buffer.find(SYNC)
            if start < 0:
                self._buffer.clear()
                return texts
            end = self._buffer.find(END, start + 1)
            if end < 0:
                del self._buffer[:start]
                if len(self._buffer) > MAX_FRAME_BYTES:
                    self._buffer.clear()
                return texts
            raw = bytes(self._buffer[start + 1 : end])
            del self._buffer[: end + len(END)]
            texts.append(decode_body(raw))
