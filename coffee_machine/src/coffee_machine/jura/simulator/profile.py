"""What one JURA machine type is: its products, its alert bits, its counters.

JURA describes every machine type in a file of J.O.E., its app, under an *EF
code*: the S8 (EB) is ``EF1091``. The client (``jura-connect``) bundles those
files and reads names from them: the product whose code is ``0x2B`` is a
``cortado`` *because* EF1091 says so, the status bit 1 is ``fill_water``, the
maintenance counters come in a declared order. A simulated machine that wants
to be named correctly must therefore agree with that file, byte for byte, on
the facts it uses. They are written down here, compactly, in our own JSON
(``data/ef1091.json``); a test checks them against the client's view.

*Products.* Each has a code (byte 0 of a ``@TP:`` recipe), a snake_case name,
a kind (``C`` coffee, ``M`` milk, ``CM`` both, ``T`` hot water) and the
parameters a recipe may set: coffee strength (level 1..10), water and bypass
(ml, in steps of 5, sent as 5 ml *ticks*), milk and milk foam (seconds), milk
break (seconds), temperature (``low`` 0, ``normal`` 1, ``high`` 2). Each
parameter sits at a fixed byte of the recipe (``recipe_bytes``). Products
marked inactive (the doubles, the powder product) are counted but not offered.

*Alerts.* Bit *n* of the status frame (most significant bit first in each
byte). ``"type": "block"`` alerts stop every product; ``"blocks": "C"`` stops
the products whose kind contains a C (``no_beans``), ``"M"`` the milky ones;
an alert with a ``process`` is a maintenance reminder (cleaning, descaling,
filter, milk system) that blocks nothing yet.

*Counters.* ``@TG:43`` lists the maintenance counters in the declared order;
``@TG:C0`` the maintenance percentages.

*Settings.* The ``@TM:<arg>`` addresses the machine answers, with their
factory values.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Alert", "Param", "Product", "Profile", "Setting", "load_profile"]

#: Product kinds an alert of ``"type": "block"`` stops: all of them.
KINDS = ("C", "M", "CM", "T", "TM", "P")


@dataclass(frozen=True)
class Param:
    """One recipe parameter of a product, in the units of the machine's menu."""

    kind: str  # "water_amount", "coffee_strength", "temperature"...
    byte: int  # its offset in the @TP: recipe blob
    default: int
    minimum: int | None = None
    maximum: int | None = None
    step: int | None = None
    choices: tuple[int, ...] = ()  # enumerated values (temperature)
    tick: int = 1  # menu units per wire unit: 5 for millilitres

    def problem(self, value: int) -> str | None:
        """Why ``value`` is not allowed, or ``None`` when it is."""
        if self.choices:
            if value not in self.choices:
                return f"{self.kind} must be one of {list(self.choices)}, not {value}"
            return None
        if self.minimum is not None and value < self.minimum:
            return f"{self.kind} {value} is below {self.minimum}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.kind} {value} is above {self.maximum}"
        if self.step and (value - (self.minimum or 0)) % self.step:
            return f"{self.kind} {value} is not a multiple of {self.step}"
        return None

    def to_wire(self, value: int) -> int:
        return value // self.tick

    def from_wire(self, byte: int) -> int:
        return byte * self.tick


@dataclass(frozen=True)
class Product:
    """One product of the machine's menu."""

    code: int
    name: str
    label: str
    kind: str
    params: Mapping[str, Param] = field(default_factory=dict)
    active: bool = True
    double_product: bool = False  # counts as two products in the total

    @property
    def makes_coffee(self) -> bool:
        return "C" in self.kind


@dataclass(frozen=True)
class Alert:
    """One bit of the status frame."""

    bit: int
    name: str
    blocks_everything: bool = False
    blocks: str | None = None  # "C" or "M": kinds containing that letter
    process: str | None = None  # the maintenance that clears it

    def blocks_kind(self, kind: str) -> bool:
        if self.blocks_everything:
            return True
        return bool(self.blocks and self.blocks in kind)


