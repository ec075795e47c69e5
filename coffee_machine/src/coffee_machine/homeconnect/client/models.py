"""What crosses the wire, as small frozen dataclasses.

Every model is built from the decoded JSON of an answer with ``from_api``. It
checks the *types* of the fields the API promises and raises
:class:`~.errors.MalformedResponseError` when one is missing or of the wrong
type (``"connected": "yes"``). It never judges *values*: a program, option,
status or enum key that appears nowhere in :mod:`..keys` (a ``MyCoffee`` slot,
a favourite, a new firmware's option) is kept exactly as it came. Fields the
model does not name are kept in ``extra`` (a read-only mapping), so nothing
the server said is lost.

>>> Appliance.from_api({"haId": "BOSCH-HCS06COM1-1", "name": "Kitchen",
...     "type": "CoffeeMaker", "brand": "Bosch", "vib": "HCS06COM1",
...     "enumber": "HCS06COM1/03", "connected": True}).connected
True
>>> Option("ConsumerProducts.CoffeeMaker.Option.FillQuantity", 60, "ml").to_api()
{'key': 'ConsumerProducts.CoffeeMaker.Option.FillQuantity', 'value': 60, 'unit': 'ml'}
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from .errors import MalformedResponseError

_EMPTY: Mapping[str, Any] = MappingProxyType({})


# -- field checks ---------------------------------------------------------------


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedResponseError(
            f"Malformed answer: {what} is {_kind(value)}, expected an object."
        )
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _wrong(what: str, name: str, value: Any, expected: str) -> MalformedResponseError:
    return MalformedResponseError(
        f"Malformed answer: {what}.{name} is {_kind(value)}, expected {expected}."
    )


def _str(data: Mapping[str, Any], name: str, what: str, *, required: bool = True):
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        if name not in data:
            raise MalformedResponseError(f"Malformed answer: {what}.{name} is missing.")
        raise _wrong(what, name, value, "a string")
    return value


def _bool(data: Mapping[str, Any], name: str, what: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        if name not in data:
            raise MalformedResponseError(f"Malformed answer: {what}.{name} is missing.")
        raise _wrong(what, name, value, "a boolean")
    return value


def _number(data: Mapping[str, Any], name: str, what: str) -> int | float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(what, name, value, "a number")
    return value


def _list(data: Mapping[str, Any], name: str, what: str, *, required: bool = True):
    value = data.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        if name not in data:
            raise MalformedResponseError(f"Malformed answer: {what}.{name} is missing.")
        raise _wrong(what, name, value, "a list")
    return value


def _present(data: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in data:
        raise MalformedResponseError(f"Malformed answer: {what}.{name} is missing.")
    return data[name]


def _extra(data: Mapping[str, Any], known: tuple[str, ...]) -> Mapping[str, Any]:
    rest = {k: v for k, v in data.items() if k not in known}
    return MappingProxyType(rest) if rest else _EMPTY


def _extra_field() -> Any:
    return field(default_factory=lambda: _EMPTY, compare=False, repr=False)


# -- appliances ---------------------------------------------------------------


@dataclass(frozen=True)
class Appliance:
    """A home appliance paired with the account (``GET /homeappliances``)."""

    ha_id: str
    name: str
    type: str
    brand: str
    vib: str
    enumber: str
    connected: bool
    extra: Mapping[str, Any] = _extra_field()

    _KNOWN = ("haId", "name", "type", "brand", "vib", "enumber", "connected")

    @classmethod
    def from_api(cls, data: Any) -> Appliance:
        what = "appliance"
        data = _object(data, what)
        return cls(
            ha_id=_str(data, "haId", what),
            name=_str(data, "name", what),
            type=_str(data, "type", what),
            brand=_str(data, "brand", what),
            vib=_str(data, "vib", what),
            enumber=_str(data, "enumber", what),
            connected=_bool(data, "connected", what),
            extra=_extra(data, cls._KNOWN),
        )


# -- programs -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSummary:
    """One entry of ``programs/available``; ``execution`` is e.g. ``selectandstart``."""

    key: str
    name: str | None = None
    execution: str | None = None
    extra: Mapping[str, Any] = _extra_field()

    @classmethod
    def from_api(cls, data: Any) -> ProgramSummary:
        what = "program"
        data = _object(data, what)
        # BSH's own examples spell it "contraints": accept both.
        constraints = data.get("constraints", data.get("contraints")) or {}
        constraints = _object(constraints, "program.constraints")
        return cls(
            key=_str(data, "key", what),
            name=_str(data, "name", what, required=False),
            execution=_str(
                constraints, "execution", "program.constraints", required=False
            ),
            extra=_extra(data, ("key", "name", "constraints", "contraints")),
        )


@dataclass(frozen=True)
class OptionConstraints:
    """Allowed values of an option: a range (Int) or a list (enum)."""

    min: int | float | None = None
    max: int | float | None = None
    stepsize: int | float | None = None
    allowed_values: tuple[Any, ...] = ()
    display_values: tuple[Any, ...] = ()
    default: Any = None
    extra: Mapping[str, Any] = _extra_field()

    _KNOWN = ("min", "max", "stepsize", "allowedvalues", "displayvalues", "default")

    @classmethod
    def from_api(cls, data: Any) -> OptionConstraints:
        what = "option.constraints"
        data = _object(data if data is not None else {}, what)
        return cls(
            min=_number(data, "min", what),
            max=_number(data, "max", what),
            stepsize=_number(data, "stepsize", what),
            allowed_values=tuple(_list(data, "allowedvalues", what, required=False)),
            display_values=tuple(_list(data, "displayvalues", what, required=False)),
            default=data.get("default"),
            extra=_extra(data, cls._KNOWN),
        )

    def allows(self, value: Any) -> bool:
        """Whether ``value`` fits these constraints (unknown constraints allow)."""
        if self.allowed_values:
            return value in self.allowed_values
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.min is None and self.max is None
        if self.min is not None and value < self.min:
            return False
        if self.max is not None and value > self.max:
            return False
        if self.stepsize and self.min is not None:
            return (value - self.min) % self.stepsize == 0
        return True


@dataclass(frozen=True)
class OptionDefinition:
    """An option a program accepts (``programs/available/{key}``)."""

    key: str
    type: str | None = None
    unit: str | None = None
    name: str | None = None
    constraints: OptionConstraints = field(default_factory=OptionConstraints)
    extra: Mapping[str, Any] = _extra_field()

    @classmethod
    def from_api(cls, data: Any) -> OptionDefinition:
        what = "option"
        data = _object(data, what)
        return cls(
            key=_str(data, "key", what),
            type=_str(data, "type", what, required=False),
            unit=_str(data, "unit", what, required=False),
            name=_str(data, "name", what, required=False),
            constraints=OptionConstraints.from_api(data.get("constraints")),
            extra=_extra(data, ("key", "type", "unit", "name", "constraints")),
        )


@dataclass(frozen=True)
class _ProgramShape:
    """A program key with a name and options, as both program answers have."""

    key: str
    name: str | None = None
    options: tuple = ()
    extra: Mapping[str, Any] = _extra_field()

    #: how each item of ``options`` is read
    _option_class: ClassVar[Any] = None

    @classmethod
    def from_api(cls, data: Any):
        what = "program"
        data = _object(data, what)
        return cls(
            key=_str(data, "key", what),
            name=_str(data, "name", what, required=False),
            options=tuple(
                cls._option_class.from_api(item)
                for item in _list(data, "options", what, required=False)
            ),
            extra=_extra(data, ("key", "name", "options")),
        )


@dataclass(frozen=True)
class ProgramDefinition(_ProgramShape):
    """A program with the options it accepts (their definitions)."""

    options: tuple[OptionDefinition, ...] = ()
    _option_class = OptionDefinition

    def option(self, key: str) -> OptionDefinition | None:
        """Return the definition of option ``key``, or ``None``."""
        return next((opt for opt in self.options if opt.key == key), None)


@dataclass(frozen=True)
class _KeyValue:
    """A key and its value, as the API sends option values, status and settings."""

    key: str
    value: Any
    unit: str | None = None
    name: str | None = None
    display_value: str | None = None
    extra: Mapping[str, Any] = _extra_field()

    #: what the item is called in the messages of MalformedResponseError
    _what = "item"

    @classmethod
    def from_api(cls, data: Any):
        what = cls._what
        data = _object(data, what)
        return cls(
            key=_str(data, "key", what),
            value=_present(data, "value", what),
            unit=_str(data, "unit", what, required=False),
            name=_str(data, "name", what, required=False),
            display_value=_str(data, "displayvalue", what, required=False),
            extra=_extra(data, ("key", "value", "unit", "name", "displayvalue")),
        )


@dataclass(frozen=True)
class Option(_KeyValue):
    """An option value, as sent with a start and as read on a running program."""

    _what = "option"

    def to_api(self) -> dict[str, Any]:
        """The option as a request body item."""
        body: dict[str, Any] = {"key": self.key, "value": self.value}
        if self.unit is not None:
            body["unit"] = self.unit
        return body


@dataclass(frozen=True)
class Program(_ProgramShape):
    """The active or selected program with its current option values."""

    options: tuple[Option, ...] = ()
    _option_class = Option

    def option_value(self, key: str, default: Any = None) -> Any:
        """Return the value of option ``key`` (e.g. the progress), or ``default``."""
        return next((opt.value for opt in self.options if opt.key == key), default)


# -- status and settings --------------------------------------------------------


@dataclass(frozen=True)
class StatusItem(_KeyValue):
    """A status or a setting: a key and its current value."""

    _what = "status"


Setting = StatusItem


# -- events ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventItem:
    """One change carried by a STATUS, EVENT or NOTIFY frame."""

    key: str
    value: Any = None
    timestamp: int | None = None
    level: str | None = None
    handling: str | None = None
    uri: str | None = None
    name: str | None = None
    display_value: str | None = None
    unit: str | None = None
    extra: Mapping[str, Any] = _extra_field()

    _KNOWN = (
        "key",
        "value",
        "timestamp",
        "level",
        "handling",
        "uri",
        "name",
        "displayvalue",
        "unit",
    )

    @classmethod
    def from_api(cls, data: Any) -> EventItem:
        what = "event item"
        data = _object(data, what)
        timestamp = _number(data, "timestamp", what)
        return cls(
            key=_str(data, "key", what),
            value=data.get("value"),
            timestamp=int(timestamp) if timestamp is not None else None,
            level=_str(data, "level", what, required=False),
            handling=_str(data, "handling", what, required=False),
            uri=_str(data, "uri", what, required=False),
            name=_str(data, "name", what, required=False),
            display_value=_str(data, "displayvalue", what, required=False),
            unit=_str(data, "unit", what, required=False),
            extra=_extra(data, cls._KNOWN),
        )


@dataclass(frozen=True)
class Event:
    """One event of the stream.

    :ivar type: ``KEEP-ALIVE``, ``STATUS``, ``EVENT``, ``NOTIFY``, ``CONNECTED``,
        ``DISCONNECTED``, ``PAIRED``, ``DEPAIRED`` (or whatever else comes).
    :ivar ha_id: the appliance (the frame's ``id:``), ``None`` for keep-alives.
    :ivar items: the parsed ``items`` of the data, empty when there are none.
    :ivar raw: the frame's data text, unparsed.
    """

    type: str
    ha_id: str | None = None
    items: tuple[EventItem, ...] = ()
    raw: str = ""

    def item(self, key: str) -> EventItem | None:
        """Return the item with ``key``, or ``None``."""
        return next((it for it in self.items if it.key == key), None)


# -- OAuth ----------------------------------------------------------------------


def _expires_in(data: Mapping[str, Any], default: float) -> float:
    value = data.get("expires_in")
    if value is None:
        return default
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _wrong("token answer", "expires_in", value, "a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong("token answer", "expires_in", value, "a number")
    return float(value)


@dataclass(frozen=True)
class Tokens:
    """An access token and the refresh token that renews it.

    Store the whole object after every exchange or refresh: in one-time token
    mode the old refresh token is dead once used.
    """

    access_token: str
    refresh_token: str | None
    expires_at: float
    scope: str = ""
    token_type: str = "Bearer"
    id_token: str | None = None

    @classmethod
    def from_api(
        cls,
        data: Any,
        *,
        now: float | None = None,
        previous_refresh_token: str | None = None,
    ) -> Tokens:
        """Build from a token answer; keep ``previous_refresh_token`` if none came."""
        what = "token answer"
        data = _object(data, what)
        current = time.time() if now is None else now
        refresh_token = _str(data, "refresh_token", what, required=False)
        return cls(
            access_token=_str(data, "access_token", what),
            refresh_token=refresh_token or previous_refresh_token,
            expires_at=current + _expires_in(data, 86400.0),
            scope=_str(data, "scope", what, required=False) or "",
            token_type=_str(data, "token_type", what, required=False) or "Bearer",
            id_token=_str(data, "id_token", what, required=False),
        )

    def expires_in(self, now: float | None = None) -> float:
        """Seconds left before the access token expires (negative once expired)."""
        return self.expires_at - (time.time() if now is None else now)

    def is_expiring(self, margin: float = 300, now: float | None = None) -> bool:
        """Whether the access token expires within ``margin`` seconds."""
        return self.expires_in(now) <= margin

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, the inverse of :meth:`from_dict` (for storage)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
            "token_type": self.token_type,
            "id_token": self.id_token,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tokens:
        """Rebuild tokens saved with :meth:`as_dict`."""
        return cls(**{k: data[k] for k in data if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class DeviceAuthorization:
    """The answer to a device authorization: show ``user_code`` and the URI."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None = None
    expires_in: float = 300.0
    interval: float = 5.0

    @classmethod
    def from_api(cls, data: Any) -> DeviceAuthorization:
        what = "device authorization"
        data = _object(data, what)
        expires_in = _number(data, "expires_in", what)
        interval = _number(data, "interval", what)
        return cls(
            device_code=_str(data, "device_code", what),
            user_code=_str(data, "user_code", what),
            verification_uri=_str(data, "verification_uri", what),
            verification_uri_complete=_str(
                data, "verification_uri_complete", what, required=False
            ),
            expires_in=float(expires_in) if expires_in is not None else 300.0,
            interval=float(interval) if interval is not None else 5.0,
        )
