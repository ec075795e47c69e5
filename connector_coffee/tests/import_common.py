# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers for the import tests: run the jobs, read real events.

``CoffeeImportCase`` is a ``CoffeeTransactionCase`` with an authorized
backend and shortcuts to run the import jobs as the job runner would (the job
methods, called directly). ``EventCollector`` reads the simulator's event
stream with the protocol library's client, in a thread, so that a test can
make something happen on a machine and get the frames it caused.
"""

import queue
import threading
import time

from odoo import fields

from coffee_machine.homeconnect import client as hc

from .common import CoffeeTransactionCase

#: longest REAL wait for the simulator's threads (streams opening, frames)
IO_TIMEOUT = 10


def wait_for(condition, timeout=IO_TIMEOUT):
    """Wait (real time, in small steps) until ``condition()`` is true."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the simulator")
        pause.wait(0.01)


class EventCollector:
    """Read the all-machines event stream of a simulator in a thread."""

    def __init__(self, simulator, access_token):
        self.simulator = simulator
        self.client = hc.HomeConnectClient(simulator.url, access_token, timeout=5)
        self.stream = self.client.events(reconnect=False)
        self.events = queue.Queue()
        self.error = None
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self):
        before = self.simulator.bus.open_streams()
        self._thread.start()
        wait_for(lambda: self.simulator.bus.open_streams() > before)
        return self

    def __exit__(self, *exc_info):
        self.stream.close()
        self._thread.join(timeout=IO_TIMEOUT)
        self.client.close()

    def _read(self):
        try:
            for event in self.stream:
                self.events.put(event)
        except hc.HomeConnectError as error:
            self.error = error

    def items_until(self, predicate, timeout=IO_TIMEOUT):
        """EVENT items (as job dicts) read until one satisfies ``predicate``."""
        items = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no such event; got {items}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.type != "EVENT":
                continue
            for item in event.items:
                items.append(
                    {
                        "ha_id": event.ha_id,
                        "key": item.key,
                        "value": item.value,
                        "timestamp": item.timestamp,
                    }
                )
            if any(predicate(item) for item in items):
                return items


class ReaderMixin:
    """Run the event reader of ``self.backend`` in a thread, as the command
    would, on the test's database.

    The reader's cursors share the test's transaction and take the
    registry's test lock: what the test does on the database while the
    reader runs goes through ``locked`` (or ``until``), so that the two
    threads never use the connection at once.
    """

    def locked(self, function, *args):
        with self.registry.test_lock:
            return function(*args)

    def start_reader(self, **kwargs):
        """Start the reader; return once its stream is open and has been
        seen open (a keep-alive came)."""
        from ..cli.coffee_events import EventReader

        self.reader = EventReader(
            self.registry, self.backend.id, context=dict(self.env.context)
        )
        before = self.simulator.bus.open_streams()
        thread = threading.Thread(target=self.reader.run, kwargs=kwargs, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.reader.stop)
        wait_for(lambda: self.simulator.bus.open_streams() > before)
        read = self.reader.events_read
        self.simulator.clock.advance(60)  # a keep-alive: the stream is open
        wait_for(lambda: self.reader.events_read > read)
        return thread

    def stop_reader(self, thread):
        self.reader.stop()
        thread.join(10)
        self.assertFalse(thread.is_alive(), "the reader stops when asked")

    def read_after_opening(self, machine):
        """Refresh ``machine`` as the job queued at the stream's opening does:
        in a second after the opening (the dates have no finer unit)."""
        opened = self.locked(lambda: self.backend.events_connected_at)
        wait_for(lambda: fields.Datetime.now() > opened, timeout=2)
        self.locked(machine._import_state)

    def until(self, condition):
        """Wait until ``condition()`` holds on the data the reader wrote."""

        def holds():
            with self.registry.test_lock:  # the reader's cursors share ours
                self.env.invalidate_all()
                return condition()

        wait_for(holds)


class CoffeeImportCase(CoffeeTransactionCase):
    def setUp(self):
        super().setUp()
        self.authorize()

    def _import_machines(self, backend=None):
        return (backend or self.backend)._import_machines()

    def machine_binding(self, sim_machine=None, backend=None):
        sim_machine = sim_machine or self.simulator.machine()
        return (
            self.env["coffee.machine"]
            .with_context(active_test=False)
            .search(
                [
                    ("backend_id", "=", (backend or self.backend).id),
                    ("external_id", "=", sim_machine.ha_id),
                ]
            )
        )

    def brew_at_panel(self, sim_machine, program_key, count=1):
        """Brew ``count`` beverages at the machine's panel, one after the other."""
        for _i in range(count):
            sim_machine.brew_at_panel(program_key)
            self.simulator.clock.advance(40)  # 30 s brewing, 5 s finished
