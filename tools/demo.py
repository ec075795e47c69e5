#!/usr/bin/env python3
"""Run the whole connector on simulated coffee machines: one command.

    python3 tools/demo.py            # Ctrl-C stops everything it started

What it does, reusing whatever a previous run left (it is idempotent):

1. finds Odoo 18 (``ODOO_BIN``, ``odoo`` on PATH, or ``python3 -m odoo``);
   without it, says so in one sentence and exits 1;
2. makes sure Odoo's Python has the OCA addons and the ``coffee_machine``
   library (from the package registries and this repository);
3. reaches PostgreSQL on 127.0.0.1:5432, or starts a private cluster on
   loopback under ``.run/demo/pgdata`` when ``pg_ctl`` is available;
4. starts the Home Connect simulator (``--machines 3``) on 127.0.0.1:8765 and
   the JURA simulator (one machine, its dongle on 127.0.0.1:51515), unless
   they already answer there;
5. creates the database ``coffee_demo`` with ``connector_coffee`` and its demo
   data, points the demo backend at the simulator and authorizes it through
   the device flow, as a person would, imports its machines, queues the
   import of their beverages and state, and switches its schedules on; pairs
   the JURA demo backend (the JURA simulator accepts pairings by itself) and
   imports its machine and products: both backends side by side;
6. starts Odoo with the queue_job runner (``server_wide_modules`` and
   channels in ``.run/demo/odoo.conf``; threaded, so that the browser's
   websocket reaches the same port without a proxy) and the event reader
   (``odoo coffee-events``, for live machine state and alerts), prints the
   URL and the login, and waits.

Everything it starts runs in its own process group and is stopped on Ctrl-C
or SIGTERM; nothing is left behind but the database and ``.run/demo``.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / ".run" / "demo"
#: the library of this very checkout, whatever copy Odoo's Python has installed
ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(
        filter(
            None, [str(REPO / "coffee_machine" / "src"), os.environ.get("PYTHONPATH")]
        )
    ),
)
OCA_ADDONS = [
    "odoo-addon-queue_job==18.0.*",
    "odoo-addon-component==18.0.*",
    "odoo-addon-component_event==18.0.*",
    "odoo-addon-connector==18.0.*",
]

SETUP_SCRIPT = """
import requests
from odoo.exceptions import UserError, ValidationError

backend = env.ref("connector_coffee.backend_simulator")
backend.location = {simulator_url!r}
env.cr.commit()
if backend.auth_state == "authorized":
    # a simulator started afresh knows none of the tokens of an older run
    try:
        backend.action_test_connection()
    except UserError:
        env.cr.rollback()
        env.invalidate_all()
        if backend.auth_state == "authorized":
            backend._store({{"auth_state": "not_authorized"}})
    env.cr.commit()
if backend.auth_state != "authorized":
    backend.with_context(queue_job__no_delay=False).action_authorize_device()
    env.cr.commit()
    requests.post(
        {simulator_url!r} + "/simulator/device/approve",
        json={{"user_code": backend.device_user_code}},
        timeout=10,
    ).raise_for_status()
    backend.action_check_device_authorization()
    env.cr.commit()
    # one call, so that the form shows the connection as it is now
    backend.action_test_connection()
    env.cr.commit()
# the machines now (one call), their beverages and state by the job runner
if not backend.machine_ids:
    print("DEMO-IMPORT", backend._import_machines())
    env.cr.commit()
if not env["coffee.beverage"].search_count([("backend_id", "=", backend.id)]):
    backend._delay_import("catalogue")
backend._delay_import("state")
env.cr.commit()
# the scheduled imports, if their cost fits the share of the quota
for xmlid in (
    "connector_coffee.ir_cron_import_machines",
    "connector_coffee.ir_cron_import_catalogue",
    "connector_coffee.ir_cron_import_states",
):
    cron = env.ref(xmlid)
    if not cron.active:
        try:
            with env.cr.savepoint():
                cron.active = True
        except ValidationError as error:
            print("DEMO-SCHEDULE", cron.name, "left off:", error)
