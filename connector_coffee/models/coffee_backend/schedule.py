# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The import schedule of a backend, and what it costs against the quota.

Three crons, one per import kind, loop over the backends whose schedule
includes that kind (``schedule_machines``, ``schedule_catalogue``,
``schedule_state``). Their intervals are the schedule of every backend:
machines daily, beverages weekly, state every 15 minutes by default. They
ship inactive, since each run spends API calls.

Home Connect allows 1000 calls a day per account. Each backend shows what
its schedule costs per day::

    calls a day = Σ over scheduled kinds, with their cron active:
                  calls per run × runs a day (from the cron's interval)

    calls per run: machines   1 (one listing for the whole account)
                   beverages  1 per machine whose catalogue is known,
                              1 + beverages for one not imported yet
                   state      2 per machine (at most: 1 for a machine on
                              and idle, 2 in standby, off or brewing)

and refuses (``ValidationError``) a schedule that would spend more than
``quota_schedule_share`` percent of the daily quota: whether the change is
made on the backend (a kind added, the share lowered) or on a cron
(activated, made more frequent). The rest of the quota is left for brews,
buttons and the event stream.

A protocol without a quota (JURA, on the LAN: its adapter's
``_daily_quota``) has no budget. It has no event stream either, so its
machines are kept current by a cron of their own, *Coffee: refresh
machines on the LAN*, every minute (``_scheduler_import("state",
metered=False)``); the crons above serve them too.
"""

import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

#: import kind → XML id of its cron
CRONS = {
    "machines": "connector_coffee.ir_cron_import_machines",
    "catalogue": "connector_coffee.ir_cron_import_catalogue",
    "state": "connector_coffee.ir_cron_import_states",
}
RUNS_PER_DAY = {
    "minutes": 24 * 60,
    "hours": 24,
    "days": 1,
    "weeks": 1 / 7,
    "months": 1 / 30,
}
#: beverages assumed for a machine whose catalogue is not imported yet
DEFAULT_BEVERAGES = 6
STATE_CALLS = 2
SCHEDULE_FIELDS = (
    "schedule_machines",
    "schedule_catalogue",
    "schedule_state",
    "quota_schedule_share",
    "quota_daily_limit",
)


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

    schedule_machines = fields.Boolean(
        string="Import Machines on Schedule", default=True
    )
    schedule_catalogue = fields.Boolean(
        string="Import Beverages on Schedule", default=True
    )
    schedule_state = fields.Boolean(string="Refresh State on Schedule", default=True)
    quota_schedule_share = fields.Integer(
        string="Share of Quota for Schedules (%)",
        default=80,
        help="The scheduled imports may spend at most this share of the daily "
        "quota; the rest is kept for brews, buttons and the event stream.",
    )
    schedule_calls_per_day = fields.Integer(
        string="Scheduled Calls a Day", compute="_compute_schedule_cost"
    )
    schedule_calls_budget = fields.Integer(
        string="Calls a Day Allowed", compute="_compute_schedule_cost"
    )
    schedule_cost_detail = fields.Text(
        string="Cost of the Schedule", compute="_compute_schedule_cost"
    )

    @api.depends(*SCHEDULE_FIELDS)
    def _compute_schedule_cost(self):
        for backend in self:
            costs = backend._schedule_costs()
            backend.schedule_calls_per_day = sum(cost for __, cost, __ in costs)
            backend.schedule_calls_budget = backend._schedule_budget()
            backend.schedule_cost_detail = "\n".join(line for __, __, line in costs)

    def _schedule_budget(self):
        return (self.quota_daily_limit or 0) * (self.quota_schedule_share or 0) // 100

    def _calls_per_run(self, kind):
        machines = self.machine_ids.filtered("active")
        count = max(len(machines), 1)
        if kind == "machines":
            return 1
        if kind == "state":
            return STATE_CALLS * count
        # a known catalogue costs its listing: the definitions are kept
        beverages = [
            0 if machine.catalogue_sync_date else DEFAULT_BEVERAGES
            for machine in machines
        ] or [DEFAULT_BEVERAGES]
        return sum(1 + n for n in beverages)

    def _schedule_costs(self):
        """``[(kind, calls a day, sentence)]`` of the active scheduled imports."""
        self.ensure_one()
        labels = dict(
            self.env["coffee.backend.timestamp"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        costs = []
        for kind, xmlid in CRONS.items():
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if not cron or not cron.sudo().active or not self[f"schedule_{kind}"]:
                continue
            cron = cron.sudo()
            runs = RUNS_PER_DAY[cron.interval_type] / max(cron.interval_number, 1)
            per_run = self._calls_per_run(kind)
            cost = math.ceil(per_run * runs)
            costs.append(
                (
                    kind,
                    cost,
                    _(
                        "%(kind)s: %(calls)d call(s) × %(runs)s run(s) a day = "
                        "%(cost)d",
                        kind=labels[kind],
                        calls=per_run,
                        runs=format(runs, ".4g"),
                        cost=cost,
                    ),
                )
            )
        return costs

    def _metered(self):
        """Whether this backend's API counts calls against a daily quota."""
        self.ensure_one()
        if not self._components_ready():
            return True
        with self._component("backend.adapter") as adapter:
            return adapter._daily_quota

    @api.constrains(*SCHEDULE_FIELDS)
    def _check_schedule_budget(self):
        for backend in self.filtered(lambda b: b.active and b._metered()):
            cost = sum(cost for __, cost, __ in backend._schedule_costs())
            budget = backend._schedule_budget()
            if cost > budget:
                raise ValidationError(
                    _(
                        "The import schedule of %(backend)s would spend "
                        "%(cost)d calls a day, more than %(share)d%% of its "
                        "daily quota of %(quota)d calls (%(budget)d). Import "
                        "less often, leave an import out of this backend's "
                        "schedule, or raise the share.\n%(detail)s",
                        backend=backend.name,
                        cost=cost,
                        share=backend.quota_schedule_share,
                        quota=backend.quota_daily_limit,
                        budget=budget,
                        detail="\n".join(
                            line for __, __, line in backend._schedule_costs()
                        ),
                    )
                )


class IrCron(models.Model):
    _inherit = "ir.cron"

    def write(self, vals):
        result = super().write(vals)
        if {"active", "interval_number", "interval_type"} & set(vals):
            ours = [
                self.env.ref(xmlid, raise_if_not_found=False)
                for xmlid in CRONS.values()
            ]
            if any(cron and cron in self for cron in ours):
                self.env["coffee.backend"].sudo().search([])._check_schedule_budget()
        return result
