# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The event reader inside the Odoo server, the way queue_job runs its runner.

The machines' event streams are read by long-lived readers (``EventReader``
and ``ReaderPool`` in ``cli/coffee_events.py``). They run either in a process
of their own, ``odoo coffee-events``, or, with this module, in the Odoo
server itself: nothing more to supervise. Both ways can be mixed.

Switching it on
===============

Load ``connector_coffee`` as a server-wide module and switch the option on::

    [options]
    server_wide_modules = base,web,queue_job,connector_coffee

    [connector_coffee]
    events_in_server = True

(``--load=base,web,queue_job,connector_coffee`` on the command line does
the same as ``server_wide_modules``; Odoo reads the other sections of the
file only when it has an ``[options]`` section.) The environment variable
``ODOO_CONNECTOR_COFFEE_EVENTS_IN_SERVER`` (``1``/``0``, ``true``/``false``)
wins over the file, like queue_job's ``ODOO_QUEUE_JOB_CHANNELS``. It is off
by default: a server-wide ``connector_coffee`` alone reads nothing, and says
so in its log.

``events_rescan`` (or ``ODOO_CONNECTOR_COFFEE_EVENTS_RESCAN``), in seconds,
60 by default: how often each database's pool looks at its backends again.
It is how soon a backend authorized later gets its reader, and how soon this
server takes over a backend whose reader ended on another server.

Where it runs
=============

* **Threaded server** (``workers = 0``): one thread of the main process,
  started once the registries are loaded (the step where the server starts
  its cron threads), stopped when the server stops (``CommonServer.on_stop``,
  before Odoo closes its database connections).
