# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Out of beans: ask for more, when the company wants it.

When a machine opens a "bean container empty" alert and its company ticked
*Reorder Beans When a Machine Runs Out* (with a bean product chosen), the
connector asks for more beans with ``_reorder_beans``: a to-do activity
"Reorder coffee beans" on the bean product, for the machine's technician
(else the person the job runs as). One request at a time: while an activity
of that kind is open on the product, no other is made.

The purchase bridge (``connector_coffee_purchase``, an addon of its own so
that ``purchase`` is never required) replaces the activity with a request
for quotation to the product's vendor.
"""

from odoo import models


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    def _open_alert(self, kind, priority, event_key):
        outcome = super()._open_alert(kind, priority, event_key)
        company = self.company_id or self.env.company
        if (
            outcome == "opened"
            and kind == "beans_empty"
            and company.coffee_reorder_beans
            and company.coffee_bean_product_id
        ):
            self._reorder_beans(company.coffee_bean_product_id)
        return outcome

    def _reorder_beans(self, product):
        """Ask for more of ``product``; return what asks (an activity)."""
        self.ensure_one()
        template = product.product_tmpl_id.sudo()
        summary = self.env._("Reorder coffee beans")
        todo = self.env.ref("mail.mail_activity_data_todo")
        pending = template.activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.summary == summary
        )
        if pending:
            return pending
        return template.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self.env._(
                "%(machine)s ran out of beans: order %(product)s.",
                machine=self.name,
                product=product.display_name,
            ),
            user_id=(self.odoo_id.technician_user_id or self.env.user).id,
        )
