# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.1.0, once the module is loaded: what older code left on the
backend rows moves to their runtime rows."""

from odoo import SUPERUSER_ID, api

from odoo.addons.connector_coffee.migration_steps import (
    move_backend_columns_to_runtime,
)


def migrate(cr, version):
    if version:
        move_backend_columns_to_runtime(api.Environment(cr, SUPERUSER_ID, {}))
