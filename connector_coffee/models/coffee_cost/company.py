# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a cup costs: the consumables of the company and their prices.

A beverage consumes beans (grams), milk and water (millilitres). Their prices
are those of ordinary products, chosen per company (*Settings > Companies >
Coffee*): the **standard price** of the bean product, of the milk product and
of the water product, each per its own unit of measure (a kilogram of beans,
a litre of milk...). A product whose unit is not a weight (beans) or a volume
(milk, water) is taken as priced per kilogram or per litre.

``company._coffee_consumable_cost("beans", 12)`` is the price of 12 grams of
the company's beans, in its currency.
"""

from odoo import fields, models

#: consumable → (field of res.company, unit of a thousand grams or millilitres)
CONSUMABLES = {
    "beans": ("coffee_bean_product_id", "uom.product_uom_kgm"),
    "milk": ("coffee_milk_product_id", "uom.product_uom_litre"),
    "water": ("coffee_water_product_id", "uom.product_uom_litre"),
}


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    coffee_bean_product_id = fields.Many2one(
        "product.product",
        string="Coffee Beans",
        help="Its standard price is the price of the beans (per its unit: "
        "a kilogram...).",
    )
    coffee_milk_product_id = fields.Many2one(
        "product.product",
        string="Milk",
        help="Its standard price is the price of the milk (per litre...).",
    )
    coffee_reorder_beans = fields.Boolean(
        string="Reorder Beans When a Machine Runs Out",
        help="When a machine reports its bean container empty, ask for more "
        "beans: a to-do activity on the bean product (a request for "
        "quotation with the purchase bridge, connector_coffee_purchase).",
    )
    coffee_water_product_id = fields.Many2one(
        "product.product",
        string="Water",
        help="Its standard price is the price of the water (per litre...); "
        "leave empty when water costs nothing worth counting.",
    )

    def _coffee_consumable_cost(self, consumable, amount):
        """The price of ``amount`` (grams or millilitres) of ``consumable``."""
        self.ensure_one()
        field_name, unit_xmlid = CONSUMABLES[consumable]
        product = self[field_name]
        if not product or not amount:
            return 0.0
        unit = self.env.ref(unit_xmlid)
        quantity = amount / 1000.0  # kilograms or litres
        if product.uom_id.category_id == unit.category_id:
            quantity = unit._compute_quantity(quantity, product.uom_id, round=False)
        # else: priced per kilogram or litre whatever its unit says
        return quantity * product.sudo().standard_price
