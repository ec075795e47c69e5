"""A brew, from the recipe blob of ``@TP:`` to the ``@TV:`` frames it shows.

*The recipe.* A remote brew is ``@TP:`` and 16 bytes in hex. Byte 0 is the
product code, byte 8 is always ``01`` (the "recipe valid" byte), every other
byte is ``00`` ("not set") except those of the product's parameters, each at
its fixed offset: strength as a level, water and bypass in 5 ml ticks, milk,
milk foam and milk break in seconds, temperature as 0/1/2. The S8 answers
``@tp`` when it brews and ``@tp:00`` when it does not; it does not brew an
``FF``-padded blob (byte 8 is not ``01`` there), nor, in this simulator, a
blob of another length, of an unknown product or with a value outside the
product's range.

>>> from .profile import load_profile
>>> recipe = decode_recipe(load_profile(), "28000709000001000109000000000000")
>>> recipe.product.name, recipe.values["water_amount"], recipe.values["bypass"]
('cafe_barista', 45, 45)

*The phases.* The machine works through the recipe phase by phase, each with
its ``@TV:`` state code: milk (``32``), milk foam (``34``) and the milk break
(``33``) first for a milky coffee, then grinding (``39``, showing the
strength), the coffee water (``3C``), the bypass water (``41``); hot water is
``41`` too, told apart by window slot 6 being ``FF``. Then ``ENJOY``
(``3E``), a bare ``@TV:3E<code>``.

*The frame.* ``@TV:`` + state + product code + a 14-byte *window*: slots 0/1
strength (actual/maximum), 2/3 water ticks, 4/5 milk seconds, 6/7 milk foam
seconds or bypass ticks, 9/10 pause seconds, 12 the percentage of the whole
product (a multiple of ten), 13 ``00``. A slot the product does not use is
``FF``; slots 8 and 11 carry the ``11`` a real S8 sends there (nobody knows
why). Actual values count up per phase; the percentage does not restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .profile import Product, Profile

__all__ = [
    "BrewPlan",
    "Phase",
    "Recipe",
    "RecipeRejected",
    "decode_recipe",
    "enjoy_frame",
    "make_recipe",
]

RECIPE_BYTES = 16

#: ``@TV:`` state codes the simulator shows.
MILK = 0x32
MILK_PAUSE = 0x33
MILK_FOAM = 0x34
GRINDING = 0x39
COFFEE_WATER = 0x3C
COFFEE_NO_ADJUSTMENT = 0x3D
ENJOY = 0x3E
HOT_OR_BYPASS_WATER = 0x41

#: Window slots (actual value; the maximum is the next slot).
STRENGTH_SLOT, WATER_SLOT, MILK_SLOT, FOAM_OR_BYPASS_SLOT, PAUSE_SLOT = 0, 2, 4, 6, 9
PERCENT_SLOT = 12
WINDOW_BYTES = 14
UNUSED = 0xFF


class RecipeRejected(ValueError):
    """The machine does not brew this blob (it answers ``@tp:00``)."""


@dataclass(frozen=True)
class Recipe:
    """What to brew: a product and its parameters, in the menu's units."""

    product: Product
    values: Mapping[str, int]

    def blob(self, profile: Profile) -> str:
        """The recipe as the ``@TP:`` hex blob a client would send."""
        data = bytearray(RECIPE_BYTES)
        data[0] = self.product.code
        data[profile.recipe_valid_byte] = 0x01
        for kind, value in self.values.items():
            param = self.product.params[kind]
            data[param.byte] = param.to_wire(value)
        return data.hex().upper()


def decode_recipe(profile: Profile, blob: str) -> Recipe:
    """Read a ``@TP:`` blob the way the machine does, or raise RecipeRejected."""
    try:
        data = bytes.fromhex(blob)
    except ValueError as exc:
        raise RecipeRejected(f"not a hex blob: {blob!r}") from exc
    if len(data) != RECIPE_BYTES:
        raise RecipeRejected(f"{len(data)} bytes, not {RECIPE_BYTES}")
    if data[profile.recipe_valid_byte] != 0x01:
        raise RecipeRejected(f"byte {profile.recipe_valid_byte} is not 01")
    try:
        product = profile.product(data[0])
    except KeyError as exc:
        raise RecipeRejected(f"unknown product 0x{data[0]:02X}") from exc
    values = {}
    for kind, param in product.params.items():
        value = param.from_wire(data[param.byte])
        problem = param.problem(value)
        if problem:
            raise RecipeRejected(f"{product.name}: {problem}")
        values[kind] = value
    return Recipe(product, values)


def make_recipe(
    profile: Profile, product: Product, options: Mapping[str, int | str] | None
) -> Recipe:
    """A recipe chosen at the panel: the defaults, changed by ``options``.

    ``options`` maps parameter kinds to menu values; a temperature may be
    given by name (``"high"``). Raises :class:`RecipeRejected` on anything
    the panel would not offer.
    """
    values = {kind: param.default for kind, param in product.params.items()}
    for kind, value in (options or {}).items():
        param = product.params.get(kind)
        if param is None:
            raise RecipeRejected(f"{product.name} has no {kind}")
        if isinstance(value, str):
            if value not in profile.temperatures:
                raise RecipeRejected(f"{kind}: unknown value {value!r}")
            value = profile.temperatures[value]
        problem = param.problem(value)
        if problem:
            raise RecipeRejected(f"{product.name}: {problem}")
        values[kind] = value
    return Recipe(product, values)


