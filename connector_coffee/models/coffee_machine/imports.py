# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The jobs of one machine: refresh its state, import its catalogue.

Both are queue jobs (``root.coffee.import``), queued by the backend's
batches (a refresh job reads up to 50 machines), by the crons, by the
machine's **Refresh** button and by the event reader; they are deduplicated
(``identity_exact``): a refresh already waiting is not queued twice. Each
one delegates to the component of the backend's protocol
(``state.importer``, ``catalogue.importer``) and returns what it saw, in
words. When it fails, the reason is kept on the machine and on the
backend (``sync_message``, ``last_import_error``), even though the job's
transaction is rolled back.
"""

from odoo import _, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ...exceptions import (
    AuthorizationError,
    CoffeeJobError,
    CredentialRefused,
    QuotaExceeded,
)

#: seconds before a machine that failed in a batch refresh is read again,
#: on its own (the first delay of the import jobs' retries)
BATCH_FAILURE_RETRY = 60


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    offered_beverage_count = fields.Integer(
        string="Beverages Offered", compute="_compute_offered_beverage_count"
    )

    def _compute_offered_beverage_count(self):
        for machine in self:
            machine.offered_beverage_count = len(
                machine.program_ids.filtered("available").beverage_id
            )

    def _run_import(self, usage, **kwargs):
        self.ensure_one()
        if not self.exists():
            return _("The machine was deleted since this job was queued.")
        with self.backend_id._recording_failures(machine=self):
            return self._run_importer(usage, **kwargs)

    def _run_importer(self, usage, **kwargs):
        if not self.active:
            return _("%s was removed from its account: not refreshed.", self.name)
        with self.backend_id.work_on(self._name) as work:
            return work.component(usage=usage).run(self, **kwargs)

    def _import_state(self):
        """Job: read the live state and counters of these machines.

        One machine: its failure fails the job, which queue_job retries. A
        batch (the backend's full refresh): each machine is read in a
        savepoint of its own; one that fails keeps its reason and gets a
        refresh job of its own, and the others' reads stay. A spent quota
        postpones the machines not read yet, as one job.
        """
        if len(self) == 1:
            return self._run_import("state.importer")
        machines = self.exists()
        results = []
        if len(machines) < len(self):
            results.append(
                _(
                    "%d machine(s) deleted since this job was queued.",
                    len(self) - len(machines),
                )
            )
        for index, machine in enumerate(machines):
            try:
                with self.env.cr.savepoint():
                    results.append(machine._run_importer("state.importer"))
            except (AuthorizationError, CredentialRefused):
                raise  # the account's, not the machine's: the job's
            except (CoffeeJobError, RetryableJobError) as error:
                if isinstance(error, CoffeeJobError):  # kept after the rollback
                    machine.backend_id._record_import_failure(
                        str(error), machine, error
                    )
                if isinstance(error, QuotaExceeded):
                    results.append(machines[index:]._postpone_refresh(error))
                    break
                results.append(machine._refresh_alone(error))
        return "\n".join(str(result) for result in results)

    def _postpone_refresh(self, error):
        """The quota is spent: refresh these machines in one job, later."""
        self.with_delay(
            eta=error.seconds or BATCH_FAILURE_RETRY,
            identity_key=identity_exact,
            description=_("Refresh %d machine(s) the spent quota put off", len(self)),
        )._import_state()
        return _(
            "%(count)d machine(s) postponed: %(error)s", count=len(self), error=error
        )

    def _refresh_alone(self, error):
        """This machine failed in a batch: a refresh job of its own."""
        self._delay_refresh(eta=BATCH_FAILURE_RETRY)
        return _(
            "%(machine)s: %(error)s (refreshed again on its own)",
            machine=self.name,
            error=error,
        )

    def _import_catalogue(self, refresh=False):
        """Job: read the programs the machine offers, and their options.

        The options of a program already known (on this machine, or on
        another of the same model) are read again only with ``refresh``: a
        person asking for it.
        """
        return self._run_import("catalogue.importer", refresh=refresh)

    def _delay_refresh(self, eta=None):
        """Queue a refresh of the state (not twice while one waits)."""
        for machine in self:
            machine.with_delay(
                eta=eta,
                identity_key=identity_exact,
                description=_("Refresh %s", machine.name),
            )._import_state()

    # -- buttons -----------------------------------------------------------
    def _check_manager(self):
        """Only connector managers spend the account's quota on demand.

        The right is the backend's (connector manager, and the backend
        theirs to change) on machines they can see. The jobs the buttons
        queue then run as the connector (superuser, the manager kept as the
        job's user): a machine is a maintenance equipment, and maintenance
        lets only its own managers write one, a rule that is not the
        connector's to check.
        """
        self.check_access("read")
        for backend in self.backend_id:
            backend._check_manager()

    def action_refresh(self):
        """Queue a refresh of the state of the machines."""
        self._check_manager()
        self.sudo()._delay_refresh()
        return self.backend_id[:1]._notify(
            _("A refresh of %s is queued.", ", ".join(self.mapped("name")))
        )

    def action_import_catalogue(self):
        self._check_manager()
        for machine in self.sudo():
            machine.with_delay(
                identity_key=identity_exact,
                description=_("Import the beverages of %s", machine.name),
            )._import_catalogue(refresh=True)
        return self.backend_id[:1]._notify(
            _(
                "An import of the beverages of %s is queued.",
                ", ".join(self.mapped("name")),
            )
        )

    def action_open_beverages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_coffee.action_coffee_beverage"
        )
        action["domain"] = [("machine_program_ids.machine_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_alerts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Alerts of %s", self.name),
            "res_model": "maintenance.request",
            "view_mode": "list,kanban,form",
            "domain": [("coffee_machine_id", "=", self.id)],
            "context": {"search_default_todo": 1, "create": False},
        }
