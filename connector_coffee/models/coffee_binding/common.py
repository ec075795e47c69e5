# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The abstract binding between an Odoo record and a record of a machine API.

Every concrete binding (a machine, a beverage, a brew) ``_inherit`` s
``coffee.binding`` and ``_inherits`` the Odoo model it binds, so that a
machine *is* a maintenance equipment and a beverage *is* a product, with the
API's identity and sync date beside it::

    class CoffeeMachine(models.Model):
        _name = "coffee.machine"
        _inherit = "coffee.binding"
        _inherits = {"maintenance.equipment": "odoo_id"}

        odoo_id = fields.Many2one(
            "maintenance.equipment", required=True, ondelete="cascade"
        )

        _sql_constraints = [
            ("coffee_uniq", "unique(backend_id, external_id)", "..."),
            ("coffee_odoo_uniq", "unique(backend_id, odoo_id)", "..."),
        ]

External ids are strings, in the protocol's own words (a machine's id or
address, a program key or product name).
The two unique constraints are what make a duplicate impossible, even for two
jobs importing the same record at the same moment.
"""

from odoo import fields, models


class CoffeeBinding(models.AbstractModel):
    _name = "coffee.binding"
    _inherit = "external.binding"
    _description = "Coffee Binding (abstract)"

    backend_id = fields.Many2one(
        "coffee.backend",
        string="Coffee Backend",
        required=True,
        index=True,
        ondelete="restrict",
    )
    external_id = fields.Char(string="ID on the API", index=True, copy=False)
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
