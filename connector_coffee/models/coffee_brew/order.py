# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ordering a brew from Odoo: buttons, jobs, and the state that must survive.

A person orders a brew with the Brew wizard; the brew is ``queued`` and a
queue job (``_export_brew``) hands it to the brew exporter
(``components/brew_exporter.py``), which sends it to the machine exactly once
and then follows it to the cup (``_follow_brew``). Nothing here calls the
machine: buttons only change states and enqueue jobs.

Why the jobs write the brew in a transaction of their own
---------------------------------------------------------

A job's transaction is rolled back when the job fails or is retried. What the
exporter learns on the way must outlive it: that a start was *attempted*
(so that a retry, a second worker or a restarted worker looks at the machine
before starting again), that the brew failed and why, its progress. So every
write of the exporter on a brew goes through ``_store``, which commits at
once, and every decision reads the brew as committed (``_committed_read``),
never from the job's own snapshot. The job's transaction itself never writes
a brew row: two transactions of one job writing the same row would wait for
each other forever.

>>> brew.action_queue()          # the button: draft → queued, one job
>>> brew.action_cancel()         # queued → cancelled; the job does nothing
>>> brew.action_stop()           # brewing → a job stops the machine
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.job import DONE, identity_exact

from .common import ORDERED_ORIGINS

