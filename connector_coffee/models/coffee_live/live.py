# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a person has open follows the machine: one bus message per change.

When a brew or a machine changes in a way the views show (a brew's state,
progress and dates; a machine's state, program, progress, remote start,
counters, open alerts; a record created is told as the field ``create``),
the server sends one message on Odoo's bus when the
transaction commits, and the web client reloads what it shows of those
records (``static/src/live/``). No browser asks on a timer.

The message (type ``connector_coffee/changed``) carries ids and the names
of the fields that changed, never a value::

    {"changes": [{"model": "coffee.brew", "id": 42, "fields": ["state"],
                  "user_id": 7, "machine_id": 3},
                 {"model": "coffee.machine", "id": 3,
                  "fields": ["display_state", "program_progress"]}]}

Who receives it is who may read the record:

* a machine, and a panel brew (the shared log): the coffee users of the
  machine's company, on the channel ``(company, "connector_coffee")``
  (``ir.websocket`` subscribes them to it);
* a brew ordered by a person: that person (their partner's channel, as
  Odoo's own notifications) and the connector managers of its company
  (``(company, "connector_coffee.brews")``). Another employee hears nothing
  of it.

The cost is kept small:

* everything one transaction changed goes in one message per channel (a
  frame of the event stream that moves a machine and its brew, a job that
  writes a brew three times);
* a machine's progress is told only when it crosses a quarter (25, 50,
  75, 100 %): a machine whose progress moves ten times a second causes at
  most four progress messages for its whole program, not ten a second. A
  brew's progress is never told by itself: its machine's message stands for
  it (every coffee user who may read the brew listens to its machine), and
  the views of a brew reload on it;
