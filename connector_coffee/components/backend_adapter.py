# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The backend adapter: the only component that talks to the machines' API.

Each protocol brings its own adapter (``homeconnect/adapter.py``); this
abstract one holds what every protocol shares: respecting a quota block
before calling, counting the calls spent against the daily quota, and one
HTTP connection per job.

One connection per job: the calls of one transaction (a job, a frame of the
event reader) go through one ``requests.Session`` per backend, so a job
that reads a machine and starts a brew opens one TCP (and TLS) connection,
kept alive between its calls, not one per call. The session is closed when
the transaction ends, committed or rolled back: nothing outlives the job,
and no connection is shared between two threads.
Importers and exporters only see the adapter's methods and the job errors of
``connector_coffee.exceptions``, whatever the protocol.
"""

import requests

from odoo import _

from odoo.addons.component.core import AbstractComponent

from ..exceptions import QuotaExceeded

#: where a transaction keeps its HTTP sessions (in ``cr.postcommit.data``)
SESSIONS_KEY = "connector_coffee.http_sessions"


class CoffeeBackendAdapter(AbstractComponent):
    _name = "coffee.backend.adapter"
    _inherit = ["base.backend.adapter", "base.coffee.connector"]
    _usage = "backend.adapter"

    #: whether the API counts calls against a daily quota (Home Connect
    #: does; a machine on the LAN does not): the schedule's budget applies
    _daily_quota = True

    def check_connection(self):
        """Call the API once; return a sentence saying what was found."""
        raise NotImplementedError

    def location_error(self, location):
        """Why ``location`` is no address of this protocol (``None`` if it is)."""
        raise NotImplementedError

    def _check_not_blocked(self, committed=None):
        """Refuse to spend a call while the API told us to wait (``committed``:
        the backend's ``_current_tokens``, when the caller read them)."""
        seconds = self.backend_record._blocked_for(committed)
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

    def _http_session(self):
        """The ``requests.Session`` of this backend for the current transaction."""
        cr = self.env.cr
        sessions = cr.postcommit.data.get(SESSIONS_KEY)
        if sessions is None:
            sessions = cr.postcommit.data[SESSIONS_KEY] = {}

            def close():
                for session in sessions.values():
                    session.close()
                sessions.clear()

            cr.postcommit.add(close)
            cr.postrollback.add(close)
        session = sessions.get(self.backend_record.id)
        if session is None:
            session = sessions[self.backend_record.id] = requests.Session()
        return session

    def _count_call(self, *_args):
        """Hook given to the protocol client: one HTTP call was made."""
        self.backend_record._count_calls(1)