MANAGER_GROUP = "connector.group_connector_manager"
#: seconds between the start and the first look at the brewing machine
FOLLOW_FIRST_LOOK = 15
#: looks at a brewing machine before giving up following it (each when the
#: program's remaining time is over)
FOLLOW_MAX_LOOKS = 90


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"

    start_attempts = fields.Integer(
        readonly=True,
        copy=False,
        help="How many times a start was sent to the machine for this brew. "
        "More than one only when an earlier start certainly did not reach it.",
    )
    counter_snapshot = fields.Json(
        readonly=True,
        copy=False,
        help="The machine's beverage counters just before the last start: "
        "if they grew, the start took even when its answer was lost.",
    )
    job_ids = fields.Many2many(
        "queue.job",
        compute="_compute_job_ids",
        string="Jobs",
        groups="queue_job.group_queue_job_manager",
    )
    job_state = fields.Char(
        compute="_compute_job_ids",
        string="Job",
        help="The state of the last job of this brew.",
    )

    def _jobs(self):
        """The queue jobs of this brew, newest first."""
        self.ensure_one()
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("func_string", "=like", f"{self._name}({self.id},).%"),
                ],
                order="date_created desc, id desc",
            )
        )

    @api.depends("state")
    def _compute_job_ids(self):
        can_see_jobs = self.env.user.has_group("queue_job.group_queue_job_manager")
        for brew in self:
            jobs = brew._jobs() if isinstance(brew.id, int) else None
            if can_see_jobs:
                brew.job_ids = jobs
            brew.job_state = (
                dict(jobs._fields["state"]._description_selection(self.env)).get(
                    jobs[0].state
                )
                if jobs
                else False
            )

    # -- what it brews on which machine --------------------------------------
    def _machine_program(self):
        """The program of the machine this brew asks for (empty if none)."""
        self.ensure_one()
        return self.machine_id.program_ids.filtered(
            lambda program: program.key == self.program_key
        )[:1]

    def _sent_as(self, options):
        """True when a program run with ``options`` ({key: value}) has every
        option value this brew sent."""
        self.ensure_one()
        return all(
            options.get(key) == value for key, value in (self.options or {}).items()
        )

    def _option_errors(self):
        """Why the options of this brew cannot be sent, in words (or [])."""
        self.ensure_one()
        program = self._machine_program()
        if not program or not program.available:
            return [
                _(
                    "%(machine)s does not offer %(beverage)s.",
                    machine=self.machine_id.display_name,
                    beverage=self.name,
                )
            ]
        return program._brew_option_errors(self.options or {})

    # -- rights ----------------------------------------------------------------
    def _check_orderer(self):
        """Refuse (AccessError) a brew that is not the caller's to act on.

        Brews are read-only for coffee users: what they may do to a brew goes
        through these methods, which write as superuser once they checked
        that the caller ordered the brew from Odoo (a connector manager may
        act on any brew of their companies).
        """
        self.check_access("read")
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        for brew in self:
            if brew.origin not in ORDERED_ORIGINS or brew.user_id != self.env.user:
                raise AccessError(
                    _(
                        "%(brew)s was not ordered by you: only the person who "
                        "ordered a brew may queue, cancel or stop it.",
                        brew=brew.name,
                    )
                )
        for machine in self.machine_id:
            machine.check_access("read")

    # -- buttons -------------------------------------------------------------
    def action_queue(self):
        """Send draft brews to their machine, through one job each.

        Only a draft brew is queued: pressing twice, or twice at once
        (the second transaction sees the first one's state), queues once;
        the job's identity key is a second guard.
        """
        self._check_orderer()
        for brew in self.filtered(lambda b: b.state == "draft"):
            errors = brew._option_errors()
            if errors:
                raise UserError("\n".join(errors))
            brew.sudo().write(
                {
                    "state": "queued",
                    "date_queued": fields.Datetime.now(),
                    "error_message": False,
                }
            )
            brew.with_delay(
                identity_key=identity_exact,
                description=_(
                    "Brew %(beverage)s on %(machine)s",
                    beverage=brew.name,
                    machine=brew.machine_id.display_name,
                ),
            )._export_brew()
        return True

    def action_cancel(self):
        """Cancel brews not sent yet; their job then does nothing."""
        self._check_orderer()
        for brew in self:
            if brew.state not in ("draft", "queued"):
                raise UserError(
                    _(
                        "%(brew)s was already sent to the machine: stop it instead.",
                        brew=brew.name,
                    )
                    if brew.state in ("sent", "brewing")
                    else _("%(brew)s is finished.", brew=brew.name)
                )
        self.sudo().write({"state": "cancelled", "error_message": False})
        for brew in self:
            brew._jobs().filtered(
                lambda job: job.state in ("pending", "enqueued")
            ).button_cancelled()
        return True

    def action_stop(self):
        """Ask the machine to stop a brew it is making (through a job)."""
        self._check_orderer()
        for brew in self:
            if brew.state not in ("sent", "brewing"):
                raise UserError(_("%(brew)s is not brewing.", brew=brew.name))
            brew.with_delay(
                identity_key=identity_exact,
                description=_(
                    "Stop %(beverage)s on %(machine)s",
                    beverage=brew.name,
                    machine=brew.machine_id.display_name,
                ),
            )._stop_brew()
        return True

    def action_brew_again(self):
        """Order the same beverage with the same options again."""
        self.ensure_one()
        self._check_orderer()
        brew = self._place_order(
            self.machine_id, self.beverage_id, self.program_key, self.options
        )
        brew.action_queue()
        return brew._get_form_action()

    @api.model
    def _place_order(
        self, machine, beverage, program_key, options, origin="odoo", **values
    ):
        """A draft brew ordered by the current user (as the connector writes
        it: coffee users create no brew themselves)."""
        machine.with_env(self.env).check_access("read")
        if not isinstance(options or {}, dict):
            raise UserError(
                _("The options of a brew are a mapping of option keys to values.")
            )
        brew = (
            self.sudo()
            .create(
                {
                    "machine_id": machine.id,
                    "beverage_id": beverage.id,
                    "program_key": program_key,
                    "options": options or {},
                    "origin": origin,
                    "user_id": self.env.uid,
                    **values,
                }
            )
            .with_env(self.env)
        )
        return brew

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # -- jobs ------------------------------------------------------------------
    def _export_brew(self):
        """Job: send the brew to its machine, exactly once."""
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work:
            return work.component(usage="record.exporter").run(self)

    def _follow_brew(self):
        """Job: watch the machine brew until the beverage is in the cup."""
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work:
            return work.component(usage="record.exporter").follow(self)

    def _stop_brew(self):
        """Job: stop the program the machine runs for this brew."""
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work:
            return work.component(usage="record.exporter").stop(self)

    @api.model
    def _on_program_ended(self, machine):
        """``machine`` says its program ended: settle its brews at once.

        Returns the brews settled (done or failed).
        """
        return self._settle_brewing(
            machine, "conclude", _("Settled on the machine's end-of-program event.")
        )

    @api.model
    def _settle_from_stream(self, machine):
        """The counters of ``machine`` changed on its event stream: settle the
        brews they show done, without a call. Returns the brews settled."""
        return self._settle_brewing(
            machine, "settle_on_counters", _("Settled on the machine's event stream.")
        )

    @api.model
    def _settle_brewing(self, machine, how, result):
        """Ask the exporter's ``how`` to settle each brew ``machine`` is
        brewing; close the follow jobs of those it settled, with ``result``."""
        settled = self.browse()
        for brew in self.search(
            [("machine_id", "=", machine.id), ("state", "=", "brewing")]
        ):
            with brew.backend_id.work_on(self._name) as work:
                if getattr(work.component(usage="record.exporter"), how)(brew):
                    settled |= brew
        for brew in settled:
            brew._close_follow_jobs(result)
        return settled

    def _close_follow_jobs(self, result):
        """Mark done the follow jobs of the brew waiting for their next look."""
        self.ensure_one()
        waiting = self._jobs().filtered(
            lambda job: job.method_name == "_follow_brew" and job.state == "pending"
        )
        waiting._change_job_state(DONE, result=result)

    def _enqueue_follow(self, eta=FOLLOW_FIRST_LOOK):
        self.ensure_one()
        return self.with_delay(
            eta=eta,
            max_retries=FOLLOW_MAX_LOOKS,
            identity_key=identity_exact,
            description=_(
                "Follow %(beverage)s on %(machine)s",
                beverage=self.name,
                machine=self.machine_id.display_name,
            ),
        )._follow_brew()

    def _is_last_attempt(self):
        """True when the job running now may not be retried any more."""
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return False
        job = self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        return bool(job.max_retries) and job.retry + 1 >= job.max_retries
