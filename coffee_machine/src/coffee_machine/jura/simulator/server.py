"""The simulator on the network: one TCP port per machine, UDP discovery.

:class:`JuraSimulator` puts it together: a clock, machines
(:mod:`.state_machine`), fault switches (:mod:`.faults`), and for each
machine a *dongle* listening on its own TCP port (loopback by default), each
connection served by a thread that decodes frames (:mod:`.framing`) and hands
their texts to a :class:`~.dongle.DongleSession`::

    from coffee_machine.clock import ManualClock
    from coffee_machine.jura.simulator import JuraSimulator, JuraSimulatorConfig

    with JuraSimulator(JuraSimulatorConfig(machines=2, clock=ManualClock())) as sim:
        host, port = sim.address(0)      # where JuraClient(host, port) connects
        sim.machine(0).press_ok()        # accept the pairing dialog
        sim.machine(1).brew_at_panel("espresso")
        sim.clock.advance(60)            # brewed, counted, frames pushed

Like a real dongle, each serves one session at a time: a second connection
waits up to ``session_grace`` real seconds for the first to end, then is
reset. Pushes a machine makes while a command is being handled go out after
that command's reply (``@tp`` before ``@TB``).

With ``discovery=True`` a UDP responder on ``discovery_port`` (51515, the
port the client's discovery sends to) answers scan probes, one datagram per
online machine, to the sender's address. A client on the same host must then
discover with an ephemeral port of its own (``discover(bind_port=0)``): the
simulator holds 51515.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import random
import select
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, make_clock
from .discovery import discovery_reply, is_probe
from .dongle import DongleSession
from .faults import Faults
from .framing import FrameDecoder, encode_frame
from .profile import Profile, load_profile
from .state_machine import JuraMachine, JuraMachineSettings

__all__ = ["JuraSimulator", "JuraSimulatorConfig"]

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
POLL_SECONDS = 0.02  # how often idle threads look at their stop flag
SEND_TIMEOUT = 2.0  # a client that reads nothing for that long is dropped


@dataclass
class JuraSimulatorConfig:
    """Everything that shapes a simulator run; times in simulated seconds."""

    host: str = "127.0.0.1"
    port: int = 0  # machine i listens on port + i; 0: a free port each
    machines: int = 1
    names: tuple[str, ...] = ()  # the machines' names; default: places
    seed: int = 0
    clock: Clock | str | float = "manual"  # a Clock, "manual" or a speed-up
    profile: str = "EF1091"
    pin: str = ""  # setup PIN of every machine
    auto_accept: bool = False  # pairing dialogs accept themselves
    pairing_timeout: float = 40.0
    status_interval: float = 2.05
    machine_settings: dict[str, Any] = field(default_factory=dict)
    discovery: bool = False  # answer UDP scan probes
    discovery_port: int = 51515
    control_port: int | None = None  # HTTP control endpoint; 0: a free port
    session_grace: float = 0.5  # real seconds a new session waits for the old

    def make_clock(self) -> Clock:
        return make_clock(self.clock)

    def make_machine_settings(self) -> JuraMachineSettings:
        return JuraMachineSettings(
            pin=self.pin,
            auto_accept=self.auto_accept,
            pairing_timeout=self.pairing_timeout,
            status_interval=self.status_interval,
            **self.machine_settings,
        )


class _Session:
    """One TCP connection to a dongle, served by its own thread.

    Any thread may ask the session to end (:meth:`request_close`); only the
    session's own thread closes the socket, once it sees the request.
    """

    def __init__(self, endpoint: _Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.sock = sock
        self.ended = threading.Event()
        self._send_lock = threading.Lock()
        self._deferring = False
        self._deferred: list[str] = []
        self._closing = False
        self._reset = False
        self._rng = random.Random()
        self.dongle = DongleSession(
            endpoint.machine,
            self.push,
            lambda: endpoint.faults.take("lose_brew_answer", endpoint.index),
        )
        self.thread = threading.Thread(
            target=self._run, name=f"jura-session-{endpoint.index}", daemon=True
        )

    # -- sending -----------------------------------------------------------------
    def push(self, text: str) -> None:
        """Send a frame now, or after the reply being prepared."""
        with self._send_lock:
            if self._deferring:
                self._deferred.append(text)
            else:
                self._send(text)

    def _send(self, text: str) -> None:
        if self._closing:
            return
        try:
            self.sock.sendall(encode_frame(text, rng=self._rng))
        except OSError:  # the client went away, or reads nothing any more
            self._closing = True

    # -- receiving ---------------------------------------------------------------
    def _run(self) -> None:
        decoder = FrameDecoder()
        try:
            while not self._closing and not self.endpoint.stopping.is_set():
                readable, _, _ = select.select([self.sock], [], [], POLL_SECONDS)
                if not readable:
                    continue
                try:
                    data = self.sock.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                for text in decoder.feed(data):
                    self._handle(text.decode("latin-1"))
                    if self._closing:
                        break
        finally:
            self._finish()

    def _handle(self, text: str) -> None:
        endpoint = self.endpoint
        if endpoint.faults.offline_mode(endpoint.index) == "silent":
            return
        if endpoint.faults.take("drop_connections", endpoint.index):
            self.request_close(reset=True)
            return
        if text == "":  # the client hangs up
            self.request_close()
            return
        with self._send_lock:
            self._deferring = True
        replies: list[str] = []
        try:
            replies = self.dongle.handle(text)
        finally:
            with self._send_lock:
                self._deferring = False
                frames, self._deferred = [*replies, *self._deferred], []
                for frame in frames:
                    self._send(frame)

    # -- ending ------------------------------------------------------------------
    def request_close(self, *, reset: bool = False) -> None:
        """End the session (``reset``: with a TCP RST, as a dongle does)."""
        with self._send_lock:
            self._closing = True
            self._reset = self._reset or reset

    def _finish(self) -> None:
        with self._send_lock:
            self._closing = True
        if self._reset:
            _reset(self.sock)
        else:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()
        self.dongle.close()
        self.endpoint.session_ended(self)
        self.ended.set()


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset rather than an orderly goodbye."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Endpoint:
    """One machine's dongle on the network: a TCP listener and its session."""

    def __init__(self, sim: JuraSimulator, index: int, machine: JuraMachine):
        self.sim = sim
        self.index = index
        self.machine = machine
        self.faults = sim.faults
        self.stopping = threading.Event()
        self.port = sim.config.port + index if sim.config.port else 0
        self._cond = threading.Condition()
        self._want_listening = True
        self._listening = False
        self._listener: socket.socket | None = None
        self._session: _Session | None = None
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(
            target=self._run, name=f"jura-dongle-{index}", daemon=True
        )
        machine.add_listener(self._broadcast)

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        self._open_listener()  # bind errors surface here, in the caller
        self._accept_thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._accept_thread.is_alive():
            self._accept_thread.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._close_listener()
        self.machine.remove_listener(self._broadcast)

    def set_offline(self, mode: str | None) -> None:
        """Stop (or resume) listening; wait until the accept thread did it."""
        with self._cond:
            self._want_listening = mode != "refuse"
            if self._accept_thread.is_alive():
                self._cond.wait_for(
                    lambda: self._listening == self._want_listening, timeout=5
                )
        session = self._session
        if mode == "refuse" and session is not None:
            session.request_close(reset=True)
            session.ended.wait(5)

    # -- the listener --------------------------------------------------------------
    def _open_listener(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.sim.config.host, self.port))
            listener.listen(8)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._listening = True

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        self._listening = False
        if listener is not None:
            listener.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self._cond:
                if self._want_listening and not self._listening:
                    try:
                        self._open_listener()
                    except OSError:
                        _logger.exception("cannot listen on port %s", self.port)
                elif not self._want_listening and self._listening:
                    self._close_listener()
                self._cond.notify_all()
                listener = self._listener
            if listener is None:
                self.stopping.wait(POLL_SECONDS)
                continue
            readable, _, _ = select.select([listener], [], [], POLL_SECONDS)
            if readable:
                try:
                    sock, _address = listener.accept()
                except OSError:
                    continue
                self._open_session(sock)

    def _open_session(self, sock: socket.socket) -> None:
        current = self._session
        if current is not None:
            current.ended.wait(self.sim.config.session_grace)
            if not current.ended.is_set():
                _reset(sock)  # one session at a time
                return
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(SEND_TIMEOUT)
        except OSError:  # the client is already gone
            sock.close()
            return
        session = _Session(self, sock)
        self._session = session
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(session.thread)
        session.thread.start()

    def session_ended(self, session: _Session) -> None:
        if self._session is session:
            self._session = None

    # -- pushes ----------------------------------------------------------------
    def _broadcast(self, text: str) -> None:
        session = self._session
        if session is None or self.faults.offline_mode(self.index):
            return
        session.push(text)

    @property
    def connected(self) -> bool:
        return self._session is not None


