# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The base import mapper: what every imported record carries.

A mapper turns a record of the API (a plain dict, see the adapter) into
values for an Odoo binding. Each protocol brings its own mappers for its own
data shapes (``homeconnect/machine.py``...); they inherit this one, which only
adds the backend::

    class MachineImportMapper(Component):
        _name = "coffee.homeconnect.machine.import.mapper"
        _inherit = "coffee.import.mapper"
        _apply_on = "coffee.machine"
        _api_type = "homeconnect"

        direct = [("name", "name"), ("brand", "brand")]

        @only_create
        @mapping
        def equipment_model(self, record):
            return {"model": record["enumber"]}
"""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.components.mapper import mapping, only_create


class CoffeeImportMapper(AbstractComponent):
    _name = "coffee.import.mapper"
    _inherit = ["base.import.mapper", "base.coffee.connector"]
    _usage = "import.mapper"

    @only_create
    @mapping
    def backend_id(self, record):
        return {"backend_id": self.backend_record.id}
