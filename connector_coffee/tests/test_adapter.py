# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Each failure of the API becomes the job error that lets the runner act."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import QuotaConfig

from ..exceptions import (
    AuthorizationError,
    MachineRefused,
    MachineUnreachable,
    QuotaExceeded,
)
from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestAdapterErrors(CoffeeTransactionCase):
    def setUp(self):
        super().setUp()
        self.authorize()
        self.machine = self.simulator.machine()

    def call(self, method, *args):
        return self.adapter().call(method, *args)

    def assertRetryable(self, error_class, method, *args):
        with self.assertRaises(error_class) as raised:
            self.call(method, *args)
        self.assertIsInstance(raised.exception, RetryableJobError)
        return raised.exception

    def assertFailed(self, error_class, method, *args):
        with self.assertRaises(error_class) as raised:
            self.call(method, *args)
        self.assertIsInstance(raised.exception, FailedJobError)
        return raised.exception

    def test_offline_machine_is_retried_later(self):
        self.simulator.faults.offline(self.machine.ha_id)
        error = self.assertRetryable(
            MachineUnreachable, "get_status", self.machine.ha_id
        )
        self.assertIn("offline", str(error))
        self.assertIsNone(error.seconds, "the job function's retry pattern decides")

    def test_dropped_connection_is_retried_later(self):
        self.simulator.faults.drop_connections(1)
        error = self.assertRetryable(MachineUnreachable, "get_appliances")
        self.assertIn("could not be reached", str(error))

    def test_appliance_timeout_is_retried_later(self):
        self.simulator.faults.timeout_408(1)
        error = self.assertRetryable(MachineUnreachable, "get_appliances")
        self.assertIn("did not answer in time", str(error))

    def test_server_error_is_retried_later(self):
        self.simulator.faults.server_error(1)
        error = self.assertRetryable(MachineUnreachable, "get_appliances")
        self.assertIn("HTTP 500", str(error))

    def test_wrong_operation_state_fails_with_the_reason(self):
        error = self.assertFailed(MachineRefused, "stop_program", self.machine.ha_id)
        self.assertIn("current state", str(error))
        self.assertEqual(error.api_error.key, keys.ERROR_WRONG_OPERATION_STATE)

    def test_remote_start_switched_off_fails_with_what_to_do(self):
        self.machine.remote_start_allowed = False
        error = self.assertFailed(
            MachineRefused, "start_program", self.machine.ha_id, keys.PROGRAM_ESPRESSO
        )
        self.assertIn("enable it on the machine's panel", str(error))

    def test_unsupported_program_fails_with_the_reason(self):
        error = self.assertFailed(
            MachineRefused,
            "start_program",
            self.machine.ha_id,
            keys.BEVERAGE_PREFIX + "Unknown",
        )
        self.assertIn("does not support", str(error))

    def test_missing_scope_fails_asking_to_authorize_again(self):
        self.authorize(scope="IdentifyAppliance")
        error = self.assertFailed(AuthorizationError, "get_status", self.machine.ha_id)
        self.assertIn("authorize again", str(error))

    def test_calls_are_counted_against_the_daily_quota(self):
        self.call("get_appliances")
        self.call("get_status", self.machine.ha_id)
        self.assertEqual(self.backend.quota_calls_today, 2)
        self.assertEqual(
            self.backend.quota_day, fields.Date.context_today(self.backend)
        )


@tagged("post_install", "-at_install")
class TestAdapterQuota(CoffeeTransactionCase):
    simulator_options = {"quota": QuotaConfig(per_minute=1, per_day=None)}

    def setUp(self):
        super().setUp()
        self.authorize()

    def test_quota_refusal_is_retried_after_retry_after(self):
        adapter = self.adapter()
        adapter.call("get_appliances")
        with self.assertRaises(QuotaExceeded) as raised:
            adapter.call("get_appliances")
        retry_after = raised.exception.api_error.retry_after
        self.assertGreater(retry_after, 0)
        self.assertEqual(raised.exception.seconds, int(retry_after))
        self.assertTrue(raised.exception.ignore_retry)

    def test_quota_refusal_blocks_the_backend_until_retry_after(self):
        adapter = self.adapter()
        adapter.call("get_appliances")
        with self.assertRaisesCommitted(QuotaExceeded):
            adapter.call("get_appliances")
        self.assertTrue(self.backend.blocked_until)
        self.assertGreater(self.backend.blocked_until, fields.Datetime.now())

    def test_blocked_backend_does_not_spend_a_call(self):
        adapter = self.adapter()
        adapter.call("get_appliances")
        with self.assertRaisesCommitted(QuotaExceeded):
            adapter.call("get_appliances")
        calls = self.backend.quota_calls_today
        self.simulator.clock.advance(120)  # the API would answer again...
        with self.assertRaisesCommitted(QuotaExceeded, "calls resume in"):
            adapter.call("get_appliances")  # ...but Odoo was told to wait
        self.assertEqual(self.backend.quota_calls_today, calls)
