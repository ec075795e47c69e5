#!/usr/bin/env python3
"""Does every brew reach its cup exactly once while everything goes wrong? A soak.

    python3 tools/soak/run.py --brews 60        # about 6 minutes
    python3 tools/soak/run.py                   # 1000 brews, about an hour
    python3 tools/soak/run.py --backends 6 --machines 2 --kill-every 20 --keep

What it does
------------
It brings up the real stack on 127.0.0.1 (``tools/bench/stack.py``): one
Home Connect simulator per account (the simulator knows a single login, and
Home Connect counts its limits, five starts a minute among them, per client
id and user: several accounts are several simulators), a database with
``connector_coffee`` and one authorized backend per simulator, an Odoo 18
server with prefork workers (``--workers=2``, a cron worker, the queue_job
runner with ``channels = root:2``) and the event reader (``odoo
coffee-events``; ``--polling`` leaves it out). Then, for as long as it takes
to order ``--brews`` brews:

* brews are ordered the way the web client does it (the Brew wizard of a
  machine, its options set, its Brew button), spread over every machine of
  every backend, at most 5 a minute per account and 2 not yet settled per
  machine (``--per-machine``). Each brew of a machine has options no other
  brew of that machine has (and never the machine's defaults, which the panel
  brews use), so that the machine's own brew history tells which brew it
  started, and how often;
* every ``--fault-every`` seconds on average a simulator, at random, gets a
  fault through its control endpoint: a start that brews but whose answer is
  lost, dropped connections, 500 answers, 408 answers, slow answers (up to
  longer than the backend's timeout) for a few seconds, an event stream that
  stalls for a few seconds (the frames of that time are lost) or is cut
  (``ss -K`` on the event reader's connection);
* every ``--panel-every`` seconds on average someone brews a beverage at a
  machine's panel (the machine is then busy for an Odoo brew);
* every ``--kill-every`` seconds on average an HTTP worker of Odoo is killed
  with SIGKILL, whatever it is doing (the prefork master spawns another; the
  job runner requeues the job the worker was running);
* the machines are refilled, emptied, descaled and cleaned before they warn,
  as in an office that takes care of them.

At the end the faults are switched off, every brew is waited for until it is
settled (``--settle-timeout``), the machines' state is refreshed once more
(so that the last panel beverages are counted) and the books are compared.

What it prints, and the goal
----------------------------
Progress goes to standard error, the figures to standard output:

* brews ordered, **done**, **failed** (each reason, grouped, with the number
  of brews that failed for it), **unsettled** (still queued, sent or brewing
  in Odoo when the wait ended);
* the machines' side against Odoo's: for each brew, the starts from the API
  that its machine shows with that brew's options. **Double**: a brew its
  machine started more than once; **stray**: a start from the API that no
  brew asked for; **lost**: a brew done in Odoo that its machine never
  brewed (or aborted), or a brew its machine brewed to the end that Odoo
  does not call done;
* **silent failures**: a brew failed (or cancelled) without a message that
  says why, or whose job failed in the job queue while the brew shows
  nothing of it;
* panel beverages made (the machines' history) against logged (the brew log,
  origin *machine panel*): **missing** ones, and ones logged twice;
* what was done to it: faults per kind, workers killed, the jobs requeued
  after a kill, ERROR and WARNING lines of the logs. ``.run/soak/chaos.log``
  says when each fault, kill and panel brew happened (UTC, as Odoo's log), to
  follow a lost brew through ``.run/soak/odoo-coffee_bench_soak.log``, and
  ``.run/soak/machines.json`` keeps every machine's brew history.

To find which fault a failure comes from, narrow the chaos down:
``--faults "dropped connection,5xx"`` injects only those kinds (the names
above), and ``--kill-every 0``, ``--panel-every 0`` or ``--fault-every 0``
switch a source of trouble off.

The goal, printed with the figures: 0 double, 0 stray, 0 lost, 0 unsettled,
0 silent failures, 0 panel beverages missing. Exit status 0 only when it is
met; 1 when it is not, or when the soak could not run.

Odoo is found like the other tools do (``ODOO_BIN``, ``odoo`` on PATH, or
``python3 -m odoo``), PostgreSQL through ``PGHOST`` / ``PGPORT`` / ``PGUSER``.
Logs go to ``.run/soak/``. The databases (``coffee_bench_soak*``) are dropped
at the end unless ``--keep``; ``--reuse`` reuses the template database an
earlier ``--keep`` left.
"""

