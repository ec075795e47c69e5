#!/usr/bin/env python3
"""What does a brew cost, how fast does it go, how far does it scale? A benchmark.

    python3 tools/bench/run.py --quick          # about 5 minutes
    python3 tools/bench/run.py                  # the full run, about 30 minutes
    python3 tools/bench/run.py --only brews,alert --keep

What it measures, and on what
-----------------------------
The real stack, on 127.0.0.1 (``tools/bench/stack.py``): Home Connect
simulators (``python -m coffee_machine.homeconnect.simulator``, accelerated
clock), PostgreSQL databases with ``connector_coffee`` installed without demo
data, an authorized backend per simulator, an Odoo 18 server with prefork
workers (``--workers=2``, ``--max-cron-threads=1``, the queue_job runner with
``channels = root:2``) and, for the *stream* path, the event reader
(``odoo coffee-events``). Odoo is driven over JSON-RPC as admin, the way the
web client does it: a brew is ordered by opening the Brew wizard on a machine
(``coffee.brew.wizard``, ``default_machine_id``) and pressing its Brew button
(``action_brew``).

Every figure is measured twice in the same run, side by side: on the
*stream* path (the event reader on) and on the *polling* path (no event
reader: the database ``coffee_bench_polling`` has its own server and
simulators, and is otherwise the same). Within a path, each scenario has an
account of its own (one simulator: the simulator knows one login, so an
account is a simulator), so its API calls are counted apart while the
scenarios run at the same time:

* **brews**: ``--brews`` brews (30; 10 with ``--quick``) on 3 machines, at
  most one at a time per machine and at most 5 ordered a minute (Home
  Connect's start limit: its wait is by design and is kept out of the
  latencies); each is waited for until it is done;
* **panel**: beverages brewed at the machines' panels (3 per round, one per
  machine; 10 rounds, 1 with ``--quick``), each waited for in the brew log
  (a ``coffee.brew`` of origin ``panel``), bounded;
* **alert**: on each of 3 machines, the beans run out (the simulator's
  control fills the container with too few beans for the next cup, the
  panel brews it), then are refilled; the maintenance request is waited for
  (opened, then closed), bounded;
* **day**: an office day of 8 simulated hours (a tenth of it with
  ``--quick``, figures scaled to a day), 3 machines, 60 panel beverages and
  20 Odoo brews per machine at random moments, with the settings the addon
  ships. On the polling path the machines' state and counters are only read
  by the scheduled refresh, every 15 minutes by default: Odoo's crons run on
  the real clock, so the benchmark queues the very job that cron queues
  (``action_import_states``) every 15 *simulated* minutes instead;
* **scale**: imports and full state refreshes of 50, 500 and 2000 machines
  (``--quick``: 50) with 2 workers, on simulators without quotas (2000
  machines would spend a day's quota twice over), and the memory of the
  event reader streaming 500 machines (``--quick``: 50) while each of them
  brews a beverage.

The machines are refilled, emptied, descaled and cleaned before they warn
(``stack.supplies_care``), as in an office that takes care of them; the
simulators' tokens and remote-start permissions do not lapse during a run.

What the figures mean
---------------------
Figures go to standard output, each beside its polling twin and its target;
progress goes to standard error. API calls are the simulators' own counts
(the quota keeper of each account, ``GET /simulator/state``: every call Home
Connect would count, a 429 refusal not, an event stream one per opening),
taken from before a scenario's first action until its brews are settled and
the jobs of its backend are done (a state refresh the event reader queues a
minute after a counter changed is part of the cost); the request log of the
simulator breaks them down by endpoint.

* *API calls per Odoo brew*, per *panel beverage*, per *machine per office
  day*: calls of the scenario's account divided by brews, beverages or
  machine-days;
* *click → brewing*: from the press of Brew to the moment the machine
  started the beverage (the simulator's brew history, in the simulator's
  time brought back to real time); *click → done*: to the first look (every
  0.2 s, over RPC) that finds the brew done in Odoo;
* *panel beverage → log*: from the end of the beverage (when its counters
  grow, the first moment the API can tell) to the first look that finds it
  in the brew log; *alert → maintenance request*: from the beans running out
  (the end of the cup that emptied them) to the first look that finds the
  request open, and from the refill to the request closed;
* *scale*: machines per second of an import of machines (the button's one
  job, until every machine is there) and of a full state refresh (the batch
  job and its refresh jobs, 50 machines each, until every machine is
  refreshed; the first one also makes each machine's baseline of counters,
  the second is what the 15-minute cron does: the target applies to it).
  *Queries per machine*: Odoo counts the SQL queries of each HTTP request
  and writes the count at the end of its access line; jobs run inside the runner's
  ``/queue_job/runjob`` requests, so the counts of those lines are every
  query the jobs ran, side transactions included, divided by the machines;
  the job runner's own bookkeeping (about two statements a job) is not in
  them. (``pg_stat_statements`` would see everything, but it needs to be in
  the server's ``shared_preload_libraries``, and restarting a shared
  PostgreSQL is not the benchmark's call; it is used when it is loaded.)
  The jobs an import or a refresh queues besides (the catalogue import of
  each new machine) are counted apart, and so is queue_job's own cost of a
  job, measured on no-op test jobs (``/queue_job/create_test_job``);
* *event reader memory*: its RSS once streaming, and its peak (``VmHWM``,
  start-up included) while every machine brews.

On a small machine everything shares the CPUs (two Odoo servers, the
simulators, the benchmark itself): the absolute figures are of this machine;
the targets say what the connector is after.

Odoo is found like the other tools do (``ODOO_BIN``, ``odoo`` on PATH, or
``python3 -m odoo``), PostgreSQL through ``PGHOST`` / ``PGPORT`` / ``PGUSER``.
Logs and configurations go to ``.run/bench/``. The databases
(``coffee_bench_*``) are dropped at the end unless ``--keep``; ``--reuse``
keeps the template database of an earlier ``--keep`` run (``connector_coffee``
is then updated from this checkout). Exit status: 0 when the benchmark ran
(whether or not the targets are met), 1 when it could not.
"""

