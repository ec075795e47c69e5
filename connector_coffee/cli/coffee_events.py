# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``odoo coffee-events``: the long-lived reader of the machines' event streams.

Home Connect pushes what happens on the machines (alerts, state, counters,
machines paired or removed) on one long HTTP answer per account (server-sent
events). Odoo's HTTP and cron workers cannot hold it open, so it is read by a
process of its own::

    odoo --addons-path=/opt/connector-coffee coffee-events -c odoo.conf -d mydb

(Odoo discovers the commands of addons only through an ``--addons-path``
given before the command's name.) The same readers can run inside the Odoo
server instead, where a second process is not allowed: see
``connector_coffee/events_thread.py``.

It keeps one stream open per backend whose protocol has one (an
``event.stream`` component, see ``components/event_stream.py``) and does
what each frame calls for, as its protocol classified it:

==========================  ===================================================
frame                       what the reader does
==========================  ===================================================
``state``                   applies the state to the machine at once, in the
                            order the frames come (``stream.state`` component
                            of the protocol): operation and power state,
                            remote start, door, active program and progress,
                            counters (panel beverages logged, brews ordered
                            from Odoo settled). No call.
``job``                     queues ``coffee.backend._handle_events`` with the
                            items, as plain dicts (alerts → maintenance
                            requests, programs ended → brews concluded)
``pairing``, or a frame of  queues ``coffee.backend._import_machines``
an unknown machine
``keepalive``               nothing (but the heartbeat)
==========================  ===================================================

Each frame is applied in a transaction of its own, retried when it collides
with a job writing the same machine; one that keeps colliding queues a
refresh of the machine instead, so nothing is lost.

When a stream has been opened (its first frame came), the reader writes
when ("Event Stream Opened") and queues one refresh of every machine: what
changed while no stream was open is read once, and from then on the stream
keeps the machines current. When the stream ends, that time is cleared: the
brew exporter then reads machines over the API again, until the next stream
and its refreshes. A stream dropped after it brought frames is reopened at
once; one that fails to open waits before the next try. A stream open for a
day is closed and reopened on purpose: its refreshes are the daily
reconciliation (one call per machine and day).

One reader per backend across a cluster: before opening a stream, the reader
takes a PostgreSQL session advisory lock for the backend on a connection of
its own, held as long as the stream is open. A second reader (another
server, a restart overlapping the old process) finds it taken and leaves that
backend alone; it takes over when the first one ends (the lock dies with its
connection). SIGTERM or Ctrl-C close the streams and end the process cleanly.
While frames come, the reader writes the time on the backend ("Events Read")
at most once a minute: a person sees that the stream is read, and the brew
exporter follows brews less often while it is.

A stream that refuses its credential (Home Connect: a 401) gets it renewed
(unless a job has replaced it already) and is opened again. When the renewal
is refused, the backend is marked "expired" and its reader ends with a
warning; the pool gives it a new reader once it is authorized again. Network
failures, server errors and a spent quota are retried after a pause.

In code (tests, or another supervisor)::

    reader = EventReader(registry, backend.id)
    reader.run(max_events=10)      # or until=<unix time>; reader.stop() from
                                   # another thread
"""

import argparse
import hashlib
import logging
import random
import signal
import threading
import time

import psycopg2
from psycopg2 import errorcodes

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.cli import Command
from odoo.modules.registry import Registry
from odoo.tools import config

from ..exceptions import (
    AuthorizationError,
    CoffeeJobError,
    CredentialRefused,
    QuotaExceeded,
)

_logger = logging.getLogger(__name__)

#: seconds the refreshes queued when a stream opens wait (the stream's own
#: first frames come first)
OPEN_REFRESH_DELAY = 2
#: tries of a frame's transaction that collides with a job's
APPLY_TRIES = 5
#: errors of PostgreSQL after which a frame's transaction is tried again
CONCURRENCY_ERRORS = (
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
)
#: seconds between two attempts to open a stream that failed
RETRY_DELAY = 30
#: seconds before reopening a stream that was dropped after bringing frames
REOPEN_DELAY = 1
#: seconds a stream is read before it is reopened on purpose: the opening
#: refreshes every machine, a daily reconciliation of what a frame lost
RECONCILE_DELAY = 24 * 3600
#: seconds between two looks for backends authorized or deauthorized since
RESCAN_DELAY = 60
#: seconds between two writes of ``events_read_at`` while frames come (Home
#: Connect sends a keep-alive every 55 s)
HEARTBEAT_DELAY = 60


def lock_key(db_name, backend_id):
    """The advisory lock (an int8) of the reader of one backend."""
    digest = hashlib.sha1(f"coffee-events({db_name}, {backend_id})".encode())
    return int(digest.hexdigest()[:15], 16)


class EventReader:
    """Reads the event stream of one backend and queues jobs."""

    def __init__(self, registry, backend_id, context=None):
        self.registry = registry
        self.backend_id = backend_id
        self.context = dict(context or {})
        self.events_read = 0
        self._stop = threading.Event()
        self._stream = None
        self._credential = None  # what the stream opened last was opened with
        self._beat_at = None  # time.monotonic() of the last heartbeat written
        self._opening_at = None  # when the stream being opened was asked for
        self.reconcile_delay = RECONCILE_DELAY

    # -- life cycle ----------------------------------------------------------------
    def stop(self):
        """Stop reading (from any thread): the open stream is closed."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.close()

    @property
    def stopped(self):
        return self._stop.is_set()

    def run(self, max_events=None, until=None):
        """Read until stopped, ``max_events`` frames or the time ``until``.

        Returns the number of frames read; 0 at once when another reader
        holds the backend's lock.
        """
        lock_cr = sql_db.db_connect(self.registry.db_name).cursor()
        try:
            lock_cr.execute(
                "SELECT pg_try_advisory_lock(%s)",
                (lock_key(self.registry.db_name, self.backend_id),),
            )
            if not lock_cr.fetchone()[0]:
                _logger.info(
                    "Coffee backend %s: another reader holds its event stream",
                    self.backend_id,
                )
                return 0
            _logger.info("Coffee backend %s: reading its event stream", self.backend_id)
            try:
                self._read(max_events, until)
            finally:
                lock_cr.execute(
                    "SELECT pg_advisory_unlock(%s)",
                    (lock_key(self.registry.db_name, self.backend_id),),
                )
        finally:
            lock_cr.close()
        return self.events_read

    def _done(self, max_events, until):
        if self.stopped:
            return True
        if max_events is not None and self.events_read >= max_events:
            return True
        return until is not None and time.time() >= until

    def _read(self, max_events, until):
        refused = None  # the credential the stream refused, to renew
        refusals = 0  # in a row: a token refused right after a refresh waits
        while not self._done(max_events, until):
            opened = False  # a frame came on this stream
            opened_at = time.monotonic()
            try:
                if refused:
                    self._renew(refused)
                    refused = None
                self._stream = self._open_stream()
                if self.stopped:  # stop() came before there was a stream to close
                    break
                for frame in self._stream:
                    refusals = 0
                    self.events_read += 1
                    if not opened:
                        opened = True
                        self._on_opened()
                    self._heartbeat()
                    self._dispatch(frame)
                    if self._done(max_events, until):
                        break
                    if time.monotonic() - opened_at > self.reconcile_delay:
                        break  # reopened: every machine is read again
            except CredentialRefused:
                if refusals:
                    self._retry_later("its renewed credential is refused too")
                refused, refusals = self._credential, refusals + 1
            except QuotaExceeded as error:
                self._stop.wait(max(int(error.seconds or 60), 1))
            except AuthorizationError as error:
                _logger.warning(
                    "Coffee backend %s: event stream no longer read: %s",
                    self.backend_id,
                    error,
                )
                break
            except CoffeeJobError as error:
                self._retry_later(error, REOPEN_DELAY if opened else RETRY_DELAY)
            finally:
                stream, self._stream = self._stream, None
                if stream is not None:
                    stream.close()
                if opened:
                    self._on_closed()

    def _retry_later(self, reason, delay=RETRY_DELAY):
        _logger.info(
            "Coffee backend %s: event stream failed (%s), retrying in %s s",
            self.backend_id,
            reason,
            delay,
        )
        self._stop.wait(delay)

    # -- Odoo side -----------------------------------------------------------------
    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, self.context)

    def _backend(self, cr):
        return self._env(cr)["coffee.backend"].browse(self.backend_id)

    def _open_stream(self):
        with self.registry.cursor() as cr:
            with self._backend(cr)._component("event.stream") as stream:
                frames, self._credential = stream.open(self._count_call)
        self._opening_at = fields.Datetime.now()
        return frames

    def _on_opened(self):
        """The stream is open (its first frame came): the machines are read
        once, and from then on the stream keeps them current."""
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            backend._store(
                {
                    "events_connected_at": self._opening_at,
                    "events_read_at": fields.Datetime.now(),
                }
            )
            self._beat_at = time.monotonic()
            for machine in self._env(cr)["coffee.machine"].search(
                [("backend_id", "=", backend.id)]
            ):
                machine._delay_refresh(eta=OPEN_REFRESH_DELAY)

    def _on_closed(self):
        """No stream is open: the stored states are no longer kept current."""
        with self.registry.cursor() as cr:
            self._backend(cr)._store({"events_connected_at": False})

    def _renew(self, refused):
        """Renew the ``refused`` credential, unless a job already did."""
        with self.registry.cursor() as cr:
            with self._backend(cr)._component("event.stream") as stream:
                stream.renew(refused)

    def _heartbeat(self):
        """Write, at most every minute, that the stream is being read.

        The backend shows it, and the brew exporter follows brews less often
        while events will tell it when a program ends.
        """
        now = time.monotonic()
        if self._beat_at is not None and now - self._beat_at < HEARTBEAT_DELAY:
            return
        self._beat_at = now
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            backend._store({"events_read_at": fields.Datetime.now()})

    def _count_call(self):
        with self.registry.cursor() as cr:
            self._backend(cr)._count_calls(1)

    def _dispatch(self, frame):
        """Apply or queue what a frame calls for (in a transaction of its own)."""
        if frame.kind == "keepalive" or not frame.machine:
            return
        if frame.kind == "state" and frame.items:
            self._apply_state(frame)
            return
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            machine = self._machine(cr, frame.machine)
            if frame.kind == "pairing" or not machine:
                backend._delay_import("machines")
            elif frame.kind == "job" and frame.items:
                backend.with_delay(
                    description=backend.env._("Events of %s", machine.name)
                )._handle_events(frame.items)

    def _machine(self, cr, external_id):
        return self._env(cr)["coffee.machine"].search(
            [("backend_id", "=", self.backend_id), ("external_id", "=", external_id)],
            limit=1,
        )

    def _apply_state(self, frame):
        """Store the state a frame carries; settle the brews it shows done.

        A transaction that collides with a job writing the same machine is
        tried again; after the last try a refresh of the machine is queued
        instead, and the frame is dropped: the refresh reads what it said.
        """
        for attempt in range(1, APPLY_TRIES + 1):
            try:
                with self.registry.cursor() as cr:
                    machine = self._machine(cr, frame.machine)
                    if not machine:
                        self._backend(cr)._delay_import("machines")
                        return
                    with self._backend(cr).work_on("coffee.machine") as work:
                        counted = work.component(usage="stream.state").apply(
                            machine, frame.items
                        )
                if counted:
                    with self.registry.cursor() as cr:
                        machine = self._machine(cr, frame.machine)
                        self._env(cr)["coffee.brew"]._settle_from_stream(machine)
                return
            except psycopg2.OperationalError as error:
                if error.pgcode not in CONCURRENCY_ERRORS:
                    raise
                if attempt < APPLY_TRIES:
                    time.sleep(random.uniform(0.05, 0.2) * attempt)
        _logger.info(
            "Coffee backend %s: a frame of %s kept colliding with a job: "
            "a refresh is queued instead",
            self.backend_id,
            frame.machine,
        )
        with self.registry.cursor() as cr:
            self._machine(cr, frame.machine)._delay_refresh()