import argparse
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import stack  # noqa: E402
from stack import (  # noqa: E402
    REPO,
    Log,
    Odoo,
    RpcError,
    SimulatorRefused,
    Stack,
    StackError,
    order_brew,
    percentile,
    positive,
    say,
    supplies_care,
    wait_until,
)

RUN = REPO / ".run" / "soak"
DATABASE = "coffee_bench_soak"
TEMPLATE = "coffee_bench_soak_template"
DRINK_KINDS = ("beverage", "coffee_world", "favorite", "mycoffee", "other")
SETTLED = ("done", "failed", "cancelled")
#: brews ordered a minute per account (Home Connect's start limit)
STARTS_PER_MINUTE = 5
FAULTS = {
    # kind: weight
    "lost start answer": 3,
    "dropped connection": 2,
    "5xx": 2,
    "408": 2,
    "slow answers": 2,
    "stream stall": 1,
    "stream drop": 1,
}
STOP = threading.Event()  # Ctrl-C
CALM = threading.Event()  # the chaos is over


class Interrupted(Exception):
    """Ctrl-C."""


def pause(seconds, event=STOP):
    if event.wait(max(0.0, seconds)):
        if STOP.is_set():
            raise Interrupted
        return True
    return False


# -- what each brew asks for ---------------------------------------------------------


def option_values(option):
    """Every value a brew may give ``option`` (a row of program options)."""
    if option["allowed_values"]:
        return list(option["allowed_values"])
    if (option["value_type"] or "").lower() == "boolean":
        return [True, False]
    if option["has_range"] and option["step"]:
        low, high, step = option["min_value"], option["max_value"], option["step"]
        count = int(round((high - low) / step)) + 1
        return [int(low + step * n) for n in range(count)]
    return []


def machine_menus(rpc, machine_ids, rng):
    """``{machine id: iterator of (beverage id, program key, {option: value})}``:
    every combination of each machine's drinks and options but the machine's
    defaults, shuffled, the drinks taking turns."""
    programs = rpc.search_read(
        "coffee.machine.program",
        [
            ("machine_id", "in", machine_ids),
            ("available", "=", True),
            ("beverage_id", "!=", False),
            ("kind", "in", list(DRINK_KINDS)),
        ],
        ["machine_id", "beverage_id", "key"],
    )
    options = defaultdict(list)
    for option in rpc.search_read(
        "coffee.machine.program.option",
        [("program_id", "in", [p["id"] for p in programs])],
        [
            "program_id",
            "key",
            "allowed_values",
            "value_type",
            "has_range",
            "min_value",
            "max_value",
            "step",
            "default_value",
        ],
    ):
        options[option["program_id"][0]].append(option)
    menus = defaultdict(list)
    for program in programs:
        choices = [
            (option["key"], option_values(option), option["default_value"])
            for option in options[program["id"]]
            if option_values(option)
        ]
        combos = []
        for values in itertools.product(*(values for _k, values, _d in choices)):
            if all(v == d for v, (_k, _vs, d) in zip(values, choices, strict=True)):
                continue  # the defaults: a panel brew looks like that
            combos.append(dict(zip((k for k, _v, _d in choices), values, strict=True)))
        rng.shuffle(combos)
        menus[program["machine_id"][0]].append(
            [(program["beverage_id"][0], program["key"], combo) for combo in combos]
        )
    return {
        machine_id: (
            item
            for batch in itertools.zip_longest(*lists)
            for item in batch
            if item is not None
        )
        for machine_id, lists in menus.items()
    }


