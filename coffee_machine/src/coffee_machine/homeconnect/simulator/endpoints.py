"""The ``/api`` endpoints: the Home Connect answers, built from the machines.

One :class:`ApiEndpoints` is made per request, with the simulator and the
language the client asked for (``Accept-Language``); the route table
(:mod:`.routes`) maps each URL to one of its methods. A method takes the
path's ``haId`` (and ``key``), and for ``PUT`` the parsed JSON body, and
returns ``(status, data)``: ``data`` is what goes inside ``{"data": ...}``,
``None`` for a ``204``. The endpoints, by family:

* appliances: ``GET /api/homeappliances`` and ``/{haId}``;
* programs: ``programs`` (all of them, with the active and the selected),
  ``programs/available[/{key}]``, ``programs/active`` (``GET``, and ``PUT``
  to brew, ``DELETE`` to stop) and ``programs/selected``, each with
  ``/options[/{key}]`` to read (``GET``) and to change (``PUT``);
* status and settings: ``status[/{key}]``, ``settings[/{key}]``, and ``PUT
  settings[/{key}]``;
* commands and images: ``commands`` (``GET``, ``PUT``), ``commands/{key}``,
  ``images`` and ``images/{key}`` (a coffee maker has none).

A ``PUT`` to a URL that names its key (``settings/{key}``,
``options/{key}``, ``commands/{key}``) may repeat the key in its body; a body
naming another is refused as the machine refuses an unknown key (409, or 403
for a command): the specification gives these operations no ``400``.

The machine (:mod:`.machine_api`) gives plain ``(key, value, unit)`` triples;
the endpoints turn them into API items, adding the localised ``name`` and,
for enum values, ``displayvalue``. A machine's refusal
(:class:`.errors.MachineError`) and a malformed body (:class:`.errors.ApiError`)
are raised, not answered: the request pipeline (:mod:`.api_requests`) answers.
The event streams are not here but in :mod:`.stream`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import keys
from .catalogue import ProgramSpec, localise
from .errors import ApiError, MachineError
from .state_machine import CoffeeMachine

if TYPE_CHECKING:
    from .server import Simulator


def _api_item(key: str, value: Any, unit: str | None, language: str) -> dict[str, Any]:
    item: dict[str, Any] = {"key": key, "name": localise(key, language), "value": value}
    if isinstance(value, str) and ".EnumType." in value:
        item["displayvalue"] = localise(value, language)
    if unit:
        item["unit"] = unit
    return item


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Int"
    if isinstance(value, str) and ".EnumType." in value:
        return value.rsplit(".", 1)[0]
    return "String"


def _option_definition(spec: ProgramSpec, key: str, language: str) -> list[dict]:
    result = []
    for option in spec.options:
        constraints: dict[str, Any] = {}
        if option.is_enum:
            constraints["allowedvalues"] = list(option.allowed_values)
            constraints["displayvalues"] = [
                localise(v, language) for v in option.allowed_values
            ]
        else:
            for name in ("min", "max", "stepsize"):
                if getattr(option, name) is not None:
                    constraints[name] = getattr(option, name)
        if option.default is not None:
            constraints["default"] = option.default
        definition = {
            "key": option.key,
            "name": localise(option.key, language),
            "type": option.type,
            "constraints": constraints,
        }
        if option.unit:
            definition["unit"] = option.unit
        result.append(definition)
    return result


class ApiEndpoints:
    """The ``/api`` endpoints: each returns ``(status, data-or-None)``."""

    def __init__(self, sim: Simulator, language: str):
        self.sim = sim
        self.language = language

    def machine(self, ha_id: str) -> CoffeeMachine:
        machine = self.sim.machines.get(ha_id)
        if machine is None:
            raise ApiError(
                404,
                keys.ERROR_RESOURCE_NOT_FOUND,
                "The requested resource could not be found",
            )
        return machine

    def items(self, triples: list[tuple[str, Any, str | None]]) -> list[dict]:
        return [_api_item(k, v, u, self.language) for k, v, u in triples]

    def appliances(self) -> tuple[int, Any]:
        with self.sim.lock:
            listed = [m.appliance() for m in self.sim.machines.values()]
        return 200, {"homeappliances": listed}

    def appliance(self, ha_id: str) -> tuple[int, Any]:
        return 200, self.machine(ha_id).appliance()

    def programs(self, ha_id: str) -> tuple[int, Any]:
        specs = self.machine(ha_id).available_programs()
        return 200, {
            "programs": [
                {
                    "key": spec.key,
                    "name": localise(spec.key, self.language),
                    "constraints": {"execution": spec.execution},
                }
                for spec in specs
                if spec.available
            ]
        }

    def program(self, ha_id: str, key: str) -> tuple[int, Any]:
        spec = self.machine(ha_id).program_definition(key)
        return 200, {
            "key": spec.key,
            "name": localise(spec.key, self.language),
            "options": _option_definition(spec, key, self.language),
        }

    def _program_body(self, key: str, options: list) -> dict[str, Any]:
        return {
            "key": key,
            "name": localise(key, self.language),
            "options": self.items(options),
        }

    def all_programs(self, ha_id: str) -> tuple[int, Any]:
        overview = self.machine(ha_id).program_overview()
        programs = [
            {
                "key": spec.key,
                "name": localise(spec.key, self.language),
                "constraints": {"available": available, "execution": spec.execution},
            }
            for spec, available in overview["programs"]
        ]
        selected_access = "readWrite" if overview["selected_writable"] else "read"
        return 200, {
            "programs": programs,
            "active": self._overview_program(overview["active"], "read"),
            "selected": self._overview_program(overview["selected"], selected_access),
        }

    def _overview_program(self, program: Any, access: str) -> dict[str, Any]:
        """The active or selected program in ``GET programs``: its constraints
        alone when there is none."""
        body = self._program_body(*program) if program else {}
        return {**body, "constraints": {"access": access}}

    def active(self, ha_id: str) -> tuple[int, Any]:
        return 200, self._program_body(*self.machine(ha_id).active_program())

    def active_options(self, ha_id: str) -> tuple[int, Any]:
        _key, options = self.machine(ha_id).active_program()
        return 200, {"options": self.items(options)}

    def active_option(self, ha_id: str, option_key: str) -> tuple[int, Any]:
        _key, options = self.machine(ha_id).active_program()
        return 200, self._one(options, option_key)

    def selected(self, ha_id: str) -> tuple[int, Any]:
        return 200, self._program_body(*self.machine(ha_id).selected_program())

    def selected_options(self, ha_id: str) -> tuple[int, Any]:
        _key, options = self.machine(ha_id).selected_program()
        return 200, {"options": self.items(options)}

    def selected_option(self, ha_id: str, option_key: str) -> tuple[int, Any]:
        _key, options = self.machine(ha_id).selected_program()
        return 200, self._one(options, option_key)

    def _one(self, options: list, option_key: str) -> dict[str, Any]:
        """One option of a program; one it does not have is a 404, the only
        refusal the specification gives these reads."""
        for key, value, unit in options:
            if key == option_key:
                return _api_item(key, value, unit, self.language)
        raise MachineError(
            keys.ERROR_UNSUPPORTED_OPTION, f"Option {option_key} is not set", 404
        )

    def set_active_options(self, ha_id: str, body: Any) -> tuple[int, Any]:
        self.machine(ha_id).set_active_options(_options_from_body(body))
        return 204, None

    def set_active_option(self, ha_id: str, key: str, body: Any) -> tuple[int, Any]:
        value = _value_for(key, body, keys.ERROR_UNSUPPORTED_OPTION)
        self.machine(ha_id).set_active_options({key: value})
        return 204, None

    def set_selected_options(self, ha_id: str, body: Any) -> tuple[int, Any]:
        self.machine(ha_id).set_selected_options(_options_from_body(body))
        return 204, None

    def set_selected_option(self, ha_id: str, key: str, body: Any) -> tuple[int, Any]:
        value = _value_for(key, body, keys.ERROR_UNSUPPORTED_OPTION)
        self.machine(ha_id).set_selected_options({key: value})
        return 204, None

    def start(self, ha_id: str, body: Any) -> tuple[int, Any]:
        key, options = _program_from_body(body)
        self.machine(ha_id).start_program(key, options)
        return 204, None

    def select(self, ha_id: str, body: Any) -> tuple[int, Any]:
        key, options = _program_from_body(body)
        self.machine(ha_id).select_program(key, options)
        return 204, None

    def stop(self, ha_id: str) -> tuple[int, Any]:
        self.machine(ha_id).stop_program()
        return 204, None

    def status(self, ha_id: str) -> tuple[int, Any]:
        return 200, {"status": self.items(self.machine(ha_id).status())}

    def status_item(self, ha_id: str, key: str) -> tuple[int, Any]:
        item = self.machine(ha_id).status_item(key)
        data = _api_item(*item, self.language)
        data["type"] = _value_type(item[1])
        data["constraints"] = {"access": "read"}
        return 200, data

    def settings(self, ha_id: str) -> tuple[int, Any]:
        return 200, {"settings": self.items(self.machine(ha_id).settings_items())}

    def setting(self, ha_id: str, key: str) -> tuple[int, Any]:
        machine = self.machine(ha_id)
        item = machine.setting_item(key)
        data = _api_item(*item, self.language)
        data["type"] = _value_type(item[1])
        constraints: dict[str, Any] = {"access": "readWrite"}
        if key == keys.SETTING_POWER_STATE:
            allowed = list(machine.settings.allowed_power_states)
            constraints["allowedvalues"] = allowed
            constraints["displayvalues"] = [localise(v, self.language) for v in allowed]
        data["constraints"] = constraints
        return 200, data

    def put_setting(self, ha_id: str, key: str, body: Any) -> tuple[int, Any]:
        value = _value_for(key, body, keys.ERROR_UNSUPPORTED_SETTING)
        self.machine(ha_id).put_setting(key, value)
        return 204, None

    def put_settings(self, ha_id: str, body: Any) -> tuple[int, Any]:
        self.machine(ha_id).put_settings(_key_values(_data_list(body)))
        return 204, None

    def commands(self, ha_id: str) -> tuple[int, Any]:
        listed = [
            {"key": key, "name": localise(key, self.language)}
            for key in self.machine(ha_id).commands()
        ]
        return 200, {"commands": listed}

    def put_commands(self, ha_id: str, body: Any) -> tuple[int, Any]:
        self.machine(ha_id).run_commands(_key_values(_data_list(body)))
        return 204, None

    def put_command(self, ha_id: str, key: str, body: Any) -> tuple[int, Any]:
        value = _value_for(key, body, keys.ERROR_UNSUPPORTED_COMMAND, status=403)
        self.machine(ha_id).run_commands({key: value})
        return 204, None

    def images(self, ha_id: str) -> tuple[int, Any]:
        return 200, {"images": self.machine(ha_id).images()}

    def image(self, ha_id: str, key: str) -> tuple[int, Any]:
        return 200, self.machine(ha_id).image(key)


def _data(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ApiError(400, keys.ERROR_BAD_REQUEST, 'The body must be {"data": {...}}')
    return body["data"]


def _data_list(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ApiError(400, keys.ERROR_BAD_REQUEST, 'The body must be {"data": [...]}')
    return body["data"]


def _key_values(items: Any) -> dict[str, Any]:
    """``[{"key", "value"}...]`` as ``{key: value}`` (400 if an item is not)."""
    values = {}
    for item in items:
        if not isinstance(item, dict) or "value" not in item:
            raise ApiError(400, keys.ERROR_BAD_REQUEST, "An item needs key, value")
        if not isinstance(item.get("key"), str):
            raise ApiError(400, keys.ERROR_BAD_REQUEST, "An item's key is a string")
        values[item["key"]] = item["value"]
    return values


def _options_from_body(body: Any) -> dict[str, Any]:
    """The options of ``{"data": {"options": [{"key", "value"}...]}}``."""
    options = _data(body).get("options")
    if not isinstance(options, list):
        raise ApiError(400, keys.ERROR_BAD_REQUEST, "The body needs data.options")
    return _key_values(options)


def _value_for(key: str, body: Any, unsupported: str, status: int = 409) -> Any:
    """The value of ``{"data": {"key", "value"}}`` sent to the URL of ``key``.

    A body naming another key is refused like an unknown key (``unsupported``).
    """
    data = _data(body)
    if "value" not in data:
        raise ApiError(400, keys.ERROR_BAD_REQUEST, "Body must be {data: {key, value}}")
    if data.get("key", key) != key:
        raise MachineError(
            unsupported, f"The body names {data['key']!r}, the URL {key!r}", status
        )
    return data["value"]


def _program_from_body(body: Any) -> tuple[str, dict[str, Any]]:
    data = _data(body)
    key = data.get("key")
    options = data.get("options") or []
    if not isinstance(key, str) or not isinstance(options, list):
        raise ApiError(400, keys.ERROR_BAD_REQUEST, "A program needs a key")
    return key, _key_values(options)
