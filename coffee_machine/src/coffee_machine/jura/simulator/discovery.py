"""UDP discovery: the datagram a dongle answers to a scan probe.

A client looking for machines sends 16 bytes to UDP port 51515 (``00 10 A5
F3`` then twelve zeros; a variant carries an IPv4 address in bytes 4..7). A
dongle that answers (older firmware does; the S8's TT237W does not, and a
client then sweeps TCP port 51515 instead) sends back:

=========  ====  ==============================================================
offset     size  field
=========  ====  ==============================================================
0          2     total length, big-endian
2          2     control word ``05F3``: low 12 bits 1523, and the two flag
                 bits J.O.E. checks (counted from the end of the word: bit 15
                 set, bit 14 clear), i.e. bits 0 and 1 of the first byte
4          16    firmware, ASCII, space-padded (``TT237W V06.11``)
20         32    the machine's name, as its user set it
52         16    hardware identifier
68         2     article number (15480: an S8 (EB), EF1091), big-endian
70         2     machine number
72         2     serial number
74         2     production date: ``(year - 1990) << 9 | month << 5 | day``
76         2     production date of the dongle, same encoding
78         30    reserved (zeros)
108        1     extra byte
109        1     flags: bit 0 set = not in use, bit 4 ready, bit 7 standby
110        n     the status bitfield, as pushed in ``@TF:``
=========  ====  ==============================================================

The simulator answers to the sender's address (a real dongle broadcasts on
the same port).
"""

from __future__ import annotations

import datetime
import struct

from .state_machine import IDLE, JuraMachine

__all__ = ["SCAN_PREFIX", "discovery_reply", "encode_date", "is_probe"]

SCAN_PREFIX = bytes.fromhex("0010A5F3")
CONTROL_WORD = 0x05F3
NOT_IN_USE, READY, STANDBY = 0x01, 0x10, 0x80


def is_probe(datagram: bytes) -> bool:
    """A scan (or status) probe: 16 bytes starting ``00 10 A5 F3``."""
    return len(datagram) == 16 and datagram.startswith(SCAN_PREFIX)


def encode_date(day: datetime.date) -> int:
    return (day.year - 1990) << 9 | day.month << 5 | day.day


def _text(value: str, size: int) -> bytes:
    return value.encode("latin-1", "replace")[:size].ljust(size, b" ")


def discovery_reply(
    machine: JuraMachine,
    *,
    machine_number: int,
    serial_number: int,
    hardware_id: str,
    made: datetime.date = datetime.date(2021, 3, 15),
) -> bytes:
    """The datagram ``machine`` answers to a probe."""
    profile = machine.profile
    status = machine.status_bits()
    flags = 0
    if machine.state == IDLE:
        flags |= NOT_IN_USE
        if "coffee_ready" in machine.active_alerts():
            flags |= READY
    body = (
        _text(profile.firmware, 16)
        + _text(machine.name, 32)
        + _text(hardware_id, 16)
        + struct.pack(
            ">HHHHH",
            profile.article_number,
            machine_number & 0xFFFF,
            serial_number & 0xFFFF,
            encode_date(made),
            encode_date(made),
        )
        + bytes(30)
        + bytes((0, flags))
        + status
    )
    total = 4 + len(body)
    return struct.pack(">HH", total, CONTROL_WORD) + body
