# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect machines → ``coffee.machine`` bindings (maintenance equipment).

``GET /homeappliances`` lists every appliance of the account with all there
is to know of its identity (``haId``, name, brand, vib, enumber, connected),
so the batch importer imports each machine *directly* from the listing: one
API call for the whole account, whatever the number of machines.

* appliances that are not coffee machines (an oven on the same account) are
  skipped;
* a machine renamed, switched off the cloud (``connected: false``) or back
  is updated; one that did not change is left alone (nothing written);
* a machine that is no longer listed was removed from the account: its
  binding is archived (``coffee.machine.batch.importer``).
"""

from odoo import _

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create

from coffee_machine.homeconnect import keys


def appliance_record(appliance):
    """The library's ``Appliance`` as the plain dict the mapper reads."""
    return {
        "ha_id": appliance.ha_id,
        "name": appliance.name,
        "type": appliance.type,
        "brand": appliance.brand,
        "vib": appliance.vib,
        "enumber": appliance.enumber,
        "connected": appliance.connected,
    }


class HomeConnectMachineImportMapper(Component):
    _name = "coffee.homeconnect.machine.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.machine"
    _api_type = "homeconnect"

    direct = [
        ("name", "name"),
        ("brand", "brand"),
        ("vib", "vib"),
        ("enumber", "enumber"),
        ("type", "appliance_type"),
        ("connected", "connected"),
    ]

    @mapping
    def active(self, record):
        """A machine listed again after a removal comes back."""
        return {"active": True}

    @only_create
    @mapping
    def equipment_model(self, record):
        """The equipment's model: the machine's type code and e-number."""
        return {"model": f"{record['vib']} ({record['enumber']})"}


class HomeConnectMachineImporter(Component):
    _name = "coffee.homeconnect.machine.importer"
    _inherit = "coffee.machine.record.importer"
    _apply_on = "coffee.machine"
    _api_type = "homeconnect"

    def _get_external_data(self):
        return appliance_record(
            self.backend_adapter.call("get_appliance", self.external_id)
        )

    def _must_skip(self):
        if self.external_data["type"] != keys.APPLIANCE_TYPE:
            return _(
                "%(name)s is not a coffee machine (%(type)s): skipped.",
                name=self.external_data["name"],
                type=self.external_data["type"],
            )
        return ""


class HomeConnectMachineBatchImporter(Component):
    _name = "coffee.homeconnect.machine.batch.importer"
    _inherit = "coffee.machine.batch.importer"
    _apply_on = "coffee.machine"
    _api_type = "homeconnect"

    def _list_records(self, **kwargs):
        appliances = self.backend_adapter.call("get_appliances")
        return [
            (appliance.ha_id, appliance_record(appliance))
            for appliance in appliances
            if appliance.type == keys.APPLIANCE_TYPE
        ]
