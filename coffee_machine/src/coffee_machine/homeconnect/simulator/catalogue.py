"""What a simulated coffee machine can make, and the words it uses.

A machine's *catalogue* is its list of programs (beverages), each with the
options it accepts and their constraints: a ``FillQuantity`` between 35 and
60 ml in steps of 5, a ``BeanAmount`` among eight strengths... The API shows
it under ``programs/available`` and checks every start against it.

The default catalogue is the one BSH's hosted simulator shows (six beverages,
exact ranges). :func:`full_catalogue` adds the other documented beverages,
and :data:`EXTRA_PROGRAMS` holds keys a real machine shows that no document
lists (a rinsing program, a favourite): configure a machine with them to
check that a client keeps unknown keys instead of choking on them.

Each program also says what brewing it does to the machine: which beverage
counters grow (:func:`..keys.counter_families`), whether it grinds beans, how much of
its fill quantity is water from the tank.

The module ends with a small localisation table: the ``name`` and
``displayvalue`` fields in English (en-GB, en-US) and German (de-DE).

>>> catalogue = default_catalogue()
>>> espresso = catalogue[keys.PROGRAM_ESPRESSO]
>>> espresso.option(keys.OPTION_FILL_QUANTITY).check(42)
'SDK.Error.InvalidOptionValue'
>>> counter_families(keys.PROGRAM_CAPPUCCINO)
('CoffeeAndMilk',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import keys
from ..keys import counter_families

# -- option and program definitions ---------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    """One option of one program, with its constraints."""

    key: str
    type: str  # "Int", "Boolean", or an enum type key
    unit: str | None = None
    min: int | None = None
    max: int | None = None
    stepsize: int | None = None
    allowed_values: tuple[str, ...] = ()
    default: Any = None

    @property
    def is_enum(self) -> bool:
        return bool(self.allowed_values)

    def check(self, value: Any) -> str | None:
        """Return the API error key that ``value`` earns, or None if it is fine."""
        if self.type == "Boolean":
            return None if isinstance(value, bool) else keys.ERROR_INVALID_OPTION_VALUE
        if self.type in ("Int", "Double"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return keys.ERROR_INVALID_OPTION_VALUE
            if self.min is not None and value < self.min:
                return keys.ERROR_INVALID_OPTION_VALUE
            if self.max is not None and value > self.max:
                return keys.ERROR_INVALID_OPTION_VALUE
            if self.stepsize and (value - (self.min or 0)) % self.stepsize:
                return keys.ERROR_INVALID_OPTION_VALUE
            return None
        if self.allowed_values and value not in self.allowed_values:
            return keys.ERROR_INVALID_OPTION_VALUE
        return None


@dataclass(frozen=True)
class ProgramSpec:
    """One program: its options and what brewing it does to the machine."""

    key: str
    options: tuple[OptionSpec, ...] = ()
    execution: str = "selectandstart"  # selectonly | startonly | selectandstart
    available: bool = True  # False: listed, but refused with ProgramNotAvailable
    families: tuple[str, ...] = ()  # beverage counters that grow (see below)
    beverage: bool = True  # False for rinsing / cleaning programs
    water_share: float = 1.0  # share of FillQuantity drawn from the water tank
    grinds_beans: bool = True
    default_fill_ml: int = 0  # water used when the program has no FillQuantity

    def option(self, key: str) -> OptionSpec | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def defaults(self) -> dict[str, Any]:
        return {o.key: o.default for o in self.options if o.default is not None}


Catalogue = dict[str, ProgramSpec]

BEAN_AMOUNT_TYPE = keys.COFFEE_ENUM_PREFIX + "BeanAmount"
TEMPERATURE_TYPE = keys.COFFEE_ENUM_PREFIX + "CoffeeTemperature"
HOSTED_BEAN_AMOUNTS = (
    "VeryMild",
    "Mild",
    "Normal",
    "Strong",
    "VeryStrong",
    "DoubleShot",
    "DoubleShotPlus",
    "DoubleShotPlusPlus",
)


def bean_amount_option(
    amounts: Iterable[str] = HOSTED_BEAN_AMOUNTS, default: str = "Normal"
) -> OptionSpec:
    return OptionSpec(
        key=keys.OPTION_BEAN_AMOUNT,
        type=BEAN_AMOUNT_TYPE,
        allowed_values=tuple(keys.coffee_enum_value("BeanAmount", a) for a in amounts),
        default=keys.coffee_enum_value("BeanAmount", default),
    )


def temperature_option(default: str = "90C") -> OptionSpec:
    return OptionSpec(
        key=keys.OPTION_COFFEE_TEMPERATURE,
        type=TEMPERATURE_TYPE,
        allowed_values=tuple(
            keys.coffee_enum_value("CoffeeTemperature", t)
            for t in keys.COFFEE_TEMPERATURES
        ),
        default=keys.coffee_enum_value("CoffeeTemperature", default),
    )


def fill_quantity_option(low: int, high: int, step: int, default: int) -> OptionSpec:
    return OptionSpec(
        key=keys.OPTION_FILL_QUANTITY,
        type="Int",
        unit="ml",
        min=low,
        max=high,
        stepsize=step,
        default=default,
    )


def coffee_program(
    key: str,
    fill: tuple[int, int, int, int],
    water_share: float = 1.0,
    **kwargs: Any,
) -> ProgramSpec:
    """A bean beverage with the hosted simulator's three options."""
    return ProgramSpec(
        key=key,
        options=(
            temperature_option(),
            bean_amount_option(),
            fill_quantity_option(*fill),
        ),
        families=counter_families(key),
        water_share=water_share,
        **kwargs,
    )


