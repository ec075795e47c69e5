# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect programs → beverages (products) and what each machine offers.

For one machine, the catalogue importer reads ``programs/available`` (the
programs it offers) and, for each beverage, ``programs/available/{key}``
(its options and their constraints). Then:

* each program that is not a cleaning program becomes a ``coffee.beverage``
  of the backend (a product), imported first as the line's dependency, by
  the beverage record importer: the same Espresso for every machine of the
  account;
* each program becomes a ``coffee.machine.program`` line of the machine,
  with its options (range and step of the fill quantity, allowed strengths
  and temperatures...). Unknown keys (favourites, MyCoffee slots, anything
  a new firmware brings) are kept like any other; cleaning programs are
  listed on the machine but get no product;
* a program the machine no longer lists stays, marked unavailable.

Home Connect answers ``programs/available`` only while the machine is on and
idle (409 ``WrongOperationState`` otherwise). Then nothing is written: the
catalogue imported last time is kept as it is, and the job ends saying so.
It costs ``1 + number of beverages`` calls per machine.
"""

from odoo import Command, _, fields

from odoo.addons.component.core import Component

from coffee_machine.homeconnect import client as hc
from coffee_machine.homeconnect import keys

from ...exceptions import MachineRefused
from .keys import program_kind

#: the fields of an option copied from a machine of the same model
OPTION_FIELDS = (
    "key",
    "name",
    "value_type",
    "unit",
    "has_range",
    "min_value",
    "max_value",
    "step",
    "allowed_values",
    "display_values",
    "default_value",
)


class HomeConnectCatalogueImporter(Component):
    _name = "coffee.homeconnect.catalogue.importer"
    _inherit = "coffee.importer"
    _apply_on = "coffee.machine"
    _usage = "catalogue.importer"
    _api_type = "homeconnect"

    def run(self, machine, refresh=False):
        """Import the catalogue of ``machine``; return what was done."""
        try:
            programs = self.backend_adapter.call(
                "get_available_programs", machine.external_id
            )
            known = {} if refresh else self._known_programs(machine, programs)
            definitions = self._read_definitions(
                machine, [p for p in programs if p.key not in known]
            )
        except MachineRefused as error:
            if not isinstance(error.api_error, hc.WrongOperationStateError):
                raise
            message = self._kept_message(machine)
            machine.sync_message = message
            return message
        lines = machine.program_ids
        for program in programs:
            beverage = self._import_beverage(program)
            if program.key in known:
                self._import_known_line(machine, program, known[program.key], beverage)
            else:
                definition = definitions.get(program.key)
                self._import_line(machine, program, definition, beverage)
        listed = {program.key for program in programs}
        lines.filtered(lambda line: line.key not in listed).write({"available": False})
        machine.write(
            {"catalogue_sync_date": fields.Datetime.now(), "sync_message": False}
        )
        return _(
            "%(machine)s offers %(count)d program(s).",
            machine=machine.display_name,
            count=len(programs),
        )

    def _kept_message(self, machine):
        if machine.catalogue_sync_date:
            return _(
                "%(machine)s is off or busy: Home Connect lists its programs "
                "only while it is on and idle. The catalogue imported on "
                "%(date)s is kept.",
                machine=machine.display_name,
                date=fields.Datetime.to_string(machine.catalogue_sync_date),
            )
        return _(
            "%(machine)s is off or busy: Home Connect lists its programs only "
            "while it is on and idle. Import its beverages again when it is "
            "ready.",
            machine=machine.display_name,
        )

    def _read_definitions(self, machine, programs):
        """The options of each beverage (cleaning programs have none to read)."""
        definitions = {}
        for program in programs:
            if program_kind(program.key) == "cleaning":
                continue
            try:
                definitions[program.key] = self.backend_adapter.call(
                    "get_available_program", machine.external_id, program.key
                )
            except MachineRefused as error:
                # listed but not available now (ProgramNotAvailable): keep
                # the program, without options
                if not isinstance(error.api_error, hc.UnsupportedError):
                    raise
        return definitions

    def _known_programs(self, machine, programs):
        """``{key: line}`` of the beverages whose options Odoo already knows:
        this machine's line, else the freshest of a machine of its model."""
        keys_ = [p.key for p in programs if program_kind(p.key) != "cleaning"]
        if not keys_:
            return {}
        lines = self.env["coffee.machine.program"].search(
            [
                ("key", "in", keys_),
                ("available", "=", True),
                ("sync_date", "!=", False),
                ("machine_id.backend_id", "=", machine.backend_id.id),
                ("machine_id.vib", "=", machine.vib),
                ("machine_id.enumber", "=", machine.enumber),
            ],
            order="sync_date desc, id desc",
        )
        known = {}
        for line in lines.sorted(lambda line: line.machine_id != machine):
            known.setdefault(line.key, line)
        return known

    def _import_known_line(self, machine, program, known, beverage):
        """A program whose options ``known`` (a line) already has: no call."""
        definition = None
        if known.machine_id != machine:
            definition = [
                {name: option[name] for name in OPTION_FIELDS}
                for option in known.option_ids
            ]
        self._import_line(machine, program, definition, beverage, copied=True)

    def _import_beverage(self, program):
        if program_kind(program.key) == "cleaning":
            return self.env["coffee.beverage"]
        binder = self.binder_for("coffee.beverage")
        beverage = binder.to_internal(program.key)
        if not beverage or not beverage.active:
            importer = self.component(
                usage="record.importer", model_name="coffee.beverage"
            )
            importer.run(program.key, data={"key": program.key, "name": program.name})
            beverage = binder.to_internal(program.key)
        return beverage

    def _import_line(self, machine, program, definition, beverage, copied=False):
        """``definition``: the API's, or with ``copied`` the option values of
        a line of another machine (``None``: this line's own are kept)."""
        line = machine.program_ids.filtered(lambda line: line.key == program.key)
        values = {
            "name": program.name or keys.short_name(program.key),
            "execution": program.execution,
            "available": copied
            or definition is not None
            or program_kind(program.key) == "cleaning",
            "beverage_id": beverage.id,
            "sync_date": fields.Datetime.now(),
        }
        if copied and definition is not None:
            values["option_ids"] = [Command.clear()] + [
                Command.create(option) for option in definition
            ]
        elif definition is not None:
            values["option_ids"] = self._option_commands(line, definition)
        with self._retry_unique_violation():
            if line:
                line.write(values)
            else:
                machine.write({"program_ids": [(0, 0, dict(values, key=program.key))]})

    def _option_commands(self, line, definition):
        existing = {option.key: option for option in line.option_ids}
        commands = []
        for option in definition.options:
            values = self._option_values(option)
            current = existing.pop(option.key, None)
            if current:
                commands.append((1, current.id, values))
            else:
                commands.append((0, 0, dict(values, key=option.key)))
        commands += [(2, gone.id) for gone in existing.values()]
        return commands

    @staticmethod
    def _option_values(option):
        constraints = option.constraints
        has_range = constraints.min is not None or constraints.max is not None
        return {
            "name": option.name or keys.short_name(option.key),
            "value_type": option.type,
            "unit": option.unit,
            "has_range": has_range,
            "min_value": constraints.min or 0.0,
            "max_value": constraints.max or 0.0,
            "step": constraints.stepsize or 0.0,
            "allowed_values": list(constraints.allowed_values) or False,
            "display_values": list(constraints.display_values) or False,
            "default_value": constraints.default,
        }
