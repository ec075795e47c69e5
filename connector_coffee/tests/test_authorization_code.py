# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Authorization code with PKCE, end to end: Odoo → simulator login → Odoo."""

from urllib.parse import parse_qs, urlsplit

from odoo.tests import tagged

from .common import CoffeeHttpCase, new_connector_manager


@tagged("post_install", "-at_install")
class TestAuthorizationCode(CoffeeHttpCase):
    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        self.authenticate("admin", "admin")

    def _start(self, user=None):
        """The authorization started from the form by ``user`` (admin)."""
        action = self.backend.with_user(user or self.admin).action_authorize()
        self.assertEqual(action["type"], "ir.actions.act_url")
        return action["url"]

    def _callback_path(self, redirect):
        parts = urlsplit(redirect)
        return f"{parts.path}?{parts.query}"

    def test_authorization_code_flow_stores_tokens(self):
        url = self._start()
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertEqual(query["redirect_uri"], [self.backend.redirect_uri])
        redirect = self.log_in_on_simulator(url)
        self.assertTrue(redirect.startswith(self.backend.redirect_uri))

        answer = self.url_open(self._callback_path(redirect), allow_redirects=False)

        self.assertEqual(answer.status_code, 303)
        self.assertIn(f"/{self.backend.id}", answer.headers["Location"])
        tokens = self.tokens()
        self.assertEqual(tokens["auth_state"], "authorized")
        self.assertTrue(tokens["access_token"])
        self.assertTrue(tokens["refresh_token"])
        self.assertFalse(self.backend.sudo().oauth_state, "the state is single-use")
        # and the token works
        self.assertEqual(len(self.adapter().call("get_appliances")), 1)

    def test_forged_state_is_refused(self):
        url = self._start()
        redirect = self.log_in_on_simulator(url)
        forged = redirect.replace("state=", "state=forged")

        answer = self.url_open(self._callback_path(forged), allow_redirects=False)

        self.assertEqual(answer.status_code, 400)
        self.assertIn("does not match an authorization started from Odoo", answer.text)
        self.assertFalse(self.tokens()["access_token"])
        self.assertEqual(self.tokens()["auth_state"], "pending")

    def test_callback_without_state_is_refused(self):
        self._start()
        answer = self.url_open(
            "/connector_coffee/oauth/callback?code=abc", allow_redirects=False
        )
        self.assertEqual(answer.status_code, 400)
        self.assertFalse(self.tokens()["access_token"])

    def test_expired_state_is_refused(self):
        url = self._start()
        redirect = self.log_in_on_simulator(url)
        self.backend._store({"oauth_started_at": "2020-01-01 00:00:00"})

        answer = self.url_open(self._callback_path(redirect), allow_redirects=False)

        self.assertEqual(answer.status_code, 400)
        self.assertFalse(self.tokens()["access_token"])

    def test_denied_consent_leaves_backend_unauthorized(self):
        url = self._start()
        redirect = self.log_in_on_simulator(url, grant="deny")
        self.assertIn("error=access_denied", redirect)

        answer = self.url_open(self._callback_path(redirect), allow_redirects=False)

        self.assertEqual(answer.status_code, 400)
        self.assertIn("was not granted (access_denied)", answer.text)
        self.assertEqual(self.tokens()["auth_state"], "not_authorized")

    def test_refused_consent_clears_the_verifier(self):
        redirect = self.log_in_on_simulator(self._start(), grant="deny")

        self.url_open(self._callback_path(redirect), allow_redirects=False)

        runtime = self.backend.runtime_id.sudo()
        self.assertFalse(runtime.oauth_state)
        self.assertFalse(runtime.oauth_code_verifier)
        self.assertFalse(runtime.oauth_user_id)

    def test_answer_opened_by_another_user_is_refused(self):
        new_connector_manager(self.env, "other-manager")
        redirect = self.log_in_on_simulator(self._start())
        self.authenticate("other-manager", "other-manager")

        answer = self.url_open(self._callback_path(redirect), allow_redirects=False)

        self.assertEqual(answer.status_code, 400)
        self.assertFalse(self.tokens()["access_token"])
        self.assertEqual(self.tokens()["auth_state"], "pending")
        self.assertTrue(self.backend.runtime_id.sudo().oauth_code_verifier)

    def test_error_text_of_the_link_is_not_echoed(self):
        url = self._start()
        state = parse_qs(urlsplit(url).query)["state"][0]
        answer = self.url_open(
            "/connector_coffee/oauth/callback?error=access_denied"
            "&error_description=<script>alert(1)</script>Call+0800-SCAM"
            f"&state={state}",
            allow_redirects=False,
        )
        self.assertEqual(answer.status_code, 400)
        self.assertNotIn("SCAM", answer.text)
        self.assertNotIn("<script>", answer.text)