# -- the soak ------------------------------------------------------------------------


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.odoo = None
        self.stack = None
        self.brews = {}  # brew id: {machine, ha, account, program, options, click}
        self.order_failures = Counter()
        self.faults = Counter()
        self.kills = []
        self.panel = Counter()
        self.threads = []
        self.lock = threading.Lock()
        self.timed = []  # (monotonic time, simulator, switches) to undo
        self.caring = False
        self.chaos_log = None

    # -- set up ------------------------------------------------------------------
    def start(self):
        args = self.args
        RUN.mkdir(parents=True, exist_ok=True)
        self.chaos_log = open(RUN / "chaos.log", "w")  # noqa: SIM115 - closed in run
        self.odoo = Odoo(RUN)
        self.odoo.prepare_template(TEMPLATE, reuse=args.reuse)
        accounts = {
            f"account{n + 1}": {
                "machines": args.machines,
                "accelerate": args.accelerate,
            }
            for n in range(args.backends)
        }
        self.stack = Stack(
            self.odoo, DATABASE, accounts, events=not args.polling, seed=args.seed
        )
        self.stack.start_simulators()
        self.stack.copy_database(TEMPLATE)
        self.stack.create_backends()
        self.stack.start_server()
        say("waiting for the machines, their catalogue and state")
        self.stack.wait_ready()

    def machines(self):
        return [
            (account, machine_id, ha_id)
            for account in self.stack.accounts.values()
            for machine_id, ha_id in account.machines
        ]

    # -- the chaos ------------------------------------------------------------------
    def spawn(self, target, name):
        thread = threading.Thread(target=self.guarded, args=(target,), name=name)
        thread.daemon = True
        thread.start()
        self.threads.append(thread)

    def guarded(self, target):
        while not CALM.is_set():
            try:
                target()
            except Interrupted:
                return
            except (StackError, RpcError, SimulatorRefused, OSError) as error:
                say(f"{threading.current_thread().name}: {error}")
                pause(1, CALM)
            except Exception as error:  # keep the chaos going, say it
                name = threading.current_thread().name
                say(f"{name}: {type(error).__name__}: {error}")
                pause(1, CALM)

    def every(self, mean):
        """Wait a random time of mean ``mean``; True when the chaos is over
        (at once when ``mean`` is 0: that chaos is off)."""
        if not mean:
            CALM.wait()
            return True
        return pause(self.rng.expovariate(1 / mean), CALM)

    def log(self, what):
        """One line of ``.run/soak/chaos.log``: when, what was done to whom."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        with self.lock:
            if self.chaos_log is not None and not self.chaos_log.closed:
                self.chaos_log.write(f"{stamp} {what}\n")
                self.chaos_log.flush()

    def chaos_faults(self):
        while not self.every(self.args.fault_every):
            self.undo_timed()
            sim = self.rng.choice(list(self.stack.simulators.values()))
            kinds = self.args.faults
            kind = self.rng.choices(kinds, weights=[FAULTS[k] for k in kinds])[0]
            self.inject(sim, kind)
            self.log(f"{sim.name}: {kind}")
            with self.lock:
                self.faults[kind] += 1

    def inject(self, sim, kind):
        rng = self.rng
        if kind == "lost start answer":
            sim.faults(lose_start_answer=1)
        elif kind == "dropped connection":
            sim.faults(drop_connections=rng.randint(1, 2))
        elif kind == "5xx":
            sim.faults(server_error=rng.randint(1, 3))
        elif kind == "408":
            sim.faults(timeout_408=rng.randint(1, 2))
        elif kind == "slow answers":
            sim.faults(slow=rng.choice([0.5, 1, 2, 4, 12]))
            self.later(rng.uniform(5, 15), sim, {"slow": 0})
        elif kind == "stream stall":
            sim.faults(stall_events=True)
            self.later(rng.uniform(5, 20), sim, {"stall_events": False})
        elif kind == "stream drop":
            self.drop_stream(sim)

    def later(self, seconds, sim, switches):
        with self.lock:
            self.timed.append((time.monotonic() + seconds, sim, switches))

    def undo_timed(self, everything=False):
        now = time.monotonic()
        with self.lock:
            due = [t for t in self.timed if everything or t[0] <= now]
            self.timed = [t for t in self.timed if t not in due]
        for _when, sim, switches in due:
            sim.faults(**switches)
            self.log(f"{sim.name}: back to normal {switches}")

    def drop_stream(self, sim):
        """Cut the event reader's connections to ``sim`` (``ss -K``)."""
        reader = self.stack.reader
        if reader is None:
            return
        for port in reader.connections(sim.port):
            subprocess.run(
                [
                    "ss",
                    "-K",
                    "dst",
                    f"{stack.HOST}:{sim.port}",
                    "sport",
                    "=",
                    f":{port}",
                ],
                capture_output=True,
                check=False,
            )

    def chaos_kills(self):
        while not self.every(self.args.kill_every):
            pids = self.stack.server.http_worker_pids()
            if not pids:
                continue
            pid = self.rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            with self.lock:
                self.kills.append(pid)
            self.log(f"HTTP worker {pid} killed")

    def chaos_panel(self):
        while not self.every(self.args.panel_every):
            account, _machine_id, ha_id = self.rng.choice(self.machines())
            sim = account.sim
            program = self.rng.choice(sim.machine(ha_id)["programs"][:6])
            try:
                sim.panel(ha_id, "brew", program=program)
                outcome = "pressed"
            except SimulatorRefused:
                outcome = "machine busy, not pressed"
            self.log(f"{ha_id}: panel {program.rsplit('.', 1)[-1]}: {outcome}")
            with self.lock:
                self.panel[outcome] += 1

    # -- ordering ---------------------------------------------------------------------
    def order_all(self):
        args = self.args
        rpc = self.stack.rpc(retries=5)
        menus = machine_menus(
            rpc, [m for _a, m, _h in self.machines()], random.Random(args.seed)
        )
        orders = defaultdict(deque)  # account name: order times
        outstanding = Counter()
        unsettled = set()
        cycle = itertools.cycle(self.machines())
        last_look = last_say = 0.0
        while len(self.brews) + sum(self.order_failures.values()) < args.brews:
            now = time.monotonic()
            if now - last_look > 2 and unsettled:
                self.look(rpc, unsettled, outstanding)
                last_look = now
            if now - last_say > 30:
                self.progress(unsettled)
                last_say = now
            account, machine_id, ha_id = next(cycle)
            times = orders[account.name]
            while times and now - times[0] > 61:
                times.popleft()
            busy = outstanding[machine_id] >= args.per_machine
            if len(times) >= STARTS_PER_MINUTE or busy:
                pause(0.05)
                continue
            choice = next(menus[machine_id], None)
            if choice is None:
                raise StackError(f"machine {machine_id} has no untried options left")
            beverage_id, program, options = choice
            times.append(now)
            try:
                brew_id, click = order_brew(rpc, machine_id, beverage_id, options)
            except (RpcError, OSError) as error:
                self.order_failures[reason_of(str(error))] += 1
                continue
            self.brews[brew_id] = {
                "machine": machine_id,
                "ha": ha_id,
                "account": account.name,
                "program": program,
                "options": options,
                "click": click,
            }
            unsettled.add(brew_id)
            outstanding[machine_id] += 1
        return rpc, unsettled

    def look(self, rpc, unsettled, outstanding=None):
        rows = rpc.call("coffee.brew", "read", [sorted(unsettled), ["state"]])
        seen = time.time()
        for row in rows:
            if row["state"] in SETTLED:
                unsettled.discard(row["id"])
                brew = self.brews[row["id"]]
                brew["settled"] = seen
                if outstanding is not None:
                    outstanding[brew["machine"]] -= 1

    def progress(self, unsettled):
        with self.lock:
            faults = sum(self.faults.values())
            kills = len(self.kills)
        say(
            f"{len(self.brews)}/{self.args.brews} brews ordered, "
            f"{len(self.brews) - len(unsettled)} settled, {faults} faults, "
            f"{kills} workers killed, {sum(self.panel.values())} panel presses"
        )

    # -- the end -----------------------------------------------------------------------
    def settle(self, rpc, unsettled):
        say("calm: faults off, no more kills nor panel brews; settling the brews")
        CALM.set()
        for thread in self.threads:
            thread.join(timeout=stack.STOP_TIMEOUT)
        self.undo_timed(everything=True)
        for sim in self.stack.simulators.values():
            sim.faults(reset=True)
        deadline = time.monotonic() + self.args.settle_timeout
        last_say = time.monotonic()
        while unsettled and time.monotonic() < deadline:
            pause(2)
            self.look(rpc, unsettled)
            if time.monotonic() - last_say > 30:
                say(f"{len(unsettled)} brew(s) not settled yet")
                last_say = time.monotonic()
        self.final_refresh(rpc)
        self.caring = False

    def care(self):
        """The janitor, until the end: the machines never run out."""
        while self.caring and not STOP.is_set():
            try:
                for account, _machine_id, ha_id in self.machines():
                    supplies_care(account.sim, ha_id)
            except (SimulatorRefused, OSError) as error:
                say(f"care: {error}")
            if STOP.wait(2):
                return

    def final_refresh(self, rpc):
        """Idle machines, then one refresh of each: the last panel beverages."""

        def idle():
            return all(
                account.sim.machine(ha)["active_program"] is None
                for account, _m, ha in self.machines()
            )

        try:
            wait_until(idle, 120, "the machines to be idle", 1)
        except StackError as error:
            say(str(error))
        since = stack.now_utc_string()
        time.sleep(1)
        for account in self.stack.accounts.values():
            rpc.call("coffee.backend", "action_import_states", [[account.backend_id]])
        machine_ids = [m for _a, m, _h in self.machines()]

        def refreshed():
            return rpc.search_count(
                "coffee.machine",
                [("id", "in", machine_ids), ("state_sync_date", ">", since)],
            ) == len(machine_ids)

        try:
            wait_until(refreshed, 300, "the last refresh of the machines", 1)
            for account in self.stack.accounts.values():
                stack.wait_jobs_done(
                    rpc, account.backend_id, None, 120, "the last jobs"
                )
        except StackError as error:
            say(str(error))

    # -- the books -------------------------------------------------------------------
    def books(self, rpc):
        brews = {
            row["id"]: row
            for row in rpc.call(
                "coffee.brew",
                "read",
                [
                    sorted(self.brews),
                    [
                        "state",
                        "error_message",
                        "start_attempts",
                        "machine_id",
                        "program_key",
                        "options",
                    ],
                ],
            )
        }
        starts = {}
        panel_made = Counter()
        histories = {}
        for account, machine_id, ha_id in self.machines():
            history = account.sim.machine(ha_id)["brews"]
            histories[ha_id] = {"machine_id": machine_id, "brews": history}
            starts[machine_id] = [b for b in history if b["source"] == "api"]
            panel_made[machine_id] = sum(
                1
                for b in history
                if b["source"] == "panel" and b["result"] == "finished"
            )
        # the machines' own history, to follow a brew after the simulators end
        (RUN / "machines.json").write_text(json.dumps(histories, indent=1))
        panel_logged = Counter()
        for row in rpc.search_read(
            "coffee.brew", [("origin", "=", "panel")], ["machine_id", "quantity"]
        ):
            panel_logged[row["machine_id"][0]] += row["quantity"]
        failed_jobs = rpc.search_read(
            "queue.job",
            [("state", "=", "failed")],
            ["func_string", "method_name", "exc_name", "exc_message"],
        )
        return Books(self.brews, brews, starts, panel_made, panel_logged, failed_jobs)

    def run(self):
        started = time.monotonic()
        try:
            self.start()
            say(
                f"ordering {self.args.brews} brews on {len(self.machines())} machines "
                f"of {self.args.backends} backends, with faults, kills and panel brews"
            )
            self.caring = True
            threading.Thread(target=self.care, name="care", daemon=True).start()
            for target, name in (
                (self.chaos_faults, "faults"),
                (self.chaos_kills, "kills"),
                (self.chaos_panel, "panel"),
            ):
                self.spawn(target, name)
            rpc, unsettled = self.order_all()
            self.progress(unsettled)
            self.settle(rpc, unsettled)
            books = self.books(rpc)
            problems = self.stack.server.problems()
            if self.stack.reader is not None:
                problems += self.stack.reader.problems()
            requeued = sum(c for k, c in problems.items() if "Re-queued dead job" in k)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
            CALM.set()
            STOP.set()
            if self.chaos_log is not None:
                with self.lock:
                    self.chaos_log.close()
            if self.stack is not None:
                self.stack.close()
            if self.odoo is not None:
                self.odoo.close()
                if not self.args.keep:
                    say(f"dropping {DATABASE}, {TEMPLATE} (--keep keeps them)")
                    self.odoo.db("drop", DATABASE, TEMPLATE)
        report = Report(self, books, problems, requeued, time.monotonic() - started)
        return report.emit()


