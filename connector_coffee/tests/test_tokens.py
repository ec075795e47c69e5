# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tokens refresh by themselves: ahead of expiry, and once after a 401."""

import datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..exceptions import AuthorizationError
from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestTokens(CoffeeTransactionCase):
    def test_token_close_to_expiry_is_refreshed_before_the_call(self):
        issued = self.authorize(expires_in=60)
        self.adapter().call("get_appliances")
        tokens = self.tokens()
        self.assertNotEqual(tokens["access_token"], issued["access_token"])
        self.assertGreater(
            tokens["token_expires_at"],
            fields.Datetime.now() + datetime.timedelta(hours=1),
        )

    def test_valid_token_is_not_refreshed(self):
        issued = self.authorize()
        self.adapter().call("get_appliances")
        self.assertEqual(self.tokens()["access_token"], issued["access_token"])

    def test_token_refused_by_the_api_is_refreshed_once_and_the_call_repeated(self):
        issued = self.authorize()
        # the API's clock passes the token's expiry; Odoo still believes it valid
        self.simulator.clock.advance(issued["expires_in"] + 1)

        appliances = self.adapter().call("get_appliances")

        self.assertEqual(len(appliances), 1)
        self.assertNotEqual(self.tokens()["access_token"], issued["access_token"])

    def test_token_refused_after_a_refresh_asks_to_authorize_again(self):
        self.simulator.oauth.access_token_ttl = 0  # every token is born expired
        self.authorize()
        with self.assertRaisesRegex(AuthorizationError, "authorize the backend again"):
            self.adapter().call("get_appliances")

    def test_refused_refresh_token_marks_the_backend_to_authorize_again(self):
        self.authorize()
        self.backend._store({"refresh_token": "not-a-refresh-token"})
        with self.assertRaisesCommitted(AuthorizationError, "authorize the backend"):
            self.authenticator().refresh_tokens(force=True)
        self.assertEqual(self.tokens()["auth_state"], "expired")

    def test_refresh_button_replaces_the_tokens(self):
        issued = self.authorize()
        self.backend.action_refresh_token()
        self.assertNotEqual(self.tokens()["access_token"], issued["access_token"])

    def test_refresh_button_without_authorization_is_readable(self):
        with self.assertRaisesRegex(UserError, "press Authorize"):
            self.backend.action_refresh_token()


@tagged("post_install", "-at_install")
class TestOneTimeRefreshTokens(CoffeeTransactionCase):
    simulator_options = {"one_time_refresh_tokens": True}

    def test_each_refresh_stores_the_new_refresh_token(self):
        issued = self.authorize()
        self.authenticator().refresh_tokens(force=True)
        first = self.tokens()
        self.assertNotEqual(first["refresh_token"], issued["refresh_token"])
        # the stored refresh token is the live one: it can refresh again
        self.authenticator().refresh_tokens(force=True)
        self.assertNotEqual(self.tokens()["refresh_token"], first["refresh_token"])

    def test_two_jobs_refreshing_the_same_token_spend_the_refresh_token_once(self):
        issued = self.authorize()
        stale = issued["access_token"]
        self.simulator.clock.advance(issued["expires_in"] + 1)
        # two jobs got a 401 with the same token; the first refreshes...
        first = self.authenticator().refresh_tokens(rejected_token=stale)
        # ...the second finds the new token stored and spends nothing
        second = self.authenticator().refresh_tokens(rejected_token=stale)

        self.assertEqual(first, second)
        self.assertEqual(self.tokens()["auth_state"], "authorized")
        # the refresh token stored is still unspent
        self.authenticator().refresh_tokens(force=True)
        self.assertEqual(self.tokens()["auth_state"], "authorized")
