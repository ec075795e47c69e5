# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A coffee machine of a backend, bound to a maintenance equipment.

``coffee.machine`` ``_inherits`` ``maintenance.equipment``: a machine *is* an
equipment, so maintenance requests, teams and history come with it, and the
binding adds what the API says of the machine: its identity (brand, vib,
enumber), its live state (connected, power, operation state, remote start,
active program and progress), its counters, the programs it offers and the
brews it made.

A machine removed from the account is archived with a message, never
deleted: its brews and maintenance history stay.
"""

from odoo import _, api, fields, models

POWER_STATES = [
    ("on", "On"),
    ("standby", "Standby"),
    ("off", "Off"),
    ("unknown", "Unknown"),
]
#: what a machine is doing; each protocol's state mapper says which applies
OPERATION_STATES = [
    ("inactive", "Inactive"),
    ("ready", "Ready"),
    ("delayedstart", "DelayedStart"),
    ("run", "Run"),
    ("pause", "Pause"),
    ("actionrequired", "ActionRequired"),
    ("finished", "Finished"),
    ("error", "Error"),
    ("aborting", "Aborting"),
    ("unknown", "Unknown"),
]
DISPLAY_STATES = [
    ("offline", "Offline"),
    ("off", "Off"),
    ("standby", "Standby"),
    ("ready", "Ready"),
    ("brewing", "Brewing"),
    ("attention", "Needs attention"),
    ("unknown", "Unknown"),
]


class CoffeeMachine(models.Model):
    _name = "coffee.machine"
    _inherit = "coffee.binding"
    _inherits = {"maintenance.equipment": "odoo_id"}
    _description = "Coffee Machine"
    _order = "name, id"

    odoo_id = fields.Many2one(
        "maintenance.equipment",
        string="Equipment",
        required=True,
        ondelete="cascade",
        index=True,
    )
    active = fields.Boolean(default=True)
    brand = fields.Char(readonly=True)
    vib = fields.Char(string="Type Code (VIB)", readonly=True)
    enumber = fields.Char(string="E-Number", readonly=True)
    appliance_type = fields.Char(readonly=True)

    # live state
    connected = fields.Boolean(readonly=True)
    power_state = fields.Selection(POWER_STATES, default="unknown", readonly=True)
    operation_state = fields.Selection(
        OPERATION_STATES, default="unknown", readonly=True
    )
    remote_start_allowed = fields.Boolean(readonly=True)
    remote_control_active = fields.Boolean(readonly=True)
    local_control_active = fields.Boolean(readonly=True)
    active_program_key = fields.Char(readonly=True)
    program_progress = fields.Integer(string="Progress (%)", readonly=True)
    remaining_seconds = fields.Integer(readonly=True)
    door_state = fields.Char(readonly=True, help="Open, Closed or Locked.")
    display_state = fields.Selection(
        DISPLAY_STATES,
        string="State",
        compute="_compute_display_state",
        store=True,
    )
    state_sync_date = fields.Datetime(
        string="State Synchronized",
        readonly=True,
        help="When the state was last read, over the API or on the event stream.",
    )
    state_read_date = fields.Datetime(
        string="State Read",
        readonly=True,
        help="When the whole state was last read over the API: the event stream "
        "keeps it current only from a reading made while it is open.",
    )
    catalogue_sync_date = fields.Datetime(
        string="Catalogue Synchronized", readonly=True
    )
    sync_message = fields.Text(
        readonly=True, help="Why the last synchronization of this machine failed."
    )

    counter_ids = fields.One2many("coffee.machine.counter", "machine_id")
    beverage_count = fields.Integer(
        string="Beverages Brewed",
        compute="_compute_beverage_count",
        store=True,
        help="The machine's own total beverage counter.",
    )
    program_ids = fields.One2many("coffee.machine.program", "machine_id")
    brew_ids = fields.One2many("coffee.brew", "machine_id")

    _sql_constraints = [
        (
            "coffee_uniq",
            "unique(backend_id, external_id)",
            "A machine with the same ID on this backend already exists.",
        ),
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "An equipment cannot be bound twice to the same backend.",
        ),
    ]

    @api.depends("connected", "power_state", "operation_state", "active_program_key")
    def _compute_display_state(self):
        for machine in self:
            machine.display_state = machine._display_state()

    def _display_state(self):
        if not self.external_id:
            return "unknown"
        if not self.connected:
            return "offline"
        if self.power_state in ("off", "standby"):
            return self.power_state
        if self.operation_state in ("run", "delayedstart", "pause", "aborting"):
            return "brewing"
        if self.operation_state in ("actionrequired", "error"):
            return "attention"
        if self.operation_state in ("ready", "finished", "inactive"):
            return "ready"
        return "unknown"

    @api.depends("counter_ids.value", "counter_ids.total")
    def _compute_beverage_count(self):
        for machine in self:
            total = machine.counter_ids.filtered("total")[:1]
            machine.beverage_count = total.value if total else 0

    def _compute_display_name(self):
        for machine in self:
            machine.display_name = machine.odoo_id.display_name or machine.name

    # -- can it brew? (asked by the systray cup and by the busy pour) ------
    def _drink_program(self, beverage):
        """The available program of this machine that brews ``beverage``."""
        self.ensure_one()
        return self.program_ids.filtered(
            lambda program: program.available and program.beverage_id == beverage
        )[:1]

    def _why_cannot_start(self, beverage):
        """Why this machine cannot start ``beverage`` at all now (offline, not
        offered, switched off), in words, or False. Remote start and being
        busy are each caller's to tell, in its own words."""
        self.ensure_one()
        name = self.display_name
        if not self.active or not self.connected:
            return _("%s is offline.", name)
        if not self._drink_program(beverage):
            return _(
                "%(machine)s does not offer %(beverage)s.",
                machine=name,
                beverage=beverage.display_name,
            )
        if self.power_state != "on" and not (
            self.power_state == "standby" and self.backend_id.wake_from_standby
        ):
            return _("%s is switched off.", name)
        return False

    def action_open_brews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_coffee.action_coffee_brew"
        )
        action["domain"] = [("machine_id", "=", self.id)]
        action["context"] = {"default_machine_id": self.id}
        return action


