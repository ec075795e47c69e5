# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The event reader inside the Odoo server (``events_thread``).

The options are read in this process; the server is tested as it runs:
real Odoo servers, in processes of their own, on the database of the tests
(they see only what is committed: the backends of ``CommittedBackendCase``)
and a simulator they open their streams on.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import config

from .. import events_thread
from ..events_thread import (
    RESCAN_VARIABLE,
    SWITCH_VARIABLE,
    events_in_server,
    served_databases,
)
from .common import CoffeeTransactionCase, CommittedBackendCase

#: seconds a server may take to load its registry and start its readers
START_TIMEOUT = 120
#: seconds a server may take to stop, or to take over a backend
STOP_TIMEOUT = 30
#: what a server logs that is ours and should not be
COMPLAINT = re.compile(r" (WARNING|ERROR|CRITICAL) .*odoo\.addons\.connector_coffee")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OdooServer:
    """An Odoo server in a process of its own, its log read aside (a silent
    process must not hang the test)."""

    def __init__(self, command, environ):
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        self.lines = []
        self._lock = threading.Lock()
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self):
        for line in self.process.stderr:
            with self._lock:
                self.lines.append(line)

    def saw(self, text):
        with self._lock:
            return any(text in line for line in self.lines)

    def output(self):
        with self._lock:
            return "".join(self.lines)

    @property
    def running(self):
        return self.process.poll() is None

    def stop(self):
        """SIGTERM, as a supervisor stops it; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=STOP_TIMEOUT)
        self._pump.join(10)
        return self.process.returncode

    def kill(self):
        if self.running:
            self.process.kill()
            self.process.wait(timeout=10)


@tagged("post_install", "-at_install")
class TestEventsInServerOptions(TransactionCase):
    """``[connector_coffee]`` in odoo.conf, the environment winning over it."""

    def options(self, section=None, variable=None):
        environ = dict(os.environ)
        environ.pop(SWITCH_VARIABLE, None)
        if variable is not None:
            environ[SWITCH_VARIABLE] = variable
        misc = {"connector_coffee": section} if section is not None else {}
        return (
            patch.dict(os.environ, environ, clear=True),
            patch.object(config, "misc", misc),
        )

    def switch(self, section=None, variable=None):
        environ, misc = self.options(section, variable)
        with environ, misc:
            return events_in_server()

    def test_off_by_default(self):
        self.assertFalse(self.switch())
        self.assertFalse(self.switch({}))

    def test_on_in_the_configuration_file(self):
        # Odoo's parser turns "True" into True, and leaves "yes" alone
        self.assertTrue(self.switch({"events_in_server": True}))
        self.assertTrue(self.switch({"events_in_server": "yes"}))
        self.assertFalse(self.switch({"events_in_server": False}))

    def test_the_environment_wins_over_the_file(self):
        self.assertFalse(self.switch({"events_in_server": True}, variable="0"))
        self.assertTrue(self.switch({"events_in_server": False}, variable="true"))
        self.assertTrue(self.switch({"events_in_server": True}, variable=""))

    def test_a_value_that_is_no_boolean_is_off_with_a_warning(self):
        with self.assertLogs(events_thread.__name__, "WARNING") as logs:
            self.assertFalse(self.switch({"events_in_server": "maybe"}))
        self.assertIn("not a boolean", logs.output[0])

    def test_never_in_a_run_that_stops_after_init(self):
        environ, misc = self.options({"events_in_server": True})
        with environ, misc, patch.dict(config.options, {"stop_after_init": True}):
            self.assertFalse(events_thread._wanted("threaded server"))

    def test_not_started_when_the_addon_is_not_server_wide(self):
        environ, misc = self.options({"events_in_server": True})
        with (
            environ,
            misc,
            patch.dict(config.options, {"stop_after_init": False}),
            patch.object(odoo.conf, "server_wide_modules", ["base", "web"]),
            self.assertLogs(events_thread.__name__, "WARNING") as logs,
        ):
            self.assertFalse(events_thread._wanted("threaded server"))
        self.assertIn("not a server-wide module", logs.output[0])

    def test_only_the_databases_where_the_addon_is_installed(self):
        db_names = f"{self.env.cr.dbname}, postgres"
        with patch.dict(config.options, {"db_name": db_names}):
            self.assertEqual(served_databases(), [self.env.cr.dbname])


@tagged("post_install", "-at_install")
class TestEventsReaderMissing(CoffeeTransactionCase):
    """The backend form's warning: authorized, and no reader reads it."""

    def missing(self):
        self.env.invalidate_all()
        return self.backend.events_reader_missing

    def test_an_authorized_backend_without_a_reader_is_flagged(self):
        self.assertFalse(self.missing(), "not authorized: nothing to read")
        self.authorize()
        self.assertTrue(self.missing())
        self.backend._store({"events_read_at": fields.Datetime.now()})
        self.assertFalse(self.missing(), "a reader wrote it read the stream")
        self.backend._store({"events_read_at": False})
        self.backend.active = False
        self.assertFalse(self.missing(), "an archived backend is not read")

    def test_the_form_shows_the_warning(self):
        self.authorize()
        with Form(self.backend) as form:
            self.assertTrue(form.events_reader_missing)