def reason_of(message):
    """The first line of a failure's message, numbers blurred: to group by."""
    lines = (message or "").strip().splitlines()
    message = re.sub(r"\d+", "#", lines[0] if lines else "")
    return message[:160]


class Books:
    """Odoo's brews against the machines' own history (see the module doc)."""

    def __init__(self, ordered, brews, starts, panel_made, panel_logged, failed_jobs):
        self.ordered = ordered
        self.brews = brews
        self.states = Counter(row["state"] for row in brews.values())
        # what Odoo sent is what the machine shows: match on the brew's own
        # program and options (the wizard should have stored the ones chosen)
        self.not_as_ordered = [
            brew_id
            for brew_id, row in brews.items()
            if (row["program_key"], row["options"] or {})
            != (ordered[brew_id]["program"], ordered[brew_id]["options"])
        ]
        self.failed = Counter()
        self.silent = []
        self.double, self.lost, self.stray = [], [], []
        self.match_starts(starts)
        for brew_id, row in brews.items():
            if row["state"] in ("failed", "cancelled"):
                self.failed[reason_of(row["error_message"]) or "(no reason)"] += 1
                if not (row["error_message"] or "").strip():
                    self.silent.append((brew_id, f"{row['state']} without a reason"))
        self.silent_jobs(failed_jobs)
        self.failed_jobs = Counter(
            f"{job['method_name']}: {job['exc_name'] or ''}" for job in failed_jobs
        )
        self.panel_made = sum(panel_made.values())
        self.panel_logged = sum(panel_logged.values())
        self.panel_missing = sum(
            max(0, made - panel_logged[m]) for m, made in panel_made.items()
        )
        self.panel_twice = sum(
            max(0, panel_logged[m] - made) for m, made in panel_made.items()
        )
        self.attempts = Counter(row["start_attempts"] for row in brews.values())
        self.api_starts = Counter(
            start["result"] for history in starts.values() for start in history
        )

    def match_starts(self, starts):
        """Each start of a machine to the brew whose options it carries."""
        by_machine = defaultdict(list)
        for brew_id, brew in self.ordered.items():
            by_machine[brew["machine"]].append(brew_id)
        matched = defaultdict(list)
        for machine_id, machine_starts in starts.items():
            for start in machine_starts:
                owner = next(
                    (
                        brew_id
                        for brew_id in by_machine[machine_id]
                        if self.is_start_of(self.brews[brew_id], start)
                    ),
                    None,
                )
                if owner is None:
                    self.stray.append((machine_id, start["program"], start["options"]))
                else:
                    matched[owner].append(start)
        for brew_id, row in self.brews.items():
            mine = matched.get(brew_id, [])
            finished = [s for s in mine if s["result"] == "finished"]
            if len(mine) > 1:
                self.double.append((brew_id, len(mine)))
            if row["state"] == "done" and not finished:
                how = "aborted" if mine else "never started"
                self.lost.append((brew_id, f"done in Odoo, {how} on the machine"))
            elif finished and row["state"] != "done":
                self.lost.append(
                    (brew_id, f"brewed by the machine, {row['state']} in Odoo")
                )

    @staticmethod
    def is_start_of(brew, start):
        """Whether ``start`` (the machine's) carries ``brew``'s (Odoo's) program
        and options."""
        if start["program"] != brew["program_key"]:
            return False
        options = brew["options"] or {}
        return all(start["options"].get(k) == v for k, v in options.items())

    def silent_jobs(self, failed_jobs):
        for job in failed_jobs:
            model, ids, _method = stack.parse_func_string(job["func_string"])
            if model != "coffee.brew":
                continue
            for brew_id in ids:
                row = self.brews.get(brew_id)
                if row and row["state"] not in ("done", "failed", "cancelled"):
                    if not (row["error_message"] or "").strip():
                        self.silent.append(
                            (brew_id, f"job {job['method_name']} failed, brew silent")
                        )

    @property
    def unsettled(self):
        return [i for i, row in self.brews.items() if row["state"] not in SETTLED]


