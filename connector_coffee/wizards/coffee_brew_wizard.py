# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Brew wizard: pick a machine, a beverage and its options, and order.

Opened by the Brew button of a machine (the machine is set) or of a beverage
(the beverage is set, the machine is the first one that offers it); from the
*Order a Brew* menu, it starts from the person's usual (the beverage last
ordered, on the machine last used, or the nearest one that can take it now
when that one cannot). The
option lines are built from what *this* machine allows for *this* beverage:
a drop-down of the allowed values for an enumeration (strength,
temperature), a number with its range and step for a quantity, a tick box
for a yes/no option. They start from what the person chose last time for
this beverage, where the machine allows it, else from the machine's
default.

Ordering creates a ``coffee.brew`` and queues it (``action_queue``): the
machine is only reached by the job. Pressing Brew twice on one wizard
orders one brew.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DRINK_KINDS = ("beverage", "coffee_world", "favorite", "mycoffee", "other")


class CoffeeBrewWizard(models.TransientModel):
    _name = "coffee.brew.wizard"
    _description = "Brew a Beverage"

    machine_id = fields.Many2one(
        "coffee.machine",
        required=True,
        domain="[('program_ids.beverage_id', '=?', beverage_id)]",
    )
    beverage_id = fields.Many2one(
        "coffee.beverage",
        required=True,
        domain="[('machine_program_ids.machine_id', '=?', machine_id),"
        " ('program_kind', '!=', 'cleaning')]",
    )
    program_id = fields.Many2one(
        "coffee.machine.program", compute="_compute_program_id", store=True
    )
    has_choice = fields.Boolean(compute="_compute_option_kinds")
    has_range = fields.Boolean(compute="_compute_option_kinds")
    has_flag = fields.Boolean(compute="_compute_option_kinds")
    option_line_ids = fields.One2many(
        "coffee.brew.wizard.option",
        "wizard_id",
        string="Options",
        compute="_compute_option_line_ids",
        store=True,
        readonly=False,
    )
    brew_id = fields.Many2one("coffee.brew", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        machine = self.env["coffee.machine"].browse(values.get("machine_id"))
        beverage = self.env["coffee.beverage"].browse(values.get("beverage_id"))
        choosing_both = {"machine_id", "beverage_id"} <= set(fields_list)
        if choosing_both and not machine and not beverage:
            machine, beverage = self._default_usual()
            values.update(machine_id=machine.id, beverage_id=beverage.id)
        elif machine and not beverage:
            values["beverage_id"] = self._default_beverage(machine).id
        elif beverage and not machine:
            values["machine_id"] = self._default_machine(beverage).id
        return values

    def _drinks(self, machine):
        return machine.program_ids.filtered(
            lambda p: p.available and p.beverage_id and p.kind in DRINK_KINDS
        )

    def _default_beverage(self, machine):
        """The beverage this person last ordered on the machine, else the first."""
        last = self.env["coffee.brew"].search(
            [
                ("machine_id", "=", machine.id),
                ("user_id", "=", self.env.uid),
                ("origin", "=", "odoo"),
                ("beverage_id", "!=", False),
            ],
            limit=1,
        )
        drinks = self._drinks(machine).beverage_id
        if last.beverage_id in drinks:
            return last.beverage_id
        return drinks[:1]

    def _default_usual(self):
        """The machine and beverage of the person's usual (both empty if none):
        on the machine last used, or the nearest that can take it now."""
        usual = self.env["coffee.brew"]._usual()
        machine, beverage = usual.machine_id, usual.beverage_id
        if machine and machine._why_not_now(beverage):
            machine = machine._nearest_for(beverage) or machine
        return machine, beverage

    def _default_machine(self, beverage):
        """The first machine offering the beverage, connected ones first."""
        machines = beverage.machine_program_ids.filtered("available").machine_id
        return machines.sorted(lambda m: (not m.connected, m.name or ""))[:1]

    @api.depends("machine_id", "beverage_id")
    def _compute_program_id(self):
        for wizard in self:
            wizard.program_id = wizard._drinks(wizard.machine_id).filtered(
                lambda p, w=wizard: p.beverage_id == w.beverage_id
            )[:1]

    @api.depends("program_id")
    def _compute_option_line_ids(self):
        preferences = self.env["coffee.brew.preference"]
        for wizard in self:
            remembered = (
                preferences._options_for(wizard.beverage_id)
                if wizard.beverage_id
                else {}
            )
            lines = self.env["coffee.brew.wizard.option"]
            wizard.option_line_ids = [fields.Command.clear()] + [
                fields.Command.create(lines._line_values(option, value))
                for option, value in wizard.program_id._starting_values(remembered)
            ]

    @api.depends("option_line_ids.kind")
    def _compute_option_kinds(self):
        """Which kinds of option the lines have: a column per kind, shown
        only when a line needs it."""
        for wizard in self:
            kinds = set(wizard.option_line_ids.mapped("kind"))
            wizard.has_choice = "choice" in kinds
            wizard.has_range = "range" in kinds
            wizard.has_flag = "flag" in kinds

    def _options(self):
        """The chosen options, as the API names them: ``{key: value}``."""
        self.ensure_one()
        return {
            line.option_id.key: line._value()
            for line in self.option_line_ids
            if line._value() is not None
        }

    def action_brew(self):
        """Order the brew: create it, remember the choice, queue it."""
        self.ensure_one()
        if self.brew_id:  # pressed twice
            return self.brew_id._get_form_action()
        if not self.program_id:
            raise UserError(
                _(
                    "%(machine)s does not offer %(beverage)s.",
                    machine=self.machine_id.display_name,
                    beverage=self.beverage_id.display_name,
                )
            )
        options = self._options()
        errors = self.program_id._brew_option_errors(options)
        if errors:
            raise UserError("\n".join(errors))
        brew = self.env["coffee.brew"]._place_order(
            self.machine_id, self.beverage_id, self.program_id.key, options
        )
        self.brew_id = brew
        self.env["coffee.brew.preference"]._remember(self.beverage_id, options)
        brew.action_queue()
        return brew._get_form_action()


class CoffeeBrewWizardOption(models.TransientModel):
    _name = "coffee.brew.wizard.option"
    _description = "Option of a Brew to Order"
    _order = "id"

    wizard_id = fields.Many2one("coffee.brew.wizard", required=True, ondelete="cascade")
    option_id = fields.Many2one(
        "coffee.machine.program.option",
        string="Program Option",
        required=True,
        ondelete="cascade",
    )
    name = fields.Char(string="Option", readonly=True)
    kind = fields.Selection(
        [("choice", "Choice"), ("range", "Number"), ("flag", "Yes/No")],
        readonly=True,
    )
    value_id = fields.Many2one(
        "coffee.machine.program.option.value",
        string="Value",
        domain="[('option_id', '=', option_id)]",
    )
    value_number = fields.Float(string="Quantity")
    value_flag = fields.Boolean(string="Yes")
    hint = fields.Char(string="Allowed", readonly=True)

    @api.model
    def _line_values(self, option, value):
        kind = option._kind()
        values = {
            "option_id": option.id,
            "name": option._label(),
            "kind": kind,
        }
        if kind == "choice":
            values["value_id"] = (
                option.value_ids.filtered(lambda v: v.value == str(value))[:1].id
                or option.value_ids[:1].id
            )
            values["hint"] = _("%d values", len(option.value_ids))
        elif kind == "range":
            values["value_number"] = (
                value if isinstance(value, int | float) else option.min_value
            )
            values["hint"] = option._range_text()
        elif kind == "flag":
            values["value_flag"] = bool(value)
        return values

    def _value(self):
        """The value to send, typed as the API wants it."""
        self.ensure_one()
        if self.kind == "choice":
            return self.value_id.value or None
        if self.kind == "range":
            number = self.value_number
            return int(number) if float(number).is_integer() else number
        if self.kind == "flag":
            return self.value_flag
        return None

    @api.constrains("value_id", "option_id")
    def _check_value_of_option(self):
        for line in self:
            if line.value_id and line.value_id.option_id != line.option_id:
                raise UserError(
                    _(
                        "%(value)s is not a value of %(option)s.",
                        value=line.value_id.name,
                        option=line.name,
                    )
                )
