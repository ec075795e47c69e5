"""The simulator's HTTP server: Home Connect's API, OAuth and a control panel.

:class:`Simulator` puts it all together: a clock, coffee machines
(:mod:`.state_machine`), an authorization server (:mod:`.oauth`), quotas
(:mod:`.quota`), fault switches (:mod:`.faults`) and an event bus
(:mod:`.events`), served by a stdlib ``ThreadingHTTPServer`` on loopback::

    from coffee_machine.homeconnect.simulator import Simulator, SimulatorConfig

    with Simulator(SimulatorConfig(machines=2, seed=1)) as sim:
        tokens = sim.issue_tokens()
        ha_id = next(iter(sim.machines))
        # requests.put(f"{sim.url}/api/homeappliances/{ha_id}/programs/active", ...)
        sim.clock.advance(30)          # the coffee is done

Three families of URLs:

* ``/api/...``: the Home Connect API, wrapped (``{"data": ...}`` /
  ``{"error": {"key", "description"}}``), media type
  ``application/vnd.bsh.sdk.v1+json`` (406 / 415 otherwise; a missing
  ``Accept`` or ``*/*`` is accepted), Bearer tokens (401 / 403), quotas (429
  with ``Retry-After``), localised by ``Accept-Language``;
* ``/security/oauth/...``: authorize (HTML), token, device_authorization,
  device_verify (HTML);
* ``/simulator/...``: the control endpoint (JSON, no auth, loopback clients
  only): ``GET state``, ``POST clock/advance``, ``POST faults``,
  ``POST machines`` (add), ``DELETE machines/<haId>``,
  ``POST machines/<haId>/panel``, ``POST tokens``, ``POST device/approve``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import random
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .. import keys
from .catalogue import ProgramSpec, build_catalogue, localise, pick_language
from .clock import Clock, ManualClock, RealClock
from .events import EventBus, Subscription, format_frame, render
from .faults import Faults
from .oauth import AccessToken, AuthorizationServer, InvalidToken, OAuthError
from .quota import QuotaConfig, QuotaKeeper
from .state_machine import CoffeeMachine, MachineError, MachineSettings

_logger = logging.getLogger(__name__)

PLACES = (
    "Kitchen",
    "Meeting room",
    "Lobby",
    "Break room",
    "Reception",
    "Lounge",
    "Library",
    "Workshop",
)


@dataclass
class SimulatorConfig:
    """Everything that shapes a simulator run; times in simulated seconds."""

    host: str = "127.0.0.1"
    port: int = 0
    machines: int = 1
    seed: int = 0
    client_id: str = "coffee-connector"
    client_secret: str = "coffee-secret"
    username: str = "barista"
    password: str = "espresso"
    redirect_uris: tuple[str, ...] = ()  # empty: any redirect_uri is accepted
    one_time_refresh_tokens: bool = False
    access_token_ttl: float = 86400
    refresh_token_ttl: float = 60 * 86400
    code_ttl: float = 600
    device_code_ttl: float = 300
    device_interval: float = 5
    remote_start_ttl: float = 86400
    brew_seconds: float = 30
    finished_seconds: float = 5
    keepalive_interval: float = 55
    keepalive_real_seconds: float | None = None
    quota: QuotaConfig = field(default_factory=QuotaConfig)
    clock: str | float = "manual"  # "manual", or an acceleration factor
    catalogue: str = "default"  # "default" (hosted simulator's six) or "full"
    extra_programs: tuple[str, ...] = ()  # e.g. CleaningModes / Favorite keys
    allowed_power_states: tuple[str, ...] = (keys.POWER_ON, keys.POWER_STANDBY)
    machine_settings: dict[str, Any] = field(default_factory=dict)

    def make_clock(self) -> Clock:
        if self.clock == "manual":
            return ManualClock()
        return RealClock(float(self.clock))

    def make_machine_settings(self) -> MachineSettings:
        return MachineSettings(
            brew_seconds=self.brew_seconds,
            finished_seconds=self.finished_seconds,
            remote_start_ttl=self.remote_start_ttl,
            allowed_power_states=tuple(self.allowed_power_states),
            **self.machine_settings,
        )


class Simulator:
    """A local Home Connect cloud with simulated coffee machines."""

    def __init__(self, config: SimulatorConfig | None = None):
        self.config = config = config or SimulatorConfig()
        self.clock = config.make_clock()
        self.lock = threading.RLock()
        self._rng = random.Random(config.seed)
        self._places = list(PLACES)
        self._rng.shuffle(self._places)
        self.bus = EventBus(
            self.clock, config.keepalive_interval, config.keepalive_real_seconds
        )
        self.oauth = AuthorizationServer(
            clock=self.clock,
            rng=random.Random(f"tokens-{config.seed}"),
            client_id=config.client_id,
            client_secret=config.client_secret,
            username=config.username,
            password=config.password,
            access_token_ttl=config.access_token_ttl,
            refresh_token_ttl=config.refresh_token_ttl,
            code_ttl=config.code_ttl,
            device_code_ttl=config.device_code_ttl,
            device_interval=config.device_interval,
            one_time_refresh_tokens=config.one_time_refresh_tokens,
            redirect_uris=tuple(config.redirect_uris),
        )
        self.quota = QuotaKeeper(config.quota, self.clock)
        self.faults = Faults(
            set_offline=self._set_offline,
            set_stalled=self._set_stalled,
            offline_machines=lambda: [
                m.ha_id for m in self.machines.values() if not m.connected
            ],
        )
        self.machines: dict[str, CoffeeMachine] = {}
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        for _ in range(config.machines):
            self.add_machine()

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> Simulator:
        """Listen (on ``config.port``, 0 = a free port) and serve in a thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server((self.config.host, self.config.port), _Handler, self)
        self.oauth.base_url = self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="homeconnect-simulator",
            daemon=True,
        )
        self._thread.start()
        self.clock.start()
        return self

    def stop(self) -> None:
        """Stop serving; open event streams end at once."""
        self._stopping.set()
        self.bus.close_all()
        self.clock.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the simulator is not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    # -- machines ----------------------------------------------------------------------
    def add_machine(
        self,
        name: str | None = None,
        *,
        ha_id: str | None = None,
        catalogue: dict[str, ProgramSpec] | str | None = None,
        extra_programs: tuple[str, ...] | list[str] | None = None,
        settings: MachineSettings | None = None,
    ) -> CoffeeMachine:
        """Pair a new machine with the account (PAIRED on the all-machines stream)."""
        with self.lock:
            index = len(self.machines)
            ha_id = ha_id or f"BOSCH-HCS06COM1-{self._rng.getrandbits(48):012X}"
            if ha_id in self.machines:
                raise ValueError(f"machine {ha_id} already exists")
            if name is None:
                place = self._places[index % len(self._places)]
                round_ = index // len(self._places)
                name = f"{place} coffee machine" + (f" {round_ + 1}" if round_ else "")
            machine = CoffeeMachine(
                ha_id,
                name,
                clock=self.clock,
                catalogue=build_catalogue(
                    catalogue or self.config.catalogue,
                    self.config.extra_programs
                    if extra_programs is None
                    else extra_programs,
                ),
                settings=settings or self.config.make_machine_settings(),
                publish=self.bus.publish,
                lock=self.lock,
            )
            self.machines[ha_id] = machine
        item = machine._item(
            keys.EVENT_APPLIANCE_PAIRED, True, f"/api/homeappliances/{ha_id}"
        )
        self.bus.publish(ha_id, "PAIRED", [item])
        return machine

    def remove_machine(self, ha_id: str) -> None:
        """Unpair a machine (DEPAIRED on the all-machines stream)."""
        with self.lock:
            machine = self.machines.pop(ha_id)
        item = machine._item(
            keys.EVENT_APPLIANCE_DEPAIRED, True, f"/api/homeappliances/{ha_id}"
        )
        self.bus.publish(ha_id, "DEPAIRED", [item])
        self.bus.close_machine_streams(ha_id)

    def machine(self, ha_id: str | None = None) -> CoffeeMachine:
        """One machine: by haId, or the first one."""
        if ha_id is None:
            return next(iter(self.machines.values()))
        return self.machines[ha_id]

    def _set_offline(self, ha_id: str, offline: bool) -> None:
        self.machines[ha_id].set_connected(not offline)

    def _set_stalled(self, stalled: bool) -> None:
        self.bus.stalled = stalled

    # -- test shortcuts ----------------------------------------------------------------
    def issue_tokens(self, scope: str = keys.DEFAULT_SCOPE) -> dict[str, Any]:
        """A token answer as if the whole OAuth dance had happened."""
        return self.oauth.issue_tokens(scope)

    def approve_device(self, user_code: str) -> None:
        """The user typed ``user_code`` on the verification page and allowed it."""
        self.oauth.approve_device(user_code)

    def deny_device(self, user_code: str) -> None:
        self.oauth.deny_device(user_code)

    def state(self) -> dict[str, Any]:
        """The whole simulator as JSON-able data (``GET /simulator/state``)."""
        with self.lock:
            machines = {ha: m.snapshot() for ha, m in self.machines.items()}
        return {
            "url": self.url if self._httpd else None,
            "now": self.clock.now(),
            "clock": self.config.clock,
            "machines": machines,
            "faults": self.faults.snapshot(),
            "quota": self.quota.snapshot(),
            "open_streams": self.bus.open_streams(),
            "connections": self.connections,
        }

    @property
    def connections(self) -> int:
        """TCP connections accepted since the start (a client that keeps its
        connection alive opens one for many calls)."""
        return self._httpd.connections if self._httpd else 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, sim: Simulator):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)
        self.sim = sim
        self.connections = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # one thread accepts: no lock needed
        return super().process_request(request, client_address)