import argparse
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402
from stack import (  # noqa: E402
    REPO,
    Log,
    Odoo,
    Reader,
    SimulatorRefused,
    Stack,
    StackError,
    order_brew,
    percentile,
    say,
    supplies_care,
    wait_jobs_done,
    wait_until,
)

RUN = REPO / ".run" / "bench"
TEMPLATE = "coffee_bench_template"
DATABASES = {"stream": "coffee_bench_stream", "polling": "coffee_bench_polling"}
SCALE_DB = "coffee_bench_scale"
SCENARIOS = ("brews", "panel", "alert", "day", "scale")
#: the office day: simulated seconds, beverages per machine, machines
OFFICE_DAY = 8 * 3600
DAY_PANEL, DAY_BREWS, DAY_MACHINES = 60, 20, 3
#: minutes between two runs of the state refresh cron, as the addon ships it
CRON_STATE_MINUTES = 15
COFFEE = "ConsumerProducts.CoffeeMaker.Program.Beverage.Coffee"
ESPRESSO = "ConsumerProducts.CoffeeMaker.Program.Beverage.Espresso"
BEANS_EMPTY = "ConsumerProducts.CoffeeMaker.Event.BeanContainerEmpty"
SETTLED = ("done", "failed", "cancelled")
#: seconds between two looks at Odoo while waiting for something
LOOK = 0.2
STOP = threading.Event()


class Interrupted(Exception):
    """Ctrl-C: the scenarios stop at their next step."""


def pause(seconds):
    if STOP.wait(max(0.0, seconds)):
        raise Interrupted


def drink(sim, ha_id):
    """The beverage a person presses at the panel: a coffee, else the first."""
    programs = sim.machine(ha_id)["programs"]
    return COFFEE if COFFEE in programs else programs[0]


def panel_brew(sim, ha_id, program, timeout):
    """Brew at the panel, waiting (as a person does) while the machine is
    busy; the time the beverage was pressed, or None if it never was free."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sim.panel(ha_id, "brew", program=program)
            return time.time()
        except SimulatorRefused:
            if time.monotonic() >= deadline:
                return None
            pause(35 / sim.accelerate)  # about one beverage


def calls_of(account, since_calls, since_mark):
    sim = account.sim
    return sim.calls() - since_calls, sim.api_requests(since_mark)


def drain(rpc, account, what):
    """Wait (bounded) until the backend's jobs are done; False if they never were."""
    try:
        wait_jobs_done(rpc, account.backend_id, account.machine_ids, 300, what)
        return True
    except StackError as error:
        say(str(error))
        return False


# -- the scenarios --------------------------------------------------------------------


def scenario_brews(stack_, account, count):
    """Order ``count`` brews, at most one per machine, 5 a minute; wait for each."""
    rpc = stack_.rpc(retries=2)
    sim = account.sim
    calls0, mark = sim.calls(), sim.mark()
    samples, pending, orders = [], {}, deque()
    free = list(account.machines)
    deadline = time.monotonic() + 120 + count * 60
    while len(samples) < count or pending:
        if time.monotonic() > deadline:
            raise StackError(f"{len(pending)} brew(s) still not settled")
        while len(samples) < count and free:
            while orders and time.time() - orders[0] > 61:
                orders.popleft()
            if len(orders) >= 5:
                break
            machine_id, ha_id = free.pop(0)
            supplies_care(sim, ha_id)
            brew_id, click = order_brew(rpc, machine_id)
            sample = {"machine": machine_id, "ha": ha_id, "brew": brew_id}
            sample["click"] = click
            samples.append(sample)
            pending[brew_id] = sample
            orders.append(click)
        if pending:
            rows = rpc.call(
                "coffee.brew", "read", [list(pending), ["state", "error_message"]]
            )
            seen = time.time()
            for row in rows:
                if row["state"] in SETTLED:
                    sample = pending.pop(row["id"])
                    sample.update(settled=seen, state=row["state"])
                    sample["error"] = row["error_message"]
                    free.append((sample["machine"], sample["ha"]))
        pause(LOOK)
    started = machine_starts(sim, account, samples)
    drained = drain(rpc, account, "the jobs of the brews")
    calls, by_endpoint = calls_of(account, calls0, mark)
    done = [s for s in samples if s["state"] == "done"]
    return {
        "brews": count,
        "done": len(done),
        "failed": Counter(s["error"] or s["state"] for s in samples if s not in done),
        "calls": calls,
        "by_endpoint": by_endpoint,
        "drained": drained,
        "to_brewing": [s["brewing"] - s["click"] for s in samples if "brewing" in s],
        "unmatched": len(samples) - started,
        "to_done": [s["settled"] - s["click"] for s in done],
    }


