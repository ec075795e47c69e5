# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The backend warns when no job runner processes the connector's jobs."""

import datetime
import os
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL, config

from .common import CoffeeTransactionCase, new_employee

WITH_RUNNER = {"server_wide_modules": "base,web,queue_job"}


@tagged("post_install", "-at_install")
class TestJobRunnerWarning(CoffeeTransactionCase):
    def warning(self, backend=None):
        backend = backend or self.backend
        backend.invalidate_recordset(["runner_warning"])
        return backend.runner_warning

    def enqueue_job(self, minutes_ago):
        self.backend.with_delay()._poll_device_authorization()
        job = self.env["queue.job"].search([], order="id desc", limit=1)
        created = fields.Datetime.now() - datetime.timedelta(minutes=minutes_ago)
        self.set_job(job, date_created=created)
        return job

    def set_job(self, job, **values):
        """Age or finish a job (queue_job forbids writing these fields)."""
        for name, value in values.items():
            self.env.cr.execute(
                SQL(
                    "UPDATE queue_job SET %s = %s WHERE id = %s",
                    SQL.identifier(name),
                    value,
                    job.id,
                )
            )
        job.invalidate_recordset()

    def test_warns_when_queue_job_is_not_a_server_wide_module(self):
        with patch.dict(config.options, {"server_wide_modules": "base,web"}):
            self.assertIn("server_wide_modules", self.warning())

    def test_warns_when_the_root_channel_has_no_capacity(self):
        with (
            patch.dict(config.options, WITH_RUNNER),
            patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": "root:0"}),
        ):
            self.assertIn("switched off", self.warning())

    def test_silent_when_the_runner_is_configured_and_jobs_flow(self):
        self.enqueue_job(minutes_ago=1)
        with patch.dict(config.options, WITH_RUNNER):
            self.assertFalse(self.warning())

    def test_warns_when_coffee_jobs_wait_too_long(self):
        job = self.enqueue_job(minutes_ago=30)
        self.assertEqual(job.channel, "root.coffee")
        with patch.dict(config.options, WITH_RUNNER):
            self.assertIn("1 job(s) of the coffee channels", self.warning())

    def test_done_jobs_do_not_warn(self):
        job = self.enqueue_job(minutes_ago=30)
        self.set_job(job, state="done")
        with patch.dict(config.options, WITH_RUNNER):
            self.assertFalse(self.warning())

    def test_coffee_users_are_not_bothered(self):
        user = new_employee(self.env, "drinker")
        self.enqueue_job(minutes_ago=30)
        with patch.dict(config.options, WITH_RUNNER):
            self.assertFalse(self.warning(self.backend.with_user(user)))