#: Grams of ground coffee per cup, by bean amount.
BEAN_GRAMS = {
    "VeryMild": 7,
    "Mild": 8,
    "MildPlus": 9,
    "Normal": 10,
    "NormalPlus": 11,
    "Strong": 12,
    "StrongPlus": 13,
    "VeryStrong": 14,
    "VeryStrongPlus": 15,
    "ExtraStrong": 16,
    "DoubleShot": 18,
    "DoubleShotPlus": 20,
    "DoubleShotPlusPlus": 22,
    "TripleShot": 27,
    "TripleShotPlus": 30,
    "CoffeeGround": 0,
}


def default_catalogue() -> Catalogue:
    """The six beverages of BSH's hosted simulator, with its exact ranges."""
    programs = (
        coffee_program(keys.PROGRAM_ESPRESSO, (35, 60, 5, 40)),
        coffee_program(keys.PROGRAM_ESPRESSO_MACCHIATO, (40, 60, 10, 50), 0.7),
        coffee_program(keys.PROGRAM_COFFEE, (60, 250, 10, 120)),
        coffee_program(keys.PROGRAM_CAPPUCCINO, (100, 300, 20, 180), 0.3),
        coffee_program(keys.PROGRAM_LATTE_MACCHIATO, (200, 400, 20, 300), 0.2),
        coffee_program(keys.PROGRAM_CAFFE_LATTE, (100, 400, 20, 240), 0.4),
    )
    return {p.key: p for p in programs}


def full_catalogue() -> Catalogue:
    """Every documented Beverage program (ranges beyond the hosted six: ours)."""
    catalogue = default_catalogue()
    milk_fill = fill_quantity_option(60, 300, 20, 140)
    more = (
        coffee_program(keys.PROGRAM_RISTRETTO, (15, 35, 5, 25)),
        coffee_program(keys.PROGRAM_ESPRESSO_DOPPIO, (70, 120, 10, 80)),
        coffee_program(keys.PROGRAM_XL_COFFEE, (200, 500, 20, 300)),
        coffee_program(keys.PROGRAM_CAFFE_GRANDE, (100, 300, 20, 200)),
        ProgramSpec(
            keys.PROGRAM_MILK_FROTH,
            (milk_fill,),
            families=counter_families(keys.PROGRAM_MILK_FROTH),
            water_share=0.0,
            grinds_beans=False,
        ),
        ProgramSpec(
            keys.PROGRAM_WARM_MILK,
            (milk_fill,),
            families=counter_families(keys.PROGRAM_WARM_MILK),
            water_share=0.0,
            grinds_beans=False,
        ),
        ProgramSpec(
            keys.PROGRAM_HOT_WATER,
            (fill_quantity_option(50, 500, 10, 200),),
            families=counter_families(keys.PROGRAM_HOT_WATER),
            grinds_beans=False,
        ),
    )
    catalogue.update((p.key, p) for p in more)
    return catalogue


#: Keys real machines show that no document lists. Not beverages: they do not
#: count and grind nothing (a favourite brews a coffee-sized drink).
EXTRA_PROGRAMS: dict[str, ProgramSpec] = {
    p.key: p
    for p in (
        ProgramSpec(
            keys.CLEANING_PREFIX + "ApplianceOnRinsing",
            execution="startonly",
            beverage=False,
            grinds_beans=False,
            default_fill_ml=50,
        ),
        ProgramSpec(
            keys.FAVORITE_PREFIX + "001",
            families=("Coffee",),
            default_fill_ml=120,
        ),
    )
}


