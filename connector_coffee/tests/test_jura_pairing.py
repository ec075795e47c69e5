# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Pairing a JURA backend: the machine asks, a person presses OK on it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..exceptions import AuthorizationError
from .common import JuraCase, new_employee


@tagged("post_install", "-at_install")
class TestJuraPairing(JuraCase):
    def test_pairing_waits_for_ok_and_keeps_the_hash_as_a_secret(self):
        message = self.pair_jura()
        self.assertIn("Paired", message)
        self.assertEqual(self.jura_backend.auth_state, "authorized")
        runtime = self.jura_backend.sudo().runtime_id
        self.assertIn(runtime.jura_conn_id, self.jura_machine.known_devices)
        self.assertEqual(
            self.jura_machine.known_devices[runtime.jura_conn_id],
            runtime.jura_auth_hash.upper(),
        )
        employee = new_employee(self.env, "jura-employee")
        backend = self.jura_backend.with_user(employee)
        with self.assertRaises(AccessError):
            backend.read(["jura_auth_hash"])
        with self.assertRaises(AccessError):
            backend.search([("jura_auth_hash", "!=", False)])

    def test_the_pair_button_queues_the_pairing_and_shows_it_pending(self):
        with trap_jobs() as trap:
            self.jura_backend.action_pair()
        self.assertEqual(self.jura_backend.auth_state, "pending")
        (job,) = trap.enqueued_jobs
        self.assertEqual(job.method_name, "_pair_machine")
        self.press_ok_when_asked()
        job.perform()
        self.assertEqual(self.jura_backend.auth_state, "authorized")

    def test_an_employee_cannot_pair(self):
        employee = new_employee(self.env, "jura-pairer")
        with self.assertRaises(AccessError):
            self.jura_backend.with_user(employee).action_pair()
        self.assertIsNone(self.jura_machine.pending_pairing)

    def test_a_pairing_refused_on_the_machine_says_so(self):
        self.press_ok_when_asked(refuse=True)
        with self.assertRaisesCommitted(AuthorizationError, "refused on the machine"):
            self.jura_backend._pair_machine()
        self.assertEqual(self.jura_backend.auth_state, "not_authorized")
        self.assertEqual(self.jura_backend.connection_state, "failed")
        self.assertFalse(self.jura_backend.sudo().jura_auth_hash)

    def test_nobody_pressing_ok_ends_the_pairing_with_a_message(self):
        with self.work_on_backend(self.jura_backend) as work:
            authenticator = work.component(usage="authenticator")
            with self.assertRaisesCommitted(AuthorizationError, "Nobody pressed OK"):
                authenticator.pair(timeout=0.5)
        self.assertEqual(self.jura_backend.auth_state, "not_authorized")

    def test_test_connection_after_pairing_names_the_machine(self):
        self.pair_jura()
        self.jura_backend.action_test_connection()
        self.assertEqual(self.jura_backend.connection_state, "ok")
        self.assertIn("EF1091", self.jura_backend.connection_message)

    def test_a_machine_that_forgot_the_pairing_asks_for_a_new_one(self):
        self.pair_jura()
        conn_id = self.jura_backend.sudo().jura_conn_id
        self.jura_machine.forget_device(conn_id)
        with self.assertRaisesCommitted(UserError, "pair it again"):
            self.jura_backend.action_test_connection()
        self.assertEqual(self.jura_backend.auth_state, "expired")
        self.pair_jura()
        self.assertNotEqual(self.jura_backend.sudo().jura_conn_id, conn_id)
        self.assertEqual(self.jura_backend.auth_state, "authorized")

    def test_a_jura_backend_has_no_event_stream_to_miss(self):
        self.pair_jura()
        self.assertFalse(self.jura_backend._has_event_stream())
        self.assertFalse(self.jura_backend.events_reader_missing)
        self.assertTrue(self.backend._has_event_stream())

    def test_a_malformed_address_is_refused(self):
        for location in ("http://192.168.1.42", "host:99999", "a b"):
            with self.subTest(location=location), self.assertRaises(Exception):
                self.jura_backend.location = location
                self.jura_backend.flush_recordset()


@tagged("post_install", "-at_install")
class TestJuraPairingWithPin(JuraCase):
    jura_options = {"pin": "4711"}

    def test_the_setup_pin_lets_the_pairing_through(self):
        self.jura_backend.jura_pin = "4711"
        self.pair_jura()
        self.assertEqual(self.jura_backend.auth_state, "authorized")

    def test_a_wrong_pin_asks_for_the_right_one(self):
        self.jura_backend.jura_pin = "1234"
        with self.assertRaisesCommitted(AuthorizationError, "setup PIN"):
            self.jura_backend._pair_machine()
        self.assertEqual(self.jura_backend.auth_state, "not_authorized")
