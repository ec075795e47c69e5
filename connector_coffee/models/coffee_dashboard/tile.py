# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Coffee dashboard: a few tiles, each a figure and the records behind it.

The landing page of the Coffee app is a kanban view of ``coffee.dashboard.tile``
records (shipped as data, one per figure): today's and this week's cups, the
cost of this month, the machines that need attention, the busiest hour and
the top beverages. Each tile computes its figure when it is shown, with the
rights of the person looking (an employee counts the brews they may see: their
own and the panel's), and opens the records it counts, in the view that fits
(a list, the graph by hour, the pivot...). No JavaScript of our own: Odoo's
kanban, graph, pivot and list views do the work.

Which figure a tile shows is its ``code``; the ``_figure_<code>`` method
computes it and ``_action_<code>`` says what opens.
"""

import datetime

import pytz

from odoo import api, fields, models

TILE_CODES = [
    ("today", "Today"),
    ("week", "This week"),
    ("cost_month", "Cost this month"),
    ("attention", "Machines needing attention"),
    ("busiest_hour", "Busiest hour"),
    ("top_beverages", "Top beverages"),
]
#: days looked back for the busiest hour and the top beverages
LOOK_BACK_DAYS = 30


class CoffeeDashboardTile(models.Model):
    _name = "coffee.dashboard.tile"
    _description = "Coffee Dashboard Tile"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(TILE_CODES, required=True)
    sequence = fields.Integer(default=10)
    value = fields.Char(compute="_compute_figure")
    detail = fields.Char(compute="_compute_figure")
    alarm = fields.Boolean(
        compute="_compute_figure", help="The figure calls for someone to act."
    )

    _sql_constraints = [("code_uniq", "unique(code)", "One tile per figure.")]

    def _compute_figure(self):
        for tile in self:
            value, detail, alarm = getattr(tile, f"_figure_{tile.code}")()
            tile.value, tile.detail, tile.alarm = value, detail, alarm

    def action_open(self):
        """Open the records behind the tile's figure."""
        self.ensure_one()
        opens = getattr(self, f"_action_{self.code}")()
        if "res_model" in opens:  # an action of its own
            action = opens
        else:  # the consumption analysis, filtered
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "connector_coffee.action_coffee_consumption"
            )
            action.update(opens)
        action["name"] = self.name
        return action

    # -- time ------------------------------------------------------------------
    def _local_today(self):
        """Today in the person's time zone, and that time zone."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        now = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz)
        return now.date(), tz

    def _day_start(self, days_ago=0):
        """Midnight ``days_ago`` days back in the person's time zone, naive UTC."""
        today, tz = self._local_today()
        day = today - datetime.timedelta(days=days_ago)
        midnight = tz.localize(datetime.datetime.combine(day, datetime.time()))
        return midnight.astimezone(pytz.utc).replace(tzinfo=None)

    def _week_start(self):
        return self._day_start(days_ago=self._local_today()[0].weekday())

    def _month_start(self):
        return self._day_start(days_ago=self._local_today()[0].day - 1)

    # -- brews -------------------------------------------------------------------
    @api.model
    def _done_since(self, start):
        return [("state", "=", "done"), ("date_done", ">=", start)]

    def _cups(self, domain):
        groups = self.env["coffee.brew"].read_group(
            domain, ["quantity:sum", "cost:sum", "volume_ml:sum"], []
        )
        group = groups[0] if groups else {}
        return group.get("quantity") or 0, group.get("cost") or 0.0, group

    def _cups_figure(self, start):
        cups, __, group = self._cups(self._done_since(start))
        litres = (group.get("volume_ml") or 0) / 1000.0
        return (
            str(cups),
            self.env._("cups, %(litres).1f l", litres=litres),
            False,
        )

    def _figure_today(self):
        return self._cups_figure(self._day_start())

    def _action_today(self):
        return {
            "domain": self._done_since(self._day_start()),
            "views": [(False, "list"), (False, "graph"), (False, "pivot")],
        }

    def _figure_week(self):
        return self._cups_figure(self._week_start())

    def _action_week(self):
        return {
            "domain": self._done_since(self._week_start()),
            "context": {"graph_groupbys": ["date_done:day", "origin"]},
            "views": [(False, "graph"), (False, "pivot"), (False, "list")],
        }

    def _figure_cost_month(self):
        __, cost, __ = self._cups(self._done_since(self._month_start()))
        currency = self.env.company.currency_id
        return currency.format(cost), self.env._("consumables at cost"), False

    def _action_cost_month(self):
        return {
            "domain": self._done_since(self._month_start()),
            "views": [(False, "pivot"), (False, "graph"), (False, "list")],
        }

    def _figure_busiest_hour(self):
        groups = self.env["coffee.brew"].read_group(
            self._done_since(self._day_start(LOOK_BACK_DAYS)),
            ["quantity:sum"],
            ["hour_done"],
            orderby="quantity desc",
            limit=1,
        )
        if not groups or not groups[0]["quantity"]:
            return "-", self.env._("no beverage in 30 days"), False
        hour = groups[0]["hour_done"]
        return (
            f"{hour:02d}:00",
            self.env._(
                "%(cups)d cups in that hour over 30 days", cups=groups[0]["quantity"]
            ),
            False,
        )

    def _action_busiest_hour(self):
        return {
            "domain": self._done_since(self._day_start(LOOK_BACK_DAYS)),
            "context": {"graph_groupbys": ["hour_done"]},
            "views": [(False, "graph"), (False, "list")],
        }

    def _figure_top_beverages(self):
        groups = self.env["coffee.brew"].read_group(
            self._done_since(self._day_start(LOOK_BACK_DAYS))
            + [("beverage_id", "!=", False)],
            ["quantity:sum"],
            ["beverage_id"],
            orderby="quantity desc",
            limit=3,
        )
        if not groups:
            return "-", self.env._("no beverage ordered in 30 days"), False
        names = [group["beverage_id"][1] for group in groups]
        return names[0], ", ".join(names[1:]), False

    def _action_top_beverages(self):
        return {
            "domain": self._done_since(self._day_start(LOOK_BACK_DAYS))
            + [("beverage_id", "!=", False)],
            "context": {"graph_groupbys": ["beverage_id"], "graph_mode": "pie"},
            "views": [(False, "graph"), (False, "pivot"), (False, "list")],
        }

    # -- machines ------------------------------------------------------------------
    def _attention_machines(self):
        machines = self.env["coffee.machine"].search([])
        return machines.filtered(
            lambda machine: machine.display_state in ("offline", "attention")
            or machine.open_alert_count
            or machine.odoo_id.activity_ids
        )

    def _figure_attention(self):
        machines = self._attention_machines()
        return (
            str(len(machines)),
            ", ".join(machines.mapped("name")) or self.env._("all is well"),
            bool(machines),
        )

    def _action_attention(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_coffee.action_coffee_machine"
        )
        action["domain"] = [("id", "in", self._attention_machines().ids)]
        action["context"] = {}
        return action
