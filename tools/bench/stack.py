"""The real stack on loopback, for ``tools/bench/run.py`` and ``tools/soak/run.py``.

Nothing here is simulated on the Odoo side: the pieces are the ones a
deployment runs, started as processes on 127.0.0.1.

* :class:`Simulator`: one Home Connect simulator
  (``python -m coffee_machine.homeconnect.simulator``), that is one account
  (one OAuth client and one user: the simulator knows a single login, so
  several accounts are several simulators) with its machines. Its control
  endpoint (``/simulator/...``) plays the person at the machine (panel
  brews, refills), switches faults and gives the simulator's own counters:
  the calls of the account (``quota``: ``calls_total``, counted by the
  simulator's quota keeper exactly as Home Connect counts them: a call
  refused with 429 does not count, opening an event stream counts one) and
  each machine's brew history (what it started, from the API or the panel,
  when, with which options, and how it ended). It is started with
  ``--log-level DEBUG`` so that its log holds one line per request: the
  calls can then be broken down by endpoint (:meth:`Simulator.api_requests`).
* :class:`Odoo`: one Odoo 18 found through ``ODOO_BIN`` (or ``odoo`` on PATH,
  or ``python3 -m odoo``), as the other tools find it; it installs
  ``connector_coffee`` (or other addons; no demo data) in a database, copies
  databases (Odoo's own duplication, filestore included), runs ``odoo shell``
  scripts (:data:`SETUP_BACKENDS`: backends created and authorized through
  the device flow as ``tools/demo.py`` does; a script answers with a line of
  JSON behind a marker, read by :func:`json_after`), drops them;
* :class:`Server`: one Odoo server with prefork workers (``--workers=2``,
  ``--max-cron-threads=1``, the server-wide modules ``--load=base,web,queue_job``
  and so the queue_job runner, with ``[queue_job] channels = root:2``), serving
  one database, or several side by side on the same workers (``also``: to
  compare databases under one server). Its log keeps Odoo's per-request
  figures: every access line of
  ``werkzeug`` ends with the number of SQL queries the request ran; the jobs
  run inside ``/queue_job/runjob`` requests, so
  :meth:`Server.runjob_queries` adds up the queries of the jobs;
* :class:`Reader`: the event reader, ``odoo --addons-path=... coffee-events
  -d DB``, and its memory (RSS, peak RSS);
* :class:`Rpc`: JSON-RPC as a browser does it (``/web/session/authenticate``
  then ``/web/dataset/call_kw``), retried when the connection breaks (a
  worker killed under it);
* helpers to wait, bounded in time, for the jobs of a backend to be done.

Every process runs in its own process group, its output in ``.run/<tool>/``;
:meth:`Stack.close` stops them all, bounded in time. PostgreSQL is reached
through ``PGHOST`` (default 127.0.0.1), ``PGPORT`` and ``PGUSER`` (default:
the current user). Databases are named ``coffee_bench_*``.
"""

import argparse
import getpass
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

try:
    import requests
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit(
        "These tools need the requests library: pip install requests, or run "
        "them with Odoo's Python."
    )

REPO = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
DB_PREFIX = "coffee_bench_"
ADDON = "connector_coffee"
LOGIN = PASSWORD = "admin"
CLIENT_ID, CLIENT_SECRET = "coffee-connector", "coffee-secret"
#: simulated seconds: a token and the remote-start permission that outlive any
#: run, however fast the simulator's clock goes
LONG_TTL = 10**9
#: seconds: one request, one install, a server's start, a process's stop
REQUEST_TIMEOUT = 30
INSTALL_TIMEOUT = 1200
START_TIMEOUT = 180
STOP_TIMEOUT = 30
#: job states that are not over yet
OPEN_JOB_STATES = ["wait_dependencies", "pending", "enqueued", "started"]

ENV = dict(
    os.environ,
    PGHOST=os.environ.get("PGHOST") or HOST,
    PGUSER=os.environ.get("PGUSER") or getpass.getuser(),
    # the library of this very checkout, whatever copy Odoo's Python has
    PYTHONPATH=os.pathsep.join(
        filter(
            None, [str(REPO / "coffee_machine" / "src"), os.environ.get("PYTHONPATH")]
        )
    ),
)

DB_SCRIPT = """
import sys
import odoo
import odoo.service.db
odoo.tools.config.parse_config(["-c", sys.argv[1]])
action, names = sys.argv[2], sys.argv[3:]
if action == "list":
    print(" ".join(name for name in names if name in odoo.service.db.list_dbs(True)))
elif action == "drop":
    for name in names:
        if name in odoo.service.db.list_dbs(True):
            odoo.service.db.exp_drop(name)
elif action == "duplicate":
    odoo.service.db.exp_duplicate_database(*names)
"""

