# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The JURA adapter: ``jura-connect``'s client, in job terms, one at a time.

A Smart Connect dongle is a small device on the LAN that serves one
connection at a time, so every call of a transaction goes through
:meth:`JuraAdapter.session`:

1. it takes the backend's advisory lock (``advisory_lock_or_retry``, held
   until the transaction ends): two jobs of one machine never talk to its
   dongle at once; the second one is retried a moment later;
2. opens the connection and runs the handshake with the pairing's auth
   hash (refused: the backend must be paired again);
3. hands out the ``JuraClient``, and hangs up the way the app does.

The client's exceptions become the job errors of
``connector_coffee.exceptions``:

======================================  ==================================
client                                  job error
======================================  ==================================
connection refused, no route            ``MachineOffline`` (retried)
timeout, connection dropped             ``MachineUnreachable`` (retried)
handshake refused (auth hash, PIN)      ``AuthorizationError``
a value the profile refuses             ``MachineRefused``
======================================  ==================================

There is no quota: nothing is counted, nothing blocked.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from odoo import _

from odoo.addons.component.core import Component
from odoo.addons.queue_job.exception import RetryableJobError

from ...exceptions import (
    AuthorizationError,
    MachineOffline,
    MachineRefused,
    MachineUnreachable,
)
from .keys import TOTAL_COUNTER, counter_key

try:
    from jura_connect import client as jura
    from jura_connect import profile as jura_profile
    from jura_connect import progress as jura_progress
except ImportError:  # pragma: no cover - declared in external_dependencies
    jura = jura_profile = jura_progress = None

DEFAULT_PORT = 51515


@dataclass(frozen=True)
class JuraReading:
    """What one connection saw of the machine."""

    #: the last ``@TF:`` status pushed (``None`` while it brews: it then
    #: pushes progress instead)
    status: object = None
    #: the last ``@TV:`` progress frame pushed (``None`` while idle)
    progress: object = None
    #: ``{counter key: value}`` (``keys.py``)
    counters: dict = field(default_factory=dict)

    @property
    def brewing(self):
        return self.progress is not None and not self.progress.is_complete

    @property
    def product(self):
        return self.progress.product if self.brewing else None


def _pushed_state(frame):
    """A status (``@TF:``) or progress (``@TV:``) frame the dongle pushed."""
    return frame.startswith("@TF:") or jura_progress.is_progress_frame(frame)