def machine_starts(sim, account, samples):
    """Put on each sample the real time its machine started it; how many."""
    clock = sim.clock()
    matched = 0
    for machine_id, ha_id in account.machines:
        starts = sorted(
            sim.to_real(brew["started_at"], clock)
            for brew in sim.machine(ha_id)["brews"]
            if brew["source"] == "api"
        )
        for sample in sorted(
            (s for s in samples if s["machine"] == machine_id),
            key=lambda s: s["click"],
        ):
            later = [t for t in starts if t >= sample["click"] - 0.05]
            if later:
                sample["brewing"] = later[0]
                starts.remove(later[0])
                matched += 1
    return matched


def panel_entries(rpc, machine_ids):
    return {
        row["id"]: row
        for row in rpc.search_read(
            "coffee.brew",
            [("origin", "=", "panel"), ("machine_id", "in", machine_ids)],
            ["machine_id", "quantity"],
        )
    }


def scenario_panel(stack_, account, rounds, wait):
    """Beverages at the panels, one per machine a round; each looked for in the
    brew log until ``wait`` seconds after it is made."""
    rpc = stack_.rpc(retries=2)
    sim = account.sim
    calls0, mark = sim.calls(), sim.mark()
    latencies, made, missing = [], 0, 0
    brew_real = 36 / sim.accelerate  # 30 s of brewing, 5 s "finished", a margin
    for _round in range(rounds):
        known = set(panel_entries(rpc, account.machine_ids))
        for _machine_id, ha_id in account.machines:
            supplies_care(sim, ha_id)
            if panel_brew(sim, ha_id, drink(sim, ha_id), 60) is None:
                raise StackError(f"{ha_id} stayed busy for a minute")
        made += len(account.machines)
        logged = {}
        deadline = time.monotonic() + brew_real + wait
        while len(logged) < len(account.machines) and time.monotonic() < deadline:
            for entry in panel_entries(rpc, account.machine_ids).values():
                machine_id = entry["machine_id"][0]
                if entry["id"] not in known and machine_id not in logged:
                    logged[machine_id] = time.time()
            pause(LOOK)
        pause(max(0.0, brew_real - 1))  # every beverage is over
        clock = sim.clock()
        for machine_id, ha_id in account.machines:
            last = [b for b in sim.machine(ha_id)["brews"] if b["source"] == "panel"]
            finished = sim.to_real(last[-1].get("finished_at", 0), clock)
            if machine_id in logged:
                latencies.append(max(0.0, logged[machine_id] - finished))
            else:
                missing += 1
    drained = drain(rpc, account, "the jobs of the panel beverages")
    calls, by_endpoint = calls_of(account, calls0, mark)
    return {
        "beverages": made,
        "calls": calls,
        "by_endpoint": by_endpoint,
        "latencies": latencies,
        "missing": missing,
        "wait": wait,
        "drained": drained,
    }


def alert_requests(rpc, machine_ids, open_=True):
    rows = rpc.search_read(
        "maintenance.request",
        [
            ("coffee_machine_id", "in", machine_ids),
            ("coffee_alert_key", "=", "beans_empty"),
            ("coffee_alert_open", "=", open_),
        ],
        ["coffee_machine_id"],
    )
    return {row["coffee_machine_id"][0] for row in rows}


def scenario_alert(stack_, account, wait):
    """Beans run out on each machine, then are refilled: request opened, closed."""
    rpc = stack_.rpc(retries=2)
    sim = account.sim
    calls0, mark = sim.calls(), sim.mark()
    machine_ids = account.machine_ids
    for _machine_id, ha_id in account.machines:
        supplies_care(sim, ha_id)
        sim.panel(ha_id, "fill_beans", grams=8)  # enough for one cup, not two
        sim.panel(ha_id, "brew", program=ESPRESSO)
    wait_until(
        lambda: all(
            BEANS_EMPTY in sim.machine(ha)["present_events"]
            for _mid, ha in account.machines
        ),
        60,
        "the beans to run out",
        0.05,
    )
    clock = sim.clock()
    empty_at = {
        mid: sim.to_real(sim.machine(ha)["brews"][-1]["finished_at"], clock)
        for mid, ha in account.machines
    }
    opened = look_for(lambda: alert_requests(rpc, machine_ids), machine_ids, wait)
    refilled = {}
    for machine_id, ha_id in account.machines:
        refilled[machine_id] = time.time()
        sim.panel(ha_id, "fill_beans")
    closed = {}
    if opened:
        closed = look_for(
            lambda: set(opened) - alert_requests(rpc, list(opened)), list(opened), wait
        )
    drained = drain(rpc, account, "the jobs of the alerts")
    calls, by_endpoint = calls_of(account, calls0, mark)
    return {
        "alerts": len(machine_ids),
        "opened": [opened[m] - empty_at[m] for m in opened],
        "closed": [closed[m] - refilled[m] for m in closed],
        "wait": wait,
        "calls": calls,
        "by_endpoint": by_endpoint,
        "drained": drained,
    }


def look_for(found_now, machine_ids, wait):
    """``{machine id: time first seen}`` of the machines ``found_now()``
    returns, looking until all are seen or ``wait`` seconds passed."""
    seen = {}
    deadline = time.monotonic() + wait
    while len(seen) < len(machine_ids) and time.monotonic() < deadline:
        now = time.time()
        for machine_id in found_now():
            seen.setdefault(machine_id, now)
        pause(LOOK)
    return seen


def day_plan(account, fraction, seed, real_day, cron):
    """``[(real offset, kind, machine id, haId)]`` of an office day."""
    rng = random.Random(seed)
    plan = []
    for machine_id, ha_id in account.machines:
        for kind, per_day in (("panel", DAY_PANEL), ("brew", DAY_BREWS)):
            for _ in range(round(per_day * fraction)):
                plan.append((rng.uniform(0, real_day), kind, machine_id, ha_id))
    if cron:
        every = CRON_STATE_MINUTES * 60 / account.sim.accelerate
        plan += [(n * every, "cron", None, None) for n in range(int(real_day / every))]
    return sorted(plan, key=lambda step: step[0])


