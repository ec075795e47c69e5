# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Beverages (``coffee.beverage``), the same for every protocol.

A beverage is known from a machine's catalogue: the protocol's catalogue
importer hands its key and name to the record importer
(``run(key, data={"key": ..., "name": ...})``), which creates the product
variant, or brings an archived one back. Its name and kind of product are
set on creation only: after that they are the user's.
"""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create

from ..models.coffee_brew.common import short_name


class CoffeeBeverageImportMapper(Component):
    _name = "coffee.beverage.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.beverage"

    @only_create
    @mapping
    def product(self, record):
        """Name and kind of product, on creation only: they are the user's."""
        return {
            "name": record["name"] or short_name(record["key"]),
            "type": "consu",
            "purchase_ok": False,
        }

    @mapping
    def active(self, record):
        return {"active": True}


class CoffeeBeverageImporter(Component):
    _name = "coffee.beverage.importer"
    _inherit = "coffee.record.importer"
    _apply_on = "coffee.beverage"

    def _get_external_data(self):
        return {"key": self.external_id, "name": None}