* **Prefork server** (``workers > 0``): one process of its own, forked and
  watched by the main process like its HTTP and cron workers (and like
  queue_job's runner in that mode), started again if it dies, stopped with
  them (SIGINT), ending by itself when the main process goes away. Not a
  thread of the main process: Odoo closes every database connection of the
  main process before forking its workers, and keeps it free of them, so that
  no worker inherits a connection (one socket spoken by two processes) or a
  lock another thread holds at the fork. A reader thread there would hold
  both all the time, and workers are forked again all day.
* **Never** in HTTP or cron workers, in the gevent (websocket) process, in
  ``odoo shell``, in a ``--stop-after-init`` run (installations, updates,
  tests), nor when ``connector_coffee`` is not server-wide (with the option
  on, a warning says so).

Which databases
===============

Those of ``db_name`` (``-d``, comma-separated) when given, else every
database of the PostgreSQL server (``list_dbs``, as queue_job and the cron
workers do); in both cases only those where ``connector_coffee`` is
installed, looked at when the reader starts: after installing it on a new
database, restart the server. Each database gets a ``ReaderPool``, and each
authorized backend a reader, in threads of their own.

One reader per backend
======================

Every Odoo process and node sharing a database may run its reader, and
``odoo coffee-events`` beside them: before opening a backend's stream, a
reader takes the backend's PostgreSQL advisory lock (``EventReader.run``);
the others find it taken and leave the backend alone, and one of them takes
it over within ``events_rescan`` seconds when the reading one ends.

How it hooks into the server
============================

Like queue_job, by wrapping methods of ``odoo.service.server``:
``ThreadedServer.cron_spawn`` (called once the registries are loaded, and
only by a server that keeps running) and ``PreforkServer.process_spawn`` /
``worker_pop`` (the main process's spawning of its workers). Odoo calls a
server-wide module's ``post_load`` hook when it loads it; ``odoo
--addons-path=... server`` imports the addons with a ``cli`` folder earlier
(to find their commands) and then skips that hook. So the wrappers are
installed when this module is imported, whoever imports it first;
``post_load`` (declared in the manifest) makes sure of it. They do nothing
until a server starts with the option on and ``connector_coffee``
server-wide.
"""

import logging
import os
import select
import threading
import time

import psycopg2

import odoo
from odoo import sql_db
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tools import config, str2bool

from .cli.coffee_events import RESCAN_DELAY, RETRY_DELAY, ReaderPool

_logger = logging.getLogger(__name__)

MODULE = "connector_coffee"
#: the section of odoo.conf holding the options
SECTION = "connector_coffee"
#: environment variables winning over the file
SWITCH_VARIABLE = "ODOO_CONNECTOR_COFFEE_EVENTS_IN_SERVER"
RESCAN_VARIABLE = "ODOO_CONNECTOR_COFFEE_EVENTS_RESCAN"
#: seconds a stopping server waits for its readers to close their streams
STOP_TIMEOUT = 30


# -- options ------------------------------------------------------------------------
def _option(key, variable):
    value = os.environ.get(variable)
    if value is None or not value.strip():
        value = config.misc.get(SECTION, {}).get(key)
    return value


def events_in_server():
    """Whether the option asks this server to run the event reader."""
    value = _option("events_in_server", SWITCH_VARIABLE)
    if value is None or value == "":
        return False
    if isinstance(value, bool):  # Odoo's parser turns "True" into True
        return value
    try:
        return str2bool(str(value).strip())
    except ValueError:
        _logger.warning(
            "events_in_server = %r is not a boolean (use true or false): the "
            "event reader is not started by this server",
            value,
        )
        return False


def rescan_delay():
    """Seconds between two looks of a pool at its backends."""
    value = _option("events_rescan", RESCAN_VARIABLE)
    if value is None or value == "":
        return RESCAN_DELAY
    try:
        return max(float(value), 1.0)
    except (TypeError, ValueError):
        _logger.warning(
            "events_rescan = %r is not a number of seconds: %s is used",
            value,
            RESCAN_DELAY,
        )
        return RESCAN_DELAY


def server_wide():
    return MODULE in odoo.conf.server_wide_modules


def _wanted(where):
    """Whether this server (``where``: its kind, for the log) runs the reader."""
    if config["stop_after_init"]:
        return False
    if not events_in_server():
        if server_wide():
            _logger.info(
                "Coffee event reader not started in this %s: switch it on with "
                "events_in_server = True in the [%s] section of the configuration "
                "file (or %s=1), or run odoo coffee-events",
                where,
                SECTION,
                SWITCH_VARIABLE,
            )
        return False
    if not server_wide():
        _logger.warning(
            "events_in_server is on, but %s is not a server-wide module "
            "(server_wide_modules, --load): the event reader is not started",
            MODULE,
        )
        return False
    return True


# -- databases ----------------------------------------------------------------------
def _installed(db_name):
    """Whether ``connector_coffee`` is installed on ``db_name``."""
    try:
        with sql_db.db_connect(db_name).cursor() as cr:
            if not odoo.modules.db.is_initialized(cr):
                return False
            cr.execute(
                "SELECT 1 FROM ir_module_module WHERE name = %s AND state IN %s",
                (MODULE, ("installed", "to upgrade")),
            )
            return bool(cr.fetchone())
    except psycopg2.Error:
        return False


def served_databases():
    """The databases whose backends this server reads, as names."""
    if config["db_name"]:
        candidates = [name.strip() for name in config["db_name"].split(",")]
    else:
        candidates = odoo.service.db.list_dbs(True)
    served = []
    for db_name in filter(None, candidates):
        if _installed(db_name):
            served.append(db_name)
        else:
            sql_db.close_db(db_name)  # keep no connection to a database not read
    return served


# -- the readers of a server --------------------------------------------------------
class ServerEvents:
    """The event readers of one server: a ``ReaderPool`` per database.

    ``start()`` runs them in a thread (``coffee-events``) that lists the
    databases, loads their registries and starts each pool in a thread of
    its own (``coffee-events-<db>``), which starts a thread per authorized
    backend. A pool that fails (the database is unreachable...) is run again
    after a pause. ``stop()`` stops them all and waits for their streams to
    close, at most ``timeout`` seconds.
    """

    def __init__(self, rescan=None):
        self.rescan = rescan_delay() if rescan is None else rescan
        self.pools = {}  # database name: (pool, thread)
        self.thread = None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # between stop() and a pool's start

    def start(self):
        self.thread = threading.Thread(
            target=self.run, name="coffee-events", daemon=True
        )
        self.thread.start()
        return self

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    def run(self):
        db_names = None
        while db_names is None and not self._stop.is_set():
            try:
                db_names = served_databases()
            except Exception:
                _logger.exception(
                    "Coffee event reader: cannot list the databases, retrying "
                    "in %s s",
                    RETRY_DELAY,
                )
                self._stop.wait(RETRY_DELAY)
        if db_names is not None and not db_names:
            _logger.info(
                "Coffee event reader: %s is installed on no database of this "
                "server, no event stream to read",
                MODULE,
            )
        for db_name in db_names or ():
            if self._stop.is_set():
                break
            try:
                registry = Registry(db_name)
            except Exception:
                _logger.warning(
                    "Coffee event reader: the database %s cannot be loaded, its "
                    "backends are not read",
                    db_name,
                    exc_info=True,
                )
                continue
            pool = ReaderPool(registry, rescan=self.rescan)
            thread = threading.Thread(
                target=self._run_pool,
                args=(pool,),
                name=f"coffee-events-{db_name}",
                daemon=True,
            )
            with self._lock:
                if self._stop.is_set():
                    break
                self.pools[db_name] = (pool, thread)
                thread.start()
            _logger.info(
                "Coffee event reader: reading the authorized backends of %s",
                db_name,
            )
        self._stop.wait()

    def _run_pool(self, pool):
        while not self._stop.is_set():
            try:
                pool.run()
            except Exception:
                _logger.exception(
                    "Coffee event reader of %s failed, running it again in %s s",
                    pool.registry.db_name,
                    RETRY_DELAY,
                )
                self._stop.wait(RETRY_DELAY)

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop every reader; wait at most ``timeout`` s for their streams."""
        with self._lock:
            self._stop.set()
            pools = list(self.pools.values())
        for pool, _thread in pools:
            pool.stop()
        deadline = time.monotonic() + timeout
        for _pool, thread in pools:
            thread.join(max(deadline - time.monotonic(), 0))
        if self.thread is not None:
            self.thread.join(max(deadline - time.monotonic(), 0))
        late = [thread.name for _pool, thread in pools if thread.is_alive()]
        if late:
            _logger.warning(
                "Coffee event reader: %s still running after %s s",
                ", ".join(late),
                timeout,
            )


# -- threaded server: a thread of the main process ----------------------------------
#: the readers this process runs in threads (threaded server, or the
#: process of a prefork server's readers); None when none
server_events = None


def _start_server_events(where):
    global server_events
    if server_events is None and _wanted(where):
        _logger.info("Coffee event reader: starting in this %s", where)
        server_events = ServerEvents().start()


def _stop_server_events():
    global server_events
    events, server_events = server_events, None
    if events is not None:
        _logger.info("Coffee event reader: stopping")
        events.stop()


def _threaded_cron_spawn(self):
    _orig["threaded_cron_spawn"](self)
    _start_server_events("threaded server")


# -- prefork server: a process of its own -------------------------------------------
class WorkerCoffeeEvents(server.Worker):
    """The prefork server's process of the event readers.

    It accepts no HTTP request: its work loop only watches its own limits
    (the main process gone, memory) and its readers, which run in threads.
    """

    def start(self):
        started = super().start()
        if self.multi.socket:
            self.multi.socket.close()  # the HTTP workers' socket is not ours
        _start_server_events("prefork server (a process of its own)")
        return started

    def sleep(self):
        # interrupted by the signals (Worker.start sets the wakeup fd)
        select.select([self.wakeup_fd_r], [], [], self.multi.beat)
        server.empty_pipe(self.wakeup_fd_r)

    def process_work(self):
        if server_events is None or not server_events.running:
            self.alive = False  # the main process forks another one

    def stop(self):
        _stop_server_events()
        return super().stop()


def _prefork_process_spawn(self):
    _orig["prefork_process_spawn"](self)
    workers = getattr(self, "coffee_events_workers", None)
    if workers is None:  # decided once, when the server starts its workers
        workers = {} if _wanted("prefork server") else False
        self.coffee_events_workers = workers
    if workers is not False and not workers:
        self.worker_spawn(WorkerCoffeeEvents, workers)


def _prefork_worker_pop(self, pid):
    workers = getattr(self, "coffee_events_workers", None)
    if workers:
        workers.pop(pid, None)
    return _orig["prefork_worker_pop"](self, pid)


# -- installation -------------------------------------------------------------------
_orig = {}


def install():
    """Wrap the server's methods (once per process)."""
    if _orig:
        return
    _orig["threaded_cron_spawn"] = server.ThreadedServer.cron_spawn
    _orig["prefork_process_spawn"] = server.PreforkServer.process_spawn
    _orig["prefork_worker_pop"] = server.PreforkServer.worker_pop
    server.ThreadedServer.cron_spawn = _threaded_cron_spawn
    server.PreforkServer.process_spawn = _prefork_process_spawn
    server.PreforkServer.worker_pop = _prefork_worker_pop
    server.CommonServer.on_stop(_stop_server_events)


def post_load():
    """The manifest's ``post_load`` hook (Odoo calls it when it loads the
    addon server-wide): the server's methods wrapped."""
    install()


install()
