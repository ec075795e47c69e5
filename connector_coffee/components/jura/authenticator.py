# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Pairing with a JURA machine: a person presses OK on its display.

The dongle knows the clients it accepted by their *conn-id* and an *auth
hash* it handed them. The pairing job (``coffee.backend._pair_machine``)
opens a connection with a new conn-id, the setup PIN if the machine
has one, and no hash; the machine shows *Connect* and the job waits (up to
60 s) for someone to press OK there:

* accepted: the hash is stored, committed at once, as a secret of the
  backend's runtime; the backend is "authorized";
* refused on the machine, a wrong PIN, or nobody pressed OK in time: the
  backend is "not authorized" again, with the reason in its connection
  message; the job fails with that reason (pairing again is a person's
  decision, not a retry's).
"""

from odoo import _, fields

from odoo.addons.component.core import Component

from ...exceptions import AuthorizationError, CoffeeJobError

try:
    from jura_connect import client as jura
except ImportError:  # pragma: no cover - declared in external_dependencies
    jura = None


class JuraAuthenticator(Component):
    _name = "coffee.jura.authenticator"
    _inherit = "base.coffee.connector"
    _usage = "authenticator"
    _apply_on = "coffee.backend"
    _api_type = "jura"

    def pair(self, timeout):
        """Wait for the machine's OK; store the auth hash; return a sentence."""
        backend = self.backend_record
        adapter = self.component(usage="backend.adapter")
        adapter.serialize()
        conn_id = backend._jura_new_conn_id()
        client = adapter.new_client(conn_id)
        try:
            with adapter.translated_errors():
                result = self._wait_for_ok(client, timeout)
        except CoffeeJobError as error:
            return self._refused(str(error), error)
        finally:
            client.close()
        if result.state != "CORRECT" or not result.new_hash:
            return self._refused(self._refusal(result.state), None)
        message = _(
            "Paired with the JURA machine at %(address)s.", address=backend.location
        )
        backend._store(
            {
                "jura_auth_hash": result.new_hash,
                "jura_conn_id": conn_id,
                "auth_state": "authorized",
                "connection_state": "ok",
                "connection_message": message,
                "connection_checked_at": fields.Datetime.now(),
            }
        )
        return message

    def _refusal(self, state):
        """Why a pairing the machine answered with ``state`` failed."""
        if state == "WRONG_PIN":
            return _(
                "The machine asks for its setup PIN, or refused the one given: "
                "set the Setup PIN of the backend and pair again."
            )
        if state == "WRONG_HASH":
            return _("The machine did not accept this pairing: pair again.")
        if state == "ABORTED":
            return _("The pairing was refused on the machine.")
        return _("The machine answered %s to the pairing.", state)

    def _wait_for_ok(self, client, timeout):
        try:
            return client.pair(timeout=timeout)
        except jura.PairingTimeout as error:
            raise AuthorizationError(
                _(
                    "Nobody pressed OK on the machine within %(seconds)d "
                    "seconds: pair again, and press OK when it shows Connect.",
                    seconds=timeout,
                )
            ).with_api_error(error) from error

    def _refused(self, message, error):
        self.backend_record._store(
            {
                "jura_auth_hash": False,
                "auth_state": "not_authorized",
                "connection_state": "failed",
                "connection_message": message,
                "connection_checked_at": fields.Datetime.now(),
            }
        )
        failure = AuthorizationError(message)
        if error is not None:
            raise failure.with_api_error(error) from error
        raise failure