@tagged("post_install", "-at_install")
class TestEventsInServer(CommittedBackendCase):
    """Real servers on the database of the tests, each with its reader."""

    def start_server(self, switch=None, config_file=None):
        """An Odoo server loading connector_coffee server-wide; the option
        ``switch`` in its environment, or its ``config_file``."""
        command = [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={config['addons_path']}",
            "--load=base,web,connector_coffee",
            f"--database={self.env.cr.dbname}",
            "--workers=0",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={free_port()}",
            "--log-level=info",
        ]
        if config_file:
            command.append(f"--config={config_file}")
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config[option]:
                command.append(f"--{option}={config[option]}")
        environ = dict(
            os.environ,
            # no job runner: the jobs of the tests' database are theirs
            ODOO_QUEUE_JOB_CHANNELS="root:0",
            **{RESCAN_VARIABLE: "1"},  # a backend left is taken over at once
        )
        environ.pop(SWITCH_VARIABLE, None)
        if switch is not None:
            environ[SWITCH_VARIABLE] = switch
        server = OdooServer(command, environ)
        self.addCleanup(server.kill)  # before the backend is removed
        return server

    def wait(self, condition, timeout, servers, what):
        deadline = time.monotonic() + timeout
        while not condition():
            ended = [server for server in servers if not server.running]
            if ended or time.monotonic() > deadline:
                self.fail(
                    f"{what}: not within {timeout} s\n"
                    + "\n".join(server.output() for server in servers)
                )
            time.sleep(0.1)

    def assertNoComplaint(self, server):
        complaints = [line for line in server.lines if COMPLAINT.search(line)]
        self.assertFalse(complaints, server.output())

    def config_file(self, text):
        folder = tempfile.mkdtemp(prefix="connector_coffee-")
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "odoo.conf")
        with open(path, "w") as conf:
            conf.write(text)
        return path

    def test_two_servers_read_the_backend_once_and_take_over(self):
        conf = self.config_file(
            "[options]\n\n[connector_coffee]\nevents_in_server = True\n"
        )
        servers = [self.start_server(config_file=conf), self.start_server(switch="1")]
        reading = f"Coffee backend {self.backend_id}: reading its event stream"
        waiting = f"Coffee backend {self.backend_id}: another reader holds its"
        streams = self.simulator.bus.open_streams

        def one_reads_one_waits():
            first, second = servers
            return (
                (first.saw(reading) and second.saw(waiting))
                != (second.saw(reading) and first.saw(waiting))
            ) and streams() == 1

        self.wait(
            one_reads_one_waits, START_TIMEOUT, servers, "one server reads the backend"
        )
        reader, other = servers if servers[0].saw(reading) else servers[::-1]
        # both keep running, each pool looking every second: still one stream
        until = time.monotonic() + 3
        while time.monotonic() < until:
            self.assertEqual(streams(), 1)
            self.assertTrue(reader.running and other.running)
            time.sleep(0.1)
        self.assertEqual(reader.stop(), 0, reader.output())
        self.assertIn("Coffee event reader: stopping", reader.output())
        self.wait(
            lambda: other.saw(reading) and streams() == 1,
            STOP_TIMEOUT,
            [other],
            "the other server takes the backend over",
        )
        self.assertEqual(other.stop(), 0, other.output())
        self.assertNoComplaint(reader)
        self.assertNoComplaint(other)

    def test_without_the_option_no_reader_is_started(self):
        server = self.start_server()
        self.wait(
            lambda: server.saw("Coffee event reader not started"),
            START_TIMEOUT,
            [server],
            "the server says it reads nothing",
        )
        time.sleep(2)  # a pool would have looked twice
        self.assertEqual(self.simulator.bus.open_streams(), 0)
        self.assertFalse(server.saw("event stream"), server.output())
        self.assertEqual(server.stop(), 0, server.output())
        self.assertNoComplaint(server)
