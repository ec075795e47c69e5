# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the machines of a backend can brew: beverages, programs and options.

Two levels, because the API has two:

* ``coffee.beverage`` ``_inherits`` ``product.product``, one per backend and
  program key (the protocol's name of the beverage: a Home Connect program,
  a JURA product):
  the product that can be costed, sold and counted, whatever machine brews
  it;
* ``coffee.machine.program`` is what one machine offers: the program key,
  its kind, and its options with their constraints
  (``coffee.machine.program.option``: a range and step for the fill quantity,
  the allowed values of the strength...). A brew is checked against these
  before it is sent.

Keys the connector does not know (favourites, ``MyCoffee`` slots, cleaning
programs) are kept and shown; cleaning programs are not beverages, so they
get no product.
"""

from odoo import api, fields, models

PROGRAM_KINDS = [
    ("beverage", "Beverage"),
    ("coffee_world", "Coffee World"),
    ("favorite", "Favourite"),
    ("mycoffee", "MyCoffee"),
    ("cleaning", "Cleaning"),
    ("other", "Other"),
]


class CoffeeBeverage(models.Model):
    _name = "coffee.beverage"
    _inherit = "coffee.binding"
    _inherits = {"product.product": "odoo_id"}
    _description = "Coffee Beverage"
    _order = "name, id"

    odoo_id = fields.Many2one(
        "product.product",
        string="Bound Product",
        required=True,
        ondelete="cascade",
        index=True,
    )
    active = fields.Boolean(default=True)
    program_key = fields.Char(
        string="Program Key", related="external_id", store=True, readonly=True
    )
    program_kind = fields.Selection(
        PROGRAM_KINDS, compute="_compute_program_kind", store=True
    )
    machine_program_ids = fields.One2many("coffee.machine.program", "beverage_id")
    machine_count = fields.Integer(compute="_compute_machine_count")

    _sql_constraints = [
        (
            "coffee_uniq",
            "unique(backend_id, external_id)",
            "A beverage with the same program key on this backend already exists.",
        ),
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A product cannot be bound twice to the same backend.",
        ),
    ]

    @api.depends("external_id")
    def _compute_program_kind(self):
        for beverage in self:
            vocabulary = beverage.backend_id._vocabulary()
            beverage.program_kind = (
                vocabulary.program_kind(beverage.external_id)
                if vocabulary
                else beverage.program_kind
            )

    @api.depends("machine_program_ids")
    def _compute_machine_count(self):
        for beverage in self:
            beverage.machine_count = len(beverage.machine_program_ids.machine_id)

    def _compute_display_name(self):
        for beverage in self:
            beverage.display_name = beverage.odoo_id.display_name or beverage.name


#: seconds beyond which a "brew" was a machine left waiting, not a beverage
LONGEST_BREW_SECONDS = 600


class CoffeeMachineProgram(models.Model):
    """A program one machine offers, with the options it allows."""

    _name = "coffee.machine.program"
    _description = "Coffee Machine Program"
    _order = "machine_id, name, id"

    machine_id = fields.Many2one(
        "coffee.machine", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(related="machine_id.backend_id", store=True)
    company_id = fields.Many2one(related="machine_id.company_id", store=True)
    key = fields.Char(required=True)
    name = fields.Char()
    kind = fields.Selection(PROGRAM_KINDS, compute="_compute_kind", store=True)
    beverage_id = fields.Many2one(
        "coffee.beverage",
        ondelete="set null",
        index=True,
        help="The beverage this program brews; empty for cleaning programs.",
    )
    execution = fields.Char(help="selectonly, startonly or selectandstart")
    available = fields.Boolean(default=True)
    option_ids = fields.One2many("coffee.machine.program.option", "program_id")
    sync_date = fields.Datetime()
    brew_seconds = fields.Float(
        string="Brewing Time (s)",
        readonly=True,
        help="How long a beverage of this program takes on this machine, learnt "
        "from the brews ordered in Odoo whose end the event stream told: the "
        "brew exporter looks at the machine when it should be done.",
    )

    _sql_constraints = [
        ("machine_key_uniq", "unique(machine_id, key)", "One line per program.")
    ]

    @api.depends("key")
    def _compute_kind(self):
        for program in self:
            vocabulary = program.machine_id.backend_id._vocabulary()
            program.kind = (
                vocabulary.program_kind(program.key) if vocabulary else program.kind
            )

    def _learn_brew_seconds(self, started):
        """A brew of this program started at ``started`` is done now."""
        if len(self) != 1 or not started:
            return
        seconds = (fields.Datetime.now() - started).total_seconds()
        if not 0 < seconds < LONGEST_BREW_SECONDS:
            return
        if self.brew_seconds:  # a moving average: one odd brew moves it little
            seconds = 0.7 * self.brew_seconds + 0.3 * seconds
        self.brew_seconds = round(seconds, 1)


class CoffeeMachineProgramOption(models.Model):
    """An option of a program and its constraints, as the machine gave them."""

    _name = "coffee.machine.program.option"
    _description = "Coffee Machine Program Option"
    _order = "program_id, key"

    program_id = fields.Many2one(
        "coffee.machine.program", required=True, ondelete="cascade", index=True
    )
    key = fields.Char(required=True)
    name = fields.Char()
    value_type = fields.Char(string="Type")
    unit = fields.Char()
    min_value = fields.Float(string="Minimum")
    max_value = fields.Float(string="Maximum")
    step = fields.Float()
    has_range = fields.Boolean()
    allowed_values = fields.Json(help="Allowed values, for enumerations.")
    display_values = fields.Json(help="How the machine names the allowed values.")
    default_value = fields.Json()

    _sql_constraints = [
        ("program_key_uniq", "unique(program_id, key)", "One line per option.")
    ]


class ProductProduct(models.Model):
    _inherit = "product.product"

    coffee_bind_ids = fields.One2many(
        "coffee.beverage",
        "odoo_id",
        string="Coffee Beverage Bindings",
        context={"active_test": False},
    )