# -- the API's answers -----------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, status: int, key: str, description: str, **headers: str):
        super().__init__(description)
        self.status = status
        self.key = key
        self.description = description
        self.headers = headers


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    need: str  # scope family: identify, monitor, control, settings
    handler: Callable[..., tuple[int, Any]]
    kind: str = "call"  # quota: call, start, stop, stream
    body: bool = False


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


class _Api:
    """The ``/api`` endpoints: each returns ``(status, data-or-None)``."""

    def __init__(self, sim: Simulator, language: str):
        self.sim = sim
        self.language = language

    def machine(self, ha_id: str) -> CoffeeMachine:
        machine = self.sim.machines.get(ha_id)
        if machine is None:
            raise _ApiError(
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
        for key, value, unit in options:
            if key == option_key:
                return _api_item(key, value, unit, self.language)
        raise MachineError(keys.ERROR_UNSUPPORTED_OPTION, f"Option {option_key}")

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
        data = _data(body)
        if data.get("key", key) != key or "value" not in data:
            raise _ApiError(
                400, keys.ERROR_BAD_REQUEST, "Body must be {data: {key, value}}"
            )
        self.machine(ha_id).put_setting(key, data["value"])
        return 204, None


def _data(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise _ApiError(400, keys.ERROR_BAD_REQUEST, 'The body must be {"data": {...}}')
    return body["data"]


def _program_from_body(body: Any) -> tuple[str, dict[str, Any]]:
    data = _data(body)
    key = data.get("key")
    options = data.get("options") or []
    if not isinstance(key, str) or not isinstance(options, list):
        raise _ApiError(400, keys.ERROR_BAD_REQUEST, "A program needs a key")
    values = {}
    for option in options:
        if not isinstance(option, dict) or "key" not in option or "value" not in option:
            raise _ApiError(400, keys.ERROR_BAD_REQUEST, "An option needs key, value")
        values[option["key"]] = option["value"]
    return key, values


_HA = r"(?P<ha_id>[^/]+)"
_KEY = r"(?P<key>[^/]+)"


def _routes() -> list[_Route]:
    base = "/api/homeappliances"
    table = [
        ("GET", "", "identify", _Api.appliances, "call"),
        ("GET", "/events", "monitor", None, "stream"),
        ("GET", f"/{_HA}", "identify", _Api.appliance, "call"),
        ("GET", f"/{_HA}/events", "monitor", None, "stream"),
        ("GET", f"/{_HA}/programs/available", "monitor", _Api.programs, "call"),
        ("GET", f"/{_HA}/programs/available/{_KEY}", "monitor", _Api.program, "call"),
        ("GET", f"/{_HA}/programs/active", "monitor", _Api.active, "call"),
        ("PUT", f"/{_HA}/programs/active", "control", _Api.start, "start"),
        ("DELETE", f"/{_HA}/programs/active", "control", _Api.stop, "stop"),
        (
            "GET",
            f"/{_HA}/programs/active/options",
            "monitor",
            _Api.active_options,
            "call",
        ),
        (
            "GET",
            f"/{_HA}/programs/active/options/{_KEY}",
            "monitor",
            _Api.active_option,
            "call",
        ),
        ("GET", f"/{_HA}/programs/selected", "monitor", _Api.selected, "call"),
        ("PUT", f"/{_HA}/programs/selected", "control", _Api.select, "call"),
        (
            "GET",
            f"/{_HA}/programs/selected/options",
            "monitor",
            _Api.selected_options,
            "call",
        ),
        (
            "GET",
            f"/{_HA}/programs/selected/options/{_KEY}",
            "monitor",
            _Api.selected_option,
            "call",
        ),
        ("GET", f"/{_HA}/status", "monitor", _Api.status, "call"),
        ("GET", f"/{_HA}/status/{_KEY}", "monitor", _Api.status_item, "call"),
        ("GET", f"/{_HA}/settings", "settings", _Api.settings, "call"),
        ("GET", f"/{_HA}/settings/{_KEY}", "settings", _Api.setting, "call"),
        ("PUT", f"/{_HA}/settings/{_KEY}", "settings", _Api.put_setting, "call"),
    ]
    return [
        _Route(
            method,
            re.compile(f"{base}{path}/?"),
            need,
            handler,
            kind,
            body=method == "PUT",
        )
        for method, path, need, handler, kind in table
    ]


ROUTES = _routes()


def _accepts(accept: str | None, media_type: str, lenient: bool = True) -> bool:
    """Does an ``Accept`` header allow ``media_type``? (missing, */*: yes)."""
    if not accept or not accept.strip():
        return lenient
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == media_type:
            return True
        if lenient and media in ("*/*", media_type.split("/")[0] + "/*"):
            return True
    return False


class _Handler(BaseHTTPRequestHandler):
    """One HTTP request: route it to the API, OAuth or the control endpoint."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms stalls
    server: _Server
    server_version = "HomeConnectSimulator/1.0"

    @property
    def sim(self) -> Simulator:
        return self.server.sim

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        _logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path
        self.query = dict(parse_qsl(split.query, keep_blank_values=True))
        self._body: bytes | None = None
        # Read the body before anything else: a request refused unread (401,
        # 403, 406, 429...) must not leave it on a kept-alive connection.
        self._read_body()
        try:
            if path.startswith("/api/"):
                self._api(method, path)
            elif path.startswith("/security/oauth/"):
                self._oauth(method, path)
            elif path.startswith("/simulator/"):
                self._control(method, path)
            else:
                self._send_error(404, keys.ERROR_RESOURCE_NOT_FOUND, "Not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # never let a handler bug hang the client
            _logger.exception("simulator handler failed on %s %s", method, path)
            self._send_error(500, keys.ERROR_INTERNAL, "Simulator bug")

    # -- low-level sending -------------------------------------------------------------
    def _read_body(self) -> bytes:
        """The request body, read once; every request's body is read (see below)."""
        if self._body is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length > 0 else b""
        return self._body

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type and status != 204:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 204:
            self.wfile.write(body)

    def _send_json(
        self,
        status: int,
        payload: Any,
        content_type: str = keys.MEDIA_TYPE,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps(payload).encode("utf-8") if payload is not None else b""
        self._send(status, body, content_type, headers)

    def _send_error(
        self, status: int, key: str, description: str, headers: dict | None = None
    ) -> None:
        self._send_json(
            status, {"error": {"key": key, "description": description}}, headers=headers
        )

    def _drop(self) -> None:
        """Close the socket without a word: the client sees no answer at all."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client left first
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- /api --------------------------------------------------------------------------
    def _match(self, method: str, path: str) -> tuple[_Route, dict[str, str]]:
        path_matches = False
        for route in ROUTES:
            match = route.pattern.fullmatch(path)
            if match:
                path_matches = True
                if route.method == method:
                    return route, {k: unquote(v) for k, v in match.groupdict().items()}
        if path_matches:
            raise _ApiError(405, "405", f"Method {method} not allowed here")
        raise _ApiError(404, keys.ERROR_RESOURCE_NOT_FOUND, "No such resource")

    def _injected_fault(self) -> bool:
        """Apply the fault switches; True when the request is already answered."""
        faults = self.sim.faults
        if faults.take("drop_connections"):
            self._read_body()
            self._drop()
            return True
        if faults.slow_seconds:
            self.sim.stopping.wait(faults.slow_seconds)
        if faults.take("timeout_408"):
            self._read_body()
            self._send_error(
                408,
                keys.ERROR_REQUEST_TIMEOUT,
                "The appliance did not answer in time",
            )
            return True
        if faults.take("server_error"):
            self._read_body()
            self._send_error(500, keys.ERROR_INTERNAL, "Internal Server Error")
            return True
        return False

    def _api(self, method: str, path: str) -> None:
        if self._injected_fault():
            return
        token: AccessToken | None = None
        try:
            route, params = self._match(method, path)
            token = self._admit(route)
            if route.kind == "stream":
                self._stream(params.get("ha_id"), token)
                return
            status, data = self._call(route, params)
        except _ApiError as error:
            status, data = error.status, error
        except MachineError as error:
            status, data = (
                error.status,
                _ApiError(error.status, error.key, error.description),
            )
        if token is not None:
            self.sim.quota.record_answer(token.principal, status)
        if isinstance(data, _ApiError):
            self._send_error(data.status, data.key, data.description, data.headers)
            return
        if route.kind == "start" and status == 204:
            if self.sim.faults.take("lose_start_answer"):
                self._drop()
                return
        self._send_json(status, None if data is None else {"data": data})

    def _admit(self, route: _Route) -> AccessToken:
        """Media type, token, scope and quota checks, in that order."""
        accept = self.headers.get("Accept")
        if route.kind == "stream":
            if not _accepts(accept, keys.EVENT_STREAM_MEDIA_TYPE, lenient=False):
                raise _ApiError(
                    406, keys.ERROR_NOT_ACCEPTABLE, "Use Accept: text/event-stream"
                )
        elif not _accepts(accept, keys.MEDIA_TYPE):
            raise _ApiError(
                406,
                keys.ERROR_NOT_ACCEPTABLE,
                f"Resource representation is only available with these types:\n"
                f"{keys.MEDIA_TYPE}",
            )
        try:
            token = self.sim.oauth.authenticate(self.headers.get("Authorization"))
        except InvalidToken as error:
            raise _ApiError(401, keys.ERROR_INVALID_TOKEN, error.description) from None
        if not token.has(route.need):
            raise _ApiError(
                403,
                keys.ERROR_INSUFFICIENT_SCOPE,
                "Insufficient scope for this resource",
            )
        quota = self.sim.quota
        if route.kind == "stream":
            open_streams = self.sim.bus.open_streams(token.principal)
            wait = quota.admit_stream(token.principal, open_streams)
        else:
            wait = quota.admit(token.principal, route.kind)
        if wait is not None:
            raise _ApiError(
                429,
                keys.ERROR_TOO_MANY_REQUESTS,
                "The user has sent too many requests in a given amount of time",
                **{"Retry-After": str(wait)},
            )
        return token

    def _call(self, route: _Route, params: dict[str, str]) -> tuple[int, Any]:
        api = _Api(self.sim, pick_language(self.headers.get("Accept-Language")))
        args: list[Any] = [params[name] for name in ("ha_id", "key") if name in params]
        if route.body:
            args.append(self._json_body())
        return route.handler(api, *args)

    def _json_body(self) -> Any:
        raw = self._read_body()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type.lower() != keys.MEDIA_TYPE:
            raise _ApiError(
                415,
                keys.ERROR_UNSUPPORTED_MEDIA_TYPE,
                f"The request's Content-Type is not supported. Expected:\n"
                f"{keys.MEDIA_TYPE}",
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _ApiError(400, keys.ERROR_BAD_REQUEST, "Invalid JSON") from None

    # -- event streams -----------------------------------------------------------------
    def _stream(self, ha_id: str | None, token: AccessToken) -> None:
        if ha_id is not None and ha_id not in self.sim.machines:
            self.sim.quota.record_answer(token.principal, 404)
            self._send_error(404, keys.ERROR_RESOURCE_NOT_FOUND, "Unknown appliance")
            return
        language = pick_language(self.headers.get("Accept-Language"))
        bus = self.sim.bus
        subscription = bus.subscribe(ha_id, token.principal, language)
        self.sim.quota.record_answer(token.principal, 200)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            self._pump(subscription)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            _logger.debug("event stream closed by the client")
        finally:
            bus.unsubscribe(subscription)

    def _pump(self, subscription: Subscription) -> None:
        """Write queued frames until the stream closes, the client leaves or we stop."""
        bus = self.sim.bus
        real_keepalive = bus.keepalive_real_seconds
        wait = min(0.1, real_keepalive) if real_keepalive else 0.1
        last_write = time.monotonic()
        while not self.sim.stopping.is_set():
            message = subscription.get(wait)
            if Subscription.is_close(message):
                return
            if message is None:
                if self._client_gone():
                    return
                due = real_keepalive and time.monotonic() - last_write >= real_keepalive
                if due and not bus.stalled:
                    self._write_chunk(format_frame("KEEP-ALIVE"))
                    last_write = time.monotonic()
                continue
            if bus.stalled:
                continue
            self._write_chunk(render(message, subscription.language))
            last_write = time.monotonic()

    def _write_chunk(self, frame: bytes) -> None:
        """One SSE frame as one HTTP chunk: readers get it as soon as it is sent."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))

    def _client_gone(self) -> bool:
        """Has the client hung up? (A quiet stream would never notice.)"""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True
        return False

    # -- /security/oauth ---------------------------------------------------------------
    def _form(self) -> dict[str, str]:
        return dict(
            parse_qsl(self._read_body().decode("utf-8"), keep_blank_values=True)
        )

    def _basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization") or ""
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)

    def _send_html(self, status: int, page: str, headers: dict | None = None) -> None:
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8", headers)

    def _oauth(self, method: str, path: str) -> None:
        endpoint = path[len("/security/oauth/") :].rstrip("/")
        handler = {
            ("GET", "authorize"): self._authorize_page,
            ("POST", "authorize"): self._authorize_submit,
            ("POST", "token"): self._token,
            ("POST", "device_authorization"): self._device_authorization,
            ("GET", "device_verify"): self._verify_page,
            ("POST", "device_verify"): self._verify_submit,
        }.get((method, endpoint))
        if handler is None:
            self._send_json(
                404,
                {"error": "not_found", "error_description": path},
                "application/json",
            )
            return
        handler()

    def _authorize_page(self) -> None:
        oauth = self.sim.oauth
        try:
            oauth.check_authorization_request(self.query)
        except OAuthError as error:
            self._send_html(400, oauth.login_page({}, str(error)))
            return
        self._send_html(200, oauth.login_page(self.query))

    def _authorize_submit(self) -> None:
        oauth = self.sim.oauth
        form = self._form()
        try:
            location = oauth.authorize(form)
        except OAuthError as error:
            self._send_html(error.status, oauth.login_page(form, error.description))
            return
        self._send(302, b"", None, {"Location": location})

    def _token(self) -> None:
        try:
            answer = self.sim.oauth.token(self._form(), self._basic_auth())
        except OAuthError as error:
            self._send_json(error.status, error.body(), "application/json")
            return
        self._send_json(200, answer, "application/json", {"Cache-Control": "no-store"})

    def _device_authorization(self) -> None:
        try:
            answer = self.sim.oauth.device_authorization(self._form())
        except OAuthError as error:
            self._send_json(error.status, error.body(), "application/json")
            return
        self._send_json(200, answer, "application/json")

    def _verify_page(self) -> None:
        self._send_html(200, self.sim.oauth.verify_page(self.query))

    def _verify_submit(self) -> None:
        oauth = self.sim.oauth
        form = self._form()
        try:
            message = oauth.verify(form)
        except OAuthError as error:
            self._send_html(error.status, oauth.verify_page(form, error.description))
            return
        self._send_html(
            200, f"<!DOCTYPE html><html><body><p>{message}</p></body></html>"
        )

    # -- /simulator (control) ----------------------------------------------------------
    def _control(self, method: str, path: str) -> None:
        if self.client_address[0] not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            self._send_json(403, {"error": "loopback only"}, "application/json")
            return
        from .control import handle_control

        try:
            body = self._read_body()
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            status, answer = handle_control(self.sim, method, path, payload)
        except (ValueError, TypeError, KeyError) as error:
            status, answer = 400, {"error": f"{type(error).__name__}: {error}"}
        except MachineError as error:
            status = error.status
            answer = {"error": {"key": error.key, "description": error.description}}
        except OAuthError as error:  # e.g. approving an unknown user code
            status, answer = 400, error.body()
        if status == 204:
            self._send(204)
        else:
            self._send_json(status, answer, "application/json")
