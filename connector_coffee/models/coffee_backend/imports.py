# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The imports of a backend: jobs, buttons, and what went wrong last.

Three imports, each a queue job of the backend (``root.coffee.import``):

======================  ========================================  ==============
job                     what                                      calls
======================  ========================================  ==============
``_import_machines``    the machines of the account, imported     1, and 1 per
                        directly from the listing; removed ones   new machine
                        archived; a new machine is read at once
                        and its catalogue queued
``_import_catalogue``   one ``coffee.machine._import_catalogue``  1 per machine
                        job per machine (a single machine: this   (+ 1 per
                        job reads it)                             beverage of a
                                                                  new model)
``_import_states``      the machines read by this job (50 at      1 per machine
                        most), else one ``_import_state`` job of  (2 if off, 2
                        the machines per 50 (one that fails gets  if brewing)
                        a job of its own)
======================  ========================================  ==============

plus ``_handle_events``, the job the event reader queues with the events it
read (alerts, connection, programs finished). Each batch locks its
``coffee.backend.timestamp`` and moves it inside its own transaction.
Failures are written on the backend (``last_import_error``) and on the
machine (``sync_message``) in a side transaction, so that they stay visible
after the job's rollback; the job itself is retried by queue_job (see
``connector_coffee/exceptions.py``).
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

import psycopg2
from psycopg2 import errorcodes

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.job import identity_exact

from ...exceptions import CoffeeJobError, MachineOffline

_logger = logging.getLogger(__name__)

#: seconds during which the reader's last heartbeat says the stream is read
#: (it writes one a minute while frames come)
EVENTS_READ_FRESH = 180

#: import kind → (job method of the backend, usage of the batch component)
IMPORTS = {
    "machines": ("_import_machines", "batch.importer"),
    "catalogue": ("_import_catalogue", "catalogue.batch.importer"),
    "state": ("_import_states", "state.batch.importer"),
}


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

    last_import_error = fields.Text(related="runtime_id.last_import_error")
    last_import_error_date = fields.Datetime(
        related="runtime_id.last_import_error_date"
    )
    timestamp_ids = fields.One2many(
        "coffee.backend.timestamp", "backend_id", string="Imports Completed"
    )
    machine_ids = fields.One2many("coffee.machine", "backend_id", string="Machines")
    machine_count = fields.Integer(compute="_compute_counts")
    beverage_count = fields.Integer(compute="_compute_counts")
    brew_count = fields.Integer(compute="_compute_counts")

    def _compute_counts(self):
        for backend in self:
            domain = [("backend_id", "=", backend.id)]
            backend.machine_count = self.env["coffee.machine"].search_count(domain)
            backend.beverage_count = self.env["coffee.beverage"].search_count(domain)
            backend.brew_count = self.env["coffee.brew"].search_count(domain)

    # -- jobs ------------------------------------------------------------------
    def _import_machines(self):
        """Job: import the machines of the account."""
        return self._import_batch("machines")

    def _import_catalogue(self):
        """Job: queue the import of the catalogue of each machine."""
        return self._import_batch("catalogue")

    def _import_states(self):
        """Job: refresh the state of each machine (in jobs of 50 past 50)."""
        return self._import_batch("state")

    def _import_batch(self, kind):
        self.ensure_one()
        usage = IMPORTS[kind][1]
        started = fields.Datetime.now()
        with self._recording_failures():
            timestamps = self.env["coffee.backend.timestamp"]
            with timestamps._locked(self, kind) as timestamp:
                with self.work_on("coffee.machine") as work:
                    result = work.component(usage=usage).run()
                timestamp.last_done = started
        return result or _("Nothing to import.")

    def _reads_events(self):
        """True while the event reader reads this backend's stream."""
        self.ensure_one()
        read_at = self.events_read_at
        return bool(read_at) and fields.Datetime.now() - read_at < timedelta(
            seconds=EVENTS_READ_FRESH
        )

    def _handle_events(self, events):
        """Job: apply events read on the event stream (alerts, connection,
        programs ended).

        ``events`` are plain dicts, as the protocol's event stream made them
        (``components/event_stream.py``); its ``event.handler`` reads them.
        """
        self.ensure_one()
        with self.work_on("coffee.machine") as work:
            return work.component(usage="event.handler").run(events)

    @api.model
    def _scheduler_import(self, kind, metered=None):
        """Cron: queue the ``kind`` import of every backend scheduling it
        (with ``metered``, only of those whose API counts a quota, or not)."""
        backends = self.search(
            [("auth_state", "=", "authorized"), (f"schedule_{kind}", "=", True)]
        )
        if metered is not None:
            backends = backends.filtered(lambda b: b._metered() == metered)
        for backend in backends:
            backend._delay_import(kind)

    def _delay_import(self, kind):
        method, __ = IMPORTS[kind]
        label = dict(self.env["coffee.backend.timestamp"]._fields["kind"].selection)
        delayed = self.with_delay(
            identity_key=identity_exact,
            description=_(
                "Import %(what)s of %(backend)s", what=label[kind], backend=self.name
            ),
        )
        return getattr(delayed, method)()

    # -- failures ----------------------------------------------------------------
    @contextmanager
    def _recording_failures(self, machine=None):
        """Record a job error on the backend (and machine) before it is raised."""
        try:
            yield
        except CoffeeJobError as error:
            self._record_import_failure(str(error), machine, error)
            raise
        if not machine and self.last_import_error:
            self._store({"last_import_error": False, "last_import_error_date": False})

    def _record_import_failure(self, message, machine=None, error=None):
        """Write the failure in a side transaction that commits at once."""
        values = {
            "last_import_error": f"{machine.name}: {message}" if machine else message,
            "last_import_error_date": fields.Datetime.now(),
        }
        machine_values = {"sync_message": message}
        if isinstance(error, MachineOffline):
            machine_values["connected"] = False
        try:
            with self._committed_env() as runtime:
                if not self.env.registry.in_test_mode():
                    # never wait long for a row the failing job may hold
                    runtime.env.cr.execute(SQL("SET LOCAL lock_timeout = '5s'"))
                runtime.write(values)
                if machine:
                    runtime.env["coffee.machine"].browse(machine.id).write(
                        machine_values
                    )
        except psycopg2.OperationalError as err:
            if err.pgcode != errorcodes.LOCK_NOT_AVAILABLE:
                raise
            _logger.info("Import failure of %s not recorded: row busy", self.name)
        self._invalidate_runtime()
        if machine:
            machine.invalidate_recordset(list(machine_values))

    # -- buttons -------------------------------------------------------------------
    def _action_import(self, kind):
        """Queue the import ``kind``, checked as the manager, run as the
        connector: what it writes (machines are maintenance equipment) is
        the connector's to write, whatever maintenance rights the manager
        holds."""
        self.ensure_one()
        self._check_manager()
        self.sudo()._delay_import(kind)
        return self._notify(
            _("The import is queued: it runs as soon as a job worker is free.")
        )

    def action_import_machines(self):
        return self._action_import("machines")

    def action_import_catalogue(self):
        return self._action_import("catalogue")

    def action_import_states(self):
        return self._action_import("state")

    def _open_related(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_machines(self):
        return self._open_related("connector_coffee.action_coffee_machine")

    def action_open_beverages(self):
        return self._open_related("connector_coffee.action_coffee_beverage")

    def action_open_brews(self):
        return self._open_related("connector_coffee.action_coffee_brew")
