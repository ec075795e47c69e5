# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The base of every component of the coffee connector.

Components are looked up by *usage* (``backend.adapter``, ``binder``,
``record.importer``...), *model* and *collection* (``coffee.backend``). The
coffee connector adds one more criterion: the backend's ``api_type``. A
component that speaks one protocol says so with ``_api_type``::

    class HomeConnectAdapter(Component):
        _name = "coffee.homeconnect.adapter"
        _inherit = "coffee.backend.adapter"
        _api_type = "homeconnect"

and is only found for backends of that type. Components without an
``_api_type`` (the binder, the generic importers) serve every protocol.
Supporting a second protocol therefore means adding its components, never an
``if backend.api_type == ...`` in the code that exists.
"""

from odoo.addons.component.core import AbstractComponent


class BaseCoffeeConnectorComponent(AbstractComponent):
    _name = "base.coffee.connector"
    _inherit = "base.connector"
    _collection = "coffee.backend"

    #: protocol of the component; ``None`` for protocol-neutral components
    _api_type = None

    @classmethod
    def _component_match(cls, work, usage=None, model_name=None, **kw):
        if cls._api_type is None:
            return True
        return work.collection.api_type == cls._api_type
