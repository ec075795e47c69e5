# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Machines: complete on import, and batches over the machines Odoo knows.

A machine imported for the first time is *complete* when the import ends: its
state is read in the same job (its counters are the baseline of the brew
log, so that no beverage made after the import is missing from it) and the
import of its catalogue is queued, so that its beverages can be ordered a
minute later. A machine that cannot be read now (offline) gets a refresh
job instead, retried on its own.

The catalogue and the state are read machine by machine. The catalogue batch
queues one job per active machine of the backend
(``coffee.machine._import_catalogue``); the state batch one job per 50
machines (``coffee.machine._import_state``), which reads each in a savepoint
and gives one that fails a refresh job of its own: an offline machine is
retried on its own without spending again the calls of the others. These batches and
the completion speak no protocol: the jobs find the components of the
backend's API type.

A machine the protocol no longer lists (``coffee.machine.batch.importer``)
was removed from the account: its binding is archived and the equipment
gets a message saying so. It is never deleted (its brews and maintenance
history stay); if it comes back, the next import brings the binding back
too.
"""

import logging

from odoo import _, fields

from odoo.addons.component.core import AbstractComponent, Component
from odoo.addons.queue_job.job import identity_exact

from ..exceptions import CoffeeJobError

_logger = logging.getLogger(__name__)


class CoffeeMachineRecordImporter(AbstractComponent):
    """The protocol-neutral end of a machine's import (see above)."""

    _name = "coffee.machine.record.importer"
    _inherit = "coffee.record.importer"
    _apply_on = "coffee.machine"

    def _after_import(self, binding):
        super()._after_import(binding)
        if not binding.active:
            return
        if not binding.state_read_date:
            self._read_state(binding)
        if not binding.catalogue_sync_date:
            binding.with_delay(
                identity_key=identity_exact,
                description=_("Import the beverages of %s", binding.name),
            )._import_catalogue()

    def _read_state(self, binding):
        try:
            with self.env.cr.savepoint():
                self.component(usage="state.importer").run(binding)
        except CoffeeJobError as error:
            _logger.info("%s not read on import (%s): refresh queued", binding, error)
            binding._delay_refresh()


class CoffeeMachineCatalogueBatchImporter(Component):
    _name = "coffee.machine.catalogue.batch.importer"
    _inherit = "coffee.delayed.batch.importer"
    _apply_on = "coffee.machine"
    _usage = "catalogue.batch.importer"
    _job_method = "_import_catalogue"

    def _job_description(self, bindings):
        return _("Import the beverages of %s", bindings.name)


class CoffeeMachineStateBatchImporter(Component):
    _name = "coffee.machine.state.batch.importer"
    _inherit = "coffee.delayed.batch.importer"
    _apply_on = "coffee.machine"
    _usage = "state.batch.importer"
    _job_method = "_import_state"
    _batch_size = 50

    def _job_description(self, bindings):
        if len(bindings) == 1:
            return _("Refresh %s", bindings.name)
        return _(
            "Refresh %(count)d machines of %(backend)s",
            count=len(bindings),
            backend=self.backend_record.name,
        )


class CoffeeMachineBatchImporter(AbstractComponent):
    """Imports the machines a protocol lists; archives the ones it no longer
    lists."""

    _name = "coffee.machine.batch.importer"
    _inherit = "coffee.direct.batch.importer"
    _apply_on = "coffee.machine"

    def _after_batch(self, external_ids):
        """Archive the machines the account no longer lists."""
        gone = self.model.search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "not in", external_ids),
            ]
        )
        for machine in gone:
            machine.with_context(connector_no_export=True).write({"active": False})
            machine.odoo_id.message_post(
                body=_(
                    "This machine is no longer listed by %(backend)s (removed "
                    "from the account on %(date)s): its binding is archived. "
                    "Its history is kept; it comes back if the account lists "
                    "it again.",
                    backend=self.backend_record.name,
                    date=fields.Datetime.to_string(fields.Datetime.now()),
                )
            )
        if gone:
            return _(
                "%(count)d machine(s) removed from the account: archived (%(names)s).",
                count=len(gone),
                names=", ".join(gone.mapped("name")),
            )
        return None
