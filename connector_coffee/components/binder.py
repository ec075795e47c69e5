# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The binder: from an API id to the Odoo binding, and back.

``to_internal("BOSCH-HCS06COM1-0123")`` finds the machine binding of the
backend; ``bind(external_id, binding)`` records the link and the sync date.
Every concrete binding model of the connector is listed in ``_apply_on`` as
it is added.
"""

from odoo.addons.component.core import Component


class CoffeeBinder(Component):
    _name = "coffee.binder"
    _inherit = ["base.binder", "base.coffee.connector"]
    _apply_on = ["coffee.machine", "coffee.beverage"]
