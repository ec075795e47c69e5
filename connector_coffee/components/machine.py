# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Batches over the machines Odoo knows: one job per machine.

The catalogue and the state are read machine by machine; a batch queues one
job per active machine of the backend (``coffee.machine._import_catalogue``,
``coffee.machine._import_state``), so that an offline machine is retried on
its own without spending again the calls of the others. These batches speak
no protocol: the jobs find the components of the backend's API type.
"""

from odoo import _

from odoo.addons.component.core import Component


class CoffeeMachineCatalogueBatchImporter(Component):
    _name = "coffee.machine.catalogue.batch.importer"
    _inherit = "coffee.delayed.batch.importer"
    _apply_on = "coffee.machine"
    _usage = "catalogue.batch.importer"
    _job_method = "_import_catalogue"

    def _job_description(self, binding):
        return _("Import the beverages of %s", binding.name)


class CoffeeMachineStateBatchImporter(Component):
    _name = "coffee.machine.state.batch.importer"
    _inherit = "coffee.delayed.batch.importer"
    _apply_on = "coffee.machine"
    _usage = "state.batch.importer"
    _job_method = "_import_state"

    def _job_description(self, binding):
        return _("Refresh %s", binding.name)
