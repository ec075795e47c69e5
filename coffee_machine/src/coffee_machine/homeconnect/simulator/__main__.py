"""Run the simulator from the command line.

::

    python -m coffee_machine.homeconnect.simulator --port 8765 --machines 3 --seed 1
    python -m coffee_machine.homeconnect.simulator --accelerate 10 \
        --one-time-refresh-tokens

It prints its URL, the OAuth client id and secret and the login, then serves
until Ctrl-C or SIGTERM, and stops cleanly (exit status 0). Time runs at real
speed unless ``--accelerate`` (faster) or ``--manual-clock`` (frozen; move it
with ``POST /simulator/clock/advance``). Faults can be switched on from the
start (``--offline HAID``, ``--slow 2`` ...) or later with
``POST /simulator/faults``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from ...simulation import serve_until_signalled
from .quota import QuotaConfig
from .server import Simulator, SimulatorConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m coffee_machine.homeconnect.simulator",
        description="A local Home Connect cloud with simulated coffee machines.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (loopback)")
    add("--port", type=int, default=8765, help="port (0: any free port)")
    add("--machines", type=int, default=1, help="how many coffee machines")
    add("--seed", type=int, default=0, help="seed: same seed, same machines")
    add("--accelerate", type=float, default=1.0, help="time runs N times faster")
    add("--manual-clock", action="store_true", help="time moves only when told")
    add("--client-id", default="coffee-connector")
    add("--client-secret", default="coffee-secret")
    add("--username", default="barista")
    add("--password", default="espresso")
    add("--one-time-refresh-tokens", action="store_true")
    add("--access-token-ttl", type=float, default=86400)
    add("--brew-seconds", type=float, default=30)
    add("--remote-start-ttl", type=float, default=86400)
    add("--keepalive-interval", type=float, default=55)
    add("--catalogue", choices=("default", "full"), default="default")
    add("--extra-program", action="append", default=[], metavar="KEY")
    add("--no-quota", action="store_true", help="switch every rate limit off")
    add("--offline", action="append", default=[], metavar="HAID|INDEX")
    add("--slow", type=float, default=0.0, metavar="SECONDS")
    add("--server-errors", type=int, default=0, metavar="N")
    add("--drop-connections", type=int, default=0, metavar="N")
    add("--lose-start-answer", type=int, default=0, metavar="N")
    add("--timeout-408", type=int, default=0, metavar="N")
    add("--stall-events", action="store_true")
    add("--log-level", default="WARNING")
    return parser


def make_config(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        host=args.host,
        port=args.port,
        machines=args.machines,
        seed=args.seed,
        client_id=args.client_id,
        client_secret=args.client_secret,
        username=args.username,
        password=args.password,
        one_time_refresh_tokens=args.one_time_refresh_tokens,
        access_token_ttl=args.access_token_ttl,
        brew_seconds=args.brew_seconds,
        remote_start_ttl=args.remote_start_ttl,
        keepalive_interval=args.keepalive_interval,
        quota=QuotaConfig(enabled=not args.no_quota),
        clock="manual" if args.manual_clock else args.accelerate,
        catalogue=args.catalogue,
        extra_programs=tuple(args.extra_program),
    )


def apply_faults(sim: Simulator, args: argparse.Namespace) -> None:
    ha_ids = list(sim.machines)
    for target in args.offline:
        ha_id = ha_ids[int(target)] if target.isdigit() else target
        sim.faults.offline(ha_id, True)
    changes: dict[str, Any] = {
        "slow": args.slow,
        "server_error": args.server_errors,
        "drop_connections": args.drop_connections,
        "lose_start_answer": args.lose_start_answer,
        "timeout_408": args.timeout_408,
        "stall_events": args.stall_events,
    }
    sim.faults.apply(changes)


def banner(sim: Simulator) -> str:
    config = sim.config
    lines = [
        f"Home Connect simulator listening on {sim.url}",
        f"  OAuth client id:     {config.client_id}",
        f"  OAuth client secret: {config.client_secret}",
        f"  login:               {config.username} / {config.password}",
        f"  clock:               {config.clock}",
        "  machines:",
        *(f"    {m.ha_id}  {m.name}" for m in sim.machines.values()),
        f"  control endpoint:    {sim.url}/simulator/state",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    sim = Simulator(make_config(args)).start()
    apply_faults(sim, args)
    return serve_until_signalled(sim, banner(sim))


if __name__ == "__main__":
    sys.exit(main())
