# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How each person likes each beverage: the Brew wizard's defaults.

The wizard remembers the options a person chose for a beverage (strength,
volume, temperature...) and offers them again next time, on any machine that
allows them; a value the machine does not allow falls back to the machine's
own default.
"""

from odoo import api, fields, models


class CoffeeBrewPreference(models.Model):
    _name = "coffee.brew.preference"
    _description = "Coffee Brew Preference"
    _order = "user_id, beverage_id"

    user_id = fields.Many2one(
        "res.users",
        required=True,
        ondelete="cascade",
        index=True,
        default=lambda self: self.env.user,
    )
    beverage_id = fields.Many2one(
        "coffee.beverage", required=True, ondelete="cascade", index=True
    )
    options = fields.Json(help="Option values last chosen, by option key.")

    _sql_constraints = [
        (
            "user_beverage_uniq",
            "unique(user_id, beverage_id)",
            "One preference per person and beverage.",
        )
    ]

    @api.model
    def _options_for(self, beverage):
        """The options the current user last chose for ``beverage``."""
        preference = self.search(
            [("user_id", "=", self.env.uid), ("beverage_id", "=", beverage.id)],
            limit=1,
        )
        return dict(preference.options or {})

    @api.model
    def _remember(self, beverage, options):
        """Remember ``options`` as the current user's choice for ``beverage``."""
        preference = self.search(
            [("user_id", "=", self.env.uid), ("beverage_id", "=", beverage.id)],
            limit=1,
        )
        if preference:
            preference.options = options
        else:
            self.create({"beverage_id": beverage.id, "options": options})
