#!/usr/bin/env python3
"""The upgrade check: a database of an older revision, upgraded to this tree,
loses nothing and brews what it had queued, exactly once.

    python3 tools/upgrade_check.py                 # from tools/upgrade-from
    python3 tools/upgrade_check.py --from REV      # any revision of the history

A team deploying the connector upgrades a running database with
``odoo -u connector_coffee``. What that database holds is what the older
code wrote: tokens, machines, brews in every state, pending jobs under the
method names of that code. This check builds such a database for real and
upgrades it:

1. ``git worktree`` of REV, the addon as it was (its own protocol library
   too); a simulator of three machines on loopback, in this process;
2. a fresh database with ``connector_coffee`` of REV and its demo data; the
   demo backend pointed at the simulator and authorized through the device
   flow; machines, beverages and state imported; an employee orders three
   brews through the Brew wizard: one brewed to the end (*done*), one refused
   by its machine (*failed*), one left *queued* with its job pending; the
   employee's busy-coffee opt-in switched on and a busy trigger recorded;
   every stored field of the connector's records saved (``snapshot.json``);
3. ``odoo -u connector_coffee`` with this tree, its log free of warnings;
4. with this tree: every record and stored field of the snapshot is there
   with the same value; the backend's tokens still work against the
   simulator; the pending jobs run, and the queued brew is brewed exactly
   once (the simulator counts it) and ends *done*; no job fails.

Each check prints a line ``PASS name`` or ``FAIL name: why``; the last line
says ``upgrade check: N passed, M failed``, and the exit status is 0 only
when none failed. Logs and the snapshot are in ``.run/upgrade/``.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / ".run" / "upgrade"
#: the revision upgraded from by default: one line, a commit of main
DEFAULT_FROM = REPO / "tools" / "upgrade-from"
ADDON = "connector_coffee"
DB = os.environ.get("ODOO_UPGRADE_DB", "connector_coffee_upgrade")

sys.path.insert(0, str(REPO / "coffee_machine" / "src"))
sys.path.insert(0, str(REPO / "tools"))

from demo import find_odoo  # noqa: E402

from coffee_machine.homeconnect.simulator import (  # noqa: E402
    QuotaConfig,
    Simulator,
    SimulatorConfig,
)

#: what runs in Odoo's shell, on both sides of the upgrade (prefixed to each)
COMMON = r'''
import json, os
import requests
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job

P = json.loads(os.environ["UPGRADE_CHECK"])
MODELS = P["models"]


def control(path, payload):
    url = P["simulator"] + "/simulator/" + path
    answer = requests.post(url, json=payload, timeout=10)
    answer.raise_for_status()


def run_jobs(domain):
    """Run, once each, the waiting jobs matching ``domain`` as the job runner
    does (a job they queue waits for the next call)."""
    records = env["queue.job"].search([("state", "=", "pending")] + domain, order="id")
    for record in records:
        job = Job.load(env, record.uuid)
        job.set_started()
        job.store()
        env.cr.commit()
        try:
            RunJobController._runjob(env, job)
        except Exception:  # stored failed by _runjob, as the runner would
            env.cr.rollback()
        env.cr.commit()
    env.invalidate_all()
    return records


def jobs_of(brew):
    return [("uuid", "in", brew._jobs().mapped("uuid"))]


def snapshot():
    """Every stored field of every record of the connector's models."""
    taken = {}
    for model, only in MODELS.items():
        Model = env[model].sudo().with_context(active_test=False)
        names = [
            name
            for name, field in Model._fields.items()
            if field.store
            and field.type not in ("binary", "html")
            and name not in P["skip_fields"]
            and (not only or name.startswith(only))
        ]
        domain = [("login", "=", P["employee"])] if model == "res.users" else []
        taken[model] = {
            str(row["id"]): {k: v for k, v in row.items() if k != "id"}
            for row in Model.search(domain).read(names, load=None)
        }
    return taken
