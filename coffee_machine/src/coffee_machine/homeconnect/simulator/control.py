"""The control endpoint: drive the simulator over HTTP, outside ``/api``.

Tests in another process (Odoo's), demos and curious humans use it to play
the user standing at the machine, to move time and to flip fault switches.
JSON in, JSON out, no authentication, loopback clients only.

* ``GET /simulator/state``: the whole state;
* ``POST /simulator/clock/advance`` ``{"seconds": 30}``;
* ``POST /simulator/faults`` ``{"slow": 0.5, "offline": {haId: true},
  "server_error": 2, "lose_start_answer": 1, "reset": true, ...}``;
* ``POST /simulator/machines`` ``{"name": ..., "extra_programs": [...]}``: pair;
* ``DELETE /simulator/machines/<haId>``: unpair;
* ``POST /simulator/machines/<haId>/panel``
  ``{"action": "brew", "program": key, "options": {key: value}}``;
* ``POST /simulator/tokens`` ``{"scope": ...}``: a token answer;
* ``POST /simulator/device/approve`` ``{"user_code": ...}``.

Panel actions: ``brew``, ``stop``, ``power`` (``{"state": "On"|"Standby"|"Off"}``),
``allow_remote_start``, ``disallow_remote_start``, ``fill_beans``
(``{"grams": n}`` optional), ``fill_water`` (``{"ml": n}``), ``empty_drip_tray``,
``descale``, ``clean``, ``calc_n_clean``, ``rename`` (``{"name": ...}``),
``error`` (``{"on": true}``).

Over HTTP (:class:`ControlRequests`), a malformed request is a ``400``
(``{"error": "..."}``), a machine's refusal its own status with the API's
error envelope, and a request from anywhere but loopback a ``403``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...simulation import shared_control
from .. import keys
from .errors import MachineError, error_body
from .oauth import OAuthError
from .state_machine import CoffeeMachine
from .wire import HandlerBase

if TYPE_CHECKING:
    from .server import Simulator


def _power_value(state: str) -> str:
    return (
        state
        if state.startswith(keys.ENUM_PREFIX)
        else keys.enum_value("PowerState", state)
    )


def panel(machine: CoffeeMachine, payload: dict[str, Any]) -> None:
    """Do what a person at the machine would do."""
    action = payload.get("action")
    simple = {
        "stop": lambda: machine.stop_program(source="panel"),
        "allow_remote_start": machine.allow_remote_start,
        "disallow_remote_start": machine.disallow_remote_start,
        "fill_beans": lambda: machine.fill_beans(payload.get("grams")),
        "fill_water": lambda: machine.fill_water(payload.get("ml")),
        "empty_drip_tray": machine.empty_drip_tray,
        "descale": machine.descale,
        "clean": machine.clean,
        "calc_n_clean": machine.calc_n_clean,
        "rename": lambda: machine.rename(str(payload["name"])),
        "error": lambda: machine.set_error(bool(payload.get("on", True))),
        "power": lambda: machine.set_power(_power_value(str(payload["state"]))),
        "brew": lambda: machine.brew_at_panel(
            str(payload["program"]), dict(payload.get("options") or {})
        ),
    }
    if action not in simple:
        raise ValueError(f"unknown panel action {action!r}; one of {sorted(simple)}")
    simple[action]()


def handle_control(
    sim: Simulator, method: str, path: str, payload: dict[str, Any]
) -> tuple[int, Any]:
    """Answer one control request: ``(status, JSON-able answer)``."""
    parts = [p for p in path.split("/") if p][1:]  # drop "simulator"
    answer = shared_control(sim, method, parts, payload)
    if answer is not None:
        return answer
    if method == "POST" and parts == ["tokens"]:
        return 200, sim.issue_tokens(payload.get("scope", keys.DEFAULT_SCOPE))
    if method == "POST" and parts == ["device", "approve"]:
        sim.approve_device(str(payload["user_code"]))
        return 200, {"approved": payload["user_code"]}
    if parts[:1] == ["machines"]:
        return _machines(sim, method, parts[1:], payload)
    return 404, {"error": f"no control endpoint {method} {path}"}


def _machines(
    sim: Simulator, method: str, rest: list[str], payload: dict[str, Any]
) -> tuple[int, Any]:
    if method == "POST" and not rest:
        machine = sim.add_machine(
            payload.get("name"),
            ha_id=payload.get("ha_id"),
            extra_programs=payload.get("extra_programs"),
        )
        return 201, machine.snapshot()
    if not rest or rest[0] not in sim.machines:
        return 404, {"error": f"unknown machine {'/'.join(rest)}"}
    ha_id = rest[0]
    if method == "DELETE" and len(rest) == 1:
        sim.remove_machine(ha_id)
        return 204, None
    if method == "GET" and len(rest) == 1:
        return 200, sim.machines[ha_id].snapshot()
    if method == "POST" and rest[1:] == ["panel"]:
        machine = sim.machines[ha_id]
        panel(machine, payload)
        return 200, machine.snapshot()
    return 404, {"error": "no such machine endpoint"}


class ControlRequests(HandlerBase):
    """The request handler's ``/simulator`` side."""

    def _control(self, method: str, path: str) -> None:
        if self.client_address[0] not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            self._send_json(403, {"error": "loopback only"}, "application/json")
            return
        try:
            body = self._read_body()
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            status, answer = handle_control(self.sim, method, path, payload)
        except (ValueError, TypeError, KeyError) as error:
            status, answer = 400, {"error": f"{type(error).__name__}: {error}"}
        except MachineError as error:
            status = error.status
            answer = error_body(error.key, error.description)
        except OAuthError as error:  # e.g. approving an unknown user code
            status, answer = 400, error.body()
        if status == 204:
            self._send(204)
        else:
            self._send_json(status, answer, "application/json")
