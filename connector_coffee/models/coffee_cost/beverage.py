# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The cost per cup of a beverage: from what it consumes, or set by hand.

Each beverage says what one cup consumes: beans (grams), milk and water
(millilitres). Its **cost per cup** is then the price of those consumables
(``company.py``), or, with *Cost Set by Hand*, the amount a manager typed.
A change of a consumable's price shows in the costs of the cups brewed
after it: a brew keeps the cost it had when it was made (``brew.py``).
"""

from odoo import api, fields, models


class CoffeeBeverage(models.Model):
    _inherit = "coffee.beverage"  # pylint: disable=consider-merging-classes-inherited

    coffee_bean_grams = fields.Float(
        string="Beans (g)", help="Ground coffee in one cup, in grams."
    )
    coffee_milk_ml = fields.Float(string="Milk (ml)")
    coffee_water_ml = fields.Float(string="Water (ml)")
    coffee_cost_by_hand = fields.Boolean(
        string="Cost Set by Hand",
        help="Set the cost per cup yourself instead of computing it from the "
        "consumables.",
    )
    coffee_manual_cost = fields.Monetary(
        string="Cost per Cup (by Hand)", currency_field="coffee_currency_id"
    )
    coffee_cost_per_cup = fields.Monetary(
        string="Cost per Cup",
        compute="_compute_coffee_cost_per_cup",
        currency_field="coffee_currency_id",
        help="What one cup costs: its consumables at their standard prices, "
        "or the cost set by hand.",
    )
    coffee_currency_id = fields.Many2one(
        "res.currency", compute="_compute_coffee_currency_id"
    )

    def _coffee_company(self):
        return self.backend_id.company_id or self.env.company

    def _compute_coffee_currency_id(self):
        for beverage in self:
            beverage.coffee_currency_id = beverage._coffee_company().currency_id

    @api.depends(
        "coffee_bean_grams",
        "coffee_milk_ml",
        "coffee_water_ml",
        "coffee_cost_by_hand",
        "coffee_manual_cost",
        "backend_id.company_id.coffee_bean_product_id.standard_price",
        "backend_id.company_id.coffee_milk_product_id.standard_price",
        "backend_id.company_id.coffee_water_product_id.standard_price",
    )
    def _compute_coffee_cost_per_cup(self):
        for beverage in self:
            if beverage.coffee_cost_by_hand:
                beverage.coffee_cost_per_cup = beverage.coffee_manual_cost
                continue
            company = beverage._coffee_company()
            beverage.coffee_cost_per_cup = sum(
                company._coffee_consumable_cost(consumable, amount)
                for consumable, amount in (
                    ("beans", beverage.coffee_bean_grams),
                    ("milk", beverage.coffee_milk_ml),
                    ("water", beverage.coffee_water_ml),
                )
            )