def scenario_day(stack_, account, fraction, seed, cron):
    """An office day (a ``fraction`` of one) of panel beverages and Odoo brews."""
    rpc = stack_.rpc(retries=2)
    sim = account.sim
    real_day = OFFICE_DAY * fraction / sim.accelerate
    plan = day_plan(account, fraction, seed, real_day, cron)
    calls0, mark = sim.calls(), sim.mark()
    panel_before = sum(
        e["quantity"] for e in panel_entries(rpc, account.machine_ids).values()
    )
    started = time.monotonic()
    brews, busy_skips = [], 0
    for offset, kind, machine_id, ha_id in plan:
        pause(started + offset - time.monotonic())
        if kind == "cron":
            rpc.call("coffee.backend", "action_import_states", [[account.backend_id]])
            continue
        supplies_care(sim, ha_id)
        if kind == "panel":
            if panel_brew(sim, ha_id, drink(sim, ha_id), 120) is None:
                busy_skips += 1
        else:
            brews.append(order_brew(rpc, machine_id)[0])
    say(f"day of {stack_.database}: {len(plan)} steps done, waiting for the brews")

    def settled():
        rows = rpc.call("coffee.brew", "read", [brews, ["state"]])
        return all(row["state"] in SETTLED for row in rows)

    wait_until(settled, 300, "the brews of the day to settle", 1)
    drained = drain(rpc, account, "the jobs of the day")
    calls, by_endpoint = calls_of(account, calls0, mark)
    made = sum(
        1
        for _mid, ha in account.machines
        for brew in sim.machine(ha)["brews"]
        if brew["source"] == "panel" and brew["result"] == "finished"
    )
    logged = (
        sum(e["quantity"] for e in panel_entries(rpc, account.machine_ids).values())
        - panel_before
    )
    states = Counter(
        row["state"] for row in rpc.call("coffee.brew", "read", [brews, ["state"]])
    )
    return {
        "fraction": fraction,
        "machines": len(account.machines),
        "calls": calls,
        "by_endpoint": by_endpoint,
        "brews": len(brews),
        "brew_states": states,
        "panel_made": made,
        "panel_logged": logged,
        "busy_skips": busy_skips,
        "real_day": real_day,
        "drained": drained,
    }


# -- scale -----------------------------------------------------------------------------