class Report:
    def __init__(self, soak, books, problems, requeued, seconds):
        self.soak = soak
        self.books = books
        self.problems = problems
        self.requeued = requeued
        self.seconds = seconds
        self.lines = []

    def add(self, text=""):
        self.lines.append(text)

    def emit(self):
        soak, books, args = self.soak, self.books, self.soak.args
        self.add(
            f"soak: {len(soak.brews)} brews ordered on {len(soak.machines())} machines "
            f"of {args.backends} backends ({'polling' if args.polling else 'stream'}"
            f" path), simulators x{args.accelerate:g}, {self.seconds / 60:.1f} min"
        )
        self.add(
            f"done {books.states['done']}, failed {books.states['failed']}, "
            f"cancelled {books.states['cancelled']}, unsettled {len(books.unsettled)}"
        )
        for reason, count in books.failed.most_common():
            self.add(f"    failed x{count}: {reason}")
        for reason, count in soak.order_failures.most_common():
            self.add(f"    not ordered x{count}: {reason}")
        self.timings()
        self.add(
            f"machine side: {sum(books.api_starts.values())} starts from the API "
            f"({dict(books.api_starts)}) for {books.states['done']} brews done in Odoo"
        )
        self.add(
            f"double starts {len(books.double)}, stray starts "
            f"{len(books.stray)}, lost {len(books.lost)}; start attempts per brew "
            f"{dict(sorted(books.attempts.items()))}"
        )
        if books.not_as_ordered:
            self.add(
                f"    {len(books.not_as_ordered)} brew(s) stored other options than "
                "the ones chosen in the wizard: matching is not exact"
            )
        for brew_id, count in books.double[:10]:
            self.add(f"    double: brew {brew_id} started {count} times")
        for machine_id, program, _options in books.stray[:10]:
            self.add(
                f"    stray: machine {machine_id} started {program.rsplit('.', 1)[-1]}"
            )
        for brew_id, why in books.lost[:20]:
            self.add(f"    lost: brew {brew_id} {why}")
        self.add(f"silent failures {len(books.silent)}")
        for brew_id, why in books.silent[:10]:
            self.add(f"    silent: brew {brew_id}: {why}")
        self.add(
            f"panel beverages made {books.panel_made}, logged {books.panel_logged}: "
            f"missing {books.panel_missing}, logged twice {books.panel_twice} "
            f"(presses: {dict(soak.panel)})"
        )
        self.chaos()
        goals = {
            "double": len(books.double),
            "stray": len(books.stray),
            "lost": len(books.lost),
            "unsettled": len(books.unsettled),
            "silent failures": len(books.silent),
            "panel beverages missing": books.panel_missing,
        }
        met = not any(goals.values())
        self.add(
            "goal: "
            + ", ".join(f"0 {name}" for name in goals)
            + f": {'MET' if met else 'NOT MET'} ("
            + ", ".join(f"{value} {name}" for name, value in goals.items())
            + ")"
        )
        sys.stdout.write("\n".join(self.lines) + "\n")
        sys.stdout.flush()
        return 0 if met else 1

    def timings(self):
        settled = [
            b["settled"] - b["click"]
            for b in self.soak.brews.values()
            if "settled" in b
        ]
        if settled:
            self.add(
                f"click -> settled: p50 {percentile(settled, 0.5):.1f} s, p95 "
                f"{percentile(settled, 0.95):.1f} s, max {max(settled):.1f} s"
            )

    def chaos(self):
        soak = self.soak
        faults = ", ".join(f"{k} {v}" for k, v in soak.faults.most_common())
        self.add(
            f"chaos: faults {sum(soak.faults.values())} ({faults or 'none'}); HTTP "
            f"workers killed {len(soak.kills)}, jobs requeued as dead "
            f"{self.requeued}"
        )
        for job, count in self.books.failed_jobs.most_common(6):
            self.add(f"    failed job x{count}: {job}")
        total = sum(self.problems.values())
        if total:
            self.add(f"logs: {total} ERROR/WARNING line(s)")
            for text, count in self.problems.most_common(8):
                self.add(f"    {count} x {text}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See the module docstring of tools/soak/run.py.",
    )
    add = parser.add_argument
    add("--brews", type=positive, default=1000, help="brews to order (1000)")
    add(
        "--backends",
        type=positive,
        default=4,
        help="backends, one simulator each",
    )
    add("--machines", type=positive, default=2, help="machines per backend (2)")
    add(
        "--per-machine",
        type=positive,
        default=2,
        help="brews in flight a machine",
    )
    add("--accelerate", type=float, default=10.0, help="simulated clock (x10)")
    add("--fault-every", type=float, default=5.0, help="mean s between faults (0: off)")
    add(
        "--faults",
        type=stack.names_argument(FAULTS, "fault", allow_empty=False),
        default=list(FAULTS),
        help="kinds, comma separated",
    )
    add("--kill-every", type=float, default=45.0, help="mean s between kills (0: off)")
    add("--panel-every", type=float, default=10.0, help="mean s between panel brews")
    add("--settle-timeout", type=float, default=900.0, help="seconds to settle")
    add("--polling", action="store_true", help="without the event reader")
    add("--seed", type=int, default=1)
    add("--keep", action="store_true", help="keep the databases at the end")
    add("--reuse", action="store_true", help="reuse the template database")
    return parser.parse_args(argv)


def _terminate(*_args):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    Log.tool = "soak"
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _terminate)
    try:
        return Soak(args).run()
    except (StackError, RpcError) as error:
        say(str(error))
        return 1
    except (KeyboardInterrupt, Interrupted):
        STOP.set()
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