* what only follows another change is not told alone: the operation state,
  power and connection (the machine's state, ``display_state``, says it),
  the remaining time, a program cleared (its end changes the state);
* a brew ordered by a connector manager is told on the managers' channel
  only, which they listen to already;
* a write that changes nothing the views show sends nothing.
"""

from odoo import SUPERUSER_ID, api, models

from ..coffee_brew.common import ORDERED_ORIGINS

#: the type of the bus message
LIVE_TYPE = "connector_coffee/changed"
#: the channels (on a company) coffee users and connector managers listen to
MACHINES_CHANNEL = "connector_coffee"
BREWS_CHANNEL = "connector_coffee.brews"
USER_GROUP = "connector_coffee.group_coffee_user"
MANAGER_GROUP = "connector.group_connector_manager"
#: told only when the quarter changes (see the module's docstring)
PROGRESS_FIELDS = ("program_progress",)
PROGRESS_STEP = 25
#: never told alone: another field's change says it
QUIET_FIELDS = (
    "remaining_seconds",
    "progress",
    "operation_state",
    "power_state",
    "connected",
)
PRECOMMIT_KEY = "connector_coffee.live"


def significant(name, old, new):
    """True when a change of field ``name`` from ``old`` to ``new`` is told
    by itself (see the module's docstring)."""
    if old == new or name in QUIET_FIELDS:
        return False
    if name in PROGRESS_FIELDS:
        return (old or 0) // PROGRESS_STEP != (new or 0) // PROGRESS_STEP
    if name == "active_program_key":
        return bool(new)  # a program started; its end changes the state
    return True


class CoffeeLiveMixin(models.AbstractModel):
    """Send the changes the views show of a record on the bus (see above).

    A model lists in ``_live_fields`` the fields its views show; a change
    made otherwise than by a write of those fields (a count computed from
    other records) is told with ``_live_changed(fields)``.
    """

    _name = "coffee.live.mixin"
    _description = "Coffee: views follow the record"

    #: the fields whose change the views show
    _live_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._live_changed(["create"])
        return records

    def write(self, vals):
        watched = self._live_watched(vals)
        if not watched:
            return super().write(vals)
        before = {
            record.id: [record[name] for name in watched] for record in self.sudo()
        }
        result = super().write(vals)
        for record in self.sudo():
            old = before[record.id]
            new = [record[name] for name in watched]
            if any(map(significant, watched, old, new)):
                record._live_changed(
                    [
                        name
                        for name, a, b in zip(watched, old, new, strict=False)
                        if a != b
                    ]
                )
        return result

    def _live_watched(self, vals):
        """The fields of ``_live_fields`` that writing ``vals`` may change."""
        if not self or not set(vals) & self._live_triggers():
            return []
        return list(self._live_fields)

    @api.model
    def _live_triggers(self):
        """Fields whose write may change one of ``_live_fields``."""
        triggers = set(self._live_fields)
        for name in self._live_fields:
            field = self._fields[name]
            triggers.update(
                dep.split(".")[0] for dep in (field.get_depends(self)[0] or ())
            )
        return triggers

    def _live_changed(self, fnames):
        """Tell, when the transaction commits, that ``fnames`` of these
        records changed."""
        if not self or self.env.context.get("install_mode"):
            return
        cr = self.env.cr
        pending = cr.precommit.data.get(PRECOMMIT_KEY)
        if pending is None:
            pending = cr.precommit.data[PRECOMMIT_KEY] = {}
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.precommit.add(lambda: env["coffee.live.mixin"]._live_send())
        for record in self:
            pending.setdefault((self._name, record.id), set()).update(fnames)

    @api.model
    def _live_send(self):
        """Send what this transaction changed: one message per channel."""
        pending = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, {})
        messages = {}
        for (model, record_id), fnames in pending.items():
            record = self.env[model].browse(record_id).exists()
            if not record:
                continue
            change = record._live_change(sorted(fnames))
            for channel in record._live_channels():
                messages.setdefault(channel, []).append(change)
        for channel, changes in messages.items():
            self.env["bus.bus"]._sendone(channel, LIVE_TYPE, {"changes": changes})

    def _live_change(self, fnames):
        """What the message says of this record: ids and field names."""
        self.ensure_one()
        return {"model": self._name, "id": self.id, "fields": fnames}

    def _live_channels(self):
        """The channels of those who may read this record (a hook)."""
        return []

    @api.model
    def _live_company_channel(self, company, name=MACHINES_CHANNEL):
        """The channel of the coffee users (or managers) of ``company``; of
        every coffee user when the record has no company."""
        if company:
            return (company, name)
        group = MANAGER_GROUP if name == BREWS_CHANNEL else USER_GROUP
        return self.env.ref(group)


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Coffee users listen to their companies' machines and panel brews;
        connector managers to every brew of their companies."""
        channels = super()._build_bus_channel_list(channels)
        return channels + self._coffee_channels()

    @api.model
    def _coffee_channels(self):
        """The coffee channels of the current user."""
        user = self.env.user
        if not user or not user._is_internal() or not user.has_group(USER_GROUP):
            return []
        manager = user.has_group(MANAGER_GROUP)
        channels = []
        for company in user.company_ids:
            channels.append((company, MACHINES_CHANNEL))
            if manager:
                channels.append((company, BREWS_CHANNEL))
        return channels


class CoffeeMachine(models.Model):
    _name = "coffee.machine"
    _inherit = ["coffee.machine", "coffee.live.mixin"]

    _live_fields = (
        "display_state",
        "connected",
        "power_state",
        "operation_state",
        "remote_start_allowed",
        "active_program_key",
        "program_progress",
        "remaining_seconds",
        "beverage_count",
        "active",
    )

    def _live_channels(self):
        return [self._live_company_channel(self.company_id)]

    def _record_counters(self, counters, when, panel_run=None):
        before = self.beverage_count
        panel = super()._record_counters(counters, when, panel_run=panel_run)
        if self.beverage_count != before:
            self._live_changed(["beverage_count"])
        return panel

    def _open_alert(self, kind, priority, event_key):
        done = super()._open_alert(kind, priority, event_key)
        if done:
            self._live_changed(["open_alert_count"])
        return done

    def _close_alert(self, kind, event_key):
        done = super()._close_alert(kind, event_key)
        if done:
            self._live_changed(["open_alert_count"])
        return done


class CoffeeBrew(models.Model):
    _name = "coffee.brew"
    _inherit = ["coffee.brew", "coffee.live.mixin"]

    _live_fields = (
        "state",
        "progress",
        "date_queued",
        "date_sent",
        "date_started",
        "date_done",
        "error_message",
    )

    def _live_change(self, fnames):
        change = super()._live_change(fnames)
        change.update(user_id=self.user_id.id, machine_id=self.machine_id.id)
        return change

    def _live_channels(self):
        if self.origin not in ORDERED_ORIGINS or not self.user_id:
            return [self._live_company_channel(self.company_id)]
        managers = self._live_company_channel(self.company_id, BREWS_CHANNEL)
        user = self.user_id
        if user.has_group(MANAGER_GROUP) and self.company_id in user.company_ids:
            return [managers]  # they listen to it already
        return [user.partner_id, managers]


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"  # pylint: disable=consider-merging-classes-inherited

    def session_info(self):
        """Tell the web client whether to show the systray cup."""
        result = super().session_info()
        user = self.env.user
        result["connector_coffee_user"] = bool(
            user and user._is_internal() and user.has_group(USER_GROUP)
        )
        return result
