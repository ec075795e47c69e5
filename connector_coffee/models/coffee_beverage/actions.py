# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Smart buttons of a beverage: the machines that offer it, its brews."""

from odoo import fields, models


class CoffeeBeverage(models.Model):
    _inherit = "coffee.beverage"

    brew_count = fields.Integer(compute="_compute_brew_count")

    def _compute_brew_count(self):
        groups = self.env["coffee.brew"]._read_group(
            [("beverage_id", "in", self.ids)], ["beverage_id"], ["__count"]
        )
        counts = {beverage.id: count for beverage, count in groups}
        for beverage in self:
            beverage.brew_count = counts.get(beverage.id, 0)

    def action_open_machines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_coffee.action_coffee_machine"
        )
        action["domain"] = [("program_ids.beverage_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_brews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_coffee.action_coffee_brew"
        )
        action["domain"] = [("beverage_id", "=", self.id)]
        action["context"] = {}
        return action
