# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The backend adapter: the only component that talks to the machines' API.

Each protocol brings its own adapter (``homeconnect/adapter.py``); this
abstract one holds what every protocol shares: respecting a quota block
before calling, and counting the calls spent against the daily quota.
Importers and exporters only see the adapter's methods and the job errors of
``connector_coffee.exceptions``, whatever the protocol.
"""

from odoo import _

from odoo.addons.component.core import AbstractComponent

from ..exceptions import QuotaExceeded


class CoffeeBackendAdapter(AbstractComponent):
    _name = "coffee.backend.adapter"
    _inherit = ["base.backend.adapter", "base.coffee.connector"]
    _usage = "backend.adapter"

    def check_connection(self):
        """Call the API once; return a sentence saying what was found."""
        raise NotImplementedError

    def _check_not_blocked(self):
        """Refuse to spend a call while the API told us to wait."""
        seconds = self.backend_record._blocked_for()
        if seconds:
            raise QuotaExceeded(
                _(
                    "The API quota of %(backend)s is spent: calls resume in "
                    "%(seconds)d seconds.",
                    backend=self.backend_record.name,
                    seconds=seconds,
                ),
                seconds=int(seconds) + 1,
                ignore_retry=True,
            )

    def _count_call(self, *_args):
        """Hook given to the protocol client: one HTTP call was made."""
        self.backend_record._count_calls(1)
