# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The brew log: every beverage a machine made, ordered from Odoo or not.

One model for both origins, so that the log is complete and can be filtered:

* **Odoo** brews are ordered by a person (the Brew button). They walk
  ``draft → queued → sent → brewing → done`` (or ``failed`` /
  ``cancelled``), each step written by the brew exporter and the state
  refresh, with the job, the timestamps and, on failure, a message the
  person can act on;
* **machine panel** brews are what the machine made at its own panel: the
  state refresh sees a counter grow between two readings and logs one entry
  per beverage family with the count and the time window in which they were
  made (``quantity``, ``window_start``, ``window_end``). A beverage the
  event stream saw started at the panel is logged on its own, with its
  program, options and start (``date_started``). They are born ``done``.

``counted`` ties the two together, so that no beverage is logged twice.
The state refresh sets it on an Odoo brew when it attributes part of a
counter's growth to that brew (the brew reached the machine: ``sent``,
``brewing`` or ``done``, sent before the end of the window); the growth
left over becomes the panel entry, itself born ``counted``. An Odoo brew
not ``counted`` yet has not been seen in the counters.
"""

import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


def short_name(key):
    """The last part of a dotted key: ``...Option.BeanAmount`` → ``BeanAmount``."""
    return str(key or "").rsplit(".", 1)[-1]


def humanize_key(key):
    """``...Option.BeanAmount`` → ``Bean amount``; ``water_amount`` stays."""
    name = (key or "").rsplit(".", 1)[-1]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).split()
    return " ".join([words[0], *(word.lower() for word in words[1:])]) if words else ""


BREW_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("brewing", "Brewing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
ORIGINS = [
    ("odoo", "Ordered in Odoo"),
    ("panel", "Machine panel"),
    ("busy", "Odoo was busy"),
]
#: origins of the brews a person ordered (themselves, or by waiting)
ORDERED_ORIGINS = ("odoo", "busy")


class CoffeeBrew(models.Model):
    _name = "coffee.brew"
    _inherit = ["coffee.committed.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Coffee Brew"
    _order = "create_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    machine_id = fields.Many2one(
        "coffee.machine", required=True, ondelete="restrict", index=True, tracking=True
    )
    backend_id = fields.Many2one(
        related="machine_id.backend_id", store=True, index=True
    )
    company_id = fields.Many2one(related="machine_id.company_id", store=True)
    origin = fields.Selection(ORIGINS, required=True, default="odoo", index=True)
    state = fields.Selection(
        BREW_STATES, required=True, default="draft", index=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Ordered By",
        default=lambda self: self.env.user,
        index=True,
    )
    beverage_id = fields.Many2one("coffee.beverage", index=True)
    program_key = fields.Char()
    busy_reason = fields.Char(
        string="Why",
        readonly=True,
        help="For a brew poured because Odoo was busy: what kept the person "
        "waiting.",
    )
    family = fields.Char(
        string="Beverage Family",
        help="For panel brews: the counter family that grew (Coffee, "
        "CoffeeAndMilk...).",
    )
    quantity = fields.Integer(default=1, required=True)
    options = fields.Json(help="Option values sent to the machine, by option key.")
    options_summary = fields.Char(compute="_compute_options_summary")
    window_start = fields.Datetime(help="Panel brews: made after this time...")
    window_end = fields.Datetime(help="...and before this one.")
    date_queued = fields.Datetime(readonly=True)
    date_sent = fields.Datetime(readonly=True)
    date_started = fields.Datetime(readonly=True)
    date_done = fields.Datetime(readonly=True)
    progress = fields.Integer(string="Progress (%)", readonly=True)
    error_message = fields.Text(readonly=True)
    counted = fields.Boolean(
        readonly=True,
        copy=False,
        index=True,
        help="Set by the state refresh once this brew is accounted for in the "
        "machine's counters (so its counter growth is not logged again as a "
        "panel brew).",
    )

    @api.constrains("quantity", "options")
    def _check_quantity_and_options(self):
        for brew in self:
            if brew.quantity < 1:
                raise ValidationError(
                    _("A brew is at least one beverage (not %s).", brew.quantity)
                )
            if not isinstance(brew.options or {}, dict):
                raise ValidationError(
                    _("The options of a brew are a mapping of option keys to values.")
                )

    @api.depends("beverage_id", "program_key", "family", "quantity", "origin")
    def _compute_name(self):
        for brew in self:
            what = (
                brew.beverage_id.name
                or (brew.program_key or "").rsplit(".", 1)[-1]
                or brew.family
                or "?"
            )
            brew.name = f"{brew.quantity} × {what}" if brew.quantity != 1 else what

    @api.depends("options", "program_key", "machine_id.program_ids.option_ids")
    def _compute_options_summary(self):
        for brew in self:
            options = {
                option.key: option
                for option in brew.machine_id.program_ids.filtered(
                    lambda program, key=brew.program_key: program.key == key
                ).option_ids
            }
            brew.options_summary = ", ".join(
                self._option_text(key, value, options.get(key))
                for key, value in sorted((brew.options or {}).items())
            )

    @staticmethod
    def _option_text(key, value, option):
        """``Fill quantity: 240 ml``, as the machine names the option and value."""
        label = (option and option.name) or humanize_key(key)
        shown = humanize_key(str(value)) if isinstance(value, str) else value
        if option and option.allowed_values and value in option.allowed_values:
            index = option.allowed_values.index(value)
            if option.display_values and index < len(option.display_values):
                shown = option.display_values[index]
        elif option and option.unit:
            shown = f"{value} {option.unit}"
        return f"{label}: {shown}"
