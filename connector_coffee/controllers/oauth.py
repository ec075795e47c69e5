# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where the API's login page sends the browser back after an authorization.

``/connector_coffee/oauth/callback?code=...&state=...`` is the redirect URL
to register for the OAuth client. The ``state`` identifies the backend that
started the authorization and is bound to the connector manager who started
it: an answer whose ``state`` no backend issued (a forged or replayed link),
or that another user's browser opens, is refused (HTTP 400) before any code
is exchanged, and changes nothing.
"""

from markupsafe import Markup, escape

from odoo import _, http
from odoo.http import request

from ..exceptions import CoffeeJobError

CALLBACK_PATH = "/connector_coffee/oauth/callback"


def _error_code(error):
    """The OAuth ``error`` code of the answer, as a short word: a page of
    ours never echoes text that a foreign server put in the link."""
    code = "".join(c for c in str(error)[:40] if c.isalnum() or c in "_-.")
    return code or "error"


class CoffeeOAuthController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        backend = self._backend_for_state(state)
        if not backend:
            return self._page(
                _(
                    "This authorization answer does not match an authorization "
                    "started from Odoo: start it again from the backend."
                ),
                status=400,
            )
        if error:
            with backend._component("authenticator") as authenticator:
                authenticator.abandon_authorization_code()
            return self._page(
                _(
                    "The authorization of %(backend)s was not granted (%(error)s): "
                    "start it again from the backend.",
                    backend=backend.name,
                    error=_error_code(error),
                ),
                status=400,
            )
        with backend._component("authenticator") as authenticator:
            try:
                authenticator.finish_authorization_code(
                    code, state, backend.redirect_uri
                )
            except CoffeeJobError as failure:
                return self._page(str(failure), status=400)
        return request.redirect(
            f"/odoo/action-connector_coffee.action_coffee_backend/{backend.id}"
        )

    def _backend_for_state(self, state):
        """The backend that issued ``state`` to this user, if they manage it."""
        if not state:
            return None
        runtime = (
            request.env["coffee.backend.runtime"]
            .sudo()
            .search([("oauth_state", "=", state)], limit=1)
        )
        if not runtime:
            return None
        backend = runtime.backend_id.with_user(request.env.user).sudo(False)
        if not backend.has_access("write"):
            return None
        with backend._component("authenticator") as authenticator:
            if not authenticator.check_state(state):
                return None
        return backend

    def _page(self, message, status=200):
        body = Markup(
            "<!DOCTYPE html><html><head><title>%s</title></head><body>"
            "<p>%s</p><p><a href='/odoo'>%s</a></p></body></html>"
        ) % (_("Coffee Connector"), escape(message), _("Back to Odoo"))
        return request.make_response(
            str(body),
            headers=[("Content-Type", "text/html; charset=utf-8")],
            status=status,
        )
