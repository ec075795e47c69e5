"""The simulator itself: build it, start it, stop it, drive it from Python.

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

:class:`SimulatorConfig` is every knob of a run. :meth:`Simulator.start`
listens and serves in a daemon thread (each request in a thread of its own,
answered by :class:`.handler.RequestHandler`: the URLs it serves are listed
there); :meth:`Simulator.stop` ends the open event streams at once and joins
the thread. In between, a test or a demo pairs and unpairs machines
(:meth:`Simulator.add_machine`), takes tokens without the OAuth dance
(:meth:`Simulator.issue_tokens`) and reads the whole state
(:meth:`Simulator.state`), as the control endpoint (:mod:`.control`) does
over HTTP.
"""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from ...clock import Clock, make_clock
from .. import keys
from .catalogue import ProgramSpec, build_catalogue
from .events import EventBus
from .faults import Faults
from .handler import RequestHandler
from .oauth import AuthorizationServer
from .quota import QuotaConfig, QuotaKeeper
from .routes import ROUTES
from .state_machine import CoffeeMachine, MachineSettings

__all__ = ["PLACES", "ROUTES", "Simulator", "SimulatorConfig"]

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
        return make_clock(self.clock)

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
        self._httpd = _Server(
            (self.config.host, self.config.port), RequestHandler, self
        )
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
    """The listening socket: a thread per request, and a count of connections."""

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
