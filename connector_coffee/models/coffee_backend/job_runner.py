# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tell the user, on the backend, when no job runner is processing its jobs.

Everything this connector does with the machines runs in queue jobs; without
a running queue_job runner they wait forever, and the first complaint of the
users of every OCA connector is "I pressed Import and nothing happened". The
backend form therefore warns when:

* this Odoo server does not load ``queue_job`` as a server-wide module (the
  runner is never started), or the root channel's capacity is 0;
* jobs of the ``root.coffee`` channels have been waiting longer than
  ``connector_coffee.runner_stale_minutes`` (system parameter, 10 by
  default), whatever the reason: the runner is down, or busy elsewhere.
"""

import datetime

from odoo import _, api, fields, models
from odoo.tools import config

from odoo.addons.queue_job.jobrunner import _is_runner_enabled

DEFAULT_STALE_MINUTES = 10
WAITING_STATES = ("pending", "enqueued")


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

    runner_warning = fields.Char(
        compute="_compute_runner_warning",
        help="Why the jobs of this connector may not be processed.",
    )

    @api.depends_context("uid")
    def _compute_runner_warning(self):
        warning = self._runner_warning()
        for backend in self:
            backend.runner_warning = warning

    @api.model
    def _runner_warning(self):
        if not self.env.user.has_group("connector.group_connector_manager"):
            return False
        server_wide = config["server_wide_modules"] or ""
        if "queue_job" not in [name.strip() for name in server_wide.split(",")]:
            return _(
                "The job runner is not started by this Odoo server (queue_job is "
                "not in server_wide_modules): imports and brews will wait forever."
            )
        if not _is_runner_enabled():
            return _(
                "The job runner is switched off (the root channel's capacity "
                "is 0): imports and brews will wait forever."
            )
        minutes = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("connector_coffee.runner_stale_minutes", DEFAULT_STALE_MINUTES)
        )
        limit = fields.Datetime.now() - datetime.timedelta(minutes=minutes)
        waiting = (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("channel", "=like", "root.coffee%"),
                    ("state", "in", WAITING_STATES),
                    ("date_created", "<", limit),
                    "|",
                    ("eta", "=", False),
                    ("eta", "<", limit),
                ]
            )
        )
        if waiting:
            return _(
                "%(count)s job(s) of the coffee channels have been waiting for "
                "more than %(minutes)s minutes: is the job runner running?",
                count=waiting,
                minutes=minutes,
            )
        return False
