"""The control surface: play the person standing at the machine.

In-process (tests, Odoo's included) it is plain Python::

    machine = sim.machine(0)
    machine.press_ok()                      # accept the "Connect?" dialog
    machine.set_alert("water")              # the tank is empty
    machine.brew_at_panel("cappuccino", {"milk_foam_amount": 30})
    sim.faults.offline(0)                   # the dongle leaves the WiFi
    sim.clock.advance(60)                   # a manual clock moves when told

From another process (a simulator started on the command line with
``--control-port``) the same goes through a small JSON endpoint, no
authentication, loopback only:

* ``GET /simulator/state``: the whole state;
* ``POST /simulator/clock/advance`` ``{"seconds": 30}``;
* ``POST /simulator/faults`` ``{"offline": {"0": "refuse"},
  "drop_connections": 1, "lose_brew_answer": {"0": 1}, "reset": true}``;
* ``POST /simulator/machines/<index>/panel`` ``{"action": ...}``.

Panel actions: ``press_ok``, ``refuse``, ``brew`` (``{"product": "espresso",
"options": {"water_amount": 40}}``), ``cancel``, ``alert`` (``{"name":
"water", "on": true}``), ``fill_water``, ``fill_beans``, ``empty_tray``,
``empty_grounds``, ``clean``, ``descale``, ``change_filter``,
``rinse_coffee``, ``rinse_milk``, ``clean_milk``, ``pair_device``
(``{"conn_id": ...}``, answers the hash), ``forget_device``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ...simulation import shared_control
from .state_machine import JuraMachine, MachineRefused

if TYPE_CHECKING:
    from .server import JuraSimulator

__all__ = ["ControlServer", "handle_control", "panel"]


def panel(machine: JuraMachine, payload: dict[str, Any]) -> Any:
    """Do what a person at the machine would do; some actions answer."""
    action = payload.get("action")
    actions: dict[str, Callable[[], Any]] = {
        "press_ok": machine.press_ok,
        "refuse": machine.refuse,
        "brew": lambda: machine.brew_at_panel(
            payload["product"], dict(payload.get("options") or {})
        ),
        "cancel": machine.cancel,
        "alert": lambda: machine.set_alert(
            str(payload["name"]), bool(payload.get("on", True))
        ),
        "fill_water": machine.fill_water,
        "fill_beans": machine.fill_beans,
        "empty_tray": machine.empty_tray,
        "empty_grounds": machine.empty_grounds,
        "clean": machine.clean,
        "descale": machine.descale,
        "change_filter": machine.change_filter,
        "rinse_coffee": machine.rinse_coffee,
        "rinse_milk": machine.rinse_milk,
        "clean_milk": machine.clean_milk,
        "pair_device": lambda: machine.pair_device(str(payload["conn_id"])),
        "forget_device": lambda: machine.forget_device(str(payload["conn_id"])),
    }
    if action not in actions:
        raise ValueError(f"unknown panel action {action!r}; one of {sorted(actions)}")
    return actions[action]()


def handle_control(
    sim: JuraSimulator, method: str, path: str, payload: dict[str, Any]
) -> tuple[int, Any]:
    """Answer one control request: ``(status, JSON-able answer)``."""
    parts = [p for p in path.split("/") if p][1:]  # drop "simulator"
    answer = shared_control(sim, method, parts, payload)
    if answer is not None:
        return answer
    if (
        method == "POST"
        and len(parts) == 3
        and parts[0] == "machines"
        and parts[2] == "panel"
        and parts[1].isdigit()
        and int(parts[1]) < len(sim.machines)
    ):
        machine = sim.machine(int(parts[1]))
        try:
            result = panel(machine, payload)
        except MachineRefused as exc:
            return 409, {"error": str(exc), "reason": exc.reason}
        return 200, {"result": result, "machine": machine.snapshot()}
    return 404, {"error": f"no control endpoint {method} {path}"}


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, *args: Any) -> None:
        return  # quiet: the simulator logs what matters itself

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            status, body = handle_control(self.server.sim, method, self.path, payload)
        except (KeyError, ValueError, TypeError) as exc:
            status, body = 400, {"error": str(exc)}
        self._answer(status, body)

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: JuraSimulator):
        super().__init__(address, _Handler)
        self.sim = sim


class ControlServer:
    """The JSON control endpoint, on loopback, in a thread."""

    def __init__(self, sim: JuraSimulator, port: int = 0, host: str = "127.0.0.1"):
        self._httpd = _HTTPServer((host, port), sim)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="jura-control",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
