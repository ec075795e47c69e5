"""Run JURA machines from the command line.

::

    python -m coffee_machine.jura.simulator --port 51515 --host 127.0.0.1 \
        --auto-accept --pin 1234
    coffee-machine-jura-simulator --machines 3 --accelerate 10 --control-port 8766

It prints where each machine's dongle listens, then serves until Ctrl-C or
SIGTERM and stops cleanly (exit status 0). Machine *i* listens on
``--port`` + *i*; UDP discovery answers on ``--discovery-port`` unless
``--no-discovery``. Without ``--auto-accept`` someone has to press OK on the
machine while a client pairs: ``--control-port`` opens the JSON endpoint for
that (``POST /simulator/machines/0/panel {"action": "press_ok"}``). Time runs
at real speed unless ``--accelerate`` (faster) or ``--manual-clock`` (frozen;
move it with ``POST /simulator/clock/advance``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ...simulation import serve_until_signalled
from .server import JuraSimulator, JuraSimulatorConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m coffee_machine.jura.simulator",
        description="Simulated JURA coffee machines with Smart Connect dongles.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (loopback)")
    add("--port", type=int, default=51515, help="first machine's TCP port")
    add("--machines", type=int, default=1, help="how many machines")
    add("--name", action="append", default=[], help="a machine's name (repeat)")
    add("--seed", type=int, default=0, help="same seed, same hashes and serials")
    add("--pin", default="", help="setup PIN the machines ask for")
    add("--auto-accept", action="store_true", help="pairing needs no OK press")
    add("--pairing-timeout", type=float, default=40.0, metavar="SECONDS")
    add("--accelerate", type=float, default=1.0, help="time runs N times faster")
    add("--manual-clock", action="store_true", help="time moves only when told")
    add("--no-discovery", action="store_true", help="ignore UDP scan probes")
    add("--discovery-port", type=int, default=51515)
    add("--control-port", type=int, default=None, help="JSON control endpoint")
    add("--offline", action="append", default=[], metavar="INDEX[:silent]")
    add("--drop-connections", type=int, default=0, metavar="N")
    add("--lose-brew-answer", type=int, default=0, metavar="N")
    add("--log-level", default="WARNING")
    return parser


def make_config(args: argparse.Namespace) -> JuraSimulatorConfig:
    return JuraSimulatorConfig(
        host=args.host,
        port=args.port,
        machines=args.machines,
        names=tuple(args.name),
        seed=args.seed,
        clock="manual" if args.manual_clock else args.accelerate,
        pin=args.pin,
        auto_accept=args.auto_accept,
        pairing_timeout=args.pairing_timeout,
        discovery=not args.no_discovery,
        discovery_port=args.discovery_port,
        control_port=args.control_port,
    )


def apply_faults(sim: JuraSimulator, args: argparse.Namespace) -> None:
    for target in args.offline:
        index, _, mode = target.partition(":")
        sim.faults.offline(int(index), mode or "refuse")
    if args.drop_connections:
        sim.faults.drop_connections(args.drop_connections)
    if args.lose_brew_answer:
        sim.faults.lose_brew_answer(args.lose_brew_answer)


def banner(sim: JuraSimulator) -> str:
    config = sim.config
    lines = ["JURA simulator"]
    for index, machine in enumerate(sim.machines):
        host, port = sim.address(index)
        lines.append(
            f"  machine {index}: {machine.name!r} ({sim.profile.model}, "
            f"{sim.profile.code}) on {host}:{port}"
        )
    pairing = "automatic" if config.auto_accept else "press OK (control endpoint)"
    discovery = sim.discovery_address
    lines += [
        f"  pairing:   {pairing}" + (", PIN required" if config.pin else ""),
        f"  clock:     {config.clock}",
        f"  discovery: {f'udp/{discovery[1]}' if discovery else 'off'}",
        f"  control:   {sim.control_url or 'off'}",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    sim = JuraSimulator(make_config(args)).start()
    apply_faults(sim, args)
    return serve_until_signalled(sim, banner(sim))


if __name__ == "__main__":
    sys.exit(main())
