# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A JURA machine's products → beverages and programs, from its profile.

The products a JURA machine brews, and the range of each recipe parameter,
are in its profile (the EF code's XML, bundled with ``jura-connect``): the
catalogue costs no connection at all. Each active product becomes a
``coffee.beverage`` (a product variant, one per backend and product name)
and a line of the machine's programs with its options.

Only the parameters ``jura-connect`` verified by brewing on hardware are
offered as options, so that no brew from Odoo can misbrew: strength
(``coffee_strength``, levels), water (``water_amount``, ml, with its range
and step) and temperature (``temperature``: low, normal, high). Milk,
foam, bypass and the preselections (double, extra shot...) are left at the
product's own setting.
"""

from odoo import _, fields

from odoo.addons.component.core import Component

from .keys import BREW_OPTIONS

#: recipe parameter → (option name, unit)
OPTION_LABELS = {
    "coffee_strength": ("Strength", ""),
    "water_amount": ("Water", "ml"),
    "temperature": ("Temperature", ""),
}


def product_label(product):
    return (product.raw_name or product.name).strip()


def option_values(param):
    """The ``coffee.machine.program.option`` values of a recipe parameter."""
    name, unit = OPTION_LABELS[param.kind]
    values = {
        "key": param.kind,
        "name": name,
        "unit": unit,
        "value_type": "Int",
        "has_range": False,
        "min_value": 0.0,
        "max_value": 0.0,
        "step": 0.0,
        "allowed_values": False,
        "display_values": False,
        "default_value": param.default,
    }
    if param.items:
        numeric = all(item.name.isdigit() for item in param.items)
        allowed = [int(item.name) if numeric else item.name for item in param.items]
        values["allowed_values"] = allowed
        values["value_type"] = "Int" if numeric else "String"
        if not numeric:
            by_value = {int(item.value, 16): item.name for item in param.items}
            values["default_value"] = by_value.get(param.default)
    elif param.minimum is not None or param.maximum is not None:
        values.update(
            has_range=True,
            min_value=param.minimum or 0.0,
            max_value=param.maximum or 0.0,
            step=param.step or 0.0,
        )
    return values


class JuraCatalogueImporter(Component):
    _name = "coffee.jura.catalogue.importer"
    _inherit = "coffee.importer"
    _apply_on = "coffee.machine"
    _usage = "catalogue.importer"
    _api_type = "jura"

    def run(self, machine, refresh=False):
        """Import the products of ``machine``'s profile; return what was done."""
        profile = self.backend_adapter.profile()
        products = [product for product in profile.products if product.active]
        binder = self.binder_for("coffee.beverage")
        for product in products:
            beverage = binder.to_internal(product.name)
            if not beverage or not beverage.active:
                self.component(
                    usage="record.importer", model_name="coffee.beverage"
                ).run(
                    product.name,
                    data={"key": product.name, "name": product_label(product)},
                )
                beverage = binder.to_internal(product.name)
            self._import_line(machine, product, beverage)
        listed = {product.name for product in products}
        machine.program_ids.filtered(lambda line: line.key not in listed).write(
            {"available": False}
        )
        machine.write(
            {"catalogue_sync_date": fields.Datetime.now(), "sync_message": False}
        )
        return _(
            "%(machine)s offers %(count)d product(s).",
            machine=machine.display_name,
            count=len(products),
        )

    def _import_line(self, machine, product, beverage):
        line = machine.program_ids.filtered(lambda line: line.key == product.name)
        options = [
            option_values(param)
            for param in product.params
            if param.kind in BREW_OPTIONS
        ]
        values = {
            "name": product_label(product),
            "execution": "startonly",
            "available": True,
            "beverage_id": beverage.id,
            "sync_date": fields.Datetime.now(),
            "option_ids": [fields.Command.clear()]
            + [fields.Command.create(option) for option in options],
        }
        with self._retry_unique_violation():
            if line:
                line.write(values)
            else:
                machine.write({"program_ids": [(0, 0, dict(values, key=product.name))]})
