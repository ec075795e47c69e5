#!/usr/bin/env python3
"""What do the live views cost? Bus messages of brews, machines and panels.

    python3 tools/demo.py &                    # or any running Odoo with the
    python3 tools/bench/live.py                # connector and its event reader

Against a running Odoo with ``connector_coffee``, its event reader and a Home
Connect simulator (the demo's: ``tools/demo.py``), as admin over JSON-RPC, it
measures:

* **bus messages per Odoo brew**: a brew of the usual ordered the way the
  systray cup does it (``coffee.brew.systray_brew``) on the first machine
  that can take it, waited for until done; every ``connector_coffee/changed``
  row of ``bus_bus`` (one per channel and transaction) that names the brew
  or its machine from the order until 5 s after it is done;
* **bus messages per panel beverage**: a coffee pressed at the machine's
  panel (the simulator's control endpoint), waited for in the brew log; the
  rows that name the machine from the press until 5 s after it is logged;
* **machine change → bus message**: from the press (the machine starts its
  program at once) to the first row telling the machine's new state
  (``display_state``), and from the end of the beverage (its counters grow)
  to the first row telling ``beverage_count``. A row's ``create_date`` is
  its transaction's start, so this is the delay until the transaction that
  sends the message started; its commit follows within milliseconds;
* **frame handling, with and without the bus messages**: in an ``odoo
  shell`` on the same database, a machine's progress frames
  (``_apply_stream_state``, ten a second in real life) applied and their
  pre-commit hooks run (which write the bus rows), alternately with the
  messages on and switched off, rounds of ``--frames`` frames; then all
  rolled back. And the cost the systray adds to every page load's session
  information (``ir.http.session_info``: one group check).

Figures go to standard output. It reads ``bus_bus`` with ``psql``
(``PGHOST`` / ``PGUSER`` as the other tools).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402
from stack import Odoo, Rpc, percentile, say  # noqa: E402

LIVE = "connector_coffee/changed"
COFFEE = "ConsumerProducts.CoffeeMaker.Program.Beverage.Coffee"

FRAMES = """
import time
from odoo.addons.connector_coffee.models.coffee_live.live import CoffeeLiveMixin

machine = env["coffee.machine"].browse({machine_id})
machine.write({{"operation_state": "run", "active_program_key": "x"}})
env.cr.precommit.run()
told = CoffeeLiveMixin._live_changed
rounds = {{"with": [], "without": []}}
for round_ in range({rounds}):
    for variant in ("with", "without"):
        CoffeeLiveMixin._live_changed = (
            told if variant == "with" else (lambda self, fnames: None)
        )
        env.cr.execute("SAVEPOINT frames")
        start = time.perf_counter()
        for frame in range({frames}):
            progress = frame * 100 // {frames}
            machine._apply_stream_state(
                {{"program_progress": progress, "remaining_seconds": 100 - progress}},
                {{}},
            )
            env.flush_all()
            env.cr.precommit.run()  # the bus rows, as the commit writes them
        rounds[variant].append((time.perf_counter() - start) / {frames})
        env.cr.execute("ROLLBACK TO SAVEPOINT frames")
        env.invalidate_all()
CoffeeLiveMixin._live_changed = told
user = env.ref("base.user_admin")
start = time.perf_counter()
for _ in range(10000):
    user._is_internal() and user.has_group("connector_coffee.group_coffee_user")
check = (time.perf_counter() - start) / 10000
env.cr.rollback()
print("FRAMES-JSON", __import__("json").dumps({{"rounds": rounds, "check": check}}))
"""


def bus_rows(database, since_id):
    """``[(id, create_date epoch, [changes])]`` of the coffee messages after id."""
    query = (
        "SELECT id, extract(epoch from create_date), message FROM bus_bus "
        f"WHERE id > {int(since_id)} ORDER BY id"
    )
    output = subprocess.run(
        ["psql", "-d", database, "-AtF", "\t", "-c", query],
        capture_output=True,
        text=True,
        env=stack.ENV,
        check=True,
    ).stdout
    rows = []
    for line in output.splitlines():
        row_id, created, message = line.split("\t", 2)
        message = json.loads(message)
        if message["type"] == LIVE:
            rows.append((int(row_id), float(created), message["payload"]["changes"]))
    return rows


def last_bus_id(database):
    output = subprocess.run(
        ["psql", "-d", database, "-Atc", "SELECT coalesce(max(id), 0) FROM bus_bus"],
        capture_output=True,
        text=True,
        env=stack.ENV,
        check=True,
    ).stdout
    return int(output.strip() or 0)


def machine_rows(database, since_id, machine_id):
    """The coffee messages after ``since_id`` that name the machine."""
    return [
        row for row in bus_rows(database, since_id) if names_machine(row[2], machine_id)
    ]


def names_machine(changes, machine_id, field=None):
    return any(
        (c["model"] == "coffee.machine" and c["id"] == machine_id)
        or c.get("machine_id") == machine_id
        for c in changes
        if field is None or field in c["fields"]
    )


def first_after(rows, moment, machine_id, field):
    for _id, created, changes in rows:
        if created >= moment - 0.001 and any(
            c["model"] == "coffee.machine"
            and c["id"] == machine_id
            and field in c["fields"]
            for c in changes
        ):
            return created - moment
    return None


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"{what}: not within {timeout} s")


def ready_machine(rpc):
    machines = rpc.search_read(
        "coffee.machine",
        [("display_state", "=", "ready"), ("remote_start_allowed", "=", True)],
        ["name", "external_id"],
        order="name",
    )
    if not machines:
        raise SystemExit("No machine is ready: start the demo and import them.")
    return machines[0]


def measure_brews(rpc, database, count):
    per_brew = []
    for _ in range(count):
        machine = ready_machine(rpc)
        usual = rpc.call("coffee.brew", "systray_get_coffee")["usual"]
        beverage = usual["beverage_id"] if usual else None
        if not beverage:
            programs = rpc.search_read(
                "coffee.machine.program",
                [("machine_id", "=", machine["id"]), ("beverage_id", "!=", False)],
                ["beverage_id"],
            )
            beverage = programs[0]["beverage_id"][0]
        mark = last_bus_id(database)
        answer = rpc.call(
            "coffee.brew",
            "systray_brew",
            [machine["id"], beverage, {}, f"bench-{time.time()}"],
        )
        brew_id = answer["brew_id"]

        def done(brew_id=brew_id):
            row = rpc.call("coffee.brew", "read", [[brew_id], ["state"]])[0]
            return row["state"] in ("done", "failed") and row

        state = wait(done, 180, "the brew")["state"]
        time.sleep(5)
        rows = machine_rows(database, mark, machine["id"])
        per_brew.append(len(rows))
        say(f"brew {brew_id} {state}: {len(rows)} bus messages")
    return per_brew


class SimClock:
    """The simulator's clock, brought back to real time."""

    def __init__(self, session, url):
        self.session, self.url = session, url
        first = self.sample()
        time.sleep(2.0)
        second = self.sample()
        self.speed = (second[0] - first[0]) / (second[1] - first[1])

    def sample(self):
        before = time.time()
        state = self.session.get(f"{self.url}/simulator/state", timeout=10).json()
        return state["now"], (before + time.time()) / 2

    def to_real(self, simulated):
        sim_now, real_now = self.sample()
        return real_now - (sim_now - simulated) / self.speed


