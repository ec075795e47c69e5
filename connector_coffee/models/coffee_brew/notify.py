# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The person who ordered a brew is told when it is ready, or why it failed.

When a brew ordered from Odoo (or poured because Odoo was busy) becomes
``done`` or ``failed``, its orderer gets

* a notification in the browser, at once ("Your Flat White is ready on
  Lobby coffee machine.": the machine's own name, no word added), on the
  bus;
* the same sentence in their Odoo inbox, as a message of the brew, so that
  one who was away finds it.

Once per brew and state: ``notified_state`` remembers what was told, so a
job retried after the state was written, or a second worker settling the
same brew, tells nothing more. Panel brews have nobody to tell.
"""

from markupsafe import Markup, escape

from odoo import fields, models

from .common import ORDERED_ORIGINS

TOLD_STATES = ("done", "failed")


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"  # pylint: disable=consider-merging-classes-inherited

    notified_state = fields.Char(
        readonly=True,
        copy=False,
        help="The state the person who ordered this brew was told of.",
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in TOLD_STATES:
            self.filtered(
                lambda brew: brew.origin in ORDERED_ORIGINS
                and brew.user_id
                and brew.notified_state != brew.state
            )._tell_orderer()
        return result

    def _tell_orderer(self):
        for brew in self:
            # the row is locked first: two workers settling it tell once
            self.env.cr.execute(
                "SELECT notified_state FROM coffee_brew WHERE id = %s FOR UPDATE",
                (brew.id,),
            )
            if self.env.cr.fetchone()[0] == brew.state:
                continue
            brew.write({"notified_state": brew.state})  # no state: no recursion
            message, kind = brew._orderer_message()
            user = brew.user_id
            user._bus_send(
                "simple_notification",
                {"type": kind, "title": self.env._("Coffee"), "message": message},
            )
            brew.sudo().message_post(
                body=Markup("<p>%s</p>") % escape(message),
                partner_ids=user.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _orderer_message(self):
        """The sentence for the orderer, and the kind of notification."""
        self.ensure_one()
        beverage = self.beverage_id.name or self.name
        machine = self.machine_id.name
        if self.state == "done":
            return (
                self.env._(
                    "Your %(beverage)s is ready on %(machine)s.",
                    beverage=beverage,
                    machine=machine,
                ),
                "success",
            )
        return (
            self.env._(
                "Your %(beverage)s could not be made on %(machine)s: %(reason)s",
                beverage=beverage,
                machine=machine,
                reason=self.error_message or self.env._("no reason given."),
            ),
            "warning",
        )
