# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The event reader: one stream per backend, its frames into jobs (alerts),
its life cycle (tokens, locks, the pool, the command). The state it applies
itself is tested in ``test_stream_state``."""

import queue
import signal
import subprocess
import sys
import threading
import time

from odoo import sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from odoo.addons.queue_job.tests.common import trap_jobs

from coffee_machine.homeconnect import keys

from ..cli.coffee_events import EventReader, ReaderPool, lock_key
from .common import CommittedBackendCase
from .import_common import CoffeeImportCase, wait_for


@tagged("post_install", "-at_install")
class TestEventReader(CoffeeImportCase):
    def setUp(self):
        super().setUp()
        self._import_machines()
        self.machine = self.machine_binding()
        self.sim = self.simulator.machine()
        self.reader = EventReader(
            self.registry, self.backend.id, context=dict(self.env.context)
        )

    def start_reader(self, **kwargs):
        before = self.simulator.bus.open_streams()
        thread = threading.Thread(target=self.reader.run, kwargs=kwargs, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.reader.stop)
        wait_for(lambda: self.simulator.bus.open_streams() > before)
        return thread

    def test_alert_on_the_stream_queues_an_events_job(self):
        self.sim.fill_beans(12)
        with trap_jobs() as trap:
            thread = self.start_reader()
            self.sim.brew_at_panel(keys.PROGRAM_ESPRESSO)
            self.simulator.clock.advance(40)

            def alert_queued():
                return any(
                    item["key"] == keys.EVENT_BEAN_CONTAINER_EMPTY
                    for job in trap.enqueued_jobs
                    if job.method_name == "_handle_events"
                    for item in job.args[0]
                )

            wait_for(alert_queued)
            self.reader.stop()
            thread.join(10)
        self.assertFalse(thread.is_alive(), "the reader stops when asked")
        self.assertFalse(
            self.env["maintenance.request"].search([]).filtered("coffee_machine_id"),
            "the reader itself writes nothing",
        )
        job = next(
            job
            for job in trap.enqueued_jobs
            if job.method_name == "_handle_events"
            and any(i["key"] == keys.EVENT_BEAN_CONTAINER_EMPTY for i in job.args[0])
        )
        self.assertEqual(job.recordset.ids, self.backend.ids)
        self.backend._handle_events(job.args[0])  # what the job runner does
        self.assertEqual(self.machine.open_alert_count, 1)

    def test_bounded_run_ends_after_max_events(self):
        thread = self.start_reader(max_events=1)
        self.simulator.clock.advance(60)  # a keep-alive
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(self.reader.events_read, 1)

    def test_the_reader_writes_when_it_last_read_the_stream(self):
        self.assertFalse(self.backend._reads_events())
        thread = self.start_reader()
        self.simulator.clock.advance(60)  # a keep-alive
        wait_for(lambda: self.reader.events_read >= 1)
        self.reader.stop()
        thread.join(10)
        self.env.invalidate_all()
        self.assertTrue(self.backend.events_read_at)
        self.assertTrue(self.backend._reads_events())

    def test_a_refused_access_token_is_refreshed_and_the_stream_reopened(self):
        self.backend._store({"access_token": "revoked-access-token"})
        thread = self.start_reader()  # returns once a stream is open
        self.reader.stop()
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.env.invalidate_all()
        tokens = self.backend._current_tokens()
        self.assertNotEqual(tokens["access_token"], "revoked-access-token")
        self.assertEqual(self.backend.auth_state, "authorized")

    def test_second_reader_leaves_a_locked_backend_alone(self):
        other = sql_db.db_connect(self.registry.db_name).cursor()
        self.addCleanup(other.close)
        other.execute(
            "SELECT pg_advisory_lock(%s)",
            (lock_key(self.registry.db_name, self.backend.id),),
        )
        self.assertEqual(self.reader.run(max_events=1), 0)
        self.assertEqual(self.simulator.bus.open_streams(), 0)


@tagged("post_install", "-at_install")
class TestEventReaderCommitted(CommittedBackendCase):
    """The reader on real cursors: what it commits survives its rollbacks."""

    def test_a_refused_refresh_token_ends_the_reader_with_a_warning(self):
        with self.registry.cursor() as cr:
            self._backend(cr)._store(
                {
                    "access_token": "revoked-access-token",
                    "refresh_token": "revoked-refresh-token",
                }
            )
        reader = EventReader(
            self.registry, self.backend_id, context=self._env(self.cr).context
        )
        with self.assertLogs(
            "odoo.addons.connector_coffee.cli.coffee_events", "WARNING"
        ) as logs:
            # bounded: a reader that retried instead would end at `until`
            self.assertEqual(reader.run(until=time.time() + 5), 0)
        self.assertIn("authorize the backend again", logs.output[0])
        with self.registry.cursor() as cr:
            self.assertEqual(self._backend(cr).auth_state, "expired")
        self.assertEqual(self.simulator.bus.open_streams(), 0)


@tagged("post_install", "-at_install")
class TestReaderPool(CoffeeImportCase):
    def setUp(self):
        super().setUp()
        self.pool = ReaderPool(self.registry, rescan=0.05, context=self.env.context)
        self.pool_thread = threading.Thread(target=self.pool.run, daemon=True)
        self.pool_thread.start()
        self.addCleanup(self.stop_pool)

    def stop_pool(self):
        """Stop the pool and its readers before the test's data goes away."""
        self.pool.stop()
        self.pool_thread.join(30)
        self.assertFalse(self.pool_thread.is_alive(), "the pool did not stop")
        for _reader, thread in self.pool.readers.values():
            self.assertFalse(thread.is_alive(), "a reader did not stop")

    def reading(self):
        return {
            backend_id
            for backend_id, (_reader, thread) in self.pool.readers.items()
            if thread.is_alive()
        }

    def test_each_authorized_backend_gets_a_reader(self):
        wait_for(lambda: self.reading() == {self.backend.id})
        wait_for(lambda: self.simulator.bus.open_streams() == 1)

    def test_a_backend_authorized_later_gets_a_reader(self):
        wait_for(lambda: self.reading() == {self.backend.id})
        with self.registry.test_lock:  # the pool's threads share our database
            other = self.backend.copy({"name": "Second account"})
            self.authorize(other)
        wait_for(lambda: self.reading() == {self.backend.id, other.id})

    def test_a_backend_no_longer_authorized_loses_its_reader(self):
        wait_for(lambda: self.reading() == {self.backend.id})
        with self.registry.test_lock:  # the pool's threads share our database
            self.backend._store({"auth_state": "expired"})
        wait_for(lambda: not self.reading())
        wait_for(lambda: self.simulator.bus.open_streams() == 0)


@tagged("post_install", "-at_install")
class TestEventsCommand(TransactionCase):
    """``odoo coffee-events`` as a supervisor runs it: a process of its own."""

    def test_the_command_stops_cleanly_on_sigterm(self):
        command = [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={config['addons_path']}",
            "coffee-events",
            f"--addons-path={config['addons_path']}",
            f"--database={self.env.cr.dbname}",
            "--log-level=info",
        ]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config[option]:
                command.append(f"--{option}={config[option]}")
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(process.kill)
        lines = queue.Queue()  # read aside: a silent process must not hang us

        def pump():
            for line in process.stderr:
                lines.put(line)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        log = []
        deadline = time.monotonic() + 120  # the registry loads first
        while not any("event stream" in line for line in log):
            try:
                log.append(lines.get(timeout=1))
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    self.fail("the pool never looked at the backends:\n" + "".join(log))
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(10)
        while not lines.empty():
            log.append(lines.get_nowait())
        self.assertEqual(process.returncode, 0, "".join(log))
