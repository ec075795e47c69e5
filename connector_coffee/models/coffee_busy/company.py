# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""For a whole company: a backed-up job queue keeps everyone waiting.

Off by default (0). When set, the check every minute pours a coffee for each
person of the company who opted in, once per oldest job found waiting longer
than this, with their own cool-down and cap.
"""

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    coffee_busy_queue_minutes = fields.Integer(
        string="Backed-up Job Queue (min)",
        help="When the oldest pending job of the queue has waited longer than "
        "this, everyone of the company who asked for coffee when Odoo is busy "
        "gets one. 0: off.",
    )


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    coffee_busy_queue_minutes = fields.Integer(
        related="company_id.coffee_busy_queue_minutes", readonly=False
    )
    coffee_busy_user_ids = fields.Many2many(
        "res.users",
        string="People Who Opted In",
        compute="_compute_coffee_busy_user_ids",
        help="The people of this company who get a coffee when Odoo keeps "
        "them waiting (each opts in in their own preferences).",
    )

    def _compute_coffee_busy_user_ids(self):
        for backend in self:
            backend.coffee_busy_user_ids = self.env["res.users"].search(
                [
                    ("coffee_busy_enabled", "=", True),
                    ("company_ids", "in", backend.company_id.ids),
                ]
            )