class ReaderPool:
    """One reader thread per authorized backend of a database.

    Every ``rescan`` seconds the pool looks at the backends again: one
    authorized since gets a reader, one no longer authorized (or archived)
    has its reader stopped. The pool itself runs until ``stop()``.
    """

    def __init__(self, registry, rescan=RESCAN_DELAY, context=None):
        self.registry = registry
        self.rescan = rescan
        self.context = dict(context or {})
        self.readers = {}  # backend id: (reader, thread)
        self._wanted = None
        self._stop = threading.Event()

    def _authorized_backend_ids(self):
        """The authorized backends whose protocol has an event stream."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, self.context)
            backends = env["coffee.backend"].search([("auth_state", "=", "authorized")])
            return set(backends.filtered(lambda b: b._has_event_stream()).ids)

    def sync_readers(self):
        """Start and stop readers to match the authorized backends."""
        for backend_id, (_reader, thread) in list(self.readers.items()):
            if not thread.is_alive():
                del self.readers[backend_id]
        wanted = self._authorized_backend_ids()
        if wanted != self._wanted and not wanted:
            _logger.info("No authorized coffee backend: no event stream to read")
        self._wanted = wanted
        for backend_id in wanted - set(self.readers):
            if self._stop.is_set():
                return
            reader = EventReader(self.registry, backend_id, context=self.context)
            thread = threading.Thread(
                target=reader.run, name=f"coffee-events-{backend_id}", daemon=True
            )
            thread.start()
            self.readers[backend_id] = (reader, thread)
        for backend_id in set(self.readers) - wanted:
            self.readers[backend_id][0].stop()

    def run(self):
        while not self._stop.is_set():
            self.sync_readers()
            self._stop.wait(self.rescan)
        for reader, _thread in self.readers.values():
            reader.stop()
        for _reader, thread in self.readers.values():
            thread.join(timeout=30)

    def stop(self, *_args):
        self._stop.set()
        for reader, _thread in list(self.readers.values()):
            reader.stop()


class CoffeeEvents(Command):
    """Read the event streams of the coffee machines and queue jobs"""

    name = "coffee-events"

    def run(self, args):
        parser = argparse.ArgumentParser(
            prog="odoo coffee-events",
            description="Read the event streams of the coffee backends (one "
            "reader per backend across the cluster) and queue jobs. Takes "
            "Odoo's usual options (-c, -d, --db_host...).",
        )
        parser.parse_known_args(args)
        config.parse_config(args, setup_logging=True)
        db_name = (config["db_name"] or "").split(",")[0]
        if not db_name:
            raise SystemExit("Give the database: odoo coffee-events -d DB")
        pool = ReaderPool(Registry(db_name))
        signal.signal(signal.SIGTERM, pool.stop)
        signal.signal(signal.SIGINT, pool.stop)
        pool.run()
