# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the consumption reports group brews by, beyond the brew's own fields.

``hour_done`` is the hour of the day a brew was made, in the time zone of
its company (its address's, else UTC): the graph of the busiest hours
groups by it across days, which a grouping by ``date_done:hour`` (one group
per hour of each day) cannot do.
"""

import pytz

from odoo import api, fields, models


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"  # pylint: disable=consider-merging-classes-inherited

    hour_done = fields.Integer(
        string="Hour",
        compute="_compute_hour_done",
        store=True,
        aggregator=False,
        help="The hour of the day it was made, in its company's time zone.",
    )

    @api.depends("date_done", "company_id")
    def _compute_hour_done(self):
        for brew in self:
            if not brew.date_done:
                brew.hour_done = False
                continue
            tz = pytz.timezone(brew.company_id.partner_id.tz or "UTC")
            brew.hour_done = pytz.utc.localize(brew.date_done).astimezone(tz).hour