#: run by ``odoo shell``: admin's password and rights, then each backend of
#: SPECS ``[(name, url, import_machines)]`` created (or re-pointed) and
#: authorized through the device flow, as tools/demo.py does it
SETUP_BACKENDS = """
import json
import requests

admin = env.ref("base.user_admin")
admin.password = {password!r}
admin.groups_id = [(4, env.ref("connector.group_connector_manager").id)]
env.cr.commit()
result = {{}}
for name, url, import_machines in {specs!r}:
    backend = env["coffee.backend"].with_context(active_test=False).search(
        [("name", "=", name)], limit=1
    )
    values = {{
        "name": name,
        "location": url,
        "client_id": {client_id!r},
        "client_secret": {client_secret!r},
        "active": True,
    }}
    if backend:
        backend.write(values)
    else:
        backend = env["coffee.backend"].create(values)
    env.cr.commit()
    backend.with_context(queue_job__no_delay=False).action_authorize_device()
    env.cr.commit()
    requests.post(
        url + "/simulator/device/approve",
        json={{"user_code": backend.device_user_code}},
        timeout=10,
    ).raise_for_status()
    backend.action_check_device_authorization()
    env.cr.commit()
    if import_machines:
        backend._import_machines()
        env.cr.commit()
        backend._delay_import("catalogue")
        backend._delay_import("state")
        env.cr.commit()
    result[name] = {{
        "id": backend.id,
        "auth_state": backend.auth_state,
        "machines": [[m.id, m.external_id] for m in backend.machine_ids],
    }}
print("STACK-SETUP " + json.dumps(result))
"""


class StackError(Exception):
    """The stack cannot go on: a sentence saying why."""


class Log:
    """Progress lines on standard error: ``[tool  12 s] message``."""

    tool = "stack"
    started = time.monotonic()
    _lock = threading.Lock()

    @classmethod
    def say(cls, message):
        with cls._lock:
            elapsed = time.monotonic() - cls.started
            sys.stderr.write(f"[{cls.tool} {elapsed:4.0f} s] {message}\n")
            sys.stderr.flush()


say = Log.say


def free_port(taken=()):
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        if port not in taken:
            return port
    raise StackError("No free TCP port found on 127.0.0.1.")