def build_catalogue(
    base: str | Catalogue = "default", extra: Iterable[str | ProgramSpec] = ()
) -> Catalogue:
    """A catalogue from a name ("default", "full") or a dict, plus extra programs.

    ``extra`` takes :class:`ProgramSpec` objects or keys of :data:`EXTRA_PROGRAMS`;
    any other key becomes an option-less beverage (an unknown favourite slot).
    """
    if isinstance(base, dict):
        catalogue = dict(base)
    elif base == "full":
        catalogue = full_catalogue()
    elif base == "default":
        catalogue = default_catalogue()
    else:
        raise ValueError(f"unknown catalogue {base!r} (default, full)")
    for item in extra:
        if isinstance(item, ProgramSpec):
            catalogue[item.key] = item
        elif item in EXTRA_PROGRAMS:
            catalogue[item] = EXTRA_PROGRAMS[item]
        else:
            catalogue[item] = ProgramSpec(item, default_fill_ml=120)
    return catalogue


# -- event levels -----------------------------------------------------------------


@dataclass(frozen=True)
class EventStyle:
    level: str = "hint"  # critical | alert | warning | hint | info
    handling: str = "none"  # none | acknowledge | decision


#: Levels and handling of EVENT items. The documents do not say (unsure):
#: these are our guesses, and a machine can be given others.
EVENT_STYLES: dict[str, EventStyle] = {
    keys.EVENT_BEAN_CONTAINER_EMPTY: EventStyle("alert", "acknowledge"),
    keys.EVENT_WATER_TANK_EMPTY: EventStyle("alert", "acknowledge"),
    keys.EVENT_DRIP_TRAY_FULL: EventStyle("alert", "acknowledge"),
    keys.EVENT_SHOULD_BE_DESCALED: EventStyle("warning", "acknowledge"),
    keys.EVENT_SHOULD_BE_CLEANED: EventStyle("warning", "acknowledge"),
    keys.EVENT_SHOULD_BE_CALC_N_CLEANED: EventStyle("warning", "acknowledge"),
    keys.EVENT_DESCALING_OVERDUE: EventStyle("alert", "acknowledge"),
    keys.EVENT_CLEANING_OVERDUE: EventStyle("alert", "acknowledge"),
    keys.EVENT_CALC_N_CLEAN_OVERDUE: EventStyle("alert", "acknowledge"),
    keys.EVENT_DESCALING_BLOCKAGE: EventStyle("critical", "acknowledge"),
    keys.EVENT_CALC_N_CLEAN_BLOCKAGE: EventStyle("critical", "acknowledge"),
}


def event_style(key: str) -> EventStyle:
    return EVENT_STYLES.get(key, EventStyle())


# -- localisation -------------------------------------------------------------------

