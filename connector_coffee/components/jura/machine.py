# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The JURA machine of a backend → its ``coffee.machine`` binding.

A JURA backend is one machine: importing its machines connects to the
dongle once (the machine must be paired) and binds the machine found at the
backend's address; its external id is that address. The import reads its
state at once (the counters' baseline) and queues its catalogue, like any
machine (``components/machine.py``). A machine whose address changed is a
new binding; the one at the old address is archived, its history kept.
"""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create

from .adapter import split_address


def machine_record(backend):
    host, port = split_address(backend.location)
    return {
        "address": f"{host}:{port}",
        "name": backend.name,
        "brand": "JURA",
        "machine_type": backend.jura_machine_type or "",
    }


class JuraMachineImportMapper(Component):
    _name = "coffee.jura.machine.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.machine"
    _api_type = "jura"

    direct = [("brand", "brand"), ("machine_type", "vib")]

    @mapping
    def active(self, record):
        return {"active": True, "connected": True, "appliance_type": "CoffeeMaker"}

    @only_create
    @mapping
    def name(self, record):
        """The equipment's name and model, on creation only: they are the user's."""
        return {"name": record["name"], "model": f"JURA {record['machine_type']}"}


class JuraMachineImporter(Component):
    _name = "coffee.jura.machine.importer"
    _inherit = "coffee.machine.record.importer"
    _apply_on = "coffee.machine"
    _api_type = "jura"

    def _get_external_data(self):
        return machine_record(self.backend_record)


class JuraMachineBatchImporter(Component):
    _name = "coffee.jura.machine.batch.importer"
    _inherit = "coffee.machine.batch.importer"
    _apply_on = "coffee.machine"
    _api_type = "jura"

    def _list_records(self, **kwargs):
        with self.backend_adapter.session():
            pass  # it answers, and accepts our pairing
        record = machine_record(self.backend_record)
        return [(record["address"], record)]
