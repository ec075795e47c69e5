# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Out of beans: a request for quotation instead of a to-do.

``connector_coffee`` asks for beans with an activity when a machine runs
out (``coffee.machine._reorder_beans``). With ``purchase`` installed, this
bridge asks the bean product's first vendor instead: a draft purchase order
(an RFQ) for the vendor's minimal quantity (at least one unit), added to a
draft RFQ of that vendor already waiting rather than a new one. A product
without a vendor keeps the activity.
"""

from odoo import models


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"

    def _reorder_beans(self, product):
        seller = product.sudo().seller_ids[:1]
        if not seller:
            return super()._reorder_beans(product)
        orders = self.env["purchase.order"].sudo()
        order = orders.search(
            [
                ("partner_id", "=", seller.partner_id.id),
                ("state", "=", "draft"),
                ("company_id", "=", (self.company_id or self.env.company).id),
            ],
            limit=1,
        )
        if order.order_line.filtered(lambda line: line.product_id == product):
            return order
        if not order:
            order = orders.create(
                {
                    "partner_id": seller.partner_id.id,
                    "company_id": (self.company_id or self.env.company).id,
                    "origin": self.name,
                }
            )
        order.write(
            {
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_qty": max(seller.min_qty, 1.0),
                        },
                    )
                ]
            }
        )
        order.message_post(
            body=self.env._("%(machine)s ran out of beans.", machine=self.name)
        )
        return order