def split_address(location):
    """``"host"`` or ``"host:port"`` → ``(host, port)``; ``None`` if neither."""
    text = (location or "").strip()
    if not text or "/" in text or "@" in text or " " in text:
        return None
    host, sep, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if not sep:
        host, port = text, str(DEFAULT_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


class JuraAdapter(Component):
    _name = "coffee.jura.adapter"
    _inherit = "coffee.backend.adapter"
    _api_type = "jura"

    _daily_quota = False

    def location_error(self, location):
        if split_address(location) is None:
            return _(
                "%(location)s is no address of a JURA machine: give its host "
                "name or IP address on the LAN, with the port if it is not "
                "51515 (192.168.1.42 or 192.168.1.42:51515).",
                location=location,
            )
        return None

    def profile(self):
        """The machine's profile (its products, options and alerts)."""
        code = self.backend_record.jura_machine_type or "EF1091"
        try:
            return jura_profile.load_profile(code)
        except (KeyError, ValueError, FileNotFoundError) as error:
            raise MachineRefused(
                _(
                    "%(code)s is no JURA machine type jura-connect knows: set "
                    "the machine type of %(backend)s (EF1091 for an S8 EB).",
                    code=code,
                    backend=self.backend_record.name,
                )
            ) from error

    def new_client(self, conn_id, auth_hash=""):
        backend = self.backend_record.sudo()
        host, port = split_address(backend.location) or ("", DEFAULT_PORT)
        timeout = backend.request_timeout or 10
        return jura.JuraClient(
            host,
            port,
            pin=backend.jura_pin or "",
            conn_id=conn_id,
            auth_hash=auth_hash,
            connect_timeout=timeout,
            read_timeout=timeout,
            profile=self.profile(),
        )

    def serialize(self):
        """One transaction at a time talks to the machine's dongle."""
        try:
            self.advisory_lock_or_retry(
                f"coffee.jura.dongle({self.backend_record.id})", retry_seconds=2
            )
        except RetryableJobError as error:
            raise MachineUnreachable(
                _("The machine is busy answering another job: tried again soon."),
                seconds=2,
            ) from error

    @contextmanager
    def session(self):
        """Yield a connected, authenticated ``JuraClient``."""
        self.serialize()
        backend = self.backend_record
        runtime = backend.sudo().runtime_id
        if not runtime.jura_auth_hash:
            raise AuthorizationError(
                _("%s is not paired: press Pair on the backend.", backend.name)
            )
        client = self.new_client(runtime.jura_conn_id, runtime.jura_auth_hash)
        try:
            with self.translated_errors():
                result = client.connect(timeout=backend.request_timeout or 10)
            if result.state != "CORRECT":
                backend._store({"auth_state": "expired"})
                raise AuthorizationError(
                    _(
                        "%(backend)s: the machine no longer accepts this "
                        "database (%(state)s): pair it again.",
                        backend=backend.name,
                        state=result.state,
                    )
                )
            with self.translated_errors():
                yield client
        finally:
            client.close()

    def call(self, method, *args, **kwargs):
        """``JuraClient.<method>(*args, **kwargs)`` in a session of its own."""
        with self.session() as client:
            return getattr(client, method)(*args, **kwargs)

    @contextmanager
    def translated_errors(self):
        """Raise the client's exceptions of the block as job errors."""
        address = self.backend_record.location
        try:
            yield
        except jura.HandshakeError as error:
            raise AuthorizationError(
                _(
                    "The machine at %(address)s refused the connection "
                    "(%(detail)s): pair the backend again.",
                    address=address,
                    detail=error,
                )
            ).with_api_error(error) from error
        except ConnectionRefusedError as error:
            raise MachineOffline(
                _(
                    "The machine at %(address)s does not answer: check that it "
                    "is switched on and its Smart Connect dongle in the network. "
                    "The job will try again.",
                    address=address,
                )
            ).with_api_error(error) from error
        except TimeoutError as error:
            raise MachineUnreachable(
                _(
                    "The machine at %(address)s did not answer in time "
                    "(%(detail)s). The job will try again.",
                    address=address,
                    detail=error,
                )
            ).with_api_error(error) from error
        except OSError as error:
            raise MachineUnreachable(
                _(
                    "The connection to the machine at %(address)s failed "
                    "(%(detail)s). The job will try again.",
                    address=address,
                    detail=error,
                )
            ).with_api_error(error) from error
        except ValueError as error:
            raise MachineRefused(str(error)).with_api_error(error) from error

    def read_machine(self, client, counters=True):
        """The machine's status or progress, and its counters, on ``client``.

        The dongle pushes its status (``@TF:``) while idle and the progress
        of a product (``@TV:``) while it brews, to whoever is connected; what
        it pushed during the handshake counts, else the next push is waited
        for.
        """
        timeout = self.backend_record.request_timeout or 10
        status = progress = None
        frames = [frame for frame in client.status_history if _pushed_state(frame)]
        if not frames:
            deadline = time.monotonic() + timeout
            for frame in client.iter_frames(until=deadline):
                if _pushed_state(frame):
                    frames.append(frame)
                    break
        for frame in frames:
            if frame.startswith("@TF:"):
                status, progress = jura.MachineStatus.parse(frame, client.profile), None
            elif jura_progress.is_progress_frame(frame):
                progress = jura_progress.ProductProgress.parse(frame, client.profile)
        if status is None and progress is None:
            raise TimeoutError(f"no status pushed within {timeout}s")
        client.status_history.clear()
        values = {}
        if counters:
            read = client.read_product_counters(timeout_per_page=timeout)
            values = {TOTAL_COUNTER: read.total}
            values.update(
                {counter_key(name): count for name, count in read.by_name.items()}
            )
        return JuraReading(status=status, progress=progress, counters=values)

    def check_connection(self):
        with self.session() as client:
            reading = self.read_machine(client, counters=False)
        if reading.brewing:
            return _(
                "Connected to the JURA machine at %(address)s (%(type)s): it is "
                "brewing.",
                address=self.backend_record.location,
                type=self.backend_record.jura_machine_type,
            )
        alerts = ", ".join(reading.status.active_alerts) or _("no alert")
        return _(
            "Connected to the JURA machine at %(address)s (%(type)s): %(alerts)s.",
            address=self.backend_record.location,
            type=self.backend_record.jura_machine_type,
            alerts=alerts,
        )