def measure_panel(rpc, database, sim_url, count):
    session = stack.requests.Session()
    clock = SimClock(session, sim_url)
    per_beverage, to_start, to_count = [], [], []
    for _ in range(count):
        machine = ready_machine(rpc)
        ha_id = machine["external_id"]
        known = rpc.search_count("coffee.brew", [("origin", "=", "panel")])
        mark = last_bus_id(database)
        pressed = time.time()  # the machine starts its program while we ask
        session.post(
            f"{sim_url}/simulator/machines/{ha_id}/panel",
            json={"action": "brew", "program": COFFEE},
            timeout=10,
        ).raise_for_status()

        def ready_again(machine_id=machine["id"]):
            rows = rpc.call("coffee.machine", "read", [[machine_id], ["display_state"]])
            return rows[0]["display_state"] == "ready"

        time.sleep(1)
        wait(ready_again, 300, "the panel beverage's end")
        machine_now = session.get(
            f"{sim_url}/simulator/machines/{ha_id}", timeout=10
        ).json()
        panel_brews = [b for b in machine_now["brews"] if b["source"] == "panel"]
        ended = clock.to_real(panel_brews[-1]["finished_at"])
        wait(
            lambda known=known: rpc.search_count(
                "coffee.brew", [("origin", "=", "panel")]
            )
            > known,
            60,
            "the panel beverage in the log",
        )
        time.sleep(5)
        rows = machine_rows(database, mark, machine["id"])
        per_beverage.append(len(rows))
        start = first_after(rows, pressed, machine["id"], "display_state")
        counted = [
            created
            for _id, created, changes in rows
            if names_machine(changes, machine["id"], "beverage_count")
        ]
        if start is not None:
            to_start.append(start)
        later = [moment for moment in counted if moment >= ended - 0.5]
        if later:
            to_count.append(max(0.0, later[0] - ended))
        say(f"panel beverage on {machine['name']}: {len(rows)} bus messages")
    return per_beverage, to_start, to_count


def out(line):
    """A figure, on standard output (progress goes to standard error)."""
    sys.stdout.write(line + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--database", default="coffee_demo")
    parser.add_argument("--simulator", default="http://127.0.0.1:8765")
    parser.add_argument("--brews", type=int, default=3)
    parser.add_argument("--panel", type=int, default=3)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    rpc = Rpc(args.url, args.database)
    brews = measure_brews(rpc, args.database, args.brews)
    panel, to_start, to_count = measure_panel(
        rpc, args.database, args.simulator, args.panel
    )
    machine = ready_machine(rpc)
    output = Odoo(stack.REPO / ".run" / "bench-live").shell(
        args.database,
        FRAMES.format(machine_id=machine["id"], frames=args.frames, rounds=args.rounds),
        "live-frames.log",
    )
    frames = json.loads(output.split("FRAMES-JSON", 1)[1].strip().splitlines()[0])

    def ms(values):
        return f"{1000 * percentile(values, 0.5):.2f} ms"

    out(f"bus messages per Odoo brew ({len(brews)}): {brews}")
    out(f"bus messages per panel beverage ({len(panel)}): {panel}")
    if to_start:
        out(
            "panel press → message of the machine's state, p50 / p95: "
            f"{percentile(to_start, 0.5):.2f} / {percentile(to_start, 0.95):.2f} s"
        )
    if to_count:
        out(
            "beverage's end → message of the machine's counters, p50 / p95: "
            f"{percentile(to_count, 0.5):.2f} / {percentile(to_count, 0.95):.2f} s"
        )
    out(
        f"frame handling ({args.rounds} rounds of {args.frames} frames), p50 "
        f"per frame: with the bus messages {ms(frames['rounds']['with'])}, "
        f"without {ms(frames['rounds']['without'])}"
    )
    out("the systray's check in each session_info: " f"{1e6 * frames['check']:.1f} µs")


if __name__ == "__main__":
    main()