def find_odoo():
    """The command that runs Odoo 18 and its Python (as tools/odoo-env)."""
    launcher = os.environ.get("ODOO_BIN") or shutil.which("odoo")
    command = python = None
    if launcher:
        with open(launcher, "rb") as handle:
            first = handle.readline().decode(errors="replace")
        interpreter = first[2:].strip().split()[0] if first.startswith("#!") else ""
        if interpreter and os.access(interpreter, os.X_OK):
            command, python = [launcher], interpreter
    else:
        python = shutil.which("python3")
        check = subprocess.run(
            [python, "-c", "import odoo.cli"], capture_output=True, check=False
        )
        if check.returncode == 0:
            command = [python, "-m", "odoo"]
    if not command:
        raise StackError(
            "No Odoo found: set ODOO_BIN to an odoo launcher, put odoo on PATH, "
            "or make 'import odoo' work in python3."
        )
    version = subprocess.run(
        [python, "-c", "import odoo.release as r; print(r.major_version)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if version != "18.0":
        raise StackError(f"The Odoo found ({command[0]}) is {version!r}, not 18.0.")
    return command, python


def spawn(command, log_path, stdin=subprocess.DEVNULL):
    """Start ``command`` in a process group of its own, output in ``log_path``."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed by stop_process
    process = subprocess.Popen(
        command,
        stdin=stdin,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=REPO,
        env=ENV,
    )
    process.log_file = log
    return process


def stop_process(process, sig=signal.SIGTERM):
    """Stop a process and its group: ``sig``, then KILL, bounded in time."""
    if process is None:
        return
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            process.poll()  # gone by itself meanwhile
    log = getattr(process, "log_file", None)
    if log is not None and not log.closed:
        log.close()


def wait_until(predicate, timeout, what, interval=0.25):
    """Call ``predicate`` until it returns something true; return that.

    Raises :class:`StackError` saying ``what`` was awaited after ``timeout``
    seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise StackError(f"Gave up after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


def names_argument(known, what, allow_empty=True):
    """An argparse ``type``: a comma separated list of names out of ``known``
    (``what`` names one of them in the error)."""

    def parse(text):
        names = [part.strip() for part in text.split(",") if part.strip()]
        unknown = sorted(set(names) - set(known))
        if unknown or not (names or allow_empty):
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(unknown)}: "
                f"{'one' if allow_empty else 'some'} of {', '.join(known)}"
            )
        return names

    return parse


def positive(text):
    """An argparse ``type``: a whole number of 1 or more."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def percentile(values, fraction):
    """The ``fraction`` percentile of ``values`` (nearest rank), or None."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(fraction * len(ordered)) - 1
    return ordered[min(len(ordered) - 1, max(0, rank))]


# -- the simulator -------------------------------------------------------------------

_API_LINE = re.compile(r'"(GET|PUT|POST|DELETE) (/api/\S*) HTTP/1\.[01]" (\d{3})')


def endpoint_of(method, path):
    """``GET /api/homeappliances/X/status`` → ``GET status``."""
    parts = path.split("?")[0].strip("/").split("/")[2:]  # after api/homeappliances
    if not parts:
        return f"{method} homeappliances"
    if parts[0] == "events":
        return f"{method} events (all machines)"
    rest = parts[1:]
    if not rest:
        return f"{method} homeappliances/<haId>"
    if rest[0] in ("status", "settings") and len(rest) > 1:
        rest = [rest[0], "<key>"]
    elif rest[:2] == ["programs", "available"] and len(rest) > 2:
        rest = ["programs", "available", "<key>"]
    elif rest[:2] == ["programs", "active"] and len(rest) > 3:
        rest = ["programs", "active", "options", "<key>"]
    return f"{method} {'/'.join(rest)}"


class SimulatorRefused(Exception):
    """The simulator's control endpoint refused (the machine is busy...)."""


class Simulator:
    """One Home Connect simulator, one account, its machines (see module doc)."""

    def __init__(
        self,
        name,
        run_dir,
        python,
        machines=3,
        accelerate=10.0,
        seed=0,
        quota=True,
        extra=(),
    ):
        self.name = name
        self.run_dir = Path(run_dir)
        self.python = python
        self.machines = machines
        self.accelerate = float(accelerate)
        self.seed = seed
        self.quota = quota
        self.extra = list(extra)
        self.process = None
        self.url = None
        self.log_path = self.run_dir / f"simulator-{name}.log"
        self.session = requests.Session()
        self.ha_ids = []

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def start(self):
        self.log_path.write_bytes(b"")
        command = [
            self.python,
            "-m",
            "coffee_machine.homeconnect.simulator",
            "--port",
            "0",
            "--machines",
            str(self.machines),
            "--accelerate",
            str(self.accelerate),
            "--seed",
            str(self.seed),
            "--remote-start-ttl",
            str(LONG_TTL),
            "--log-level",
            "DEBUG",
            *([] if self.quota else ["--no-quota"]),
            *self.extra,
        ]
        self.process = spawn(command, self.log_path)

        def banner():
            if self.process.poll() is not None:
                raise StackError(f"The simulator stopped: see {self.log_path}.")
            found = re.search(
                r"listening on (http://\S+)", self.log_path.read_text(errors="replace")
            )
            return found and found.group(1)

        self.url = wait_until(banner, 60, f"the simulator {self.name}", 0.1)
        self.ha_ids = list(self.state()["machines"])
        return self

    def stop(self):
        stop_process(self.process)
        self.process = None
        self.session.close()

    # -- the control endpoint -----------------------------------------------------
    def control(self, method, path, payload=None, timeout=REQUEST_TIMEOUT):
        response = self.session.request(
            method, f"{self.url}/simulator/{path}", json=payload, timeout=timeout
        )
        body = response.json() if response.content else None
        if response.status_code >= 400:
            raise SimulatorRefused(f"{method} {path}: {response.status_code} {body}")
        return body

    def state(self):
        return self.control("GET", "state")

    def machine(self, ha_id):
        return self.control("GET", f"machines/{ha_id}")

    def panel(self, ha_id, action, **payload):
        """Do ``action`` at the machine's panel; the machine's snapshot."""
        return self.control(
            "POST", f"machines/{ha_id}/panel", dict(payload, action=action)
        )

    def faults(self, **switches):
        return self.control("POST", "faults", switches)

    def account(self):
        """The simulator's own counters of the account (its only principal)."""
        quota = self.state().get("quota") or {}
        if not quota:
            return {"calls_total": 0, "calls_today": 0, "refused": 0}
        return next(iter(quota.values()))

    def calls(self):
        """API calls of the account so far, as the simulator counts them."""
        return self.account()["calls_total"]

    def clock(self):
        """``(simulated now, real time.time() at that moment)``."""
        before = time.time()
        now = self.control("GET", "state")["now"]
        return now, (before + time.time()) / 2

    def to_real(self, simulated, clock=None):
        """The real ``time.time()`` of a simulated instant (``clock()`` pair)."""
        sim_now, real_now = clock or self.clock()
        return real_now - (sim_now - simulated) / self.accelerate

    # -- the request log --------------------------------------------------------------
    def mark(self):
        """A position in the request log, for :meth:`api_requests`."""
        return self.log_path.stat().st_size

    def api_requests(self, since=0, until=None):
        """``Counter`` of the API requests answered (429 aside) by endpoint."""
        with open(self.log_path, "rb") as handle:
            handle.seek(since)
            text = handle.read(None if until is None else until - since)
        counts = Counter()
        for match in _API_LINE.finditer(text.decode(errors="replace")):
            method, path, status = match.groups()
            if status != "429":
                counts[endpoint_of(method, path)] += 1
        return counts


def supplies_care(sim, ha_id, snapshot=None):
    """Refill the machine before it runs out, as the office's barista does.

    Beans, water, the drip tray, descaling, cleaning and calc'n'clean are
    seen to before the machine warns (no alert, no event): the benchmark
    and the soak measure brews, not the care of the machine. Returns the
    actions done.
    """
    snapshot = snapshot or sim.machine(ha_id)
    actions = []
    if snapshot.get("beans_g", 999) < 60:
        actions.append("fill_beans")
    if snapshot.get("water_ml", 9999) < 700:
        actions.append("fill_water")
    if snapshot.get("drip_tray_cups", 0) >= 10:
        actions.append("empty_drip_tray")
    countdowns = snapshot.get("countdowns") or {}
    for name, action in (
        ("descaling", "descale"),
        ("cleaning", "clean"),
        ("calc_n_clean", "calc_n_clean"),
    ):
        if countdowns.get(name, 999) <= 25:
            actions.append(action)
    for action in actions:
        sim.panel(ha_id, action)
    return actions


# -- Odoo ---------------------------------------------------------------------------


def json_after(output, marker):
    """The JSON value that follows ``marker`` on a line of ``output``, or None.

    An ``odoo shell`` script cannot return a value: it prints one, as
    ``MARKER {json}`` on a line of its own, among Odoo's log lines; this
    finds that line (the first) and reads it.
    """
    line = next((ln for ln in output.splitlines() if ln.startswith(marker)), None)
    return None if line is None else json.loads(line[len(marker) :])


class Odoo:
    """One Odoo 18: its configuration files, databases and one-off commands."""

    def __init__(self, run_dir):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.command, self.python = find_odoo()
        self.children = []  # one-off commands running now (stopped by close)
        self.config = self.write_config("odoo-admin.conf")

    def write_config(self, name, databases=(), port=None, gevent_port=None):
        """A configuration file ``run_dir/name``; with ``databases``, a server's:
        those databases and no other (``db_name``, ``dbfilter``)."""
        lines = [
            "[options]",
            f"addons_path = {REPO}",
            f"data_dir = {self.run_dir / 'data'}",
            f"db_host = {ENV['PGHOST']}",
            f"db_user = {ENV['PGUSER']}",
            "http_interface = 127.0.0.1",
            "server_wide_modules = base,web,queue_job",
            "limit_time_cpu = 900",
            "limit_time_real = 1800",
            "limit_time_real_cron = 1800",
            "log_level = info",
        ]
        if os.environ.get("PGPORT"):
            lines.append(f"db_port = {os.environ['PGPORT']}")
        if databases:
            lines += [
                f"db_name = {','.join(databases)}",
                f"dbfilter = ^({'|'.join(databases)})$",
            ]
        if port:
            lines += [f"http_port = {port}", f"gevent_port = {gevent_port}"]
        lines += ["", "[queue_job]", "channels = root:2", ""]
        path = self.run_dir / name
        path.write_text("\n".join(lines))
        return path

    def run_once(self, command, log_name, stdin=None, timeout=INSTALL_TIMEOUT):
        """Run one Odoo command to its end, output in ``run_dir/log_name``."""
        log = self.run_dir / log_name
        with open(log, "wb") as output:
            child = subprocess.Popen(
                command,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=REPO,
                env=ENV,
            )
            self.children.append(child)
            try:
                child.communicate(
                    stdin.encode() if stdin is not None else None, timeout=timeout
                )
            except subprocess.TimeoutExpired as error:
                raise StackError(
                    f"{command[0]} took over {timeout} s: see {log}."
                ) from (error)
            finally:
                stop_process(child)
                self.children.remove(child)
        if child.returncode:
            raise StackError(
                f"Odoo failed (exit status {child.returncode}): see {log}."
            )
        return log.read_text(errors="replace")

    def db(self, action, *names):
        result = subprocess.run(
            [self.python, "-c", DB_SCRIPT, str(self.config), action, *names],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=ENV,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if result.returncode:
            log = self.run_dir / f"db-{action}.log"
            log.write_text(result.stdout + result.stderr)
            raise StackError(f"Could not {action} {' '.join(names)}: see {log}.")
        return result.stdout.split()

    def install(self, database, update=False, addons=ADDON):
        """``addons`` (comma separated; ``connector_coffee`` unless told)
        installed, or updated, in ``database``, without demo data."""
        self.run_once(
            [
                *self.command,
                "-c",
                str(self.config),
                "-d",
                database,
                "-u" if update else "-i",
                addons,
                "--without-demo=all",
                "--stop-after-init",
                "--workers=0",
                "--max-cron-threads=0",
                "--no-http",
                "--log-level=warn",
            ],
            f"install-{database}.log",
        )

    def shell(self, database, script, log_name, timeout=600):
        return self.run_once(
            [
                *self.command,
                "shell",
                "-c",
                str(self.config),
                "-d",
                database,
                "--no-http",
                "--workers=0",
                "--max-cron-threads=0",
                "--log-level=warn",
            ],
            log_name,
            stdin=script,
            timeout=timeout,
        )

    def setup_backends(self, database, specs):
        """Create and authorize backends ``[(name, url, import_machines)]``.

        Returns ``{name: {"id", "auth_state", "machines": [[id, haId]]}}``.
        """
        script = SETUP_BACKENDS.format(
            password=PASSWORD,
            specs=[list(spec) for spec in specs],
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        log_name = f"setup-{database}.log"
        result = json_after(self.shell(database, script, log_name), "STACK-SETUP ")
        if result is None:
            raise StackError(
                f"The backends of {database} could not be set up: see "
                f"{self.run_dir / log_name}."
            )
        for name, backend in result.items():
            if backend["auth_state"] != "authorized":
                raise StackError(
                    f"Backend {name} of {database} is {backend['auth_state']}: see "
                    f"{self.run_dir / log_name}."
                )
        return result

    def prepare_template(self, template, reuse=False):
        """A database with ``connector_coffee`` installed, to copy from."""
        if self.db("list", template):
            if reuse:
                say(f"reusing {template}, updating {ADDON} from this checkout")
                self.install(template, update=True)
                return
            self.db("drop", template)
        say(f"creating {template}: {ADDON} without demo data (a minute or two)")
        self.install(template)

    def copy_database(self, template, database):
        """``database`` afresh, as a copy of ``template`` (filestore included)."""
        self.db("drop", database)
        self.db("duplicate", template, database)

    def close(self):
        for child in list(self.children):
            stop_process(child)


_RUNJOB_LINE = re.compile(
    r'"(?:GET|POST) /queue_job/runjob\?db=[^&"]+&job_uuid=([0-9a-f-]+)[^"]*" '
    r"(\d{3}) \S+ (\d+|-) "
)


class Server:
    """One Odoo server with prefork workers and the job runner, one database.

    ``also``: more databases served by the same server, its workers and its
    cron worker and job runner alike (``database`` names the configuration,
    the log and the default database of :meth:`rpc`). ``port``: the HTTP
    port, a free one unless told.
    """

    def __init__(self, odoo, database, workers=2, cron_threads=1, port=None, also=()):
        self.odoo = odoo
        self.database = database
        self.databases = [database, *also]
        self.workers = workers
        self.cron_threads = cron_threads
        self.port = port or free_port()
        self.gevent_port = free_port({self.port})
        self.url = f"http://{HOST}:{self.port}"
        self.config = odoo.write_config(
            f"odoo-{database}.conf", self.databases, self.port, self.gevent_port
        )
        self.log_path = odoo.run_dir / f"odoo-{database}.log"
        self.process = None

    def start(self):
        say(
            f"starting Odoo for {', '.join(self.databases)} on {self.url} "
            f"({self.workers} workers, {self.cron_threads} cron worker, job runner)"
        )
        self.log_path.write_bytes(b"")
        self.process = spawn(
            [
                *self.odoo.command,
                "-c",
                str(self.config),
                f"--workers={self.workers}",
                f"--max-cron-threads={self.cron_threads}",
                "--load=base,web,queue_job",  # server_wide_modules
                # the cron worker and the job runner ignore the filter: without
                # the list they would work in every database of the cluster
                f"--database={','.join(self.databases)}",
            ],
            self.log_path,
        )
        last = "no answer"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"Odoo stopped: see {self.log_path}.")
            try:
                answer = requests.get(f"{self.url}/web/health", timeout=2)
                if answer.ok:
                    return self
                last = f"HTTP {answer.status_code}"
            except requests.RequestException as error:
                last = type(error).__name__
            time.sleep(0.5)
        raise StackError(
            f"Odoo did not answer within {START_TIMEOUT} s ({last}): see "
            f"{self.log_path}."
        )

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            say(f"stopping Odoo of {', '.join(self.databases)}")
        stop_process(self.process)
        self.process = None

    def rpc(self, retries=0, database=None):
        """A new JSON-RPC session on ``database`` (the server's first)."""
        return Rpc(self.url, database or self.database, retries=retries)

    # -- the log --------------------------------------------------------------------
    def mark(self):
        return self.log_path.stat().st_size

    def runjob_requests(self, since, until=None):
        """The jobs run between two marks of the log: ``[(uuid, queries)]``.

        Jobs run inside the runner's ``/queue_job/runjob`` requests; Odoo
        counts the SQL queries of each request
        (``threading.current_thread().query_count``, side transactions
        included) and writes the count at the end of its access line.
        ``queries`` is None when the line bore no count.
        """
        with open(self.log_path, "rb") as handle:
            handle.seek(since)
            text = handle.read(None if until is None else until - since)
        return [
            (match.group(1), None if match.group(3) == "-" else int(match.group(3)))
            for match in _RUNJOB_LINE.finditer(text.decode(errors="replace"))
        ]

    def runjob_queries(self, rpc, since, until=None):
        """``{job method: [jobs, queries, requests without a count]}`` of the
        jobs run between two marks of the log."""
        requests_ = self.runjob_requests(since, until)
        methods = {
            row["uuid"]: row["method_name"]
            for row in rpc.search_read(
                "queue.job",
                [("uuid", "in", [uuid for uuid, _q in requests_])],
                ["uuid", "method_name"],
            )
        }
        result = {}
        for uuid, queries in requests_:
            totals = result.setdefault(methods.get(uuid, "?"), [0, 0, 0])
            totals[0] += 1
            if queries is None:
                totals[2] += 1
            else:
                totals[1] += queries
        return result

    def problems(self):
        """``Counter`` of the ERROR and WARNING lines of the log, by message
        start (the logger and the first words)."""
        return log_problems(self.log_path)

    def http_worker_pids(self):
        """The prefork HTTP workers alive now: the children of the master that
        it announced as ``Worker WorkerHTTP (pid) alive`` in its log (not the
        cron workers, the job runner or the long-polling process)."""
        if self.process is None or self.process.poll() is not None:
            return []
        announced = set()
        pattern = re.compile(r"Worker WorkerHTTP \((\d+)\) alive")
        with open(self.log_path, errors="replace") as handle:
            for line in handle:
                found = pattern.search(line)
                if found:
                    announced.add(int(found.group(1)))
        pids = []
        for pid in sorted(announced):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue  # gone
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(pid)
        return pids


_PROBLEM_LINE = re.compile(r"^\S+ \S+ \d+ (ERROR|WARNING|CRITICAL) \S+ (\S+): (.*)$")


def log_problems(path):
    """``Counter`` of the ERROR / WARNING lines of an Odoo log, by kind."""
    problems = Counter()
    if not Path(path).exists():
        return problems
    with open(path, errors="replace") as handle:
        for line in handle:
            found = _PROBLEM_LINE.match(line.rstrip())
            if found:
                level, logger, message = found.groups()
                words = re.sub(r"\d+", "N", message)[:70]
                problems[f"{level} {logger}: {words}"] += 1
    return problems


class Reader:
    """The event reader process (``odoo coffee-events``) of one database."""

    def __init__(self, odoo, server):
        self.odoo = odoo
        self.server = server
        self.log_path = odoo.run_dir / f"coffee-events-{server.database}.log"
        self.process = None

    def start(self):
        say(f"starting the event reader of {self.server.database}")
        self.log_path.write_bytes(b"")
        self.process = spawn(
            [
                *self.odoo.command,
                f"--addons-path={REPO}",
                "coffee-events",
                "-c",
                str(self.server.config),
                "-d",
                self.server.database,
            ],
            self.log_path,
        )
        return self

    def stop(self):
        stop_process(self.process)
        self.process = None

    def memory(self):
        """``(RSS, peak RSS)`` in MiB of the reader now (None once stopped)."""
        if self.process is None or self.process.poll() is not None:
            return None
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
        return values.get("VmRSS"), values.get("VmHWM")

    def problems(self):
        return log_problems(self.log_path)

    def connections(self, port):
        """Local ports of the reader's TCP connections to 127.0.0.1:``port``."""
        if self.process is None:
            return []
        result = subprocess.run(
            ["ss", "-tnpH", "state", "established", "dst", f"{HOST}:{port}"],
            capture_output=True,
            text=True,
            check=False,
        )
        ports = []
        for line in result.stdout.splitlines():
            if f"pid={self.process.pid}," in line:
                local = line.split()[2] if len(line.split()) > 3 else ""
                ports.append(local.rsplit(":", 1)[-1])
        return ports


# -- JSON-RPC ------------------------------------------------------------------------


class RpcError(Exception):
    """Odoo answered a JSON-RPC call with an error."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Rpc:
    """A browser's session on one database: JSON-RPC as admin.

    ``retries``: how many times a call whose connection broke (a worker
    killed under it, a 502) is sent again; only for calls that may be sent
    twice (reads, and buttons that are idempotent by design).
    """

    def __init__(self, url, database, login=LOGIN, password=PASSWORD, retries=0):
        self.url = url
        self.database = database
        self.retries = retries
        self.session = requests.Session()
        self._id = 0
        self.broken = 0  # calls sent again after a broken connection
        self._login, self._password = login, password
        result = self.post(
            "/web/session/authenticate",
            {"db": database, "login": login, "password": password},
        )
        if not result.get("uid"):
            raise StackError(f"Could not log in to {database} as {login}.")
        self.uid = result["uid"]

    def post(self, path, params, retries=None):
        retries = self.retries if retries is None else retries
        for attempt in range(retries + 1):
            self._id += 1
            try:
                response = self.session.post(
                    f"{self.url}{path}",
                    json={
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": params,
                        "id": self._id,
                    },
                    timeout=REQUEST_TIMEOUT * 2,
                )
                if response.status_code >= 500 and attempt < retries:
                    raise requests.ConnectionError(f"HTTP {response.status_code}")
                response.raise_for_status()
                body = response.json()
            except (requests.ConnectionError, requests.Timeout, ValueError):
                if attempt >= retries:
                    raise
                self.broken += 1
                time.sleep(0.5 * (attempt + 1))
                continue
            if "error" in body:
                data = body["error"].get("data") or {}
                raise RpcError(
                    data.get("name") or "error",
                    data.get("message") or body["error"].get("message"),
                )
            return body["result"]
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, model, method, args=(), context=None, retries=None, **kwargs):
        if context:
            kwargs["context"] = context
        return self.post(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            retries=retries,
        )

    def search_read(self, model, domain, fields, **kwargs):
        return self.call(model, "search_read", [domain, fields], **kwargs)

    def search_count(self, model, domain):
        return self.call(model, "search_count", [domain])

    def close(self):
        self.session.close()


# -- jobs ------------------------------------------------------------------------------

_FUNC = re.compile(r"^([\w.]+)\(([\d, ]*)\)\.(\w+)\(")


def parse_func_string(func_string):
    """``coffee.brew(12,)._export_brew()`` → ``coffee.brew``, ``[12]``,
    ``_export_brew``."""
    found = _FUNC.match(func_string or "")
    if not found:
        return None, [], None
    ids = [int(part) for part in found.group(2).split(",") if part.strip()]
    return found.group(1), ids, found.group(3)


def open_jobs(rpc):
    return rpc.search_read(
        "queue.job",
        [("state", "in", OPEN_JOB_STATES)],
        ["uuid", "func_string", "state", "eta", "retry"],
    )


def backend_jobs(rpc, backend_id, machine_ids=None):
    """The open jobs of one backend: its own, its machines', its brews'.

    ``machine_ids``: the backend's machines, looked up when not given (or
    when a job of a machine not in it shows up: the machines of an import).
    """
    jobs = open_jobs(rpc)
    if not jobs:
        return []
    machines = set(machine_ids or ())
    brew_ids = None
    mine = []
    for job in jobs:
        model, ids, _method = parse_func_string(job["func_string"])
        if model == "coffee.machine" and not set(ids) <= machines:
            machines = set(
                rpc.call(
                    "coffee.machine",
                    "search",
                    [[("backend_id", "=", backend_id)]],
                    context={"active_test": False},
                )
            )
        if model == "coffee.brew" and brew_ids is None:
            brew_ids = set(
                rpc.call("coffee.brew", "search", [[("backend_id", "=", backend_id)]])
            )
        if (
            (model == "coffee.backend" and backend_id in ids)
            or (model == "coffee.machine" and set(ids) & machines)
            or (model == "coffee.brew" and set(ids) & brew_ids)
        ):
            mine.append(job)
    return mine


def wait_jobs_done(rpc, backend_id, machine_ids, timeout, what):
    """Wait until the backend has no open job (twice in a row, 1 s apart)."""
    quiet = []

    def idle():
        if backend_jobs(rpc, backend_id, machine_ids):
            quiet.clear()
            return False
        quiet.append(time.monotonic())
        return len(quiet) >= 2

    return wait_until(idle, timeout, what, interval=1.0)


def now_utc_string(offset=0.0):
    """Odoo's Datetime string of ``time.time() + offset`` (UTC, seconds)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + offset))


# -- ordering a brew the way the UI does -------------------------------------------


def order_brew(rpc, machine_id, beverage_id=None, options=None):
    """Open the Brew wizard on a machine, set the options, press Brew.

    The Brew button of a machine opens ``coffee.brew.wizard`` with
    ``default_machine_id``; the wizard proposes the beverage and its options;
    a person may change them (``options``: ``{option key: value}``) and press
    **Brew** (``action_brew``). Returns ``(brew id, time.time() of the
    click)``. The wizard guards against a second click (it returns the brew
    it made), so the click is sent again when its connection broke.
    """
    context = {"default_machine_id": machine_id}
    # the form opens with the wizard's defaults (the beverage), then saves
    values = rpc.call(
        "coffee.brew.wizard",
        "default_get",
        [["machine_id", "beverage_id"]],
        context=context,
    )
    values["machine_id"] = machine_id
    if beverage_id:
        values["beverage_id"] = beverage_id
    wizard = rpc.call("coffee.brew.wizard", "create", [values], context=context)
    if isinstance(wizard, list):
        wizard = wizard[0]
    if options:
        set_wizard_options(rpc, wizard, options)
    click = time.time()
    action = rpc.call("coffee.brew.wizard", "action_brew", [[wizard]], context=context)
    return action["res_id"], click


def set_wizard_options(rpc, wizard, options):
    lines = rpc.search_read(
        "coffee.brew.wizard.option",
        [("wizard_id", "=", wizard)],
        ["option_id", "kind"],
    )
    option_keys = {
        row["id"]: row["key"]
        for row in rpc.call(
            "coffee.machine.program.option",
            "read",
            [[line["option_id"][0] for line in lines], ["key"]],
        )
    }
    commands = []
    for line in lines:
        key = option_keys[line["option_id"][0]]
        if key not in options:
            continue
        value = options[key]
        if line["kind"] == "choice":
            value_ids = rpc.call(
                "coffee.machine.program.option.value",
                "search",
                [[("option_id", "=", line["option_id"][0]), ("value", "=", value)]],
            )
            commands.append((1, line["id"], {"value_id": value_ids[0]}))
        elif line["kind"] == "range":
            commands.append((1, line["id"], {"value_number": value}))
        elif line["kind"] == "flag":
            commands.append((1, line["id"], {"value_flag": bool(value)}))
    if commands:
        rpc.call(
            "coffee.brew.wizard", "write", [[wizard], {"option_line_ids": commands}]
        )


# -- a whole stack ---------------------------------------------------------------------


class Account:
    """A backend of Odoo and the simulator that is its account."""

    def __init__(self, name, simulator, backend):
        self.name = name
        self.sim = simulator
        self.backend_id = backend["id"]
        self.machines = [(mid, ha) for mid, ha in backend["machines"]]

    @property
    def machine_ids(self):
        return [mid for mid, _ha in self.machines]


class Stack:
    """Simulators, one database, one server, optionally the event reader.

    ``accounts``: ``{name: dict(machines=3, accelerate=10.0, quota=True,
    import_machines=True)}``, one simulator and one backend each.
    """

    def __init__(self, odoo, database, accounts, events=True, seed=1):
        self.odoo = odoo
        self.database = database
        self.account_specs = accounts
        self.events = events
        self.seed = seed
        self.simulators = {}
        self.accounts = {}
        self.server = None
        self.reader = None
        self._rpc = None

    def start_simulators(self):
        for index, (name, spec) in enumerate(self.account_specs.items()):
            sim = Simulator(
                f"{self.database}-{name}",
                self.odoo.run_dir,
                self.odoo.python,
                machines=spec.get("machines", 3),
                accelerate=spec.get("accelerate", 10.0),
                seed=self.seed + index,
                quota=spec.get("quota", True),
                extra=spec.get("extra", ()),
            )
            self.simulators[name] = sim.start()
        say(
            f"{self.database}: {len(self.simulators)} simulator(s) up: "
            + ", ".join(
                f"{name} {sim.url} ({sim.machines} machines, x{sim.accelerate:g})"
                for name, sim in self.simulators.items()
            )
        )

    def copy_database(self, template):
        """The stack's database afresh, a copy of ``template``."""
        self.odoo.copy_database(template, self.database)

    def create_backends(self):
        """Create and authorize a backend per simulator (``odoo shell``)."""
        specs = [
            (name, self.simulators[name].url, spec.get("import_machines", True))
            for name, spec in self.account_specs.items()
        ]
        backends = self.odoo.setup_backends(self.database, specs)
        for name in self.account_specs:
            self.accounts[name] = Account(name, self.simulators[name], backends[name])

    def start_server(self):
        self.server = Server(self.odoo, self.database).start()
        if self.events:
            self.reader = Reader(self.odoo, self.server).start()

    def rpc(self, retries=0):
        """A new JSON-RPC session (one per thread: sessions are not shared)."""
        return self.server.rpc(retries=retries)

    @property
    def shared_rpc(self):
        if self._rpc is None:
            self._rpc = self.rpc(retries=3)
        return self._rpc

    def wait_ready(self, timeout=600):
        """Every machine imported with its catalogue and state, no open job;
        with the event reader, each backend's stream read."""
        rpc = self.shared_rpc
        machine_ids = [mid for a in self.accounts.values() for mid in a.machine_ids]

        def ready():
            if not machine_ids:
                return True
            loaded = rpc.search_count(
                "coffee.machine",
                [
                    ("id", "in", machine_ids),
                    ("program_ids", "!=", False),
                    ("state_sync_date", "!=", False),
                ],
            )
            return loaded == len(machine_ids) and not open_jobs(rpc)

        wait_until(ready, timeout, f"the machines of {self.database} to be imported", 1)
        if self.reader is not None:
            ids = [account.backend_id for account in self.accounts.values()]

            def streams_read():
                if self.reader.process.poll() is not None:
                    raise StackError(
                        f"The event reader stopped: see {self.reader.log_path}."
                    )
                rows = rpc.call("coffee.backend", "read", [ids, ["events_read_at"]])
                return all(row["events_read_at"] for row in rows)

            wait_until(streams_read, 180, "the event reader to read every stream", 1)

    def close(self):
        if self._rpc is not None:
            self._rpc.close()
        if self.reader is not None:
            self.reader.stop()
        if self.server is not None:
            self.server.stop()
        for sim in self.simulators.values():
            sim.stop()
