# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A machine's alerts as maintenance requests (and light ones as activities).

The protocol's event handler (``components/homeconnect/events.py``) decides
which event is which alert kind; this module does the Odoo side, the same
for every protocol:

* ``_open_alert(kind, priority, event_key)`` opens the maintenance request
  of ``kind`` on the machine's equipment, or raises the priority of the one
  already open. "One open request per machine and kind" is not only a
  search: a partial unique index on ``maintenance_request (coffee_machine_id,
  coffee_alert_key) WHERE coffee_alert_open`` makes a second one impossible,
  and a job that loses that race is retried (it then finds the first one);
* ``_close_alert(kind, event_key)`` moves the open request to the first
  stage marked done (*Repaired*), with a message. A request a person moved
  to a done stage (or archived) is closed too: the next alert opens a new
  one;
* ``_schedule_alert_activity`` / ``_close_alert_activity``: the same for
  light alerts, as a to-do activity on the equipment.

An alert opened or closed is also posted on the equipment: the people who
follow the machine (the office manager, its technician) are notified.
"""

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ...concurrency import unique_or_retry

ALERT_KINDS = [
    ("beans_empty", "Bean container empty"),
    ("water_empty", "Water tank empty"),
    ("drip_tray_full", "Drip tray full"),
    ("descaling", "Descaling"),
    ("cleaning", "Cleaning"),
    ("calc_n_clean", "Calc'n'clean"),
    ("filter", "Water filter"),
]
LIGHT_ALERT_KINDS = [
    ("descaling_soon", "Descaling soon"),
    ("calc_n_clean_soon", "Calc'n'clean soon"),
    ("milk_tank_cool", "Keep the milk tank cool"),
]


class MaintenanceRequest(models.Model):
    _inherit = "maintenance.request"

    coffee_machine_id = fields.Many2one(
        "coffee.machine", string="Coffee Machine", index=True, readonly=True
    )
    coffee_alert_key = fields.Selection(
        ALERT_KINDS,
        string="Coffee Alert",
        readonly=True,
        help="The alert of the coffee machine that opened this request; the "
        "request is closed when the machine reports it gone.",
    )
    coffee_alert_open = fields.Boolean(
        compute="_compute_coffee_alert_open",
        store=True,
        help="An alert of a coffee machine, not done yet: at most one per "
        "machine and kind.",
    )

    @api.depends("coffee_alert_key", "stage_id.done", "archive")
    def _compute_coffee_alert_open(self):
        for request in self:
            request.coffee_alert_open = bool(
                request.coffee_alert_key
                and not request.stage_id.done
                and not request.archive
            )

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS
                    maintenance_request_coffee_alert_open_uniq
                ON maintenance_request (coffee_machine_id, coffee_alert_key)
                WHERE coffee_alert_open
                """
            )
        )
        return result


class MailActivity(models.Model):
    _inherit = "mail.activity"

    coffee_alert_key = fields.Selection(
        LIGHT_ALERT_KINDS, string="Coffee Alert", readonly=True, index=True
    )


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    maintenance_request_ids = fields.One2many(
        "maintenance.request", "coffee_machine_id", string="Alerts"
    )
    open_alert_count = fields.Integer(
        string="Open Alerts", compute="_compute_open_alert_count"
    )

    def _compute_open_alert_count(self):
        groups = self.env["maintenance.request"]._read_group(
            [("coffee_machine_id", "in", self.ids), ("coffee_alert_open", "=", True)],
            ["coffee_machine_id"],
            ["__count"],
        )
        counts = {machine.id: count for machine, count in groups}
        for machine in self:
            machine.open_alert_count = counts.get(machine.id, 0)

    def _open_alert_request(self, kind):
        return self.env["maintenance.request"].search(
            [
                ("coffee_machine_id", "=", self.id),
                ("coffee_alert_key", "=", kind),
                ("coffee_alert_open", "=", True),
            ],
            limit=1,
        )

    def _alert_label(self, kind):
        field = self.env["maintenance.request"]._fields["coffee_alert_key"]
        return dict(field._description_selection(self.env))[kind]

    def _open_alert(self, kind, priority, event_key):
        """Open (or escalate) the request of ``kind``; return what was done."""
        self.ensure_one()
        request = self._open_alert_request(kind)
        if request:
            if (request.priority or "0") >= priority:
                return None
            request.priority = priority
            request.message_post(
                body=_("The machine reports %(event)s.", event=event_key)
            )
            return "updated"
        label = self._alert_label(kind)
        retry = RetryableJobError(
            _(
                "Another job opened the same alert at the same moment; "
                "this one runs again."
            ),
            seconds=1,
            ignore_retry=True,
        )
        with unique_or_retry(self.env.cr, retry):
            self.env["maintenance.request"].create(
                {
                    "name": _("%(alert)s: %(machine)s", alert=label, machine=self.name),
                    "equipment_id": self.odoo_id.id,
                    "company_id": self.company_id.id,
                    "coffee_machine_id": self.id,
                    "coffee_alert_key": kind,
                    "priority": priority,
                    "maintenance_type": "corrective",
                    "description": _(
                        "%(machine)s reported %(event)s. This request is "
                        "closed when the machine reports it gone.",
                        machine=self.name,
                        event=event_key,
                    ),
                }
            )
        self._tell_followers(
            _("%(machine)s: %(alert)s.", machine=self.name, alert=label)
        )
        return "opened"

    def _tell_followers(self, message):
        """Post ``message`` on the equipment: its followers are notified."""
        self.odoo_id.message_post(body=message, subtype_xmlid="mail.mt_comment")

    def _close_alert(self, kind, event_key):
        """Move the open request of ``kind`` to a done stage."""
        self.ensure_one()
        request = self._open_alert_request(kind)
        if not request:
            return None
        stage = self.env["maintenance.stage"].search(
            [("done", "=", True)], order="sequence, id", limit=1
        )
        request.message_post(
            body=_(
                "The machine reports %(event)s gone: request closed.",
                event=event_key,
            )
        )
        if stage:
            request.write({"stage_id": stage.id, "close_date": fields.Date.today()})
        else:
            request.write({"archive": True})
        self._tell_followers(
            _(
                "%(machine)s: %(alert)s, solved.",
                machine=self.name,
                alert=self._alert_label(kind),
            )
        )
        return "closed"

    # -- light alerts: activities -----------------------------------------
    def _alert_activity(self, kind):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "maintenance.equipment"),
                ("res_id", "=", self.odoo_id.id),
                ("coffee_alert_key", "=", kind),
            ],
            limit=1,
        )

    def _schedule_alert_activity(self, kind, event_key):
        self.ensure_one()
        field = self.env["mail.activity"]._fields["coffee_alert_key"]
        label = dict(field._description_selection(self.env))[kind]
        note = _("%(machine)s reports %(event)s.", machine=self.name, event=event_key)
        activity = self._alert_activity(kind)
        if activity:
            activity.note = note
            return "updated"
        activity = self.odoo_id.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("%(alert)s: %(machine)s", alert=label, machine=self.name),
            note=note,
            user_id=self.odoo_id.technician_user_id.id or self.env.user.id,
        )
        activity.coffee_alert_key = kind
        return "opened"

    def _close_alert_activity(self, kind, event_key):
        self.ensure_one()
        activity = self._alert_activity(kind)
        if not activity:
            return None
        activity.action_feedback(
            feedback=_("The machine reports %(event)s gone.", event=event_key)
        )
        return "closed"
