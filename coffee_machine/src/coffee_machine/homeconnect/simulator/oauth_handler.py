"""The ``/security/oauth/...`` endpoints over HTTP.

The authorization server itself (who may log in, which grants and tokens
exist, what the pages say) is :class:`.oauth.AuthorizationServer`; this is
only its HTTP side, a table of six endpoints (:meth:`OAuthRequests._oauth`):

* ``GET authorize``: the login-and-consent page (``400`` with the page and
  the reason when the query is wrong); ``POST authorize``: the form, answered
  ``302`` to the client's ``redirect_uri``;
* ``POST token`` and ``POST device_authorization``: form in
  (``application/x-www-form-urlencoded``, the client may authenticate with
  HTTP Basic), JSON out, OAuth's own error shape
  (:meth:`.oauth.OAuthError.body`);
* ``GET device_verify`` and ``POST device_verify``: the page where the user
  types the device flow's user code and logs in.

Any other path under ``/security/oauth/`` is a JSON ``404``.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, unquote

from .oauth import OAuthError
from .wire import HandlerBase


class OAuthRequests(HandlerBase):
    """The request handler's OAuth side."""

    def _form(self) -> dict[str, str]:
        return dict(
            parse_qsl(self._read_body().decode("utf-8"), keep_blank_values=True)
        )

    def _basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization") or ""
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)

    def _send_html(self, status: int, page: str, headers: dict | None = None) -> None:
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8", headers)

    def _oauth(self, method: str, path: str) -> None:
        endpoint = path[len("/security/oauth/") :].rstrip("/")
        handler = {
            ("GET", "authorize"): self._authorize_page,
            ("POST", "authorize"): self._authorize_submit,
            ("POST", "token"): self._token,
            ("POST", "device_authorization"): self._device_authorization,
            ("GET", "device_verify"): self._verify_page,
            ("POST", "device_verify"): self._verify_submit,
        }.get((method, endpoint))
        if handler is None:
            self._send_json(
                404,
                {"error": "not_found", "error_description": path},
                "application/json",
            )
            return
        handler()

    def _authorize_page(self) -> None:
        oauth = self.sim.oauth
        try:
            oauth.check_authorization_request(self.query)
        except OAuthError as error:
            self._send_html(400, oauth.login_page({}, str(error)))
            return
        self._send_html(200, oauth.login_page(self.query))

    def _authorize_submit(self) -> None:
        oauth = self.sim.oauth
        form = self._form()
        try:
            location = oauth.authorize(form)
        except OAuthError as error:
            self._send_html(error.status, oauth.login_page(form, error.description))
            return
        self._send(302, b"", None, {"Location": location})

    def _token(self) -> None:
        try:
            answer = self.sim.oauth.token(self._form(), self._basic_auth())
        except OAuthError as error:
            self._send_json(error.status, error.body(), "application/json")
            return
        self._send_json(200, answer, "application/json", {"Cache-Control": "no-store"})

    def _device_authorization(self) -> None:
        try:
            answer = self.sim.oauth.device_authorization(self._form())
        except OAuthError as error:
            self._send_json(error.status, error.body(), "application/json")
            return
        self._send_json(200, answer, "application/json")

    def _verify_page(self) -> None:
        self._send_html(200, self.sim.oauth.verify_page(self.query))

    def _verify_submit(self) -> None:
        oauth = self.sim.oauth
        form = self._form()
        try:
            message = oauth.verify(form)
        except OAuthError as error:
            self._send_html(error.status, oauth.verify_page(form, error.description))
            return
        self._send_html(
            200, f"<!DOCTYPE html><html><body><p>{message}</p></body></html>"
        )
