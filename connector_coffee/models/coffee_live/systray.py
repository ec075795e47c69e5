# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A coffee in one click from anywhere in Odoo: the systray cup's server side.

The cup (``static/src/systray/``) asks ``systray_get_coffee`` what to show:

* **my usual**: the beverage and options the person last ordered, on the
  machine they last used; when that machine cannot take it now (offline,
  off, remote start off, busy, an alert open), why, and the nearest machine
  that can (same location first, then same backend);
* a few **recent** distinct orders (beverage, options, machine);
* the person's **brew in progress**, or the last one finished in the last
  half hour (ready, or why it failed).

A line is ordered with ``systray_brew``: the same path as the Brew wizard
(``_place_order`` then ``action_queue``: the right is checked in the
method, the options validated). The browser sends with each click the key
of the menu it shows; two clicks with one key (a double click, two tabs)
order one brew, as pressing Brew twice on one wizard does: a partial unique
index on ``(user_id, order_key)`` refuses the second even when both arrive
at once.
"""

import datetime

import psycopg2
from psycopg2 import errorcodes

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger

from ..coffee_brew.common import ORDERED_ORIGINS
from .live import USER_GROUP

#: recent distinct orders offered besides the usual
RECENT_LINES = 4
#: brews looked at to find them
RECENT_SCAN = 40
#: a finished brew stays in the menu this long
FINISHED_SHOWN = datetime.timedelta(minutes=30)
IN_PROGRESS = ("queued", "sent", "brewing")


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    def _why_not_now(self, beverage):
        """Why this machine cannot take ``beverage`` now, in words, or False."""
        self.ensure_one()
        name = self.display_name
        problem = self._why_cannot_start(beverage)
        if problem:
            return problem
        if not self.remote_start_allowed:
            return _("Remote start is off on %s.", name)
        if self.open_alert_count or self.display_state == "attention":
            return _("%s needs attention.", name)
        busy = self.display_state == "brewing" or self.env[
            "coffee.brew"
        ].sudo().search_count(
            [("machine_id", "=", self.id), ("state", "in", IN_PROGRESS)], limit=1
        )
        if busy:
            return _("%s is busy.", name)
        return False

    def _nearest_for(self, beverage):
        """The machine nearest to this one that can take ``beverage`` now."""
        self.ensure_one()
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("program_ids.beverage_id", "=", beverage.id),
                ("program_ids.available", "=", True),
            ]
        )
        return candidates.filtered(lambda m: not m._why_not_now(beverage)).sorted(
            lambda m: (
                (m.location or "") != (self.location or ""),
                m.backend_id != self.backend_id,
                m.name or "",
                m.id,
            )
        )[:1]


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"  # pylint: disable=consider-merging-classes-inherited

    order_key = fields.Char(
        readonly=True,
        copy=False,
        help="The key of the systray menu this brew was ordered from: a second "
        "click with the same key orders nothing more.",
    )

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS coffee_brew_order_key_uniq
                ON coffee_brew (user_id, order_key)
                WHERE order_key IS NOT NULL
                """
            )
        )
        return result

    @api.model
    def _check_coffee_user(self):
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(_("Only coffee users may order a brew."))

    # -- what the cup shows ------------------------------------------------
    @api.model
    def _ordered_by_me(self, limit):
        return self.search(
            [
                ("user_id", "=", self.env.uid),
                ("origin", "=", "odoo"),
                ("beverage_id", "!=", False),
            ],
            order="id desc",
            limit=limit,
        )

    @api.model
    def _usual(self):
        """The person's last brew ordered from Odoo (their usual), or none."""
        return self._ordered_by_me(1)

    def _line_key(self):
        options = sorted((self.options or {}).items())
        return (self.machine_id.id, self.beverage_id.id, repr(options))

    def _systray_line(self):
        """What the cup shows of an order like this brew."""
        self.ensure_one()
        machine = self.machine_id
        blocked = machine._why_not_now(self.beverage_id)
        nearest = machine._nearest_for(self.beverage_id) if blocked else machine
        return {
            "machine_id": machine.id,
            "machine": machine.display_name,
            "beverage_id": self.beverage_id.id,
            "beverage": self.beverage_id.display_name,
            "options": self.options or {},
            "summary": self.options_summary or "",
            "blocked": blocked,
            "nearest": {"machine_id": nearest.id, "machine": nearest.display_name}
            if nearest and blocked
            else False,
        }

    def _systray_brew_state(self):
        self.ensure_one()
        states = dict(self._fields["state"]._description_selection(self.env))
        return {
            "id": self.id,
            "name": self.name,
            "machine": self.machine_id.display_name,
            "machine_id": self.machine_id.id,
            "state": self.state,
            "state_label": states.get(self.state),
            "progress": self.progress,
            "error": self.error_message or "",
        }

    @api.model
    def systray_get_coffee(self):
        """The systray cup's content for the current user (see the module)."""
        self._check_coffee_user()
        brews = self._ordered_by_me(RECENT_SCAN)
        usual = brews[:1]
        recent, seen = [], {usual._line_key()} if usual else set()
        for brew in brews[1:]:
            if len(recent) >= RECENT_LINES:
                break
            if brew._line_key() in seen:
                continue
            seen.add(brew._line_key())
            recent.append(brew._systray_line())
        current = self.search(
            [
                ("user_id", "=", self.env.uid),
                ("origin", "in", ORDERED_ORIGINS),
                "|",
                ("state", "in", IN_PROGRESS),
                "&",
                ("state", "in", ("done", "failed")),
                ("write_date", ">=", fields.Datetime.now() - FINISHED_SHOWN),
            ],
            order="id desc",
            limit=1,
        )
        return {
            "usual": usual._systray_line() if usual else False,
            "recent": recent,
            "current": current._systray_brew_state() if current else False,
        }

    # -- one click ---------------------------------------------------------
    @api.model
    def systray_brew(self, machine_id, beverage_id, options=None, key=None):
        """Order ``beverage_id`` on ``machine_id`` with ``options``, in one
        click; a second call with the same ``key`` orders nothing more.

        Returns ``{"brew_id": id}`` (the brew ordered with this key, or
        ``False`` when another click with it is ordering it right now).
        """
        self._check_coffee_user()
        if key is not None and not isinstance(key, str):
            raise UserError(_("The key of an order is a text."))
        if options is not None and not isinstance(options, dict):
            raise UserError(
                _("The options of a brew are a mapping of option keys to values.")
            )
        machine = self.env["coffee.machine"].browse(int(machine_id)).exists()
        beverage = self.env["coffee.beverage"].browse(int(beverage_id)).exists()
        if not machine or not beverage:
            raise UserError(_("This machine or this beverage no longer exists."))
        machine.check_access("read")
        beverage.check_access("read")
        if key:
            ordered = self.search(
                [("user_id", "=", self.env.uid), ("order_key", "=", key)], limit=1
            )
            if ordered:
                return {"brew_id": ordered.id}
        blocked = machine._why_not_now(beverage)
        if blocked:
            raise UserError(blocked)
        program = machine._drink_program(beverage)
        # as the wizard: what this machine does not allow falls back to its default
        values = {
            option.key: value
            for option, value in program._starting_values(options or {})
            if value is not None
        }
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                brew = self._place_order(
                    machine, beverage, program.key, values, order_key=key or None
                )
                brew.action_queue()
        except psycopg2.IntegrityError as error:
            if error.pgcode != errorcodes.UNIQUE_VIOLATION:
                raise
            return {"brew_id": False}  # the other click is ordering it
        self.env["coffee.brew.preference"]._remember(beverage, values)
        return {"brew_id": brew.id}
