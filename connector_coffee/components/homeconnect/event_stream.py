# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Home Connect event stream (server-sent events), as frames for the reader.

One stream per account, opened with the access token (one call of the daily
quota per opening, not per event). Its frame types, and what each calls for:

==========================  =============================================
Home Connect frame          ``Frame.kind``
==========================  =============================================
STATUS, NOTIFY              ``state`` (``stream.state`` applies the items)
EVENT, CONNECTED,           ``job``: alerts, programs ended, machines
DISCONNECTED                connected or not, as plain dicts
PAIRED, DEPAIRED            ``pairing``
KEEP-ALIVE                  ``keepalive``
==========================  =============================================

The library's errors become the reader's: a 401 is ``CredentialRefused``
(the token is refreshed and the stream reopened), a 429 ``QuotaExceeded``
with its Retry-After, anything else ``MachineUnreachable``.
"""

from contextlib import contextmanager

from odoo.addons.component.core import Component

from ...exceptions import CredentialRefused, MachineUnreachable, QuotaExceeded
from ..event_stream import Frame

try:
    from coffee_machine.homeconnect import client as hc
except ImportError:  # pragma: no cover - declared in external_dependencies
    hc = None

STATE_FRAMES = ("STATUS", "NOTIFY")
JOB_FRAMES = ("EVENT", "CONNECTED", "DISCONNECTED")
PAIRING_FRAMES = ("PAIRED", "DEPAIRED")


def event_items(event):
    """The items of ``event`` as plain dicts for a job (no secrets inside)."""
    return [
        {
            "ha_id": event.ha_id,
            "key": item.key,
            "value": item.value,
            "timestamp": item.timestamp,
        }
        for item in event.items
    ]


def frame_of(event):
    """The :class:`Frame` of a library ``Event``."""
    if event.type == "KEEP-ALIVE" or not event.ha_id:
        return Frame("keepalive")
    if event.type in PAIRING_FRAMES:
        return Frame("pairing", event.ha_id)
    if event.type in STATE_FRAMES:
        return Frame("state", event.ha_id, list(event.items))
    if event.type in JOB_FRAMES:
        return Frame("job", event.ha_id, event_items(event))
    return Frame("other", event.ha_id)


class HomeConnectFrames:
    """The library's event iterator, as frames and job errors."""

    def __init__(self, events):
        self._events = events

    def __iter__(self):
        with translated_errors():
            for event in self._events:
                yield frame_of(event)

    def close(self):
        self._events.close()


@contextmanager
def translated_errors():
    """Raise the library's errors of the block as the reader's job errors."""
    try:
        yield
    except hc.UnauthorizedError as error:
        raise CredentialRefused(str(error)).with_api_error(error) from error
    except hc.RateLimitedError as error:
        seconds = max(int(error.retry_after or 60), 1)
        raise QuotaExceeded(str(error), seconds=seconds) from error
    except hc.HomeConnectError as error:
        raise MachineUnreachable(str(error)).with_api_error(error) from error


class HomeConnectEventStream(Component):
    _name = "coffee.homeconnect.event.stream"
    _inherit = "coffee.event.stream"
    _api_type = "homeconnect"

    def open(self, on_call):
        backend = self.backend_record
        token = self.component(usage="authenticator").access_token()
        client = hc.HomeConnectClient(
            backend.location,
            token,
            timeout=backend.request_timeout or 10,
            on_request=lambda *_args: on_call(),
        )
        with translated_errors():
            # one stream, one opening: the reader reopens a stream that ends,
            # where its opening is known, and refreshes the machines
            return HomeConnectFrames(client.events(reconnect=False)), token

    def renew(self, refused):
        self.component(usage="authenticator").refresh_tokens(rejected_token=refused)
