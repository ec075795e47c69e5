"""A local Home Connect cloud with simulated coffee machines.

It speaks the Home Connect API over real HTTP, faithfully enough that a client
written against the real cloud works against it unchanged: OAuth (code with
PKCE, device flow, refresh), the CoffeeMaker endpoints with their real error
keys, the event stream, quotas, and fault switches to rehearse what goes
wrong. It is the connector's embedded default: with no coffee machine at hand,
run it and watch the whole connector work.

From the command line::

    python -m coffee_machine.homeconnect.simulator --port 8765 --machines 3 --seed 1

From a test (in-process, on a free port, with a clock that only moves when
told)::

    from coffee_machine.homeconnect.simulator import Simulator, SimulatorConfig

    with Simulator(SimulatorConfig(machines=1)) as sim:
        token = sim.issue_tokens()["access_token"]
        machine = sim.machine()
        machine.brew_at_panel(keys.PROGRAM_ESPRESSO)
        sim.clock.advance(30)   # brewed, counted, events sent

Modules, the machine first:

* :mod:`.state_machine`: what a machine does, read it first; its core
  (power, remote start, settings, connection, OperationState), built on
  :mod:`.machine_api` (what the API reads), :mod:`.brewing` (a beverage from
  order to cup, counters), :mod:`.care` (beans, water, drip tray, descaling
  and cleaning) and :mod:`.machine_base` (its state, and how every change is
  published);
* :mod:`.catalogue` (what it can brew), :mod:`.clock`, :mod:`.errors` (how
  the machine and the API refuse);
* :mod:`.server` (the :class:`Simulator`: build, start, stop), and the HTTP
  side it serves: :mod:`.handler` (one request, sent on by its path) on
  :mod:`.wire` (reading and sending); :mod:`.api_requests` (the ``/api``
  pipeline: faults, route, token, scope, quota), :mod:`.routes`,
  :mod:`.endpoints` (the answers) and :mod:`.stream` (the event streams);
  :mod:`.oauth_handler` over :mod:`.oauth`; :mod:`.control`;
* :mod:`.events` (the event bus), :mod:`.quota`, :mod:`.faults`.
"""

from .catalogue import OptionSpec, ProgramSpec, build_catalogue
from .clock import ManualClock, RealClock
from .faults import Faults
from .quota import QuotaConfig
from .server import Simulator, SimulatorConfig
from .state_machine import CoffeeMachine, MachineError, MachineSettings

__all__ = [
    "CoffeeMachine",
    "Faults",
    "MachineError",
    "MachineSettings",
    "ManualClock",
    "OptionSpec",
    "ProgramSpec",
    "QuotaConfig",
    "RealClock",
    "Simulator",
    "SimulatorConfig",
    "build_catalogue",
]
