# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Why a coffee was poured because Odoo was busy (or why it was not).

Three things keep a person waiting, each with its own threshold:

* **a request** of theirs that takes longer than their *Slow Request*
  seconds on the server (measured in ``ir_http.py``);
* **a job** they started that has waited or run longer than their *Long
  Job* minutes (``_cron_check_busy``, every minute);
* optionally, for a whole company, **the job queue** backed up: its oldest
  pending job older than the company's threshold (off by default).

Each becomes one ``coffee.busy.trigger``: who, the cause, what (the request
path, the job uuid), when. ``(user, cause, reference)`` is unique, and the
trigger is inserted with ``ON CONFLICT DO NOTHING``: the same slow request
or job is recorded once, even when two workers see it at the same moment;
only the one that inserted it queues the pour. The insert and the pour's
job commit at once, in a READ COMMITTED side transaction: the second of two
workers waits for the first one's row and then inserts nothing (in the
job's own REPEATABLE READ transaction it would fail to serialize instead).

The pour (``_pour``, a job run as the person) then decides, under a lock
per person, whether a coffee is brewed: during working hours only, at most
one every *cool-down* minutes and *daily cap* a day, on their machine if it
can brew now. A brewed coffee is an ordinary ``coffee.brew`` (origin *Odoo
was busy*, the reason in words) sent by the brew exporter like any other;
when none can be brewed, the person is told why by an Odoo notification,
and nothing is retried.
"""

import datetime

import pytz

from odoo import _, api, fields, models
from odoo.tools import SQL

from ...side_transaction import side_transaction

CAUSES = [
    ("request", "Slow request"),
    ("job", "Long job"),
    ("queue", "Job queue backed up"),
]
OUTCOMES = [
    ("pending", "Pending"),
    ("poured", "Coffee poured"),
    ("skipped", "No coffee"),
]
#: channels of the connector's own jobs: a brew never pours a brew
OWN_CHANNEL = "root.coffee"


def duration_text(env, seconds):
    """``75`` → ``75 seconds``, ``400`` → ``6 minutes``."""
    seconds = int(seconds)
    if seconds < 120:
        return env._("%s seconds", seconds)
    if seconds < 7200:
        return env._("%s minutes", seconds // 60)
    return env._("%s hours", seconds // 3600)


class CoffeeBusyTrigger(models.Model):
    _name = "coffee.busy.trigger"
    _description = "Coffee Poured Because Odoo Was Busy"
    _order = "date desc, id desc"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="user_id.company_id", store=True)
    cause = fields.Selection(CAUSES, required=True, readonly=True)
    reference = fields.Char(
        required=True,
        readonly=True,
        help="What kept the person waiting: the request's id, the job's uuid.",
    )
    path = fields.Char(string="Request", readonly=True)
    job_uuid = fields.Char(string="Job UUID", readonly=True, index=True)
    reason = fields.Char(readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        OUTCOMES, required=True, default="pending", readonly=True, index=True
    )
    outcome = fields.Char(readonly=True)
    brew_id = fields.Many2one("coffee.brew", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "user_cause_reference_uniq",
            "unique(user_id, cause, reference)",
            "What kept a person waiting pours at most one coffee.",
        )
    ]

    # -- recording ---------------------------------------------------------
    @api.model
    def _record(self, user_id, cause, reference, reason, **values):
        """Record a trigger once and queue its pour; empty if already known."""
        user = self.env["res.users"].browse(user_id)
        columns = dict(
            values,
            user_id=user_id,
            # stored related: the raw insert writes it, as the ORM would
            company_id=user.company_id.id,
            cause=cause,
            reference=reference,
            reason=reason,
        )
        insert = SQL(
            """
            INSERT INTO coffee_busy_trigger
                (%s, date, state, create_uid, create_date, write_uid, write_date)
            VALUES (%s, now() at time zone 'UTC', 'pending',
                    %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
            ON CONFLICT (user_id, cause, reference) DO NOTHING
            RETURNING id
            """,
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL(", ").join(columns.values()),
            self.env.uid,
            self.env.uid,
        )
        # READ COMMITTED, committed at once: a concurrent recording of the
        # same trigger is waited for and then seen, and nothing is inserted
        with side_transaction(self.env) as env:
            env.cr.execute(insert)
            row = env.cr.fetchone()
            if not row:
                return self.browse()
            trigger = env["coffee.busy.trigger"].browse(row[0])
            # run as the person (sudo only to read the job's configuration)
            trigger.with_user(user_id).sudo().with_delay(
                max_retries=1,  # told once, never retried in a loop
                description=env._("Pour a coffee: %s", reason),
            )._pour()
        return self.browse(row[0])

    @api.model
    def _record_slow_request(self, user_id, request_id, path, elapsed):
        reason = self.env._(
            "Your request %(path)s took %(duration)s",
            path=path,
            duration=duration_text(self.env, elapsed),
        )
        return self._record(user_id, "request", request_id, reason, path=path)

    @api.model
    def _cron_check_busy(self):
        """Cron: the long jobs of people who opted in, and backed-up queues."""
        users = self.env["res.users"].search([("coffee_busy_enabled", "=", True)])
        now = fields.Datetime.now()
        for user in users:
            since = now - datetime.timedelta(minutes=user.coffee_busy_job_minutes)
            jobs = self.env["queue.job"].search(
                [
                    ("user_id", "=", user.id),
                    ("state", "in", ("pending", "enqueued", "started")),
                    ("date_created", "<=", since),
                    ("channel", "not like", f"{OWN_CHANNEL}%"),
                ]
            )
            for job in jobs:
                reason = self.env._(
                    "Your job “%(job)s” has been %(doing)s for %(duration)s",
                    job=job.name,
                    doing=self.env._("running")
                    if job.state == "started"
                    else self.env._("waiting"),
                    duration=duration_text(
                        self.env, (now - job.date_created).total_seconds()
                    ),
                )
                self._record(user.id, "job", job.uuid, reason, job_uuid=job.uuid)
        self._check_backed_up_queues(users, now)

    def _check_backed_up_queues(self, users, now):
        for company in users.company_id.filtered("coffee_busy_queue_minutes"):
            since = now - datetime.timedelta(minutes=company.coffee_busy_queue_minutes)
            oldest = self.env["queue.job"].search(
                [
                    ("state", "in", ("pending", "enqueued")),
                    ("date_created", "<=", since),
                    ("channel", "not like", f"{OWN_CHANNEL}%"),
                ],
                order="date_created",
                limit=1,
            )
            if not oldest:
                continue
            reason = self.env._(
                "The job queue is backed up: its oldest job has waited %s",
                duration_text(self.env, (now - oldest.date_created).total_seconds()),
            )
            for user in users.filtered(lambda u, c=company: u.company_id == c):
                self._record(
                    user.id, "queue", oldest.uuid, reason, job_uuid=oldest.uuid
                )

    # -- pouring -----------------------------------------------------------
    def _pour(self):
        """Job (as the person): brew their coffee, or tell them why not."""
        self.ensure_one()
        trigger = self.sudo()
        user = self.env.user
        if trigger.state != "pending":
            return _("Already %s.", trigger.state)
        if not user.has_group("connector_coffee.group_coffee_user"):
            outcome = _("%s may not order coffee (Coffee User).", user.name)
            trigger.write({"state": "skipped", "outcome": outcome})
            return outcome
        # one pour at a time per person: the cool-down and the cap hold
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, %s)", _LOCK_SPACE, user.id)
        )
        why_not = self._why_not_now(user)
        if why_not:
            trigger.write({"state": "skipped", "outcome": why_not})
            return why_not
        problem = self._why_not_brewable(user)
        if problem:
            trigger.write({"state": "skipped", "outcome": problem})
            self._tell(
                user,
                _("Odoo kept you waiting, but no coffee: %s", problem),
                kind="warning",
            )
            return problem
        brew = self._brew_for(user)
        trigger.write(
            {"state": "poured", "brew_id": brew.id, "outcome": brew.display_name}
        )
        self._tell(
            user,
            _(
                "Odoo is busy: your %(beverage)s is being made on %(machine)s.",
                beverage=brew.beverage_id.display_name,
                machine=brew.machine_id.display_name,
            ),
        )
        return _("%(brew)s queued: %(reason)s", brew=brew.name, reason=trigger.reason)

    def _why_not_now(self, user):
        """Why no coffee at this moment (silent reasons), or None."""
        if not user.coffee_busy_enabled:
            return _("%s no longer asks for coffee when Odoo is busy.", user.name)
        now = fields.Datetime.now()
        if not self._in_working_hours(user, now):
            return _("Outside %s's working hours.", user.name)
        poured = self._poured_dates(user)
        cooldown = datetime.timedelta(minutes=user.coffee_busy_cooldown_minutes)
        if poured and now - poured[0] < cooldown:
            return _(
                "A coffee was poured for %(user)s %(minutes)s minutes ago "
                "(at most one every %(cooldown)s).",
                user=user.name,
                minutes=int((now - poured[0]).total_seconds() // 60),
                cooldown=user.coffee_busy_cooldown_minutes,
            )
        day_start = self._day_start(user, now)
        today = [date for date in poured if date >= day_start]
        if len(today) >= user.coffee_busy_daily_cap:
            return _(
                "%(user)s had %(count)s coffees today already (at most %(cap)s).",
                user=user.name,
                count=len(today),
                cap=user.coffee_busy_daily_cap,
            )
        return None

    def _poured_dates(self, user):
        """When coffees were poured for ``user``, newest first, as committed
        (READ COMMITTED: a pour that committed while this one waited for the
        lock counts, though this job's snapshot is older)."""
        with side_transaction(self.env) as env:
            return (
                env["coffee.busy.trigger"]
                .search(
                    [
                        ("user_id", "=", user.id),
                        ("state", "=", "poured"),
                        ("id", "!=", self.id),
                    ],
                    order="date desc",
                )
                .mapped("date")
            )

    def _why_not_brewable(self, user):
        """Why the person's coffee cannot be brewed (told to them), or None."""
        machine = user.coffee_busy_machine_id
        beverage = user.coffee_busy_beverage_id
        if not machine or not beverage:
            return _("choose the machine and the beverage in your preferences.")
        if not machine.has_access("read"):
            return _("you may not use the machine chosen in your preferences.")
        problem = machine._why_cannot_start(beverage)
        if problem:
            return problem
        if not machine.remote_start_allowed:
            return _(
                "remote start is off on %s: switch it on at the machine.",
                machine.display_name,
            )
        return None

    def _brew_for(self, user):
        beverage = user.coffee_busy_beverage_id
        program = user.coffee_busy_machine_id._drink_program(beverage)
        # the options the Brew wizard would start from
        remembered = self.env["coffee.brew.preference"]._options_for(beverage)
        options = {
            option.key: value
            for option, value in program._starting_values(remembered)
            if value is not None
        }
        brew = self.env["coffee.brew"]._place_order(
            user.coffee_busy_machine_id,
            beverage,
            program.key,
            options,
            origin="busy",
            busy_reason=self.sudo().reason,
        )
        brew.action_queue()
        return brew

    @staticmethod
    def _in_working_hours(user, now):
        calendar = user.coffee_busy_calendar_id or user.company_id.resource_calendar_id
        if not calendar:
            return True
        tz = pytz.timezone(user.tz or calendar.tz or "UTC")
        moment = pytz.utc.localize(now)
        intervals = calendar._work_intervals_batch(
            moment - datetime.timedelta(minutes=1),
            moment + datetime.timedelta(minutes=1),
            tz=tz,
        )[False]
        return any(start <= moment <= stop for start, stop, __ in intervals)

    @staticmethod
    def _day_start(user, now):
        """Midnight of today, in the person's time zone, as naive UTC."""
        tz = pytz.timezone(user.tz or "UTC")
        local = pytz.utc.localize(now).astimezone(tz)
        midnight = tz.localize(datetime.datetime.combine(local.date(), datetime.time()))
        return midnight.astimezone(pytz.utc).replace(tzinfo=None)

    @staticmethod
    def _tell(user, message, kind="info"):
        user._bus_send(
            "simple_notification",
            {"type": kind, "title": user.env._("Coffee"), "message": message},
        )


#: first key of the advisory lock taken per person while pouring
_LOCK_SPACE = 0x0C0FFEE