@dataclass(frozen=True)
class Setting:
    """One machine setting, read and written as ``@TM:<arg>``."""

    arg: str
    name: str
    default: str  # hex, as the machine stores it


@dataclass(frozen=True)
class Profile:
    """A machine type (an EF code) as the simulator needs it."""

    code: str
    model: str
    article_number: int
    firmware: str
    status_bytes: int
    recipe_valid_byte: int
    temperatures: Mapping[str, int]
    products: tuple[Product, ...]
    alerts: tuple[Alert, ...]
    alert_aliases: Mapping[str, str]
    maintenance_counters: tuple[str, ...]
    maintenance_percent: tuple[str, ...]
    settings: Mapping[str, Setting]
    pmode_slots: bytes

    def product(self, key: str | int) -> Product:
        """A product by code (``0x02``, ``"02"``) or name (``"espresso"``)."""
        for product in self.products:
            if key in (product.code, product.name) or (
                isinstance(key, str) and key.upper() == f"{product.code:02X}"
            ):
                return product
        raise KeyError(f"{self.code} has no product {key!r}")

    def alert(self, name: str) -> Alert:
        """An alert by its name or by one of our short aliases (``"water"``)."""
        name = self.alert_aliases.get(name, name)
        for alert in self.alerts:
            if alert.name == name:
                return alert
        known = sorted({*self.alert_aliases, *(a.name for a in self.alerts)})
        raise KeyError(f"{self.code} has no alert {name!r}; known: {known}")


def _param(kind: str, raw: Mapping[str, Any], data: Mapping[str, Any]) -> Param:
    low, high, step = raw.get("range", (None, None, None))
    return Param(
        kind=kind,
        byte=data["recipe_bytes"][kind],
        default=raw["default"],
        minimum=low,
        maximum=high,
        step=step,
        choices=tuple(raw.get("choices", ())),
        tick=data["ml_per_tick"] if kind in data["ml_kinds"] else 1,
    )


def _product(raw: Mapping[str, Any], data: Mapping[str, Any]) -> Product:
    return Product(
        code=int(raw["code"], 16),
        name=raw["name"],
        label=raw["label"],
        kind=raw["kind"],
        params={kind: _param(kind, p, data) for kind, p in raw["params"].items()},
        active=raw.get("active", True),
        double_product=raw.get("double_product", False),
    )


def _alert(raw: Mapping[str, Any]) -> Alert:
    return Alert(
        bit=raw["bit"],
        name=raw["name"],
        blocks_everything=raw.get("type") == "block",
        blocks=raw.get("blocks"),
        process=raw.get("process"),
    )


def parse_profile(data: Mapping[str, Any]) -> Profile:
    """Build a :class:`Profile` from the JSON of a profile file."""
    return Profile(
        code=data["code"],
        model=data["model"],
        article_number=data["article_number"],
        firmware=data["firmware"],
        status_bytes=data["status_bytes"],
        recipe_valid_byte=data["recipe_valid_byte"],
        temperatures=dict(data["temperatures"]),
        products=tuple(_product(p, data) for p in data["products"]),
        alerts=tuple(_alert(a) for a in data["alerts"]),
        alert_aliases=dict(data["alert_aliases"]),
        maintenance_counters=tuple(data["maintenance_counters"]),
        maintenance_percent=tuple(data["maintenance_percent"]),
        settings={
            arg: Setting(arg, s["name"], s["default"])
            for arg, s in data["settings"].items()
        },
        pmode_slots=bytes.fromhex(data["pmode_slots"]),
    )


@functools.cache
def load_profile(name: str = "EF1091") -> Profile:
    """The bundled profile of a machine type (only ``EF1091``, the S8 (EB))."""
    resource = importlib.resources.files(__package__) / "data" / f"{name.lower()}.json"
    if not resource.is_file():
        raise KeyError(f"no bundled profile {name!r}")
    return parse_profile(json.loads(resource.read_text(encoding="utf-8")))
