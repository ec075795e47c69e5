# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.1.0, before the module loads: waiting jobs get their new names."""

from odoo.addons.connector_coffee.migration_steps import rename_waiting_jobs


def migrate(cr, version):
    if version:
        rename_waiting_jobs(cr)