def pg_stat_statements(database):
    """Statements counted by pg_stat_statements in ``database``, or None."""
    query = (
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
        "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()"
    )
    env = dict(os.environ, PGHOST=stack.ENV["PGHOST"], PGUSER=stack.ENV["PGUSER"])
    result = subprocess.run(
        ["psql", "-d", database, "-Atc", query],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode:
        return None
    return int(float(result.stdout.strip() or 0))


def enable_pg_stat_statements(database):
    env = dict(os.environ, PGHOST=stack.ENV["PGHOST"], PGUSER=stack.ENV["PGUSER"])
    check = subprocess.run(
        ["psql", "-d", database, "-Atc", "SHOW shared_preload_libraries"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if "pg_stat_statements" not in check.stdout:
        return False
    subprocess.run(
        [
            "psql",
            "-d",
            database,
            "-Atc",
            "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    return pg_stat_statements(database) is not None


class Scale:
    """The scale database: its server, a session, pg_stat_statements or not."""

    def __init__(self, stack_, pgss):
        self.stack = stack_
        self.server = stack_.server
        self.rpc = stack_.shared_rpc
        self.pgss = pgss

    def statements(self):
        return pg_stat_statements(self.server.database) if self.pgss else None

    def measure(self, account, button, own, done, size):
        """Press ``button`` on the backend, wait until ``done()`` and every job
        of the backend is over; the figures, the jobs of ``own`` methods apart
        from the jobs they queued."""
        rpc = self.rpc
        mark, statements = self.server.mark(), self.statements()
        started = time.time()
        rpc.call("coffee.backend", button, [[account.backend_id]])
        wait_until(done, 600 + size, f"{button} of {size} machines", LOOK)
        own_done = time.time() - started
        wait_until(
            lambda: not stack.backend_jobs(
                rpc, account.backend_id, account.machine_ids
            ),
            600 + size,
            "the jobs to end",
            LOOK,
        )
        elapsed = time.time() - started
        time.sleep(1)  # the last access line is written after the answer
        by_method = self.server.runjob_queries(rpc, mark)
        if statements is not None:
            statements = (self.statements() - statements) / size
        mine = [v for m, v in by_method.items() if m in own]
        others = {m: v for m, v in by_method.items() if m not in own}
        return {
            "size": size,
            "seconds": own_done,
            "rate": size / own_done,
            "queries": sum(v[1] for v in mine) / size,
            "jobs": sum(v[0] for v in mine),
            "uncounted": sum(v[2] for v in by_method.values()),
            "statements": statements,
            "queued": others,
            "all_seconds": elapsed,
        }

    def job_overhead(self, jobs=20):
        """Queries of queue_job itself per job: ``jobs`` no-op test jobs."""
        rpc = self.rpc
        mark = self.server.mark()
        response = rpc.session.get(
            f"{self.server.url}/queue_job/create_test_job",
            params={"size": jobs, "description": "bench: no-op"},
            timeout=stack.REQUEST_TIMEOUT,
        )
        response.raise_for_status()
        wait_until(lambda: not stack.open_jobs(rpc), 120, "the no-op jobs", LOOK)
        time.sleep(1)
        totals = self.server.runjob_queries(rpc, mark).get("_test_job", [0, 0, 0])
        return totals[1] / totals[0] if totals[0] else None


def scale_one(scale, account, size):
    rpc = scale.rpc
    bid = account.backend_id
    say(f"scale: importing {size} machines")

    def imported():
        return rpc.search_count("coffee.machine", [("backend_id", "=", bid)]) == size

    result = {
        "import": scale.measure(
            account, "action_import_machines", ("_import_machines",), imported, size
        )
    }
    account.machines = [
        (row["id"], row["external_id"])
        for row in rpc.search_read(
            "coffee.machine", [("backend_id", "=", bid)], ["external_id"]
        )
    ]
    for name in ("first refresh", "refresh"):
        time.sleep(1.5)
        since = stack.now_utc_string()
        say(f"scale: {name} of {size} machines")

        def refreshed(since=since):
            return (
                rpc.search_count(
                    "coffee.machine",
                    [("backend_id", "=", bid), ("state_sync_date", ">=", since)],
                )
                == size
            )

        result[name] = scale.measure(
            account,
            "action_import_states",
            ("_import_states", "_import_state"),
            refreshed,
            size,
        )
    return result


def reader_memory(odoo, scale, account, seconds=20):
    """The event reader streaming ``account``'s machines: RSS, peak RSS."""
    rpc = scale.shared_rpc
    others = [a.backend_id for a in scale.accounts.values() if a is not account]
    if others:
        rpc.call("coffee.backend", "write", [others, {"active": False}])
    reader = Reader(odoo, scale.server).start()
    try:
        sim = account.sim

        def streaming():
            if reader.process.poll() is not None:
                raise StackError(f"The event reader stopped: see {reader.log_path}.")
            return sim.state()["open_streams"]

        wait_until(streaming, 120, "the event reader to open its stream", 0.5)
        pause(5)
        idle = reader.memory()[0]
        say(f"scale: every one of {sim.machines} machines brews at its panel")
        for ha_id in sim.ha_ids:
            sim.panel(ha_id, "brew", program=ESPRESSO)
        highest = idle
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            highest = max(highest, reader.memory()[0])
            pause(0.2)
        peak = reader.memory()[1]
        return {"machines": sim.machines, "idle": idle, "busy": highest, "peak": peak}
    finally:
        reader.stop()
        scale.problems = reader.problems()


def scenario_scale(odoo, args):
    sizes = args.sizes
    rss_size = args.rss_machines
    accounts = {
        f"m{size}": {
            "machines": size,
            "accelerate": args.accelerate,
            "quota": False,
            "import_machines": size == rss_size and size not in sizes,
        }
        for size in sorted(set(sizes) | {rss_size})
    }
    scale_stack = Stack(odoo, SCALE_DB, accounts, events=False, seed=args.seed)
    try:
        scale_stack.start_simulators()
        scale_stack.copy_database(TEMPLATE)
        scale_stack.create_backends()
        scale_stack.start_server()
        scale = Scale(scale_stack, enable_pg_stat_statements(SCALE_DB))
        rpc = scale.rpc
        wait_until(lambda: not stack.open_jobs(rpc), 300, "the setup jobs", 1)
        results = {"sizes": [], "pgss": scale.pgss}
        results["job_overhead"] = scale.job_overhead()
        for size in sizes:
            account = scale_stack.accounts[f"m{size}"]
            results["sizes"].append(scale_one(scale, account, size))
        rss_account = scale_stack.accounts[f"m{rss_size}"]
        if not rss_account.machines:
            wait_until(lambda: not stack.open_jobs(rpc), 600, "the imports", 1)
        results["reader"] = reader_memory(odoo, scale_stack, rss_account)
        results["problems"] = {
            "server": scale_stack.server.problems(),
            "reader": getattr(scale_stack, "problems", Counter()),
        }
        return results
    finally:
        scale_stack.close()


# -- the whole ------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.odoo = None
        self.stacks = {}
        self.results = {name: {} for name in DATABASES}
        self.scale = None
        self.errors = []

    def wanted(self, scenario):
        return scenario in self.args.only

    def variant_accounts(self):
        args = self.args
        accounts = {}
        for scenario in ("brews", "panel", "alert"):
            if self.wanted(scenario):
                accounts[scenario] = {"machines": 3, "accelerate": args.accelerate}
        if self.wanted("day"):
            accounts["day"] = {
                "machines": DAY_MACHINES,
                "accelerate": args.day_accelerate,
            }
        return accounts

    def start_variants(self):
        accounts = self.variant_accounts()
        for name, database in DATABASES.items():
            self.stacks[name] = Stack(
                self.odoo,
                database,
                accounts,
                events=name == "stream",
                seed=self.args.seed,
            )
        for stack_ in self.stacks.values():
            stack_.start_simulators()
            stack_.copy_database(TEMPLATE)
        self.must(
            self.in_parallel(
                {name: s.create_backends for name, s in self.stacks.items()}, 900
            )
        )
        for stack_ in self.stacks.values():
            stack_.start_server()
        say("waiting for the machines, their catalogue and state, and the streams")
        self.must(
            self.in_parallel({n: s.wait_ready for n, s in self.stacks.items()}, 900)
        )

    @staticmethod
    def in_parallel(calls, timeout):
        """Run ``{name: callable}`` in threads; ``{name: result}``, where the
        result of one that failed is ``{"error": why}``."""
        results = {}

        def run(name, call):
            try:
                results[name] = call()
            except Interrupted:
                results[name] = {"error": "interrupted"}
            except Exception as error:  # reported with its scenario
                results[name] = {"error": f"{type(error).__name__}: {error}"}
                say(f"{name} failed: {results[name]['error']}")

        threads = [
            threading.Thread(target=run, args=item, daemon=True)
            for item in calls.items()
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for thread in threads:
            while thread.is_alive() and time.monotonic() < deadline:
                thread.join(timeout=0.5)
        for name in calls:
            results.setdefault(name, {"error": f"still running after {timeout} s"})
        return results

    @staticmethod
    def must(results):
        """Raise the first error of ``in_parallel`` results (a setup step)."""
        for name, result in results.items():
            if isinstance(result, dict) and "error" in result:
                raise StackError(f"{name}: {result['error']}")

    def run_variants(self):
        args = self.args
        calls = {}
        for variant, stack_ in self.stacks.items():
            accounts = stack_.accounts
            polling = variant == "polling"
            wait = args.polling_wait if polling else args.stream_wait
            if "brews" in accounts:
                calls[(variant, "brews")] = lambda s=stack_, a=accounts["brews"]: (
                    scenario_brews(s, a, args.brews)
                )
            if "panel" in accounts:
                calls[(variant, "panel")] = lambda s=stack_, a=accounts[
                    "panel"
                ], w=wait: (scenario_panel(s, a, args.panel_rounds, w))
            if "alert" in accounts:
                calls[(variant, "alert")] = lambda s=stack_, a=accounts[
                    "alert"
                ], w=wait: (scenario_alert(s, a, w))
            if "day" in accounts:
                calls[(variant, "day")] = lambda s=stack_, a=accounts[
                    "day"
                ], p=polling: (scenario_day(s, a, args.day_fraction, args.seed, cron=p))
        say(
            f"running {len(calls)} scenarios side by side: "
            + ", ".join(f"{v}/{s}" for v, s in calls)
        )
        results = self.in_parallel(calls, 4 * 3600)
        for (variant, scenario), result in results.items():
            self.results[variant][scenario] = result
        for variant, stack_ in self.stacks.items():
            problems = stack_.server.problems()
            if stack_.reader is not None:
                problems += stack_.reader.problems()
            self.results[variant]["problems"] = problems

    def run(self):
        RUN.mkdir(parents=True, exist_ok=True)
        self.odoo = Odoo(RUN)
        try:
            self.odoo.prepare_template(TEMPLATE, reuse=self.args.reuse)
            if any(self.wanted(s) for s in ("brews", "panel", "alert", "day")):
                self.start_variants()
                self.run_variants()
                for stack_ in self.stacks.values():
                    stack_.close()
            if self.wanted("scale"):
                try:
                    self.scale = scenario_scale(self.odoo, self.args)
                except (StackError, stack.RpcError) as error:
                    self.scale = {"error": str(error)}
                    say(f"scale failed: {error}")
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
            STOP.set()
            for stack_ in self.stacks.values():
                stack_.close()
            self.odoo.close()
            names = [TEMPLATE, SCALE_DB, *DATABASES.values()]
            if not self.args.keep:
                say(f"dropping {', '.join(names)} (--keep keeps them)")
                self.odoo.db("drop", *names)
        Report(self.args, self.results, self.scale).emit()
        say(f"done in {time.monotonic() - Log.started:.0f} s")
        return 0


# -- the report ------------------------------------------------------------------------


def fmt(value, digits=2, unit=""):
    if value is None:
        return "-"
    return f"{value:.{digits}f}{unit}"


def met(value, limit, below=True):
    if value is None:
        return "?"
    return "ok" if (value <= limit if below else value >= limit) else "MISSED"


class Report:
    WIDTH = 52

    def __init__(self, args, results, scale):
        self.args = args
        self.results = results
        self.scale = scale
        self.lines = []

    def row(self, label, stream, polling, target=""):
        self.lines.append(
            f"{label:<{self.WIDTH}} {stream:<16} {polling:<16} {target}".rstrip()
        )

    def note(self, text):
        self.lines.append(f"    {text}")

    def get(self, scenario):
        stream = self.results["stream"].get(scenario)
        polling = self.results["polling"].get(scenario)
        return stream, polling

    def emit(self):
        args = self.args
        self.lines.append(
            f"connector_coffee benchmark ({'quick' if args.quick else 'full'} run): "
            f"Odoo 18.0, prefork --workers=2 --max-cron-threads=1, job runner "
            f"root:2; {os.cpu_count()} CPUs ({platform.machine()}); simulators "
            f"x{args.accelerate:g} (office day x{args.day_accelerate:g})"
        )
        self.lines.append(
            "API calls: the simulators' own counters of each account (calls_total "
            "of GET /simulator/state: what Home Connect counts)"
        )
        self.row("figure", "stream", "polling", "target")
        for scenario in ("brews", "panel", "alert", "day"):
            if scenario in args.only:
                getattr(self, f"write_{scenario}")()
        for variant in DATABASES:
            self.problems(variant, self.results[variant].get("problems"))
        if "scale" in args.only:
            self.write_scale()
        sys.stdout.write("\n".join(self.lines) + "\n")
        sys.stdout.flush()

    def failed(self, scenario, stream, polling):
        for name, result in (("stream", stream), ("polling", polling)):
            if result is None or "error" in result:
                error = (result or {}).get("error", "not run")
                self.note(f"{scenario} on the {name} path did not complete: {error}")
        return any(r is None or "error" in r for r in (stream, polling))

    def endpoints(self, name, result):
        counts = result.get("by_endpoint") or {}
        text = ", ".join(
            f"{k} {v}" for k, v in sorted(counts.items(), key=lambda i: -i[1])
        )
        self.note(f"calls by endpoint, {name}: {text or 'none'}")

    def write_brews(self):
        stream, polling = self.get("brews")
        if self.failed("brews", stream, polling):
            return
        per = [r["calls"] / r["brews"] for r in (stream, polling)]
        self.row(
            f"API calls per Odoo brew ({stream['brews']} brews)",
            fmt(per[0]),
            fmt(per[1]),
            f"<= 1.2 stream [{met(per[0], 1.2)}], <= 4 polling [{met(per[1], 4)}]",
        )
        for name, result in (("stream", stream), ("polling", polling)):
            self.endpoints(name, result)
        p50 = [percentile(r["to_brewing"], 0.5) for r in (stream, polling)]
        p95 = [percentile(r["to_brewing"], 0.95) for r in (stream, polling)]
        self.row(
            f"click -> machine brewing, p50 (n={len(stream['to_brewing'])})",
            fmt(p50[0], 3, " s"),
            fmt(p50[1], 3, " s"),
            f"<= 0.5 s [{met(p50[0], 0.5)}]",
        )
        self.row(
            "click -> machine brewing, p95", fmt(p95[0], 3, " s"), fmt(p95[1], 3, " s")
        )
        done50 = [percentile(r["to_done"], 0.5) for r in (stream, polling)]
        done95 = [percentile(r["to_done"], 0.95) for r in (stream, polling)]
        self.row(
            "click -> done in Odoo, p50",
            fmt(done50[0], 1, " s"),
            fmt(done50[1], 1, " s"),
        )
        self.row(
            "click -> done in Odoo, p95",
            fmt(done95[0], 1, " s"),
            fmt(done95[1], 1, " s"),
        )
        for name, result in (("stream", stream), ("polling", polling)):
            if result["done"] != result["brews"] or result["unmatched"]:
                self.note(
                    f"{name}: {result['done']}/{result['brews']} brews done "
                    f"({dict(result['failed'])}); {result['unmatched']} not seen "
                    "starting on the machine"
                )
            if not result["drained"]:
                self.note(f"{name}: jobs still open when the calls were counted")

    def write_panel(self):
        stream, polling = self.get("panel")
        if self.failed("panel", stream, polling):
            return
        per = [r["calls"] / r["beverages"] for r in (stream, polling)]
        self.row(
            f"API calls per panel beverage ({stream['beverages']})",
            fmt(per[0]),
            fmt(per[1]),
        )
        for name, result in (("stream", stream), ("polling", polling)):
            self.endpoints(name, result)
        cells = []
        for result in (stream, polling):
            logged = len(result["latencies"])
            if not logged:
                cells.append(f"never (>{result['wait']:.0f} s)")
            else:
                cells.append(
                    f"{logged}/{result['beverages']}, p50 "
                    f"{percentile(result['latencies'], 0.5):.1f} s"
                )
        p50 = percentile(stream["latencies"], 0.5) if stream["latencies"] else None
        self.row(
            "panel beverage -> brew log",
            cells[0],
            cells[1],
            f"<= 3 s [{met(p50, 3)}]",
        )
        for name, result in (("stream", stream), ("polling", polling)):
            if result["latencies"]:
                self.note(
                    f"{name}: panel -> log max "
                    f"{max(result['latencies']):.1f} s, {result['missing']} not "
                    f"logged within {result['wait']:.0f} s of being made"
                )
        self.note(
            "polling path: panel beverages are logged by the state refresh cron "
            f"(every {CRON_STATE_MINUTES} min by default, inactive as shipped), "
            "whose calls are the same whether anything was brewed or not"
        )

    def write_alert(self):
        stream, polling = self.get("alert")
        if self.failed("alert", stream, polling):
            return
        cells = []
        for result in (stream, polling):
            if result["opened"]:
                cells.append(
                    f"{len(result['opened'])}/{result['alerts']}, max "
                    f"{max(result['opened']):.1f} s"
                )
            else:
                cells.append(f"never (>{result['wait']:.0f} s)")
        self.row("alert (beans empty) -> maintenance request", cells[0], cells[1])
        cells = [
            f"max {max(r['closed']):.1f} s" if r["closed"] else "-"
            for r in (stream, polling)
        ]
        self.row("refill -> request closed", cells[0], cells[1])
        per = [r["calls"] / r["alerts"] for r in (stream, polling)]
        self.row("API calls per alert (incl. its cup)", fmt(per[0]), fmt(per[1]))

    def write_day(self):
        stream, polling = self.get("day")
        if self.failed("day", stream, polling):
            return
        per = [r["calls"] / r["machines"] / r["fraction"] for r in (stream, polling)]
        scaled = (
            ""
            if stream["fraction"] == 1
            else f", {stream['fraction']:g} day x{1 / stream['fraction']:g}"
        )
        self.row(
            f"API calls per machine-day ({DAY_MACHINES} machines{scaled})",
            fmt(per[0], 1),
            fmt(per[1], 1),
            f"<= 10 stream [{met(per[0], 10)}]",
        )
        for name, result in (("stream", stream), ("polling", polling)):
            self.endpoints(name, result)
            self.note(
                f"{name}: {result['brews']} Odoo brews {dict(result['brew_states'])}, "
                f"panel beverages made {result['panel_made']}, logged "
                f"{result['panel_logged']} by the end"
                + (
                    f", {result['busy_skips']} never free"
                    if result["busy_skips"]
                    else ""
                )
                + ("" if result["drained"] else "; jobs still open at the count")
            )
        self.note(
            f"a day is {DAY_PANEL} panel beverages + {DAY_BREWS} Odoo brews per "
            f"machine; {DAY_BREWS} brews at 1.2 calls each are already 24 calls"
        )

    def write_scale(self):
        scale = self.scale
        if not scale or "error" in scale:
            self.note(
                f"scale did not complete: {(scale or {}).get('error', 'not run')}"
            )
            return
        self.lines.append("")
        self.lines.append(
            "scale: 2 HTTP workers, root:2, simulators without quota; q/m: SQL "
            "queries per machine, Odoo's own count of each /queue_job/runjob request"
        )
        self.lines.append(
            f"{'machines':>8}  {'import m/s':>10} {'q/m':>6}   "
            f"{'1st refresh m/s':>15} {'q/m':>6}   {'refresh m/s':>11} {'q/m':>6}   "
            "target: refresh >= 30 m/s, <= 8 q/m"
        )
        for result in scale["sizes"]:
            imp, first = result["import"], result["first refresh"]
            again = result["refresh"]
            verdict = (
                f"m/s {met(again['rate'], 30, below=False)}, "
                f"q/m {met(again['queries'], 8)}"
            )
            self.lines.append(
                f"{imp['size']:>8}  {imp['rate']:>10.1f} {imp['queries']:>6.1f}   "
                f"{first['rate']:>15.1f} {first['queries']:>6.1f}   "
                f"{again['rate']:>11.1f} {again['queries']:>6.1f}   [{verdict}]"
            )
            self.scale_notes(imp, first, again, scale["pgss"])
        if scale.get("job_overhead") is not None:
            self.note(
                "queue_job's own cost, in every job: "
                f"{scale['job_overhead']:.0f} queries (a no-op job, "
                "/queue_job/create_test_job)"
            )
        reader = scale["reader"]
        self.lines.append(
            f"event reader streaming {reader['machines']} machines: RSS "
            f"{reader['idle']:.0f} MiB streaming, {reader['busy']:.0f} MiB while "
            f"every machine brews; peak (VmHWM, start-up included) "
            f"{reader['peak']:.0f} MiB"
        )
        for name, problems in scale.get("problems", {}).items():
            self.problems(f"scale {name}", problems)

    def scale_notes(self, imp, first, again, pgss):
        size = imp["size"]
        for label, result in (("import", imp), ("first refresh", first)):
            for method, (jobs, queries, _u) in sorted(result["queued"].items()):
                self.note(
                    f"{size} machines, {label}: then {jobs} {method} job(s), "
                    f"{queries / size:.1f} queries per machine; all done "
                    f"{result['all_seconds']:.1f} s after the button"
                )
        self.note(
            f"{size} machines: import {imp['seconds']:.1f} s, refreshes "
            f"{first['seconds']:.1f} s and {again['seconds']:.1f} s "
            f"({again['jobs']} jobs)"
        )
        uncounted = imp["uncounted"] + first["uncounted"] + again["uncounted"]
        if uncounted:
            self.note(f"{uncounted} job requests had no query count")
        if pgss:
            self.note(
                "pg_stat_statements, statements per machine: import "
                f"{fmt(imp['statements'], 1)}, first refresh "
                f"{fmt(first['statements'], 1)}, refresh "
                f"{fmt(again['statements'], 1)}"
            )

    def problems(self, where, problems):
        if not problems:
            return
        total = sum(problems.values())
        self.note(f"{where} log: {total} ERROR/WARNING line(s):")
        for text, count in problems.most_common(4):
            self.note(f"  {count} x {text}")


def sizes(text):
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text} is no list of positive numbers")
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See the module docstring of tools/bench/run.py.",
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="a small run, about 5 minutes")
    add(
        "--only",
        type=stack.names_argument(SCENARIOS, "scenario"),
        action="append",
        help=f"run only these scenarios (comma separated): {', '.join(SCENARIOS)}",
    )
    add("--brews", type=int, help="Odoo brews for the latencies (30; quick 10)")
    add("--panel-rounds", type=int, help="rounds of 3 panel beverages (10; quick 1)")
    add(
        "--day-fraction", type=float, help="part of an office day to run (1; quick 0.1)"
    )
    add("--sizes", type=sizes, help="machines to scale to (50,500,2000; quick 50)")
    add("--rss-machines", type=int, help="machines the reader streams (500; quick 50)")
    add("--accelerate", type=float, default=10.0, help="simulated clock (x10)")
    add("--day-accelerate", type=float, default=30.0, help="office day clock (x30)")
    add("--stream-wait", type=float, default=120.0, help="seconds to wait for a log")
    add(
        "--polling-wait", type=float, help="the same on the polling path (60; quick 20)"
    )
    add("--seed", type=int, default=1)
    add("--keep", action="store_true", help="keep the databases at the end")
    add("--reuse", action="store_true", help="reuse the template database")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "brews": 10 if quick else 30,
        "panel_rounds": 1 if quick else 10,
        "day_fraction": 0.1 if quick else 1.0,
        "sizes": [50] if quick else [50, 500, 2000],
        "rss_machines": 50 if quick else 500,
        "polling_wait": 20.0 if quick else 60.0,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.only = (
        [s for group in args.only for s in group] if args.only else list(SCENARIOS)
    )
    return args


def _terminate(*_args):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    Log.tool = "bench"
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _terminate)
    try:
        return Bench(args).run()
    except StackError as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        STOP.set()
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
