#!/usr/bin/env python3
"""Does the "coffee when Odoo is busy" timer slow every request? A benchmark.

    python3 tools/bench_busy_fastpath.py            # about 3 minutes
    python3 tools/bench_busy_fastpath.py --reuse --keep

What it measures, and why
-------------------------
``connector_coffee`` wraps Odoo's HTTP dispatch (``ir.http._dispatch``) to time
the requests of the users who opted in (``res.users.coffee_busy_enabled``), and
pours them a coffee when one takes longer than their threshold. That wrapper
runs on *every* request of the database, so its fast path, the request that is
quick, must cost nothing measurable. This script compares, in one run and on
one server, the requests per second of a trivial authenticated route in two
databases that differ only by the addon:

* ``coffee_bench_with``: ``connector_coffee`` installed, admin opted in with a
  threshold of 30 s that the route never reaches (so every request takes the
  fast path: timed, found quick, nothing else);
* ``coffee_bench_without``: the same addons (``web``, ``mail``,
  ``maintenance``, ``product``, ``queue_job``, ``component``,
  ``component_event``, ``connector``), no demo data, no ``connector_coffee``.

The second is made first; the first is a copy of it (Odoo's own database
duplication, filestore included) onto which ``connector_coffee`` is installed,
so that nothing else tells them apart.

The stack is the real one, the other benchmarks' (``tools/bench/stack.py``):
PostgreSQL, one Odoo 18 server with prefork workers (``--workers=2``) for both
databases, a cron worker and the queue_job job runner, all on
127.0.0.1. Concurrent clients (threads, each with its own logged-in session)
post JSON-RPC calls to ``/web/session/get_session_info`` (``auth="user"``,
close to the cheapest route that runs the whole dispatch: session, user,
database cursor). After a warm-up round per database (not counted: the workers
load their registries), rounds of a fixed number of requests alternate between
the databases, A/B/A/B..., so that a drift of the machine (another process,
the CPU's clock) falls on both alike. The defaults (4 clients, 5 rounds of
800 requests per database) fit in about 3 minutes on 2 CPUs, where Odoo
serves about 100 of these requests a second: a round lasts some 8 s. On a
faster machine, raise ``--requests`` (e.g. 2000) so that a round still lasts
several seconds.

What the figures mean
---------------------
The lines on standard output are meant to be pasted as they are; progress goes
to standard error. For each database: the requests per second of each round,
their median, min and max, and the round-to-round *spread*, (max - min) /
median; the median and 95th percentile of the latency of one request, over
all its counted rounds. Then the difference of the medians, with / without,
and a verdict: "within noise" when the difference is no larger than the larger
of the two spreads, that is no larger than what repeating the very same
measurement already varies by. On a small machine the clients share the CPUs
with Odoo: the absolute figures are of this machine only, the comparison is
what counts.

Odoo is found like the other tools do (``ODOO_BIN``, ``odoo`` on PATH, or
``python3 -m odoo``); PostgreSQL through ``PGHOST`` (default 127.0.0.1),
``PGPORT`` and ``PGUSER`` (default: the current user, since Odoo refuses the
role ``postgres``). Logs and the configurations go to ``.run/bench/``, named
as ``tools/bench/stack.py`` names them (``odoo-coffee_bench_with.log``: the
server's log). The
databases are dropped at the end unless ``--keep``; ``--reuse`` keeps the ones
a previous run left (``connector_coffee`` is then updated from this checkout).
Exit status: 0 when the benchmark ran, 1 when it could not, 2 when it ran but
the user could not be opted in (the opt-in fields are missing).
"""

import argparse
import os
import platform
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

# the stack of the other benchmarks: Odoo found, its databases, its server
sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

from stack import (  # noqa: E402
    ADDON,
    LOGIN,
    PASSWORD,
    REPO,
    REQUEST_TIMEOUT,
    Log,
    Odoo,
    RpcError,
    Server,
    StackError,
    json_after,
    positive,
    say,
)

# isort: split
# after stack, which says how to get it when it is missing
import requests  # noqa: E402

RUN = REPO / ".run" / "bench"
DB_WITH = "coffee_bench_with"
DB_WITHOUT = "coffee_bench_without"
BASE_ADDONS = (
    "web,mail,maintenance,product,queue_job,component,component_event,connector"
)
OPT_IN = {"coffee_busy_enabled": True, "coffee_busy_request_seconds": 30}
#: the route timed: the whole dispatch (session, user, cursor), little else
ROUTE = "/web/session/get_session_info"

#: run by ``odoo shell`` in each database: the admin's password, its opt-in
SETUP_SCRIPT = """
import json
admin = env.ref("base.user_admin")
admin.password = {password!r}
wanted = {opt_in!r} if {opt_in_wanted!r} else {{}}
missing = sorted(name for name in wanted if name not in admin._fields)
if not missing:
    admin.write(wanted)
env.cr.commit()
module = env["ir.module.module"].search([("name", "=", {addon!r})])
print("BENCH-SETUP " + json.dumps({{
    "login": admin.login,
    "addon": module.state or "absent",
    "missing": missing,
    "values": {{name: admin[name] for name in wanted if name not in missing}},
}}))
"""


