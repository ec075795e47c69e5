# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The allowed values of a program option, one record each, and the checks.

A program option keeps its constraints as the machine gave them: a range and
a step (``FillQuantity``: 35 to 60 ml in steps of 5) or a list of allowed
values (``BeanAmount``: Mild, Normal, Strong...). The Brew wizard offers an
enumeration as a drop-down that must show *only* what this machine allows
for this beverage; a drop-down needs records, so each allowed value gets one
(``coffee.machine.program.option.value``), kept in step with
``allowed_values`` whoever writes them (the importer, a test).

``_value_error`` and ``_brew_option_errors`` check a brew's options before
anything is sent, with a message saying which option and what is allowed.
"""

from odoo import _, api, fields, models

from ..coffee_brew.common import short_name


def _number(value):
    """``60.0`` → ``60`` for display."""
    return int(value) if float(value).is_integer() else value


class CoffeeMachineProgramOptionValue(models.Model):
    _name = "coffee.machine.program.option.value"
    _description = "Allowed Value of a Program Option"
    _order = "option_id, sequence, id"

    option_id = fields.Many2one(
        "coffee.machine.program.option",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer()
    value = fields.Char(required=True, help="The value as the API names it.")
    name = fields.Char(required=True)


class CoffeeMachineProgramOption(models.Model):
    _inherit = "coffee.machine.program.option"

    value_ids = fields.One2many(
        "coffee.machine.program.option.value", "option_id", string="Value Choices"
    )

    @api.model_create_multi
    def create(self, vals_list):
        options = super().create(vals_list)
        options._sync_value_ids()
        return options

    def write(self, vals):
        result = super().write(vals)
        if {"allowed_values", "display_values"} & set(vals):
            self._sync_value_ids()
        return result

    def _sync_value_ids(self):
        for option in self:
            wanted = [
                (str(value), option._display_value(value))
                for value in option.allowed_values or []
            ]
            have = [(value.value, value.name) for value in option.value_ids]
            if have == wanted:
                continue
            option.value_ids.unlink()
            option.value_ids = [
                fields.Command.create({"sequence": index, "value": value, "name": name})
                for index, (value, name) in enumerate(wanted)
            ]

    def _display_value(self, value):
        """How the machine names ``value`` (its display value, or the key's end)."""
        self.ensure_one()
        allowed = [str(v) for v in self.allowed_values or []]
        shown = list(self.display_values or [])
        if str(value) in allowed:
            index = allowed.index(str(value))
            if index < len(shown) and shown[index]:
                return shown[index]
        return short_name(str(value))

    def _label(self):
        self.ensure_one()
        return self.name or short_name(self.key)

    def _kind(self):
        """``choice`` (allowed values), ``flag`` (boolean), ``range`` or ``other``."""
        self.ensure_one()
        if self.allowed_values:
            return "choice"
        if (self.value_type or "").lower() == "boolean":
            return "flag"
        if self.has_range or (self.value_type or "").lower() in ("int", "double"):
            return "range"
        return "other"

    def _range_text(self):
        """``35–60 ml, in steps of 5``."""
        self.ensure_one()
        unit = f" {self.unit}" if self.unit else ""
        text = f"{_number(self.min_value)}–{_number(self.max_value)}{unit}"
        if self.step:
            text = _(
                "%(range)s, in steps of %(step)s", range=text, step=_number(self.step)
            )
        return text

    def _value_error(self, value):
        """Why ``value`` is not allowed for this option, in words (or None)."""
        self.ensure_one()
        kind = self._kind()
        label = self._label()
        if kind == "choice":
            if value in (self.allowed_values or []):
                return None
            return _(
                "%(option)s: %(value)s is not allowed on this machine; choose "
                "one of %(allowed)s.",
                option=label,
                value=self._display_value(value),
                allowed=", ".join(self.value_ids.mapped("name")),
            )
        if kind == "flag":
            if isinstance(value, bool):
                return None
            return _("%(option)s takes yes or no.", option=label)
        if kind == "range":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return _("%(option)s must be a number.", option=label)
            low, high, step = self.min_value, self.max_value, self.step
            off_step = step and (value - low) % step
            if (self.has_range and not low <= value <= high) or off_step:
                unit = f" {self.unit}" if self.unit else ""
                return _(
                    "%(option)s: %(value)s%(unit)s is not allowed on this "
                    "machine; choose %(range)s.",
                    option=label,
                    value=_number(value),
                    unit=unit,
                    range=self._range_text(),
                )
        return None


class CoffeeMachineProgram(models.Model):
    _inherit = "coffee.machine.program"

    def _starting_values(self, remembered):
        """``[(option, value)]`` a brew of this program starts from: what the
        person chose last (``remembered``, by key) where the machine allows
        it, else the machine's default; options of no kind a person sets
        are left out; none for no program."""
        values = []
        for option in self.option_ids:
            if option._kind() == "other":
                continue
            value = remembered.get(option.key)
            if value is None or option._value_error(value):
                value = option.default_value
            values.append((option, value))
        return values

    def _brew_option_errors(self, options):
        """Why ``options`` ({key: value}) cannot be brewed with this program."""
        self.ensure_one()
        if not isinstance(options or {}, dict):
            return [_("The options of a brew are a mapping of option keys to values.")]
        errors = []
        by_key = {option.key: option for option in self.option_ids}
        for key, value in (options or {}).items():
            option = by_key.get(key)
            if option is None:
                errors.append(
                    _(
                        "%(machine)s has no option %(option)s for %(program)s.",
                        machine=self.machine_id.display_name,
                        option=short_name(key),
                        program=self.name or short_name(self.key),
                    )
                )
                continue
            error = option._value_error(value)
            if error:
                errors.append(error)
        return errors
