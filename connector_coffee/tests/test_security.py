# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may see what: secrets for connector managers, backends per company.

The employee here is what offices have: an internal user with *Coffee User*.
Every path by which Odoo hands out a field is tried on every secret: read,
search (``=``, ``=like``, ``ilike``, ``!=``, and through the runtime record),
group by, export, onchange.
"""

import io
import logging
from contextlib import contextmanager

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.coffee_backend.common import SECRET_FIELDS
from .common import CoffeeTransactionCase, new_connector_manager, new_employee


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


SECRETS = ("client_secret", *SECRET_FIELDS)
SEARCH_OPERATORS = ("=", "=like", "ilike", "!=")


@tagged("post_install", "-at_install")
class TestSecurity(CoffeeTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = new_employee(cls.env, "coffee-employee")
        cls.manager = new_connector_manager(cls.env, "coffee-manager")
        cls.other_company = cls.env["res.company"].create({"name": "Other office"})
        cls.other_backend = cls.env["coffee.backend"].create(
            {"name": "Other office machines", "company_id": cls.other_company.id}
        )

    def setUp(self):
        super().setUp()
        self.issued = self.authorize()
        # a live authorization code flow and device flow: every secret is set
        self.backend._store(
            {
                "oauth_state": "live-state",
                "oauth_code_verifier": "live-verifier",
                "oauth_started_at": "2026-01-01 00:00:00",
                "device_code": "live-device-code",
            }
        )

    def as_employee(self):
        return self.env["coffee.backend"].with_user(self.employee)

    def prefix(self, field):
        """The first characters of the secret ``field``, as an attacker guesses."""
        value = self.backend.sudo()[field]
        return str(value)[:2]

    def test_employee_reads_the_backend_but_not_its_secrets(self):
        backend = self.backend.with_user(self.employee)
        self.assertEqual(backend.name, "Test simulator")
        for field in SECRETS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                backend.read([field])

    def test_secrets_are_not_even_listed_for_an_employee(self):
        fields = self.as_employee().fields_get()
        for field in SECRETS:
            self.assertNotIn(field, fields)

    def assertNoSecretSearchable(self, user):
        """Every secret, with every operator and a good guess: refused."""
        backends = self.env["coffee.backend"].with_user(user)
        for field in SECRETS:
            for operator in SEARCH_OPERATORS:
                value = self.prefix(field) + ("%" if "like" in operator else "")
                with (
                    self.subTest(field=field, operator=operator),
                    self.assertRaises(AccessError),
                ):
                    backends.search([(field, operator, value)])

    def test_employee_cannot_search_on_a_secret(self):
        self.assertNoSecretSearchable(self.employee)

    def test_employee_cannot_search_secrets_through_a_path(self):
        paths = [
            ("coffee.backend", f"runtime_id.{field}") for field in SECRET_FIELDS
        ] + [
            (model, f"backend_id.{prefix}{field}")
            for model in ("coffee.machine", "coffee.brew")
            for prefix in ("", "runtime_id.")
            for field in SECRET_FIELDS
        ]
        for model, path in paths:
            guess = self.prefix(path.rsplit(".", 1)[-1]) + "%"
            records = self.env[model].with_user(self.employee)
            with self.subTest(path=f"{model}: {path}"), self.assertRaises(AccessError):
                records.search([(path, "=like", guess)])

    def test_employee_has_no_access_to_the_runtime_record(self):
        runtime = self.backend.runtime_id.with_user(self.employee)
        with self.assertRaises(AccessError):
            runtime.read(["quota_calls_today"])
        with self.assertRaises(AccessError):
            runtime.search([("access_token", "!=", False)])

    def test_employee_cannot_group_by_a_secret(self):
        for field in SECRETS:
            with self.subTest(field=field):
                try:
                    groups = self.as_employee().read_group([], [field], [field])
                except (AccessError, ValueError):
                    continue
                self.fail(f"grouped by {field}: {groups}")

    def test_employee_cannot_export_a_secret(self):
        self.employee.groups_id |= self.env.ref("base.group_allow_export")
        backend = self.backend.with_user(self.employee)
        for field in SECRETS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                backend.export_data([field])

    def test_onchange_gives_an_employee_no_secret(self):
        spec = {"runtime_id": {}, **{field: {} for field in SECRETS}}
        secrets = [str(self.backend.sudo()[field]) for field in SECRETS]
        for record in (self.as_employee(), self.backend.with_user(self.employee)):
            try:
                result = record.onchange(
                    {"runtime_id": self.backend.runtime_id.id}, [], spec
                )
            except AccessError:
                continue
            for secret in secrets:
                self.assertNotIn(secret, str(result))

    def test_secrets_cannot_be_searched_even_by_a_manager(self):
        with self.assertRaises(AccessError):
            self.env["coffee.backend"].with_user(self.manager).search(
                [("access_token", "=", self.issued["access_token"])]
            )

    def test_a_manager_cannot_search_on_a_secret_either(self):
        self.assertNoSecretSearchable(self.manager)

    def test_a_manager_cannot_search_the_runtime_secrets_through_a_path(self):
        runtime = self.backend.runtime_id.sudo()
        paths = [
            ("coffee.backend", f"runtime_id.{field}")
            for field in runtime._secret_field_names()
            if runtime._fields[field].type == "char"
        ] + [
            (model, f"backend_id.{path}")
            for model in ("coffee.machine", "coffee.brew")
            for path in ("client_secret", "runtime_id.access_token")
        ]
        for model, path in paths:
            field = path.rsplit(".", 1)[-1]
            holder = runtime if field in runtime._fields else self.backend.sudo()
            guess = str(holder[field])[:2] + "%"
            records = self.env[model].with_user(self.manager)
            with self.subTest(path=f"{model}: {path}"), self.assertRaises(AccessError):
                records.search([(path, "=like", guess)])

    def test_a_manager_cannot_sort_group_or_aggregate_by_a_secret(self):
        backends = self.env["coffee.backend"].with_user(self.manager)
        runtimes = self.env["coffee.backend.runtime"].with_user(self.manager)
        queries = {
            "order": lambda: backends.search([], order="client_secret"),
            "group by": lambda: backends.read_group([], ["jura_pin"], ["jura_pin"]),
            "aggregate": lambda: backends._read_group([], [], ["client_secret:max"]),
            "runtime order": lambda: runtimes.search([], order="refresh_token desc"),
            "runtime group by": lambda: runtimes._read_group([], ["device_code"]),
        }
        for what, query in queries.items():
            with self.subTest(what), self.assertRaises(AccessError):
                query()

    def test_the_connector_itself_still_finds_a_runtime_by_its_state(self):
        runtime = self.env["coffee.backend.runtime"].sudo()
        found = runtime.search([("oauth_state", "=", "live-state")])
        self.assertEqual(found, self.backend.runtime_id)

    def test_connector_manager_reads_the_secrets(self):
        values = self.backend.with_user(self.manager).read(list(SECRETS))[0]
        self.assertEqual(values["client_secret"], "coffee-secret")
        self.assertEqual(values["access_token"], self.issued["access_token"])
        self.assertEqual(values["refresh_token"], self.issued["refresh_token"])
        self.assertEqual(values["oauth_code_verifier"], "live-verifier")
        self.assertEqual(values["device_code"], "live-device-code")

    def test_employee_cannot_change_a_backend(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.employee).write(
                {"location": "https://example.com"}
            )

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
