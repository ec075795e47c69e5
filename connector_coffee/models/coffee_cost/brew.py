# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The cost and the volume of each brew, for the consumption reports.

* **Cost**: the beverage's cost per cup times the quantity. A panel brew
  knows only its family (the counter that grew), so it costs the average
  cup of the beverages of that family on its backend. The cost is computed
  when the brew is made (its state or quantity changes) and then kept: a
  later change of a price does not rewrite the past.
* **Volume** (ml): the fill quantity the brew was ordered with (the option
  whose unit is ``ml``), or that option's default on the machine.

Both are stored, so that the pivot and the graph sum them.
"""

from odoo import api, fields, models


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"  # pylint: disable=consider-merging-classes-inherited

    currency_id = fields.Many2one(related="company_id.currency_id")
    cost = fields.Monetary(
        compute="_compute_cost",
        store=True,
        readonly=True,
        help="What the beverages cost when they were made (consumables at "
        "their standard prices, or the beverage's cost set by hand).",
    )
    volume_ml = fields.Integer(
        string="Volume (ml)", compute="_compute_volume_ml", store=True
    )

    @api.depends("state", "quantity", "beverage_id", "family")
    def _compute_cost(self):
        for brew in self:
            if brew.state != "done":
                brew.cost = 0.0
                continue
            brew.cost = brew.quantity * brew._cost_per_cup()

    def _cost_per_cup(self):
        self.ensure_one()
        if self.beverage_id:
            return self.beverage_id.coffee_cost_per_cup
        vocabulary = self.backend_id._vocabulary()
        if vocabulary is None:  # the addon is being installed or updated
            return 0.0
        beverages = (
            self.env["coffee.beverage"]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id)])
            .filtered(lambda b: vocabulary.brew_family(b.program_key) == self.family)
        )
        costs = beverages.mapped("coffee_cost_per_cup")
        return sum(costs) / len(costs) if costs else 0.0

    @api.depends("options", "quantity", "beverage_id", "program_key")
    def _compute_volume_ml(self):
        for brew in self:
            option = brew._machine_program().option_ids.filtered(
                lambda o: o.unit == "ml"
            )[:1]
            value = (brew.options or {}).get(option.key) if option else None
            if value is None and option:
                value = option.default_value
            brew.volume_ml = (
                int(value) * brew.quantity if isinstance(value, int | float) else 0
            )
