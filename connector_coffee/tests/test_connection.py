# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Test Connection button: success, and each failure in words."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from coffee_machine.homeconnect.simulator import QuotaConfig

from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestConnection(CoffeeTransactionCase):
    simulator_options = {"machines": 2}

    def test_connection_ok_reports_the_machines_found(self):
        self.authorize()
        action = self.backend.action_test_connection()
        self.assertIn("2 coffee machine(s) found", action["params"]["message"])
        self.assertEqual(self.backend.connection_state, "ok")

    def test_connection_without_authorization_says_to_authorize(self):
        with self.assertRaisesCommitted(UserError, "not authorized.*press Authorize"):
            self.backend.action_test_connection()
        self.assertEqual(self.backend.connection_state, "failed")
        self.assertIn("press Authorize", self.backend.connection_message)

    def test_connection_to_nothing_says_the_api_is_unreachable(self):
        self.authorize()
        self.simulator.stop()
        with self.assertRaisesRegex(UserError, "could not be reached"):
            self.backend.action_test_connection()

    def test_connection_on_server_error_says_the_api_failed(self):
        self.authorize()
        self.simulator.faults.server_error(1)
        with self.assertRaisesRegex(UserError, r"failed \(HTTP 500\)"):
            self.backend.action_test_connection()

    def test_connection_on_missing_scope_says_which_scope(self):
        self.authorize(scope="Monitor")
        with self.assertRaisesRegex(UserError, "lacks a scope"):
            self.backend.action_test_connection()

    def test_connection_failure_is_recorded_on_the_backend(self):
        self.authorize()
        self.simulator.faults.server_error(1)
        with self.assertRaisesCommitted(UserError):
            self.backend.action_test_connection()
        self.assertEqual(self.backend.connection_state, "failed")
        self.assertIn("HTTP 500", self.backend.connection_message)


@tagged("post_install", "-at_install")
class TestConnectionQuota(CoffeeTransactionCase):
    simulator_options = {"quota": QuotaConfig(per_minute=1, per_day=None)}

    def test_connection_over_quota_says_when_calls_resume(self):
        self.authorize()
        self.backend.action_test_connection()
        with self.assertRaisesRegex(UserError, r"calls resume in \d+ seconds"):
            self.backend.action_test_connection()
