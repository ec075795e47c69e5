# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test helpers of connector_coffee: a real simulator, a backend pointing at it.

Every test talks to the Home Connect simulator of ``coffee_machine`` over real
HTTP on 127.0.0.1 (the only address Odoo's test cases let through), started
afresh for each test, so that faults, quotas and machines never leak from one
test to the next. The simulator's clock is manual: expiries and brewing are
driven with ``self.simulator.clock.advance(seconds)``, never by waiting.

``CoffeeTransactionCase`` is the base for model and component tests;
``CoffeeHttpCase`` for the tests that need Odoo's own HTTP server (the OAuth
callback). Both give:

* ``self.simulator``: the running simulator (one machine by default;
  override ``simulator_options`` for more);
* ``self.backend``: a backend on it, not authorized;
* ``self.authorize()``: store tokens as if the OAuth dance had happened;
* ``self.adapter()``: the backend adapter of ``self.backend``.

Side transactions (tokens, quota) use ``registry.cursor()``; the test cases
put the registry in test mode so that those cursors share the test's
transaction and nothing is committed.
"""

import datetime
import html
import re
import threading
import time
from contextlib import contextmanager

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.component.tests.common import (
    ComponentMixin,
    TransactionComponentCase,
)
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import Job

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import (
    QuotaConfig,
    Simulator,
    SimulatorConfig,
)

#: an employee of the office: an internal user who may order coffee
EMPLOYEE_GROUPS = "base.group_user,connector_coffee.group_coffee_user"
#: the person who configures the connector
MANAGER_GROUPS = "base.group_user,connector.group_connector_manager"


def new_employee(env, login, **values):
    """An employee as offices have them: an internal user plus *Coffee User*
    (never a share user holding only the coffee group)."""
    return new_test_user(env, login=login, groups=EMPLOYEE_GROUPS, **values)


def new_connector_manager(env, login, **values):
    """An internal user who is a connector manager."""
    return new_test_user(env, login=login, groups=MANAGER_GROUPS, **values)


def always_calendar(env):
    """Working hours at every hour of every day (UTC)."""
    return env["resource.calendar"].create(
        {
            "name": "Always",
            "tz": "UTC",
            "attendance_ids": [
                (
                    0,
                    0,
                    {
                        "name": "All day",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                    },
                )
                for day in range(7)
            ],
        }
    )


def runjob(env, record):
    """Run the stored job ``record`` through queue_job's own ``_runjob``."""
    job = Job.load(env, record.uuid)
    job.set_started()
    job.store()
    RunJobController._runjob(env, job)


