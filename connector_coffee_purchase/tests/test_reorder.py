# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Out of beans, with purchase installed: an RFQ to the beans' vendor."""

from odoo.tests import tagged

from odoo.addons.connector_coffee.tests.common import CoffeeBrewCase

from coffee_machine.homeconnect import keys


@tagged("post_install", "-at_install")
class TestReorder(CoffeeBrewCase):
    def setUp(self):
        super().setUp()
        self.vendor = self.env["res.partner"].create({"name": "Roastery"})
        self.beans = self.env["product.product"].create(
            {
                "name": "Beans",
                "seller_ids": [(0, 0, {"partner_id": self.vendor.id, "min_qty": 5})],
            }
        )
        self.env.company.write(
            {"coffee_bean_product_id": self.beans.id, "coffee_reorder_beans": True}
        )

    def out_of_beans(self, machine=None):
        (machine or self.machine)._open_alert(
            "beans_empty", "2", keys.EVENT_BEAN_CONTAINER_EMPTY
        )

    def rfqs(self):
        return self.env["purchase.order"].search([("partner_id", "=", self.vendor.id)])

    def test_a_machine_out_of_beans_asks_the_vendor_for_a_quotation(self):
        self.out_of_beans()
        (order,) = self.rfqs()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.order_line.product_id, self.beans)
        self.assertEqual(order.order_line.product_qty, 5)

    def test_a_second_empty_container_asks_nothing_more(self):
        self.out_of_beans()
        self.machine._close_alert("beans_empty", keys.EVENT_BEAN_CONTAINER_EMPTY)
        self.out_of_beans()
        self.assertEqual(len(self.rfqs().order_line), 1)

    def test_beans_without_a_vendor_get_an_activity(self):
        self.beans.seller_ids.unlink()
        self.out_of_beans()
        self.assertFalse(self.rfqs())
        self.assertEqual(
            self.beans.product_tmpl_id.activity_ids.summary, "Reorder coffee beans"
        )
