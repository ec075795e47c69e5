# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may see what: secrets for connector managers, backends per company."""

import io
import logging
from contextlib import contextmanager

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CoffeeTransactionCase


@contextmanager
def capture_logs(*names):
    """Capture every record, DEBUG included, of the loggers ``names``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


SECRETS = ("client_secret", "access_token", "refresh_token", "oauth_code_verifier")


@tagged("post_install", "-at_install")
class TestSecurity(CoffeeTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coffee_user = new_test_user(
            cls.env, login="coffee-user", groups="connector_coffee.group_coffee_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="coffee-manager",
            groups="connector.group_connector_manager",
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other office"})
        cls.other_backend = cls.env["coffee.backend"].create(
            {"name": "Other office machines", "company_id": cls.other_company.id}
        )

    def setUp(self):
        super().setUp()
        self.authorize()

    def test_coffee_user_reads_the_backend_but_not_its_secrets(self):
        backend = self.backend.with_user(self.coffee_user)
        self.assertEqual(backend.name, "Test simulator")
        for field in SECRETS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                backend.read([field])

    def test_secrets_are_not_even_listed_for_a_coffee_user(self):
        fields = self.env["coffee.backend"].with_user(self.coffee_user).fields_get()
        for field in SECRETS:
            self.assertNotIn(field, fields)

    def test_coffee_user_cannot_change_a_backend(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.coffee_user).write({"location": "http://x"})

    def test_connector_manager_reads_the_secrets(self):
        values = self.backend.with_user(self.manager).read(list(SECRETS))[0]
        self.assertEqual(values["client_secret"], "coffee-secret")
        self.assertTrue(values["access_token"])

    def test_backend_of_another_company_is_invisible(self):
        backends = self.env["coffee.backend"].with_user(self.manager).search([])
        self.assertIn(self.backend, backends)
        self.assertNotIn(self.other_backend, backends)

    def test_backend_of_another_company_cannot_be_read(self):
        with self.assertRaises(AccessError):
            self.other_backend.with_user(self.manager).read(["name"])

    def test_user_of_both_companies_sees_both_backends(self):
        self.manager.company_ids |= self.other_company
        backends = (
            self.env["coffee.backend"]
            .with_user(self.manager)
            .with_context(
                allowed_company_ids=[self.env.company.id, self.other_company.id]
            )
            .search([])
        )
        self.assertIn(self.other_backend, backends)

    def test_tokens_are_not_logged_nor_in_the_chatter(self):
        old = self.tokens()
        with capture_logs(
            "odoo.addons.connector_coffee", "coffee_machine", "urllib3"
        ) as logs:
            self.adapter().call("get_appliances")
            self.authenticator().refresh_tokens(force=True)
            self.adapter().call("get_appliances")
        new = self.tokens()
        self.assertIn("access token of Test simulator was refreshed", logs.getvalue())
        bodies = " ".join(self.backend.message_ids.mapped("body"))
        tracked = " ".join(
            str(value)
            for value in self.backend.message_ids.tracking_value_ids.mapped(
                lambda t: (t.old_value_char, t.new_value_char)
            )
        )
        secrets = (
            old["access_token"],
            old["refresh_token"],
            new["access_token"],
            new["refresh_token"],
            "coffee-secret",
        )
        for secret in secrets:
            self.assertNotIn(secret, logs.getvalue())
            self.assertNotIn(secret, bodies)
            self.assertNotIn(secret, tracked)
