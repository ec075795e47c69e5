# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The device flow: a code shown in Odoo, entered elsewhere, a job that waits."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestDeviceFlow(CoffeeTransactionCase):
    def _start(self):
        with trap_jobs() as trap:
            self.backend.action_authorize_device()
        return trap

    def test_device_authorization_shows_code_and_link(self):
        self._start()
        self.assertEqual(self.backend.auth_state, "pending")
        self.assertTrue(self.backend.device_user_code)
        self.assertIn(
            self.backend.device_user_code, self.backend.device_verification_uri
        )
        self.assertTrue(self.backend.device_expires_at)

    def test_device_authorization_enqueues_one_poll_job(self):
        trap = self._start()
        trap.assert_jobs_count(1, only=self.backend._poll_device_authorization)
        trap.assert_enqueued_job(
            self.backend._poll_device_authorization,
            args=(),
            kwargs={},
        )

    def test_device_code_is_not_in_job_arguments(self):
        trap = self._start()
        job = trap.enqueued_jobs[0]
        self.assertNotIn(self.backend.sudo().device_code, repr(job.args))
        self.assertNotIn(self.backend.sudo().device_code, repr(job.kwargs))

    def test_poll_job_retries_while_the_user_has_not_entered_the_code(self):
        self._start()
        with self.assertRaises(RetryableJobError) as raised:
            self.backend._poll_device_authorization()
        self.assertEqual(raised.exception.seconds, self.backend.device_interval)
        self.assertEqual(self.backend.auth_state, "pending")

    def test_poll_job_authorizes_once_the_user_entered_the_code(self):
        trap = self._start()
        self.simulator.approve_device(self.backend.device_user_code)

        trap.perform_enqueued_jobs()

        tokens = self.tokens()
        self.assertEqual(tokens["auth_state"], "authorized")
        self.assertTrue(tokens["access_token"])
        self.assertFalse(self.backend.device_user_code)
        self.assertEqual(len(self.adapter().call("get_appliances")), 1)

    def test_finished_device_flow_leaves_no_live_secret(self):
        # an authorization code flow was started and abandoned first
        self.authenticator().start_authorization_code(self.backend.redirect_uri)
        trap = self._start()
        self.simulator.approve_device(self.backend.device_user_code)

        trap.perform_enqueued_jobs()

        runtime = self.backend.runtime_id.sudo()
        self.assertEqual(runtime.auth_state, "authorized")
        for field in ("oauth_state", "oauth_code_verifier", "device_code"):
            self.assertFalse(runtime[field], field)

    def test_check_button_explains_what_to_do_while_pending(self):
        self._start()
        with self.assertRaisesRegex(UserError, self.backend.device_user_code):
            self.backend.action_check_device_authorization()

    def test_polling_too_fast_slows_the_job_down(self):
        self._start()
        interval = self.backend.device_interval
        self.assertFalse(self.authenticator().poll_device_authorization())
        # a second poll at the same simulated instant is too fast
        self.assertFalse(self.authenticator().poll_device_authorization())
        self.assertEqual(self.backend.device_interval, interval + 5)

    def test_denied_device_ends_unauthorized_with_a_message(self):
        self._start()
        self.simulator.deny_device(self.backend.device_user_code)
        with self.assertRaisesCommitted(UserError, "start it again"):
            self.backend.action_check_device_authorization()
        self.assertEqual(self.backend.auth_state, "not_authorized")
        self.assertFalse(self.backend.device_user_code)

    def test_expired_device_code_ends_unauthorized(self):
        self._start()
        self.simulator.clock.advance(301)
        with self.assertRaisesCommitted(UserError, "start it again"):
            self.backend.action_check_device_authorization()
        self.assertEqual(self.backend.auth_state, "not_authorized")