class _DiscoveryResponder:
    """Answers UDP scan probes for every machine of the simulator."""

    def __init__(self, sim: JuraSimulator):
        self.sim = sim
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((sim.config.host, sim.config.discovery_port))
        except OSError:
            self.sock.close()
            raise
        self.address = self.sock.getsockname()
        self.thread = threading.Thread(
            target=self._run, name="jura-discovery", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            readable, _, _ = select.select([self.sock], [], [], POLL_SECONDS)
            if not readable:
                continue
            try:
                datagram, sender = self.sock.recvfrom(2048)
            except OSError:
                continue
            if not is_probe(datagram):
                continue
            for index in range(len(self.sim.machines)):
                if self.sim.faults.offline_mode(index):
                    continue
                with contextlib.suppress(OSError):
                    self.sock.sendto(self.sim.discovery_reply(index), sender)


class JuraSimulator:
    """Simulated JURA machines, each with its Smart Connect dongle."""

    def __init__(self, config: JuraSimulatorConfig | None = None):
        self.config = config = config or JuraSimulatorConfig()
        self.clock = config.make_clock()
        self.lock = threading.RLock()
        self.profile: Profile = load_profile(config.profile)
        self.faults = Faults(set_offline=self._set_offline)
        self.machines: list[JuraMachine] = []
        for index in range(config.machines):
            rng = random.Random(f"jura-{config.seed}-{index}")
            self.machines.append(
                JuraMachine(
                    clock=self.clock,
                    name=self._name(index),
                    profile=self.profile,
                    settings=config.make_machine_settings(),
                    rng=rng,
                )
            )
        self._endpoints = [_Endpoint(self, i, m) for i, m in enumerate(self.machines)]
        self._discovery: _DiscoveryResponder | None = None
        self._control: Any = None
        self._started = self._stopped = False

    def _name(self, index: int) -> str:
        if index < len(self.config.names):
            return self.config.names[index]
        place = PLACES[index % len(PLACES)]
        round_ = index // len(PLACES)
        return place + (f" {round_ + 1}" if round_ else "")

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> JuraSimulator:
        """Listen on every machine's port (and discovery, control) and serve."""
        if self._started:
            return self
        if self._stopped:
            raise RuntimeError("a stopped simulator does not start again")
        self._started = True
        try:
            for endpoint in self._endpoints:
                endpoint.start()
            if self.config.discovery:
                self._discovery = _DiscoveryResponder(self)
                self._discovery.start()
            if self.config.control_port is not None:
                from .control import ControlServer

                self._control = ControlServer(self, self.config.control_port)
                self._control.start()
        except BaseException:
            self.stop()
            raise
        for machine in self.machines:
            machine.start()
        self.clock.start()
        return self

    def stop(self) -> None:
        """Stop serving: sessions end, threads are joined, sockets closed."""
        for machine in self.machines:
            machine.stop()
        for endpoint in self._endpoints:
            endpoint.stop()
        if self._discovery is not None:
            self._discovery.stop()
            self._discovery = None
        if self._control is not None:
            self._control.stop()
            self._control = None
        self.clock.stop()
        self._started = False
        self._stopped = True

    def __enter__(self) -> JuraSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- where things are ---------------------------------------------------------
    def address(self, index: int = 0) -> tuple[str, int]:
        """``(host, port)`` of machine ``index``'s dongle."""
        return self.config.host, self._endpoints[index].port

    def machine(self, index: int = 0) -> JuraMachine:
        return self.machines[index]

    @property
    def discovery_address(self) -> tuple[str, int] | None:
        return self._discovery.address if self._discovery else None

    @property
    def control_url(self) -> str | None:
        return self._control.url if self._control else None

    def connected(self, index: int = 0) -> bool:
        """Whether a session is open with machine ``index``."""
        return self._endpoints[index].connected

    def discovery_reply(self, index: int) -> bytes:
        """The datagram machine ``index`` answers to a scan probe."""
        return discovery_reply(
            self.machines[index],
            machine_number=index + 1,
            serial_number=1000 + self.config.seed * 100 + index,
            hardware_id=f"0C8B95{self.config.seed:02X}{index + 1:04X}",
            made=datetime.date(2021, 3, 15),
        )

    def _set_offline(self, index: int, mode: str | None) -> None:
        self._endpoints[index].set_offline(mode)

    def state(self) -> dict[str, Any]:
        """The whole simulator as JSON-able data."""
        return {
            "now": self.clock.now(),
            "clock": self.config.clock
            if not isinstance(self.config.clock, Clock)
            else type(self.config.clock).__name__,
            "machines": [
                {
                    **m.snapshot(),
                    "address": list(self.address(i)),
                    "connected": self.connected(i),
                }
                for i, m in enumerate(self.machines)
            ],
            "faults": self.faults.snapshot(),
        }
