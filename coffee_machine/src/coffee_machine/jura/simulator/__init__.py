"""Simulated JURA coffee machines with their Smart Connect WiFi dongles.

Each machine is an S8 (EB) (EF code ``EF1091``) whose dongle serves the JURA
WiFi protocol on its own TCP port: the obfuscated ``* … \\r\\n`` frames, the
``@HP:`` handshake with on-machine pairing (and an optional setup PIN), the
status pushed as ``@TF:`` with its alert bits, the maintenance counters
(``@TG:43``, ``@TG:C0``), the product counters (``@TR:32``), the settings
(``@TM:``), brewing from a ``@TP:`` recipe with ``@TV:`` progress frames,
and, if asked, UDP discovery. It is faithful enough that ``jura-connect``, the
client the connector uses, discovers, pairs, reads and brews against it
unchanged; it does not import that client, nor share its code.

From the command line (real time, OK pressed automatically)::

    python -m coffee_machine.jura.simulator --port 51515 --auto-accept

From a test (in-process, free ports, a clock that only moves when told)::

    from coffee_machine.clock import ManualClock
    from coffee_machine.jura.simulator import JuraSimulator, JuraSimulatorConfig

    with JuraSimulator(JuraSimulatorConfig(machines=1, clock=ManualClock())) as sim:
        host, port = sim.address(0)          # JuraClient(host, port, ...)
        sim.machine(0).press_ok()            # while the client pairs
        sim.machine(0).brew_at_panel("espresso")
        sim.clock.advance(60)                # brewed and counted

Modules: :mod:`.state_machine` (what a machine does, read it first),
:mod:`.profile` (what it can brew, its alert bits; ``data/ef1091.json``),
:mod:`.brewing` (recipe blobs, phases, progress frames), :mod:`.framing`
(the cipher and frames), :mod:`.dongle` (commands and replies),
:mod:`.discovery`, :mod:`.faults`, :mod:`.server`, :mod:`.control`.
"""

from ...clock import ManualClock, RealClock
from .brewing import Recipe, RecipeRejected
from .faults import Faults
from .profile import Profile, load_profile
from .server import JuraSimulator, JuraSimulatorConfig
from .state_machine import JuraMachine, JuraMachineSettings, MachineRefused

__all__ = [
    "Faults",
    "JuraMachine",
    "JuraMachineSettings",
    "JuraSimulator",
    "JuraSimulatorConfig",
    "MachineRefused",
    "ManualClock",
    "Profile",
    "RealClock",
    "Recipe",
    "RecipeRejected",
    "load_profile",
]
