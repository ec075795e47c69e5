"""The Smart Connect dongle: what it answers to each text of a TCP session.

:class:`DongleSession` is one session, between the socket (:mod:`.server`)
and the machine (:mod:`.state_machine`): it reads command texts and returns
reply texts. Replies are lowercase (``@tg:43…``), pushes uppercase (``@TF:``,
``@TV:``, ``@TB``, ``@TS``). Until the handshake succeeds the dongle answers
nothing but ``@HP:``.

=====================  ===============================================  =========
command                answer                                           note
=====================  ===============================================  =========
``@HP:pin,id,hash``    ``@hp4`` (known), ``@hp4:<hash>`` (paired),      [1]
                       ``@hp5:00`` PIN, ``@hp5:01`` hash, ``@hp5:02``
                       refused; nothing while the dialog is up
*(empty text)*         the dongle hangs up                              [2]
``@TG:43``             ``@tg:43`` + one u16 per maintenance counter
``@TG:C0``             ``@tg:C0`` + one byte per maintenance percentage
``@TG:FF``             ``@tg:FF``; cancels the product being made
``@TR:32,<page>``      ``@tr:32,<page>,`` + four u16 product counters   [3]
``@TR:52,<page>``      four unused slots (pages 00..03), else ``@tr:00``
``@TR:<other>,<p>``    ``@tr:00`` (bank not implemented)
``@TR:<bank>``         nothing (a bank is read page by page)
``@TM:<arg>``          ``@tm:<arg>,<value><checksum>`` for a setting,   [4]
                       ``@tm:<arg | 80>`` for an address not served
``@TM:<arg>,<v><c>``   ``@tm:<arg>``: stored only while keys are
                       locked; ``@an:error`` on a bad checksum
``@TM:50``             ``@tm:50,<slots per kind><checksum>``
``@TM:41,…/42,…``      ``@tm:C1`` / ``@tm:C2`` (no product programming)
``@TM:60,<code><c>``   the product's live limits (min/max pairs)
``@TS:01`` / ``00``    ``@ts``; locks / releases the panel
``@HU?``               ``@hu:800`` (no milk cooler)
``@TP:<blob>``         ``@tp`` and the brew starts, or ``@tp:00``       [5]
anything else          nothing
=====================  ===============================================  =========

[1] Outcomes decided by the machine's pairing rules. [2] What J.O.E.'s "close
connection" sends. [3] Slot 0 is the total, slot n the product of code n,
``FFFF`` a code the machine does not have. [4] The checksum of a ``@TM:``
body is ``(-1 - sum of its characters) & FF``, over ``<arg>,<value>``.
[5] Refused while busy, blocked or for a blob the machine does not take.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .brewing import RecipeRejected, decode_recipe
from .state_machine import (
    ABORTED,
    CORRECT,
    PENDING,
    WRONG_HASH,
    WRONG_PIN,
    JuraMachine,
    MachineRefused,
)

__all__ = ["DongleSession", "checksum"]

_HANDSHAKE_REPLIES = {
    WRONG_PIN: "@hp5:00",
    WRONG_HASH: "@hp5:01",
    ABORTED: "@hp5:02",
}
_PAGE = re.compile(r"^@TR:([0-9A-Fa-f]{2}),([0-9A-Fa-f]{2})$")
_SETTING_WRITE = re.compile(r"^([0-9A-F]{2}),([0-9A-F]+)([0-9A-F]{2})$")
#: Bank → number of pages the machine serves (``@TR:52`` holds nothing here).
_BANKS = {"32": 16, "52": 4}
#: ``@TM:60`` reports min/max for these parameters, in this order.
_LIMIT_ORDER = (
    "water_amount",
    "milk_amount",
    "milk_foam_amount",
    "bypass",
    "milk_break",
)


def checksum(body: str) -> str:
    """The two hex digits that end a ``@TM:`` body."""
    return f"{(-1 - sum(map(ord, body))) & 0xFF:02X}"


def _conn_id(hex_id: str) -> str:
    try:
        return bytes.fromhex(hex_id).decode("latin-1")
    except ValueError:
        return hex_id


class DongleSession:
    """One TCP session: commands in, replies out (see the module docstring).

    ``send(text)`` is how a late reply (the end of a pairing dialog) reaches
    the socket; ``lose_brew_answer()`` tells whether a fault swallows the
    answer to an accepted brew.
    """

    def __init__(
        self,
        machine: JuraMachine,
        send: Callable[[str], None],
        lose_brew_answer: Callable[[], bool] = lambda: False,
    ):
        self.machine = machine
        self._send = send
        self._lose_brew_answer = lose_brew_answer
        self.authenticated = False
        self.conn_id: str | None = None
        self.closed = False

    def close(self) -> None:
        """The session ended: a dialog it opened goes away."""
        self.closed = True
        if self.conn_id is not None:
            self.machine.cancel_pairing(self.conn_id)

    def handle(self, text: str) -> list[str]:
        """The replies to one command text."""
        if text.startswith("@HP:"):
            return self._handshake(text[4:])
        if not self.authenticated:
            return []
        for prefix, handler in (
            ("@TP:", self._brew),
            ("@TG:", self._maintenance),
            ("@TR:", self._counters),
            ("@TM:", self._memory),
            ("@TS:", self._keys),
        ):
            if text.startswith(prefix):
                return handler(text)
        if text == "@HU?":
            return ["@hu:800"]
        return []

    # -- handshake ---------------------------------------------------------------
    def _handshake(self, fields: str) -> list[str]:
        pin, _, rest = fields.partition(",")
        hex_id, _, auth_hash = rest.partition(",")
        self.conn_id = conn_id = _conn_id(hex_id)
        self.authenticated = False
        outcome, new_hash = self.machine.handshake(
            pin, conn_id, auth_hash.strip(), self._late_answer
        )
        if outcome == PENDING:
            return []
        return [self._handshake_reply(outcome, new_hash)]

    def _handshake_reply(self, outcome: str, new_hash: str | None) -> str:
        if outcome == CORRECT:
            self.authenticated = True
            return f"@hp4:{new_hash}" if new_hash else "@hp4"
        return _HANDSHAKE_REPLIES[outcome]

    def _late_answer(self, outcome: str, new_hash: str | None) -> None:
        if self.closed or outcome not in (CORRECT, ABORTED):
            return  # an expired dialog answers nothing
        self._send(self._handshake_reply(outcome, new_hash))

    # -- commands ----------------------------------------------------------------
    def _brew(self, text: str) -> list[str]:
        try:
            recipe = decode_recipe(self.machine.profile, text[4:])
            self.machine.brew(recipe)
        except (RecipeRejected, MachineRefused):
            return ["@tp:00"]
        if self._lose_brew_answer():
            return []
        return ["@tp"]

    def _maintenance(self, text: str) -> list[str]:
        machine = self.machine
        if text == "@TG:43":
            values = machine.maintenance
            body = "".join(
                f"{min(values[n], 0xFFFF):04X}"
                for n in machine.profile.maintenance_counters
            )
            return ["@tg:43" + body]
        if text == "@TG:C0":
            body = "".join(f"{v:02X}" for v in machine.maintenance_percent().values())
            return ["@tg:C0" + body]
        if text == "@TG:FF":
            machine.cancel()
            return ["@tg:FF"]
        return []

    def _counters(self, text: str) -> list[str]:
        match = _PAGE.match(text)
        if match is None:
            return []  # a bare bank: no answer at all
        bank, page = match.group(1).upper(), int(match.group(2), 16)
        if page >= _BANKS.get(bank, 0):
            return ["@tr:00"]
        slots = self.machine.counter_slots() if bank == "32" else [0xFFFF] * 16
        body = "".join(f"{v:04X}" for v in slots[4 * page : 4 * page + 4])
        return [f"@tr:{bank},{page:02X},{body}"]

    def _memory(self, text: str) -> list[str]:
        body = text[4:].upper()
        address = body[:2]
        if body.startswith("60,"):
            return self._limits(body)
        if address == "50" and body == "50":
            counts = self.machine.profile.pmode_slots.hex().upper()
            return [f"@tm:50,{counts}{checksum('50,' + counts)}"]
        if "," in body and address in self.machine.setting_values:
            return self._write_setting(body)
        value = None if "," in body else self.machine.read_setting(address)
        if value is None:
            try:
                return [f"@tm:{int(address, 16) | 0x80:02X}"]
            except ValueError:
                return []
        payload = f"{address},{value}"
        return [f"@tm:{payload}{checksum(payload)}"]

    def _write_setting(self, body: str) -> list[str]:
        match = _SETTING_WRITE.match(body)
        if match is None:
            return ["@an:error"]
        address, value, check = match.groups()
        if checksum(f"{address},{value}") != check:
            return ["@an:error"]
        self.machine.write_setting(address, value)
        return [f"@tm:{address}"]

    def _limits(self, body: str) -> list[str]:
        code, check = body[3:5], body[5:7]
        if checksum(f"60,{code}") != check:
            return ["@an:error"]
        try:
            product = self.machine.profile.product(code)
        except KeyError:
            return ["@tm:C1"]
        pairs = ""
        for kind in _LIMIT_ORDER:
            param = product.params.get(kind)
            if param is None or param.minimum is None or param.maximum is None:
                pairs += "FFFF"
            else:
                low, high = param.to_wire(param.minimum), param.to_wire(param.maximum)
                pairs += f"{low:02X}{high:02X}"
        payload = f"60,{code}{pairs}00"
        return [f"@tm:{payload}{checksum(payload)}"]

    def _keys(self, text: str) -> list[str]:
        if text in ("@TS:01", "@TS:00"):
            self.machine.lock_keys(text == "@TS:01")
            return ["@ts"]
        return []