class CoffeeMachineCounter(models.Model):
    """One counter of a machine, as the machine reports it."""

    _name = "coffee.machine.counter"
    _description = "Coffee Machine Counter"
    _order = "machine_id, key"

    machine_id = fields.Many2one(
        "coffee.machine", required=True, ondelete="cascade", index=True
    )
    key = fields.Char(required=True)
    family = fields.Char(
        compute="_compute_family",
        store=True,
        help="The beverage family the counter counts (Coffee, CoffeeAndMilk..., "
        "or a product); empty for the total.",
    )
    total = fields.Boolean(
        compute="_compute_family",
        store=True,
        help="The counter of every beverage the machine made.",
    )
    value = fields.Integer()
    sync_date = fields.Datetime()

    _sql_constraints = [
        ("machine_key_uniq", "unique(machine_id, key)", "One line per counter.")
    ]

    @api.depends("key", "machine_id")
    def _compute_family(self):
        vocabularies = {}
        for counter in self:
            backend = counter.machine_id.backend_id
            if backend not in vocabularies:
                vocabularies[backend] = backend._vocabulary()
            vocabulary = vocabularies[backend]
            if vocabulary is None:  # the addon is being installed or updated
                counter.family, counter.total = counter.family, counter.total
                continue
            counter.family = vocabulary.counter_label(counter.key)
            counter.total = vocabulary.is_total_counter(counter.key)


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    coffee_bind_ids = fields.One2many(
        "coffee.machine",
        "odoo_id",
        string="Coffee Machine Bindings",
        context={"active_test": False},
    )

    def action_open_coffee_machine(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Coffee Machine"),
            "res_model": "coffee.machine",
            "res_id": self.coffee_bind_ids[:1].id,
            "view_mode": "form",
        }