class Timings(Protocol):
    """How fast the machine works (simulated seconds)."""

    grind_seconds: float
    water_ml_per_second: float
    bypass_ml_per_second: float
    hot_water_ml_per_second: float


@dataclass(frozen=True)
class Phase:
    """One step of a brew: a ``@TV:`` state for ``seconds``."""

    state: int
    seconds: float
    slot: int | None = None  # the window slot whose value counts up
    target: int = 0  # where it counts up to
    counts: bool = True  # whether it moves the percentage


def _phases(recipe: Recipe, timings: Timings) -> list[Phase]:
    values = recipe.values
    product = recipe.product
    phases = []
    if values.get("milk_amount"):
        seconds = values["milk_amount"]
        phases.append(Phase(MILK, seconds, MILK_SLOT, seconds))
    if values.get("milk_foam_amount"):
        seconds = values["milk_foam_amount"]
        phases.append(Phase(MILK_FOAM, seconds, FOAM_OR_BYPASS_SLOT, seconds))
    if values.get("milk_break"):
        seconds = values["milk_break"]
        phases.append(Phase(MILK_PAUSE, seconds, PAUSE_SLOT, seconds))
    water = values.get("water_amount", 0)
    ticks = product.params["water_amount"].to_wire(water) if water else 0
    if product.makes_coffee and product.params:
        phases.append(Phase(GRINDING, timings.grind_seconds, counts=False))
        if water:
            seconds = water / timings.water_ml_per_second
            phases.append(Phase(COFFEE_WATER, seconds, WATER_SLOT, ticks))
        bypass = values.get("bypass", 0)
        if bypass:
            seconds = bypass / timings.bypass_ml_per_second
            wire = product.params["bypass"].to_wire(bypass)
            phases.append(
                Phase(HOT_OR_BYPASS_WATER, seconds, FOAM_OR_BYPASS_SLOT, wire)
            )
    elif water:
        seconds = water / timings.hot_water_ml_per_second
        phases.append(Phase(HOT_OR_BYPASS_WATER, seconds, WATER_SLOT, ticks))
    if not phases:  # a product without parameters (a double): no adjustment
        phases.append(Phase(COFFEE_NO_ADJUSTMENT, 20.0))
    return phases


def _initial_window(recipe: Recipe) -> bytearray:
    window = bytearray([UNUSED] * WINDOW_BYTES)
    window[8] = window[11] = 0x11
    window[PERCENT_SLOT] = 0
    window[13] = 0
    params = recipe.product.params
    for kind, slot in (
        ("water_amount", WATER_SLOT),
        ("milk_amount", MILK_SLOT),
        ("milk_foam_amount", FOAM_OR_BYPASS_SLOT),
        ("bypass", FOAM_OR_BYPASS_SLOT),
        ("milk_break", PAUSE_SLOT),
    ):
        value = recipe.values.get(kind)
        if value:
            window[slot : slot + 2] = bytes((0, params[kind].to_wire(value)))
    strength = recipe.values.get("coffee_strength")
    if strength:
        window[STRENGTH_SLOT : STRENGTH_SLOT + 2] = bytes((strength, strength))
    return window


class BrewPlan:
    """The phases of one recipe, and the ``@TV:`` frame at any moment."""

    def __init__(self, recipe: Recipe, timings: Timings):
        self.recipe = recipe
        self.phases = _phases(recipe, timings)
        self.duration = sum(p.seconds for p in self.phases)
        self._counted = sum(p.seconds for p in self.phases if p.counts)
        self._window = _initial_window(recipe)

    def phase_ends(self) -> list[float]:
        """When each phase ends, in seconds after the start."""
        ends, elapsed = [], 0.0
        for phase in self.phases:
            elapsed += phase.seconds
            ends.append(elapsed)
        return ends

    def frame(self, elapsed: float) -> str:
        """The ``@TV:`` frame ``elapsed`` seconds after the start."""
        window = bytearray(self._window)
        state = self.phases[-1].state
        left, counted = elapsed, 0.0
        for phase in self.phases:
            fraction = 1.0 if left >= phase.seconds else max(0.0, left / phase.seconds)
            if phase.slot is not None:
                window[phase.slot] = int(phase.target * fraction)
            if phase.counts:
                counted += phase.seconds * fraction
            if fraction < 1.0:
                state = phase.state
                break
            left -= phase.seconds
        if self._counted:
            window[PERCENT_SLOT] = min(100, 10 * int(10 * counted / self._counted))
        head = bytes((state, self.recipe.product.code))
        return "@TV:" + (head + window).hex().upper()


def enjoy_frame(product: Product) -> str:
    """The frame of a finished product: ``ENJOY``, no window."""
    return f"@TV:{ENJOY:02X}{product.code:02X}"