'''

SETUP = r"""
backend = env.ref("connector_coffee.backend_simulator")
backend.location = P["simulator"]
env.cr.commit()
backend.with_context(queue_job__no_delay=False).action_authorize_device()
env.cr.commit()
control("device/approve", {"user_code": backend.device_user_code})
backend.action_check_device_authorization()
env.cr.commit()
backend._import_machines()
env.cr.commit()
run_jobs([])
machines = backend.machine_ids.sorted("external_id")
for machine in machines:
    machine._import_catalogue()
    machine._import_state()
env.cr.commit()
employee = env["res.users"].create({
    "name": "Upgrade Employee",
    "login": P["employee"],
    "groups_id": [(6, 0, [env.ref("base.group_user").id,
                         env.ref("connector_coffee.group_coffee_user").id])],
})
env.cr.commit()


def order(machine):
    program = machine.program_ids.filtered("beverage_id").sorted("key")[:1]
    program.beverage_id.write(
        {"coffee_cost_by_hand": True, "coffee_manual_cost": 0.35}
    )
    wizard = env["coffee.brew.wizard"].with_user(employee).create(
        {"machine_id": machine.id, "beverage_id": program.beverage_id.id}
    )
    wizard.action_brew()
    env.cr.commit()
    return env["coffee.brew"].browse(wizard.brew_id.id)


done = order(machines[0])
run_jobs(jobs_of(done))
control("clock/advance", {"seconds": 120})
run_jobs(jobs_of(done))
panel = "machines/%s/panel" % machines[1].external_id
control(panel, {"action": "disallow_remote_start"})
failed = order(machines[1])
run_jobs(jobs_of(failed))
queued = order(machines[2])
employee.write({
    "coffee_busy_enabled": True,
    "coffee_busy_machine_id": machines[0].id,
    "coffee_busy_beverage_id": done.beverage_id.id,
})
env["coffee.busy.trigger"].create({
    "user_id": employee.id, "cause": "request", "reference": "upgrade-check",
    "reason": "A request took 90 seconds",
})
env.cr.commit()
env.invalidate_all()
print("UPGRADE-BREWS", json.dumps({
    "done": [done.id, done.state], "failed": [failed.id, failed.state],
    "queued": [queued.id, queued.state, machines[2].external_id],
    "pending_jobs": env["queue.job"].search_count([("state", "=", "pending")]),
}))
with open(P["snapshot"], "w") as out:
    json.dump(snapshot(), out, default=str, sort_keys=True)
"""

CHECK = r"""
def check(name, ok, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))


before = json.load(open(P["snapshot"]))
now = json.loads(json.dumps(snapshot(), default=str))
for model, records in before.items():
    missing = sorted(set(records) - set(now.get(model, {})), key=int)
    check("%s keeps its %d records" % (model, len(records)), not missing,
          "lost ids %s" % missing)
    changed, gone = [], set()
    for rid, values in records.items():
        for field, value in values.items():
            if rid not in now.get(model, {}):
                continue
            if field not in now[model][rid]:
                gone.add(field)
            elif now[model][rid][field] != value:
                changed.append("%s(%s).%s: %r -> %r" % (
                    model, rid, field, value, now[model][rid][field]))
    check("%s keeps every stored field" % model, not gone,
          "fields gone without a migration: %s" % sorted(gone))
    check("%s keeps every value" % model, not changed, "; ".join(changed[:5]))

backend = env.ref("connector_coffee.backend_simulator")
try:
    backend.action_test_connection()
    env.cr.commit()
    check("the tokens still work", backend.connection_state == "ok",
          backend.connection_message)
except Exception as error:
    env.cr.rollback()
    check("the tokens still work", False, error)

failed_before = env["queue.job"].search([("state", "=", "failed")])
brews = P["brews"]
queued = env["coffee.brew"].browse(brews["queued"][0])
run_jobs(jobs_of(queued))
control("clock/advance", {"seconds": 120})
run_jobs([])
env.invalidate_all()
check("the queued brew is brewed after the upgrade", queued.state == "done",
      "%s: %s" % (queued.state, queued.error_message))
new_failures = env["queue.job"].search([("state", "=", "failed")]) - failed_before
check("no job fails after the upgrade", not new_failures,
      "; ".join("%s: %s" % (j.name, (j.exc_info or "")[-300:]) for j in new_failures))
print("UPGRADE-QUEUED", queued.state)
"""

#: the connector's models whose records must survive; a prefix limits the
#: fields read to those of the connector (res.users: the coffee preferences)
MODELS = {
    "coffee.backend": "",
    "coffee.backend.runtime": "",
    "coffee.machine": "",
    "coffee.machine.counter": "",
    "coffee.machine.program": "",
    "coffee.machine.program.option": "",
    "coffee.beverage": "",
    "coffee.brew": "",
    "coffee.brew.preference": "",
    "coffee.busy.trigger": "",
    "res.users": "coffee_",
}
#: fields an upgrade rewrites by design (bookkeeping of the ORM and the chatter)
SKIP_FIELDS = [
    "write_date",
    "write_uid",
    "message_main_attachment_id",
    # the connection test of the check itself writes these
    "connection_state",
    "connection_message",
    "connection_checked_at",
    "quota_calls_today",
    "quota_day",
]
EMPLOYEE = "upgrade-employee"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (WARNING|ERROR|CRITICAL) ")


def say(line):
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def step(message):
    say(f"== upgrade check: {message}")


class UpgradeCheck:
    def __init__(self, revision):
        self.revision = revision
        self.results = []
        self.odoo, self.python = find_odoo()
        self.pg = dict(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            user=os.environ.get("PGUSER") or os.environ.get("USER") or "root",
        )
        self.old_tree = RUN / "old"

    # -- reporting ---------------------------------------------------------
    def record(self, name, ok, why=""):
        self.results.append(ok)
        say(f"PASS {name}" if ok else f"FAIL {name}: {why}")

    # -- the pieces --------------------------------------------------------
    def checkout_old(self):
        self.remove_old()  # what a run stopped midway left
        shutil.rmtree(self.old_tree, ignore_errors=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(self.old_tree), self.revision],
            cwd=REPO,
            check=True,
            capture_output=True,
        )

    def remove_old(self):
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(self.old_tree)],
            cwd=REPO,
            capture_output=True,
            check=False,
        )

    def env_for(self, tree, params):
        pythonpath = [str(tree / "coffee_machine" / "src")]
        if os.environ.get("PYTHONPATH"):
            pythonpath.append(os.environ["PYTHONPATH"])
        return dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(pythonpath),
            PGHOST=self.pg["host"],
            PGUSER=self.pg["user"],
            UPGRADE_CHECK=json.dumps(params),
        )

    def odoo_args(self, tree):
        return [
            f"--addons-path={tree}",
            f"--db_host={self.pg['host']}",
            f"--db_user={self.pg['user']}",
            "-d",
            DB,
        ]

    def run_odoo(self, tree, args, log, params=None):
        command = [*self.odoo, *self.odoo_args(tree), *args]
        with open(RUN / log, "w") as out:
            done = subprocess.run(
                command,
                env=self.env_for(tree, params or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        return done.returncode

    def shell(self, tree, script, log, params):
        command = [
            *self.odoo,
            "shell",
            *self.odoo_args(tree),
            "--no-http",
            "--log-level=warn",
        ]
        done = subprocess.run(
            command,
            input=COMMON + script,
            env=self.env_for(tree, params),
            capture_output=True,
            text=True,
            check=False,
        )
        (RUN / log).write_text(done.stdout + "\n---- stderr\n" + done.stderr)
        return done

    @staticmethod
    def warnings_in(path):
        ignore = [
            re.compile(line)
            for line in (REPO / "tools" / "checklog-ignore").read_text().splitlines()
            if line and not line.startswith("#")
        ]
        return [
            line
            for line in path.read_text(errors="replace").splitlines()
            if LOG_LINE.match(line) and not any(p.search(line) for p in ignore)
        ]

    # -- the check ---------------------------------------------------------
    def run(self):
        if not self.odoo:
            sys.stderr.write("upgrade check impossible: no Odoo found\n")
            return 1
        RUN.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        step(f"from {self.revision}")
        self.checkout_old()
        simulator = Simulator(
            SimulatorConfig(machines=3, seed=1, quota=QuotaConfig(enabled=False))
        ).start()
        try:
            self.check_upgrade(simulator)
        finally:
            simulator.stop()
            self.remove_old()
            subprocess.run(["dropdb", "--if-exists", DB], check=False)
        failed = self.results.count(False)
        passed = len(self.results) - failed
        step(f"took {time.monotonic() - started:.0f} s")
        say(f"upgrade check: {passed} passed, {failed} failed")
        return 1 if failed or not passed else 0

    def check_upgrade(self, simulator):
        subprocess.run(["dropdb", "--if-exists", DB], check=False, capture_output=True)
        params = {
            "simulator": simulator.url,
            "snapshot": str(RUN / "snapshot.json"),
            "models": MODELS,
            "skip_fields": SKIP_FIELDS,
            "employee": EMPLOYEE,
        }
        step(f"installing {ADDON} of {self.revision} with demo data")
        code = self.run_odoo(
            self.old_tree, ["-i", ADDON, "--stop-after-init"], "install.log"
        )
        self.record("the old revision installs", code == 0, "see install.log")
        if code:
            return
        step("authorizing, importing and ordering brews with the old code")
        setup = self.shell(self.old_tree, SETUP, "setup.log", params)
        brews = re.search(r"^UPGRADE-BREWS (.*)$", setup.stdout, re.M)
        self.record("the old code set up the database", bool(brews), "see setup.log")
        if not brews:
            return
        brews = json.loads(brews.group(1))
        self.record(
            "one brew done, one failed, one queued before the upgrade",
            [brews[k][1] for k in ("done", "failed", "queued")]
            == ["done", "failed", "queued"],
            brews,
        )
        queued_machine = simulator.machine(brews["queued"][2])
        step(f"upgrading to this tree ({ADDON} -u)")
        code = self.run_odoo(
            REPO, ["-u", ADDON, "--stop-after-init"], "upgrade.log", params
        )
        self.record("the upgrade runs", code == 0, "see upgrade.log")
        warnings = self.warnings_in(RUN / "upgrade.log")
        self.record(
            "the upgrade logs no warning", not warnings, "; ".join(warnings[:3])
        )
        if code:
            return
        step("checking the upgraded database with this tree")
        checked = self.shell(REPO, CHECK, "check.log", dict(params, brews=brews))
        for line in checked.stdout.splitlines():
            if line.startswith(("PASS ", "FAIL ")):
                verdict, __, rest = line.partition(" ")
                name, __, why = rest.partition(": ")
                self.record(name, verdict == "PASS", why)
        self.record(
            "the check ran to its end",
            "UPGRADE-QUEUED" in checked.stdout,
            "see check.log: " + checked.stderr[-500:],
        )
        api_brews = [b for b in queued_machine.brews if b["source"] == "api"]
        self.record(
            "the queued brew reached its machine exactly once",
            len(api_brews) == 1,
            f"{len(api_brews)} starts",
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--from",
        dest="revision",
        help=f"the revision to upgrade from (default: {DEFAULT_FROM.name})",
    )
    args = parser.parse_args(argv)
    revision = args.revision or DEFAULT_FROM.read_text().split()[0]
    return UpgradeCheck(revision).run()


if __name__ == "__main__":
    sys.exit(main())
