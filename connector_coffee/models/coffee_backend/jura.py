# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A JURA backend: one machine's Smart Connect dongle on the office LAN.

JURA's WiFi dongle speaks a local protocol on TCP 51515 (the client is the
``jura-connect`` library, ``components/jura/``): no cloud, no quota, one
connection at a time. A backend of type JURA is one machine:

* its **address** is the backend's ``location``, ``host`` or ``host:port``
  (``Discover`` looks for dongles on the networks of Odoo's host);
* its **machine type** (the EF code of its profile, ``EF1091`` for an S8)
  names its products, their options and its alerts;
* it is **paired** once (``Pair``): the machine shows *Connect*, a person
  presses OK on its display (with its setup PIN first, if it has one), and
  the dongle hands out an *auth hash* for the name Odoo paired under (its
  *conn-id*), both kept as secrets of the backend's runtime like the OAuth
  tokens of Home Connect (connector managers only, never searchable). The
  backend is then "authorized". Each pairing uses a new name: a machine
  does not pair a name it already knows again.
"""

import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...exceptions import CoffeeJobError
from .common import secret_field
from .runtime import SECRET_GROUPS

#: seconds the machine shows its Connect prompt (and the pairing job waits)
PAIRING_SECONDS = 60


class CoffeeBackendRuntime(models.Model):
    _inherit = "coffee.backend.runtime"

    jura_auth_hash = fields.Char(groups=SECRET_GROUPS, copy=False)
    jura_conn_id = fields.Char(groups=SECRET_GROUPS, copy=False)


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"  # pylint: disable=consider-merging-classes-inherited

    jura_machine_type = fields.Char(
        string="Machine Type",
        default="EF1091",
        tracking=True,
        help="The EF code of the machine's profile (EF1091: S8 EB). It names "
        "the machine's products, their options and its alerts.",
    )
    jura_pin = fields.Char(
        string="Setup PIN",
        groups=SECRET_GROUPS,
        copy=False,
        help="The machine's setup PIN, if one is set on it; empty otherwise.",
    )
    jura_auth_hash = secret_field(fields.Char)
    jura_conn_id = secret_field(fields.Char)

    @api.model
    def _select_api_types(self):
        return super()._select_api_types() + [("jura", "JURA (Smart Connect, LAN)")]

    @api.onchange("api_type")
    def _onchange_api_type_jura(self):
        if self.api_type == "jura" and (self.location or "").startswith("http"):
            self.location = "192.168.1.42:51515"

    def _jura_new_conn_id(self):
        """A new name to pair under: the database, the backend, this pairing
        (a machine refuses to pair a name it knows again)."""
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-{self.id}-{secrets.token_hex(3)}"

    def action_pair(self):
        """Queue the pairing: the machine shows Connect until someone presses OK."""
        self.ensure_one()
        self._check_manager()
        self._store({"auth_state": "pending"})
        self.sudo().with_delay(
            description=_("Pair %s (press OK on the machine)", self.name)
        )._pair_machine()
        return self._notify(
            _(
                "%(machine)s now shows Connect: press OK on its display within "
                "%(seconds)d seconds.",
                machine=self.name,
                seconds=PAIRING_SECONDS,
            )
        )

    def _pair_machine(self):
        """Job: pair with the machine, waiting for its OK."""
        self.ensure_one()
        with self._component("authenticator") as authenticator:
            return authenticator.pair(PAIRING_SECONDS)

    def action_discover(self):
        """Look for JURA dongles on the networks of Odoo's host."""
        self.ensure_one()
        self._check_manager()
        with self._component("discovery") as discovery:
            try:
                found = discovery.discover()
            except CoffeeJobError as error:
                self._raise_user_error(error)
        if not found:
            raise UserError(
                _(
                    "No JURA machine answered on the networks of this server. "
                    "Enter its address by hand."
                )
            )
        if len(found) == 1:
            self.location = found[0]["address"]
        self.message_post(
            body=_(
                "JURA machines found: %s",
                ", ".join(f"{m['name']} ({m['address']})" for m in found),
            )
        )
        return self._notify(
            _("%(count)d machine(s) found: see the chatter.", count=len(found))
        )
