# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A person's opt-in: "Pour me a coffee when Odoo keeps me waiting".

Each user chooses, in their preferences, the machine and beverage to brew
(the options are the ones they last chose for it in the Brew wizard), how
long a request or a job of theirs may take before it counts as keeping them
waiting, their working hours (a resource calendar: nothing brews at night or
on days off), a cool-down and a daily cap.

The thresholds of the people who opted in are kept in an ``ormcache``
(``_coffee_busy_thresholds``): the request measurement asks it only for a
request that already took a second, and never with a query once warm.
"""

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

#: fields a person reads and writes on their own preferences form
BUSY_FIELDS = [
    "coffee_busy_enabled",
    "coffee_busy_machine_id",
    "coffee_busy_beverage_id",
    "coffee_busy_request_seconds",
    "coffee_busy_job_minutes",
    "coffee_busy_calendar_id",
    "coffee_busy_cooldown_minutes",
    "coffee_busy_daily_cap",
]
#: a request shorter than this never counts (the measurement's fast path)
MIN_REQUEST_SECONDS = 1


class ResUsers(models.Model):
    _inherit = "res.users"

    coffee_busy_enabled = fields.Boolean(
        string="Pour Me a Coffee When Odoo Keeps Me Waiting",
        help="When a request or a job of yours takes longer than the "
        "thresholds below, during your working hours, your beverage is "
        "brewed on your machine.",
    )
    coffee_busy_machine_id = fields.Many2one(
        "coffee.machine",
        string="Machine",
        help="Where the coffee is brewed.",
    )
    coffee_busy_beverage_id = fields.Many2one(
        "coffee.beverage",
        string="Beverage",
        domain="[('machine_program_ids.machine_id', '=?', coffee_busy_machine_id)]",
        help="What is brewed, with the options you last chose for it.",
    )
    coffee_busy_request_seconds = fields.Integer(
        string="Slow Request (s)",
        default=60,
        help="A request of yours that takes longer than this on the server.",
    )
    coffee_busy_job_minutes = fields.Integer(
        string="Long Job (min)",
        default=5,
        help="A job you started that has waited or run longer than this.",
    )
    coffee_busy_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Nothing is brewed outside these hours (empty: your company's).",
    )
    coffee_busy_cooldown_minutes = fields.Integer(
        string="At Most One Every (min)", default=30
    )
    coffee_busy_daily_cap = fields.Integer(string="At Most a Day", default=3)

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + BUSY_FIELDS

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + BUSY_FIELDS

    @api.constrains(*BUSY_FIELDS)
    def _check_coffee_busy(self):
        for user in self:
            if user.coffee_busy_request_seconds < MIN_REQUEST_SECONDS:
                raise ValidationError(
                    _("A slow request takes at least %s second.", MIN_REQUEST_SECONDS)
                )
            if user.coffee_busy_job_minutes < 1:
                raise ValidationError(_("A long job takes at least one minute."))
            if user.coffee_busy_cooldown_minutes < 0 or user.coffee_busy_daily_cap < 0:
                raise ValidationError(
                    _("The cool-down and the daily cap cannot be negative.")
                )

    @api.onchange("coffee_busy_enabled")
    def _onchange_coffee_busy_enabled(self):
        """Start from the brew this person last ordered."""
        if not self.coffee_busy_enabled or self.coffee_busy_machine_id:
            return
        last = (
            self.env["coffee.brew"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self._origin.id),
                    ("origin", "=", "odoo"),
                    ("beverage_id", "!=", False),
                ],
                limit=1,
            )
        )
        self.coffee_busy_machine_id = last.machine_id
        self.coffee_busy_beverage_id = last.beverage_id

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if any(vals.get("coffee_busy_enabled") for vals in vals_list):
            self.env.registry.clear_cache()
        return users

    def write(self, vals):
        result = super().write(vals)
        if {"coffee_busy_enabled", "coffee_busy_request_seconds", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _coffee_busy_thresholds(self):
        """``{user id: slow request seconds}`` of the people who opted in."""
        self.env.cr.execute(
            """
            SELECT id, coffee_busy_request_seconds
              FROM res_users
             WHERE coffee_busy_enabled AND active
            """
        )
        return dict(self.env.cr.fetchall())