class BenchError(StackError):
    """The benchmark cannot go on: a sentence saying why."""


class Stats:
    """The rounds of one database: requests per second, latencies."""

    def __init__(self, label):
        self.label = label
        self.rates = []
        self.latencies = []

    @property
    def median(self):
        return statistics.median(self.rates)

    @property
    def spread(self):
        """(max - min) / median of the rounds, in %."""
        return (max(self.rates) - min(self.rates)) / self.median * 100

    def line(self):
        rounds = " ".join(f"{rate:.1f}" for rate in self.rates)
        latencies = sorted(self.latencies)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        return (
            f"{self.label}: rounds {rounds} req/s; median {self.median:.1f}, "
            f"min {min(self.rates):.1f}, max {max(self.rates):.1f} "
            f"(spread {self.spread:.1f} %); latency median "
            f"{statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms"
        )


class Bench:
    def __init__(self, args):
        self.args = args
        self.odoo = None  # stack.Odoo: databases, installs, one-off commands
        self.server = None  # stack.Server: both databases
        self.stop_event = threading.Event()

    # -- the databases ---------------------------------------------------------
    def setup_user(self, database, opt_in):
        log_name = f"setup-{database}.log"
        script = SETUP_SCRIPT.format(
            password=PASSWORD, opt_in=OPT_IN, opt_in_wanted=opt_in, addon=ADDON
        )
        output = self.odoo.shell(database, script, log_name, timeout=300)
        setup = json_after(output, "BENCH-SETUP ")
        if setup is None:
            raise BenchError(
                f"The admin of {database} could not be set up: "
                f"see .run/bench/{log_name}."
            )
        return setup

    def prepare_databases(self):
        odoo = self.odoo
        existing = set(odoo.db("list", DB_WITH, DB_WITHOUT))
        if existing and not self.args.reuse:
            say(f"dropping {', '.join(sorted(existing))} (--reuse keeps them)")
            odoo.db("drop", *sorted(existing))
            existing = set()
        if DB_WITHOUT in existing:
            say(f"reusing {DB_WITHOUT}")
        else:
            say(f"creating {DB_WITHOUT}: {BASE_ADDONS} (a minute or two)")
            odoo.install(DB_WITHOUT, addons=BASE_ADDONS)
        if DB_WITH in existing:
            say(f"reusing {DB_WITH}, updating {ADDON} from this checkout")
            odoo.install(DB_WITH, update=True)
        else:
            say(f"creating {DB_WITH}: a copy of {DB_WITHOUT}, then {ADDON}")
            odoo.copy_database(DB_WITHOUT, DB_WITH)
            odoo.install(DB_WITH)
        without = self.setup_user(DB_WITHOUT, opt_in=False)
        with_ = self.setup_user(DB_WITH, opt_in=True)
        if with_["addon"] != "installed" or without["addon"] == "installed":
            raise BenchError(
                f"{ADDON} is {with_['addon']} in {DB_WITH} and {without['addon']} "
                f"in {DB_WITHOUT}: see .run/bench/install-{DB_WITH}.log."
            )
        if with_["missing"]:
            say(
                f"WARNING: res.users has no {', '.join(with_['missing'])}: admin "
                f"is NOT opted in, {DB_WITH} only has {ADDON} installed"
            )
        else:
            say(f"admin of {DB_WITH} opted in: {with_['values']}")
        return with_["missing"]

    # -- the server ------------------------------------------------------------
    def start_server(self):
        """One server for both databases (2 workers, cron, job runner)."""
        self.server = Server(
            self.odoo, DB_WITH, port=self.args.port, also=(DB_WITHOUT,)
        )
        self.server.start()

    # -- the clients -------------------------------------------------------------
    def round(self, sessions, total, stats=None):
        """One round: TOTAL requests shared by the sessions, concurrently."""
        clients = len(sessions)
        counts = [total // clients + (i < total % clients) for i in range(clients)]
        latencies = [[] for _ in sessions]
        errors = []
        barrier = threading.Barrier(clients + 1)

        def client(index):
            session, mine = sessions[index], latencies[index]
            try:
                barrier.wait(timeout=REQUEST_TIMEOUT)
                for _ in range(counts[index]):
                    if self.stop_event.is_set():
                        return
                    start = time.perf_counter()
                    session.post(ROUTE, {})
                    mine.append(time.perf_counter() - start)
            except (RpcError, requests.RequestException, ValueError) as error:
                errors.append(error)
                self.stop_event.set()
            except threading.BrokenBarrierError as error:
                errors.append(error)

        threads = [
            threading.Thread(target=client, args=(i,), daemon=True)
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=REQUEST_TIMEOUT)
        start = time.perf_counter()
        # bounded: each request has its timeout; joined in slices for Ctrl-C
        deadline = time.monotonic() + REQUEST_TIMEOUT * (max(counts) + 1)
        for thread in threads:
            while thread.is_alive() and time.monotonic() < deadline:
                thread.join(timeout=0.5)
        elapsed = time.perf_counter() - start
        if errors or any(thread.is_alive() for thread in threads):
            raise BenchError(f"A round failed: {errors[0] if errors else 'timeout'}")
        if stats is not None:
            stats.rates.append(total / elapsed)
            for mine in latencies:
                stats.latencies.extend(mine)
        return total / elapsed

    def benchmark(self, opted_in):
        args = self.args
        labels = {
            DB_WITH: f"with {ADDON} + user opted in"
            if opted_in
            else f"with {ADDON} (user NOT opted in)",
            DB_WITHOUT: f"without {ADDON}",
        }
        stats = {db: Stats(f"{labels[db]} ({db})") for db in (DB_WITH, DB_WITHOUT)}
        sessions = {
            db: [self.server.rpc(database=db) for _ in range(args.clients)]
            for db in stats
        }
        try:
            warmup = max(args.requests // 4, args.clients * 25)
            for db in stats:
                rate = self.round(sessions[db], warmup)
                say(f"warm-up {db}: {warmup} requests, {rate:.1f} req/s (not counted)")
            for number in range(1, args.rounds + 1):
                for db in stats:
                    rate = self.round(sessions[db], args.requests, stats[db])
                    say(f"round {number}/{args.rounds} {db}: {rate:.1f} req/s")
        finally:
            for db_sessions in sessions.values():
                for session in db_sessions:
                    session.close()
        return stats[DB_WITH], stats[DB_WITHOUT]

    # -- the whole -----------------------------------------------------------------
    def run(self):
        self.odoo = Odoo(RUN)
        try:
            missing = self.prepare_databases()
            self.start_server()
            with_, without = self.benchmark(opted_in=not missing)
        finally:
            # the clean-up is bounded in time: a second Ctrl-C must not cut it
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
            self.stop_event.set()
            self.odoo.close()
            if self.server is not None:
                self.server.stop()
            if not self.args.keep:
                say(f"dropping {DB_WITH}, {DB_WITHOUT} (--keep keeps them)")
                self.odoo.db("drop", DB_WITH, DB_WITHOUT)
        self.report(with_, without, missing)
        say(f"done in {time.monotonic() - Log.started:.0f} s")
        return 2 if missing else 0

    def report(self, with_, without, missing):
        args = self.args
        difference = (with_.median / without.median - 1) * 100
        noise = max(with_.spread, without.spread)
        verdict = "within noise" if abs(difference) <= noise else "OUTSIDE the noise"
        opted = "user opted in" if not missing else "user NOT opted in"
        lines = [
            f"busy fast path benchmark: Odoo 18.0, 2 prefork workers + cron worker "
            f"+ job runner, {os.cpu_count()} CPUs ({platform.machine()}); "
            f"{args.clients} clients, {args.requests} requests a round, "
            f"{args.rounds} rounds per database alternated, after a warm-up",
            f"route: POST {ROUTE} (JSON-RPC, auth=user) as {LOGIN}",
            with_.line(),
            without.line(),
            f"busy fast path: with {ADDON} + {opted} {with_.median:.1f} req/s "
            f"(median of {len(with_.rates)}), without {without.median:.1f} req/s: "
            f"{difference:+.1f} % (noise ±{noise:.1f} %)",
            f"ratio with/without {with_.median / without.median:.3f}: difference "
            f"{difference:+.1f} %, round-to-round spread ±{noise:.1f} %: {verdict}",
        ]
        if missing:
            lines.append(
                f"NOTE: res.users has no {', '.join(missing)}: the opt-in could "
                f"not be set, this measures {ADDON} installed, nobody opted in"
            )
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()


def _terminate(*_args):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See the module docstring of tools/bench_busy_fastpath.py.",
    )
    parser.add_argument(
        "--requests",
        type=positive,
        default=800,
        help="requests in each round, all clients together (default 800)",
    )
    parser.add_argument(
        "--clients", type=positive, default=4, help="concurrent clients (default 4)"
    )
    parser.add_argument(
        "--rounds",
        type=positive,
        default=5,
        help="counted rounds per database (default 5)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the databases of a previous run instead of recreating them",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases at the end"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="Odoo's HTTP port (default: a free one)"
    )
    args = parser.parse_args(argv)
    Log.tool = "bench"
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _terminate)
    try:
        return Bench(args).run()
    except (StackError, RpcError) as error:  # BenchError, or the stack's
        say(str(error))
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