class JobRunnerThread(threading.Thread):
    """Run the queue jobs of the test database as queue_job's runner would.

    For browser tests: the buttons the tour clicks queue jobs, and a person
    expects them to run. While started, this thread performs every pending
    job whose ``eta`` has come, through queue_job's own ``_runjob`` (retries,
    postponed jobs and failures included), on test cursors.

    Run it only while the test's own thread leaves its cursor alone (while a
    browser drives, not while the test reads): the test cursors it opens
    share the test's connection, and only test cursors take the test lock.
    """

    def __init__(self, registry, interval=0.2):
        super().__init__(name="coffee-test-job-runner", daemon=True)
        self.registry = registry
        self.interval = interval
        self.stopped = threading.Event()
        self.errors = []

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.run_due_jobs()
            except Exception as error:  # reported by the test, not lost
                self.errors.append(error)

    def run_due_jobs(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            now = fields.Datetime.now()
            due = env["queue.job"].search(
                [
                    ("state", "=", "pending"),
                    "|",
                    ("eta", "=", False),
                    ("eta", "<=", now),
                ]
            )
            for record in due:
                runjob(env, record)

    def stop(self):
        self.stopped.set()
        if self.ident is not None:  # started
            self.join(timeout=10)


class CoffeeTestMixin:
    #: keyword arguments of SimulatorConfig for the tests of a class
    simulator_options = {}

    @classmethod
    def _setup_coffee_class(cls):
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.backend = cls.env["coffee.backend"].create(
            {
                "name": "Test simulator",
                "location": "http://127.0.0.1:1",
                "client_id": "coffee-connector",
                "client_secret": "coffee-secret",
            }
        )

    def _setup_coffee(self):
        self.simulator = self.start_simulator(**self.simulator_options)
        self.backend.location = self.simulator.url

    def start_simulator(self, **options):
        options.setdefault("seed", 7)
        options.setdefault("quota", QuotaConfig(enabled=False))
        simulator = Simulator(SimulatorConfig(**options)).start()
        self.addCleanup(simulator.stop)
        return simulator

    def authorize(self, backend=None, scope=None, expires_in=None):
        """Give ``backend`` tokens issued by the simulator; return them."""
        backend = backend or self.backend
        answer = self.simulator.issue_tokens(scope=scope or backend.scope)
        lifetime = answer["expires_in"] if expires_in is None else expires_in
        backend._store(
            {
                "access_token": answer["access_token"],
                "refresh_token": answer["refresh_token"],
                "token_expires_at": fields.Datetime.now()
                + datetime.timedelta(seconds=lifetime),
                "token_scope": answer.get("scope"),
                "auth_state": "authorized",
            }
        )
        return answer

    @contextmanager
    def work_on_backend(self, backend=None, model_name="coffee.backend"):
        with (backend or self.backend).work_on(model_name) as work:
            yield work

    def adapter(self, backend=None):
        with self.work_on_backend(backend) as work:
            return work.component(usage="backend.adapter")

    def authenticator(self, backend=None):
        with self.work_on_backend(backend) as work:
            return work.component(usage="authenticator")

    def log_in_on_simulator(self, url, grant="allow"):
        """Fill the simulator's login and consent page the way a user would.

        Returns where the simulator sends the browser next (the redirect URL
        with the code and the state).
        """
        with requests.Session() as browser:
            page = browser.get(url, timeout=10)
            page.raise_for_status()
            form = {
                html.unescape(name): html.unescape(value)
                for name, value in re.findall(
                    r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text
                )
            }
            form.update(username="barista", password="espresso", grant=grant)
            answer = browser.post(
                f"{self.simulator.url}/security/oauth/authorize",
                data=form,
                allow_redirects=False,
                timeout=10,
            )
        self.assertEqual(answer.status_code, 302, answer.text)
        return answer.headers["Location"]

    @contextmanager
    def assertRaisesCommitted(self, exception, pattern=None):
        """``assertRaises`` that keeps what the code committed before failing.

        Odoo's ``assertRaises`` rolls back to a savepoint when the exception
        comes; in test mode that also undoes the writes the connector commits
        in a transaction of its own (tokens, quota block, connection state),
        which in production survive the failure. Use this one to check them.
        """
        try:
            yield
        except exception as error:
            if pattern:
                self.assertRegex(str(error), pattern)
        else:
            self.fail(f"{exception.__name__} not raised")

    def make_machine_binding(self, sim_machine=None, backend=None):
        """Import a simulator machine and its catalogue, through the importers.

        Runs the import jobs' methods directly (the machines of the account,
        then this machine's programs and options) and returns the binding.
        """
        backend = backend or self.backend
        sim_machine = sim_machine or self.simulator.machine()
        backend._import_machines()
        machine = self.env["coffee.machine"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", sim_machine.ha_id)]
        )
        machine._import_catalogue()
        return machine

    def calls_made(self):
        """Calls the simulator has counted for the account, refused ones aside."""
        return sum(
            account["calls_total"]
            for account in self.simulator.quota.snapshot().values()
        )

    def tokens(self, backend=None):
        """The tokens of ``backend`` as stored (read as superuser)."""
        return (backend or self.backend).sudo()._current_tokens()


class EventStreamRequestsMixin:
    """Let event streams through Odoo's guard on test HTTP requests.

    The guard compares the timeout with a number; an event stream gives
    ``(connect, read)``, as ``requests`` allows. Keep the longer one. (First
    among the bases of a test case, to come before Odoo's guard.)
    """

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        timeout = kw.get("timeout")
        if isinstance(timeout, tuple):
            kw["timeout"] = max(t for t in timeout if t is not None)
        return super()._request_handler(s, r, **kw)


class CoffeeTransactionCase(
    EventStreamRequestsMixin, TransactionComponentCase, CoffeeTestMixin
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls._setup_coffee_class()

    def setUp(self):
        super().setUp()
        self._setup_coffee()


class CoffeeHttpCase(HttpCase, ComponentMixin, CoffeeTestMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpComponent()
        cls._setup_coffee_class()

    def setUp(self):
        super().setUp()
        self.setUpComponentRegistryReady()
        self._setup_coffee()

    def call_kw(self, model, method, args, kwargs=None):
        """Call ``model.method(*args, **kwargs)`` over JSON-RPC, as the web
        client does, as the authenticated user; return its result, or the
        name of the exception it raised (``odoo.exceptions.AccessError``)."""
        try:
            # Odoo logs a refused or failed call as a warning: expected here
            with mute_logger("odoo.http"):
                return self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{model}/{method}",
                    {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                )
        except JsonRpcException as error:
            return str(error)


class TrappedJobsMixin:
    """Jobs trapped (``trap_jobs``) and performed with ``perform``, which
    answers like the job runner would: ``("done", result)``,
    ``("retry", error)`` or ``("failed", error)``."""

    @staticmethod
    def perform(job):
        """Perform a trapped job; say how it ended, as the job runner would."""
        try:
            return "done", job.perform()
        except RetryableJobError as error:
            return "retry", error
        except FailedJobError as error:
            return "failed", error

    @staticmethod
    def jobs_of(trap, method_name):
        return [job for job in trap.enqueued_jobs if job.method_name == method_name]


class CoffeeBrewCase(TrappedJobsMixin, CoffeeTransactionCase):
    """Brew tests: an authorized backend and one bound simulator machine
    (jobs: ``TrappedJobsMixin``)."""

    def setUp(self):
        super().setUp()
        self.authorize()
        self.sim_machine = self.simulator.machine()
        self.machine = self.make_machine_binding(self.sim_machine)

    def new_brew(self, program_key=keys.PROGRAM_ESPRESSO, options=None, **kw):
        machine = kw.pop("machine", None) or self.machine
        env = self.env(user=kw.pop("user")) if "user" in kw else self.env
        program = machine.program_ids.filtered(lambda p: p.key == program_key)
        return env["coffee.brew"].create(
            {
                "machine_id": machine.id,
                "beverage_id": program.beverage_id.id,
                "program_key": program_key,
                "options": options or {},
                **kw,
            }
        )

    def learnt_brew_seconds(self, seconds, program_key=keys.PROGRAM_ESPRESSO):
        """The brewing time Odoo learnt for a program of the machine."""
        program = self.machine.program_ids.filtered(lambda p: p.key == program_key)
        program.brew_seconds = seconds

    @staticmethod
    def sent_long_ago(brew, seconds=60):
        """Move the brew's recorded start ``seconds`` back in Odoo's time
        (which the simulator's clock does not drive): long enough that it
        can no longer be in flight."""
        brew.date_sent -= datetime.timedelta(seconds=seconds)

    def export_job(self, trap):
        (job,) = self.jobs_of(trap, "_export_brew")
        return job

    def api_brews(self, sim_machine=None):
        """What the simulated machine brewed on an API order."""
        machine = sim_machine or self.sim_machine
        return [brew for brew in machine.brews if brew["source"] == "api"]

    def total_counter(self, sim_machine=None):
        return (sim_machine or self.sim_machine).counters[keys.COUNTER_PREFIX]


class CommittedBackendCase(
    EventStreamRequestsMixin, TransactionComponentCase, CoffeeTestMixin
):
    """Tests whose "jobs" commit for real, each on a cursor of its own.

    As two job workers would: no test mode, the backend is committed before
    each test and removed afterwards with all it owns. ``self.issued`` holds
    the tokens the backend was authorized with.
    """

    backend_name = "Committed backend"

    def setUp(self):
        super().setUp()
        self.simulator = self.start_simulator(**self.simulator_options)
        with self.registry.cursor() as cr:
            backend = self._env(cr)["coffee.backend"].create(
                {
                    "name": self.backend_name,
                    "location": self.simulator.url,
                    "client_id": "coffee-connector",
                    "client_secret": "coffee-secret",
                }
            )
            self.backend_id = backend.id
        self.addCleanup(self._remove_backend)
        with self.registry.cursor() as cr:
            self.issued = self.authorize(self._backend(cr))

    def _env(self, cr):
        return api.Environment(
            cr, SUPERUSER_ID, {"components_registry": self._components_registry}
        )

    def _backend(self, cr):
        return self._env(cr)["coffee.backend"].browse(self.backend_id)

    def _remove_backend(self):
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            machines = (
                self._env(cr)["coffee.machine"]
                .with_context(active_test=False)
                .search([("backend_id", "=", backend.id)])
            )
            equipments = machines.odoo_id
            env = self._env(cr)
            # the jobs the test queued and left (the imports queue others)
            owned = {"coffee.machine": machines, "coffee.backend": backend}
            env["queue.job"].search([("model_name", "in", list(owned))]).filtered(
                lambda job: job.records & owned[job.model_name]
            ).unlink()
            machines.unlink()
            equipments.message_ids.unlink()
            equipments.unlink()
            backend.timestamp_ids.unlink()
            backend.message_ids.unlink()
            backend.unlink()


class JuraTestMixin:
    """A JURA backend on the JURA simulator of ``coffee_machine``.

    The simulator's machine listens on a free TCP port of 127.0.0.1, its
    clock runs ``jura_speed`` times faster than the wall clock (a JURA dongle
    pushes its status every 2 s, which the reads wait for; a 30 s beverage
    takes a second and a half). Give:

    * ``self.jura``: the running simulator; ``self.jura_machine`` its machine;
    * ``self.jura_backend``: a backend of type JURA at its address, not paired;
    * ``self.pair_jura()``: pair it, OK pressed on the machine as asked;
    * ``self.jura_binding()``: pair, import the machine and its products.
    """

    jura_speed = 20.0
    #: keyword arguments of JuraSimulatorConfig for the tests of a class
    jura_options = {}

    def _setup_jura(self):
        from coffee_machine.jura.simulator import JuraSimulator, JuraSimulatorConfig

        options = dict({"clock": self.jura_speed, "seed": 3}, **self.jura_options)
        self.jura = JuraSimulator(JuraSimulatorConfig(**options)).start()
        self.addCleanup(self.jura.stop)
        self.jura_machine = self.jura.machine(0)
        host, port = self.jura.address(0)
        self.jura_backend = self.env["coffee.backend"].create(
            {
                "name": "Kitchen JURA",
                "api_type": "jura",
                "location": f"{host}:{port}",
                "jura_machine_type": "EF1091",
                "request_timeout": 5,
            }
        )

    def press_ok_when_asked(self, machine=None, refuse=False):
        """Press OK (or refuse) on the machine as soon as it asks, from a
        thread: the pairing waits for it. Returns the thread."""
        machine = machine or self.jura_machine

        def press():
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if machine.pending_pairing:
                    (machine.refuse if refuse else machine.press_ok)()
                    return
                time.sleep(0.02)

        thread = threading.Thread(target=press, name="jura-test-ok", daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        return thread

    def pair_jura(self, backend=None):
        backend = backend or self.jura_backend
        self.press_ok_when_asked()
        return backend._pair_machine()

    def jura_binding(self):
        self.pair_jura()
        self.jura_backend._import_machines()
        machine = self.env["coffee.machine"].search(
            [("backend_id", "=", self.jura_backend.id)]
        )
        machine._import_catalogue()
        return machine

    def wait_for(self, condition, timeout=10, message="condition never met"):
        """Wait (real time) until ``condition()`` is true."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail(message)
            time.sleep(0.05)


class JuraCase(CoffeeTransactionCase, JuraTestMixin):
    """A JURA backend beside the Home Connect one (``JuraTestMixin``)."""

    def setUp(self):
        super().setUp()
        self._setup_jura()
