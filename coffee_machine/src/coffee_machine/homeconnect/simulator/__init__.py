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

Modules: :mod:`.state_machine` (what a machine does, read it first),
:mod:`.catalogue` (what it can brew), :mod:`.clock`, :mod:`.oauth`,
:mod:`.quota`, :mod:`.faults`, :mod:`.events`, :mod:`.server`,
:mod:`.control`.
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
