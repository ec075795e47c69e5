# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The event stream of a backend, as the event reader sees it: frames.

A protocol that pushes what happens on its machines (Home Connect does, on a
server-sent event stream) brings an ``event.stream`` component. The reader
(``cli/coffee_events.py``) knows only this interface:

* :meth:`CoffeeEventStream.open` opens the stream and returns an iterable of
  :class:`Frame` with a ``close()``; the protocol decides what each frame of
  its own calls for (its ``kind``);
* :meth:`CoffeeEventStream.renew` renews the credential a stream refused;
* failures are the job errors of ``connector_coffee.exceptions``:
  ``CredentialRefused`` (renew, then reopen), ``QuotaExceeded`` (wait
  ``seconds``), ``AuthorizationError`` (a person must act: stop),
  any other ``CoffeeJobError`` (reopen after a pause).

A protocol without a stream (JURA's dongle answers but never pushes) has no
such component: its backends get no reader, and polling keeps them current.

What a frame calls for (``Frame.kind``):

=============  =================================================================
``state``      the machine's state, applied at once by the protocol's
               ``stream.state`` component (``items`` are the protocol's own)
``job``        queued as ``coffee.backend._handle_events`` (``items`` are
               plain dicts, a job's arguments)
``pairing``    machines paired or removed: the machines are imported again
``keepalive``  nothing but the heartbeat
``other``      nothing, unless it names a machine Odoo does not know: the
               machines are imported again (so does any frame of one)
=============  =================================================================

A ``state`` or ``job`` frame without items does nothing either (but for an
unknown machine).
"""

from dataclasses import dataclass, field

from odoo.addons.component.core import AbstractComponent


@dataclass(frozen=True)
class Frame:
    """One frame of an event stream, classified by its protocol."""

    kind: str
    #: external id of the machine the frame is about (``None``: the account)
    machine: str | None = None
    items: list = field(default_factory=list)


class CoffeeEventStream(AbstractComponent):
    _name = "coffee.event.stream"
    _inherit = "base.coffee.connector"
    _usage = "event.stream"
    _apply_on = "coffee.backend"

    def open(self, on_call):
        """Open the stream of the backend; return ``(frames, credential)``.

        ``frames`` iterates :class:`Frame` and has ``close()`` (from any
        thread); ``credential`` is what :meth:`renew` is given back when the
        stream refuses it. ``on_call()`` is called for each API call spent.
        """
        raise NotImplementedError

    def renew(self, refused):
        """Renew the ``refused`` credential (unless a job already did)."""
        raise NotImplementedError