#: key or enum value → (English, German). en-GB and en-US read the same here.
NAMES: dict[str, tuple[str, str]] = {
    keys.PROGRAM_RISTRETTO: ("Ristretto", "Ristretto"),
    keys.PROGRAM_ESPRESSO: ("Espresso", "Espresso"),
    keys.PROGRAM_ESPRESSO_DOPPIO: ("Espresso doppio", "Espresso doppio"),
    keys.PROGRAM_COFFEE: ("Coffee", "Kaffee"),
    keys.PROGRAM_XL_COFFEE: ("XL coffee", "Kaffee XL"),
    keys.PROGRAM_CAFFE_GRANDE: ("Caffè grande", "Caffè grande"),
    keys.PROGRAM_ESPRESSO_MACCHIATO: ("Espresso macchiato", "Espresso macchiato"),
    keys.PROGRAM_CAPPUCCINO: ("Cappuccino", "Cappuccino"),
    keys.PROGRAM_LATTE_MACCHIATO: ("Latte macchiato", "Latte macchiato"),
    keys.PROGRAM_CAFFE_LATTE: ("Caffè latte", "Milchkaffee"),
    keys.PROGRAM_MILK_FROTH: ("Milk froth", "Milchschaum"),
    keys.PROGRAM_WARM_MILK: ("Warm milk", "Warme Milch"),
    keys.PROGRAM_HOT_WATER: ("Hot water", "Heißes Wasser"),
    keys.OPTION_BEAN_AMOUNT: ("Coffee strength", "Kaffeestärke"),
    keys.OPTION_FILL_QUANTITY: ("Fill quantity", "Füllmenge"),
    keys.OPTION_COFFEE_TEMPERATURE: ("Coffee temperature", "Kaffeetemperatur"),
    keys.OPTION_PROGRAM_PROGRESS: ("Program progress", "Programmfortschritt"),
    keys.OPTION_REMAINING_PROGRAM_TIME: ("Remaining time", "Restzeit"),
    keys.STATUS_OPERATION_STATE: ("Operation state", "Betriebszustand"),
    keys.STATUS_REMOTE_CONTROL_ACTIVE: ("Remote control active", "Fernsteuerung"),
    keys.STATUS_REMOTE_START_ALLOWED: ("Remote start allowed", "Fernstart erlaubt"),
    keys.STATUS_LOCAL_CONTROL_ACTIVE: ("Local control active", "Lokale Bedienung"),
    keys.STATUS_DOOR_STATE: ("Door", "Tür"),
    keys.SETTING_POWER_STATE: ("Power state", "Netzschalter"),
    keys.SETTING_CHILD_LOCK: ("Child lock", "Kindersicherung"),
    keys.SETTING_CUP_WARMER: ("Cup warmer", "Tassenwärmer"),
    keys.POWER_ON: ("On", "Ein"),
    keys.POWER_STANDBY: ("Standby", "Standby"),
    keys.POWER_OFF: ("Off", "Aus"),
    keys.OPERATION_INACTIVE: ("Inactive", "Inaktiv"),
    keys.OPERATION_READY: ("Ready", "Bereit"),
    keys.OPERATION_RUN: ("Running", "Läuft"),
    keys.OPERATION_ACTION_REQUIRED: ("Action required", "Aktion erforderlich"),
    keys.OPERATION_FINISHED: ("Completed", "Fertig"),
    keys.OPERATION_ERROR: ("Error", "Fehler"),
    keys.OPERATION_ABORTING: ("Aborting", "Abbruch"),
    keys.DOOR_CLOSED: ("Closed", "Geschlossen"),
    keys.EVENT_PRESENT: ("Present", "Vorhanden"),
    keys.EVENT_OFF: ("Off", "Aus"),
    keys.EVENT_CONFIRMED: ("Confirmed", "Bestätigt"),
    keys.EVENT_BEAN_CONTAINER_EMPTY: ("Bean container empty", "Bohnenbehälter leer"),
    keys.EVENT_WATER_TANK_EMPTY: ("Water tank empty", "Wassertank leer"),
    keys.EVENT_DRIP_TRAY_FULL: ("Drip tray full", "Tropfschale voll"),
    keys.EVENT_PROGRAM_FINISHED: ("Program finished", "Programm beendet"),
    keys.EVENT_PROGRAM_ABORTED: ("Program aborted", "Programm abgebrochen"),
    keys.COMMAND_ACKNOWLEDGE_EVENT: ("Acknowledge event", "Ereignis bestätigen"),
}
_GERMAN_BEAN = {
    "VeryMild": "Sehr mild",
    "Mild": "Mild",
    "Normal": "Normal",
    "Strong": "Stark",
    "VeryStrong": "Sehr stark",
    "DoubleShot": "Doppelter Shot",
    "DoubleShotPlus": "Doppelter Shot +",
    "DoubleShotPlusPlus": "Doppelter Shot ++",
}
for _amount in keys.BEAN_AMOUNTS:
    _english = "".join(f" {c.lower()}" if c.isupper() else c for c in _amount)
    _english = (
        _english.strip()
        .capitalize()
        .replace(" plus plus", " ++")
        .replace(" plus", " +")
    )
    NAMES[keys.coffee_enum_value("BeanAmount", _amount)] = (
        _english,
        _GERMAN_BEAN.get(_amount, _english),
    )
for _temperature in keys.COFFEE_TEMPERATURES:
    _label = _temperature[:-1] + "°C"
    NAMES[keys.coffee_enum_value("CoffeeTemperature", _temperature)] = (_label, _label)

LANGUAGES = ("en-GB", "en-US", "de-DE")
DEFAULT_LANGUAGE = "en-GB"


def pick_language(accept_language: str | None) -> str:
    """The first of our languages an ``Accept-Language`` header asks for."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        for language in LANGUAGES:
            if tag == language.lower():
                return language
        if tag.startswith("de"):
            return "de-DE"
        if tag.startswith("en"):
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def localise(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The user-facing name of a key or enum value (its last part if unknown)."""
    names = NAMES.get(key)
    if names is None:
        return keys.short_name(key)
    return names[1] if language == "de-DE" else names[0]