if hasattr(backend, "_demo_setup"):
    backend._demo_setup()
env.cr.commit()
print("DEMO-BACKEND", backend.name, backend.auth_state)
jura = env.ref("connector_coffee.backend_jura_simulator")
jura.location = {jura_address!r}
try:
    if jura.auth_state == "authorized":
        try:
            jura.action_test_connection()
        except UserError:
            jura._store({{"auth_state": "not_authorized"}})
    if jura.auth_state != "authorized":
        print("DEMO-JURA-PAIR", jura._pair_machine())
    if not jura.machine_ids:
        print("DEMO-JURA-IMPORT", jura._import_machines())
    if not env["coffee.beverage"].search_count([("backend_id", "=", jura.id)]):
        jura._delay_import("catalogue")
    env.cr.commit()
except Exception as error:  # the Home Connect half of the demo still runs
    env.cr.rollback()
    print("DEMO-JURA-FAILED", error)
print("DEMO-JURA", jura.name, jura.auth_state)
"""


def say(message):
    sys.stdout.write(f"[demo] {message}\n")
    sys.stdout.flush()


def fail(message):
    sys.stderr.write(f"{message}\n")
    sys.exit(1)


def find_odoo():
    """The command that runs Odoo 18 and its Python, or None."""
    launcher = os.environ.get("ODOO_BIN") or shutil.which("odoo")
    if launcher:
        with open(launcher, "rb") as handle:
            first = handle.readline().decode(errors="replace")
        python = first[2:].strip().split()[0] if first.startswith("#!") else None
        if python and os.access(python, os.X_OK):
            return [launcher], python
    python = shutil.which("python3")
    check = subprocess.run(
        [python, "-c", "import odoo.cli"], capture_output=True, check=False
    )
    if check.returncode == 0:
        return [python, "-m", "odoo"], python
    return None, None


def odoo_version(python):
    result = subprocess.run(
        [python, "-c", "import odoo.release as r; print(r.major_version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def ensure_python_deps(python):
    missing = subprocess.run(
        [
            python,
            "-c",
            "import coffee_machine, odoo.addons.queue_job, odoo.addons.connector",
        ],
        capture_output=True,
        check=False,
    ).returncode
    if not missing:
        return
    say("installing the OCA addons and the coffee_machine library into Odoo's Python")
    pip = [python, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", *OCA_ADDONS], check=True)
    subprocess.run([*pip, "cachetools", "requests", str(REPO / "coffee_machine")])


def port_open(host, port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


class Demo:
    def __init__(self, args):
        self.args = args
        self.children = []  # (name, Popen)
        self.pg_ctl = None
        self.pgdata = RUN / "pgdata"

    # -- processes -------------------------------------------------------------
    def spawn(self, name, command):
        log = open(RUN / f"{name}.log", "ab")  # noqa: SIM115 - closed with the child
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
            env=ENV,
        )
        self.children.append((name, process, log))
        return process

    def stop(self, *_args):
        for name, process, log in reversed(self.children):
            if process.poll() is None:
                say(f"stopping {name}")
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            log.close()
        self.children = []
        if self.pg_ctl:
            say("stopping the private PostgreSQL cluster")
            subprocess.run(
                [self.pg_ctl, "-D", str(self.pgdata), "-m", "fast", "stop"],
                capture_output=True,
                check=False,
            )
            self.pg_ctl = None

    # -- PostgreSQL ---------------------------------------------------------------
    def postgres(self):
        host, port = "127.0.0.1", 5432
        if port_open(host, port):
            return host, port
        pg_ctl = shutil.which("pg_ctl") or next(
            iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), None
        )
        if not pg_ctl:
            fail(
                "No PostgreSQL answers on 127.0.0.1:5432 and pg_ctl is not "
                "installed: start PostgreSQL or install it, then run the demo again."
            )
        pg_ctl = str(pg_ctl)
        port = 5439
        if not (self.pgdata / "PG_VERSION").exists():
            say("creating a private PostgreSQL cluster in .run/demo/pgdata")
            initdb = str(Path(pg_ctl).with_name("initdb"))
            user = os.environ.get("USER") or "odoo"
            subprocess.run(
                [initdb, "-D", str(self.pgdata), "-A", "trust", "-U", user],
                check=True,
                capture_output=True,
            )
        if not port_open(host, port):
            say(f"starting the private PostgreSQL cluster on {host}:{port}")
            options = f"-c listen_addresses={host} -p {port} -k {self.pgdata}"
            subprocess.run(
                [pg_ctl, "-D", str(self.pgdata), "-o", options, "-w", "start"],
                check=True,
                capture_output=True,
            )
            self.pg_ctl = pg_ctl
        return host, port

    # -- simulator ----------------------------------------------------------------
    def simulator(self, python):
        url = f"http://127.0.0.1:{self.args.simulator_port}"
        try:
            with urllib.request.urlopen(f"{url}/simulator/state", timeout=2):
                say(f"reusing the simulator already running at {url}")
                return url
        except (urllib.error.URLError, OSError) as error:
            say(f"no simulator answers at {url} yet ({error})")
        say(f"starting the coffee machine simulator at {url}")
        self.spawn(
            "simulator",
            [
                python,
                "-m",
                "coffee_machine.homeconnect.simulator",
                "--port",
                str(self.args.simulator_port),
                "--machines",
                str(self.args.machines),
                "--seed",
                "1",
            ],
        )
        self._wait_for_port(self.args.simulator_port, "simulator", "simulator")
        return url

    def jura_simulator(self, python):
        address = f"127.0.0.1:{self.args.jura_port}"
        if port_open("127.0.0.1", self.args.jura_port):
            say(f"reusing the JURA simulator already listening at {address}")
            return address
        say(f"starting the JURA simulator at {address}")
        self.spawn(
            "jura-simulator",
            [
                python,
                "-m",
                "coffee_machine.jura.simulator",
                "--port",
                str(self.args.jura_port),
                "--auto-accept",
                "--seed",
                "1",
            ],
        )
        self._wait_for_port(self.args.jura_port, "JURA simulator", "jura-simulator")
        return address

    @staticmethod
    def _wait_for_port(port, what, log):
        """Wait for ``what`` (logging to ``log``) to listen on ``port``; fail
        after 10 s."""
        for _ in range(100):
            if port_open("127.0.0.1", port):
                return
            time.sleep(0.1)
        fail(f"The {what} did not start: see .run/demo/{log}.log.")

    # -- Odoo -----------------------------------------------------------------------
    def write_config(self, db_host, db_port):
        config = RUN / "odoo.conf"
        config.write_text(
            "\n".join(
                [
                    "[options]",
                    f"addons_path = {REPO}",
                    f"db_host = {db_host}",
                    f"db_port = {db_port}",
                    f"db_name = {self.args.database}",
                    f"dbfilter = ^{self.args.database}$",
                    "http_interface = 127.0.0.1",
                    f"http_port = {self.args.port}",
                    "server_wide_modules = web,queue_job",
                    "workers = 0",
                    "max_cron_threads = 1",
                    "limit_time_real = 600",
                    "",
                    "[queue_job]",
                    "channels = root:2,root.coffee:2,root.coffee.import:1,"
                    "root.coffee.brew:1",
                    "",
                ]
            )
        )
        return config

    def database_exists(self, odoo_python, config):
        code = (
            "import sys, odoo; odoo.tools.config.parse_config(['-c', sys.argv[1]]);"
            "print(sys.argv[2] in odoo.service.db.list_dbs(True))"
        )
        result = subprocess.run(
            [odoo_python, "-c", code, str(config), self.args.database],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() == "True"

    def run(self):
        RUN.mkdir(parents=True, exist_ok=True)
        odoo, python = find_odoo()
        if not odoo:
            fail(
                "Odoo 18 was not found (no ODOO_BIN, no odoo command, no "
                "importable odoo): install it as README.rst explains, then run "
                "this command again."
            )
        if odoo_version(python) != "18.0":
            fail(f"The Odoo found ({odoo[0]}) is not Odoo 18.0, which this demo needs.")
        ensure_python_deps(python)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._terminate)
        try:
            db_host, db_port = self.postgres()
            simulator_url = self.simulator(python)
            jura_address = self.jura_simulator(python)
            config = self.write_config(db_host, db_port)
            base = [*odoo, "-c", str(config)]
            if not self.database_exists(python, config):
                say(f"creating the database {self.args.database} (a few minutes)")
                self._once(base, ["-i", "connector_coffee"], "install")
            else:
                say(f"reusing the database {self.args.database}")
                self._once(base, ["-u", "connector_coffee"], "update")
            self._setup_backend(
                [*odoo, "shell", "-c", str(config)], simulator_url, jura_address
            )
            say("starting Odoo with its job runner, and the event reader")
            server = self.spawn("odoo", base)
            # an addon's command is found through an --addons-path given first
            reader = [
                *odoo,
                f"--addons-path={REPO}",
                "coffee-events",
                "-c",
                str(config),
            ]
            self.spawn("coffee-events", reader)
            url = f"http://127.0.0.1:{self.args.port}"
            for _ in range(600):
                if server.poll() is not None:
                    fail("Odoo stopped: see .run/demo/odoo.log.")
                if port_open("127.0.0.1", self.args.port):
                    break
                time.sleep(0.2)
            say(f"ready: open {url} and log in as admin / admin")
            say("Connectors > Coffee, or the Coffee app; Ctrl-C stops the demo")
            while server.poll() is None:
                time.sleep(1)
            fail("Odoo stopped: see .run/demo/odoo.log.")
        except KeyboardInterrupt:
            say("interrupted")
        finally:
            self.stop()

    def _terminate(self, *_args):
        raise KeyboardInterrupt

    def _once(self, base, extra, what):
        log = RUN / f"odoo-{what}.log"
        with open(log, "wb") as output:
            result = subprocess.run(
                [*base, *extra, "--stop-after-init", "--workers=0"],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=ENV,
                check=False,
            )
        if result.returncode:
            fail(f"Odoo could not {what} connector_coffee: see {log}.")

    def _setup_backend(self, shell, simulator_url, jura_address):
        script = SETUP_SCRIPT.format(
            simulator_url=simulator_url, jura_address=jura_address
        )
        result = subprocess.run(
            [*shell, "--no-http", "--workers=0"],
            input=script,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=ENV,
            check=False,
        )
        (RUN / "odoo-setup.log").write_text(result.stdout + result.stderr)
        line = next(
            (ln for ln in result.stdout.splitlines() if ln.startswith("DEMO-BACKEND")),
            None,
        )
        if not line or not line.endswith("authorized"):
            fail(
                "The demo backend could not be authorized: "
                "see .run/demo/odoo-setup.log."
            )
        say("the demo backend is authorized on the simulator")
        jura = next(
            (ln for ln in result.stdout.splitlines() if ln.startswith("DEMO-JURA ")),
            "",
        )
        if jura.endswith("authorized"):
            say("the JURA demo backend is paired with the JURA simulator")
        else:
            say("the JURA demo backend is not paired: see .run/demo/odoo-setup.log")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="coffee_demo")
    parser.add_argument("--port", type=int, default=8069, help="Odoo's HTTP port")
    parser.add_argument("--simulator-port", type=int, default=8765)
    parser.add_argument("--machines", type=int, default=3)
    parser.add_argument("--jura-port", type=int, default=51515)
    Demo(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
