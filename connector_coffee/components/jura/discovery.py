# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Finding JURA machines on the networks of Odoo's host (``Discover``).

``jura-connect`` broadcasts its UDP discovery on port 51515 and collects
the dongles' answers (their name, serial number, address). Firmwares that
do not answer UDP (TT237W) are not found this way: their address is
entered by hand.
"""

from odoo import _

from odoo.addons.component.core import Component

from ...exceptions import MachineUnreachable

try:
    from jura_connect import discovery as jura_discovery
except ImportError:  # pragma: no cover - declared in external_dependencies
    jura_discovery = None


class JuraDiscovery(Component):
    _name = "coffee.jura.discovery"
    _inherit = "base.coffee.connector"
    _usage = "discovery"
    _apply_on = "coffee.backend"
    _api_type = "jura"

    def discover(self, timeout=3.0, targets=None):
        """The machines that answered: dicts ``address``, ``name``, ``serial``."""
        try:
            machines = list(jura_discovery.discover(timeout=timeout, targets=targets))
        except OSError as error:
            raise MachineUnreachable(
                _("Discovery failed on this server: %s", error)
            ) from error
        return [
            {
                "address": machine.address,
                "name": machine.name,
                "serial": str(machine.serial_number),
            }
            for machine in machines
        ]
