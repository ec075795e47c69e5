"""``HomeConnectClient``: typed calls to the Home Connect appliance API.

One method per endpoint the connector needs, each returning models from
:mod:`.models` and raising only :mod:`.errors` classes. The client holds an
access token but never refreshes it: on :class:`~.errors.UnauthorizedError`
the caller refreshes with :class:`~.oauth.OAuthClient`, stores the new tokens
and sets :attr:`HomeConnectClient.access_token`.

>>> client = HomeConnectClient("https://simulator.home-connect.com", "token...")
>>> for appliance in client.get_appliances():           # doctest: +SKIP
...     if appliance.type == "CoffeeMaker" and appliance.connected:
...         client.start_program(appliance.ha_id, keys.PROGRAM_ESPRESSO,
...                              {keys.OPTION_FILL_QUANTITY: 40})

Every call sends ``Accept: application/vnd.bsh.sdk.v1+json`` (bodies also go
with that ``Content-Type``), the bearer token, ``Accept-Language`` if a
``language`` was given, and a timeout. ``on_request(method, path)`` is called
once per HTTP call (opening an event stream included), so the caller can count
calls against the daily quota of 1000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests

from .. import keys
from .errors import (
    MalformedResponseError,
    NoProgramActiveError,
    NoProgramSelectedError,
    clean_text,
)
from .events import EventStream
from .models import (
    Appliance,
    Option,
    Program,
    ProgramDefinition,
    ProgramSummary,
    StatusItem,
)
from .transport import (
    READ_ERRORS,
    OnRequest,
    Transport,
    decode_api,
    guard,
    media_type,
    raise_for_api_error,
    segment,
    transport_error,
)

PRODUCTION_URL = "https://api.home-connect.com"
CHINA_URL = "https://api.home-connect.cn"
#: BSH's hosted simulator (not ours: ours runs locally).
SIMULATOR_URL = "https://simulator.home-connect.com"

T = TypeVar("T")

OptionsArg = Iterable[Option] | Mapping[str, Any]


def _options_body(options: OptionsArg) -> list[dict[str, Any]]:
    if isinstance(options, Mapping):
        return [{"key": key, "value": value} for key, value in options.items()]
    return [option.to_api() for option in options]


def _command_key(item: Any) -> str:
    if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
        raise MalformedResponseError("Malformed answer: a command without a key.")
    return item["key"]


class HomeConnectClient:
    """A Home Connect API client for one access token.

    :param base_url: e.g. :data:`PRODUCTION_URL` or a local simulator's URL
        (a trailing ``/api`` is accepted).
    :param access_token: the bearer token (settable later).
    :param timeout: seconds for connecting and for each read, on every call.
    :param language: ``Accept-Language`` for names and display values.
    :param session: a ``requests.Session`` to use (one is created otherwise).
    :param on_request: ``callable(method, path)`` called once per HTTP call.
    """

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        timeout: float = 10.0,
        language: str | None = None,
        session: requests.Session | None = None,
        on_request: OnRequest | None = None,
    ) -> None:
        self._transport = Transport(
            base_url, timeout=timeout, session=session, on_request=on_request
        )
        self.access_token = access_token
        self.language = language

    # -- plumbing ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The server's root URL (without ``/api``)."""
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        """Seconds allowed for connecting and for each read."""
        return self._transport.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self._transport.timeout = value

    @property
    def session(self) -> requests.Session:
        """The ``requests.Session`` every call goes through."""
        return self._transport.session

    def close(self) -> None:
        """Close the HTTP session (if the client created it)."""
        self._transport.close()

    def __enter__(self) -> HomeConnectClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _headers(self, accept: str = keys.MEDIA_TYPE) -> dict[str, str]:
        headers = {
            "Accept": accept,
            "Authorization": f"Bearer {self.access_token}",
        }
        if self.language:
            headers["Accept-Language"] = self.language
        return headers

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        headers = self._headers()
        kwargs: dict[str, Any] = {}
        if body is not None:
            headers["Content-Type"] = keys.MEDIA_TYPE
            kwargs["json"] = body
        response = self._transport.send(method, path, headers=headers, **kwargs)
        return decode_api(response)

    def _get(self, path: str, what: str, parse: Callable[[Any], T]) -> T:
        data = self._call("GET", path)
        return guard(what, lambda: parse(data))

    @staticmethod
    def _path(ha_id: str | None = None, *parts: str) -> str:
        path = "/api/homeappliances"
        if ha_id is not None:
            path += "/" + segment(ha_id)
        for part in parts:
            path += "/" + part
        return path

    @staticmethod
    def _list_of(data: Any, name: str, parse: Callable[[Any], T]) -> list[T]:
        if not isinstance(data, Mapping) or not isinstance(data.get(name), list):
            raise MalformedResponseError(
                f"Malformed answer: data.{name} is missing or not a list."
            )
        return [parse(item) for item in data[name]]

    # -- appliances ---------------------------------------------------------------

    def get_appliances(self) -> list[Appliance]:
        """All appliances paired with the account (connected or not)."""
        return self._get(
            self._path(),
            "appliances",
            lambda data: self._list_of(data, "homeappliances", Appliance.from_api),
        )

    def get_appliance(self, ha_id: str) -> Appliance:
        """One appliance."""
        return self._get(self._path(ha_id), "appliance", Appliance.from_api)

    # -- programs -----------------------------------------------------------------

    def get_available_programs(self, ha_id: str) -> list[ProgramSummary]:
        """Programs the appliance offers now (409 while off or busy)."""
        return self._get(
            self._path(ha_id, "programs", "available"),
            "available programs",
            lambda data: self._list_of(data, "programs", ProgramSummary.from_api),
        )

    def get_available_program(self, ha_id: str, program_key: str) -> ProgramDefinition:
        """A program with its options and their constraints."""
        return self._get(
            self._path(ha_id, "programs", "available", segment(program_key)),
            "program definition",
            ProgramDefinition.from_api,
        )

    def get_active_program(self, ha_id: str) -> Program | None:
        """The running program with its options, or ``None`` when idle."""
        try:
            return self._get(
                self._path(ha_id, "programs", "active"),
                "active program",
                Program.from_api,
            )
        except NoProgramActiveError:
            return None

    def start_program(
        self, ha_id: str, program_key: str, options: OptionsArg = ()
    ) -> None:
        """Start a program (brew) now.

        ``options`` are :class:`~.models.Option` objects or a ``{key: value}``
        mapping. A :class:`~.errors.TransportError` here means the outcome is
        unknown: the machine may be brewing. Check ``get_active_program`` or the
        event stream before starting again.
        """
        self._call(
            "PUT",
            self._path(ha_id, "programs", "active"),
            self._program_body(program_key, options),
        )

    def stop_program(self, ha_id: str) -> None:
        """Stop the running program (409 WrongOperationState if none runs)."""
        self._call("DELETE", self._path(ha_id, "programs", "active"))

    def get_selected_program(self, ha_id: str) -> Program | None:
        """The selected program, or ``None`` when none is selected."""
        try:
            return self._get(
                self._path(ha_id, "programs", "selected"),
                "selected program",
                Program.from_api,
            )
        except NoProgramSelectedError:
            return None

    def select_program(
        self, ha_id: str, program_key: str, options: OptionsArg = ()
    ) -> None:
        """Select a program without starting it."""
        self._call(
            "PUT",
            self._path(ha_id, "programs", "selected"),
            self._program_body(program_key, options),
        )

    # -- options of the selected and the active program ---------------------------

    def get_selected_options(self, ha_id: str) -> list[Option]:
        """The option values of the selected program (404 if none is selected)."""
        return self._get(
            self._path(ha_id, "programs", "selected", "options"),
            "selected program options",
            lambda data: self._list_of(data, "options", Option.from_api),
        )

    def set_selected_options(self, ha_id: str, options: OptionsArg) -> None:
        """Adjust options of the selected program before it is started at the
        machine (409 ``SelectedProgramNotSet`` when none is selected, and the
        refusals of a start for an unknown option or value)."""
        self._call(
            "PUT",
            self._path(ha_id, "programs", "selected", "options"),
            {"data": {"options": _options_body(options)}},
        )

    def set_selected_option(self, ha_id: str, option_key: str, value: Any) -> None:
        """Adjust one option of the selected program."""
        self._call(
            "PUT",
            self._path(ha_id, "programs", "selected", "options", segment(option_key)),
            {"data": {"key": option_key, "value": value}},
        )

    def get_active_options(self, ha_id: str) -> list[Option]:
        """The option values of the running program, progress included (404
        :class:`~.errors.NoProgramActiveError` when idle)."""
        return self._get(
            self._path(ha_id, "programs", "active", "options"),
            "active program options",
            lambda data: self._list_of(data, "options", Option.from_api),
        )

    def set_active_option(self, ha_id: str, option_key: str, value: Any) -> None:
        """Change one option of the running program. A coffee maker refuses it
        while brewing (:class:`~.errors.WrongOperationStateError`)."""
        self._call(
            "PUT",
            self._path(ha_id, "programs", "active", "options", segment(option_key)),
            {"data": {"key": option_key, "value": value}},
        )

    @staticmethod
    def _program_body(program_key: str, options: OptionsArg) -> dict[str, Any]:
        data: dict[str, Any] = {"key": program_key}
        items = _options_body(options)
        if items:
            data["options"] = items
        return {"data": data}

    # -- status and settings --------------------------------------------------------

    def get_status(self, ha_id: str) -> list[StatusItem]:
        """All status items (operation state, remote start, counters...)."""
        return self._get(
            self._path(ha_id, "status"),
            "status",
            lambda data: self._list_of(data, "status", StatusItem.from_api),
        )

    def get_status_item(self, ha_id: str, key: str) -> StatusItem:
        """One status item."""
        return self._get(
            self._path(ha_id, "status", segment(key)),
            "status item",
            StatusItem.from_api,
        )

    def get_settings(self, ha_id: str) -> list[StatusItem]:
        """All settings (power state, child lock, cup warmer...)."""
        return self._get(
            self._path(ha_id, "settings"),
            "settings",
            lambda data: self._list_of(data, "settings", StatusItem.from_api),
        )

    def get_setting(self, ha_id: str, key: str) -> StatusItem:
        """One setting."""
        return self._get(
            self._path(ha_id, "settings", segment(key)), "setting", StatusItem.from_api
        )

    def put_setting(self, ha_id: str, key: str, value: Any) -> None:
        """Change a setting (e.g. ``PowerState`` to ``On``)."""
        self._call(
            "PUT",
            self._path(ha_id, "settings", segment(key)),
            {"data": {"key": key, "value": value}},
        )

    # -- commands -------------------------------------------------------------------

    def get_commands(self, ha_id: str) -> list[str]:
        """The keys of the commands the appliance takes now."""
        return self._get(
            self._path(ha_id, "commands"),
            "commands",
            lambda data: self._list_of(data, "commands", _command_key),
        )

    def send_command(self, ha_id: str, command_key: str, value: Any = True) -> None:
        """Run one command (a coffee maker refuses others than its own: 403)."""
        self._call(
            "PUT",
            self._path(ha_id, "commands", segment(command_key)),
            {"data": {"key": command_key, "value": value}},
        )

    def acknowledge_events(self, ha_id: str) -> None:
        """Confirm the appliance's alerts that ask for it, as its OK button does."""
        self.send_command(ha_id, keys.COMMAND_ACKNOWLEDGE_EVENT, True)

    # -- events ---------------------------------------------------------------------

    def events(
        self,
        ha_id: str | None = None,
        *,
        keepalive_timeout: float = 70.0,
        reconnect: bool = True,
        max_reconnects: int | None = None,
        reconnect_delay: float = 1.0,
    ) -> EventStream:
        """The event stream of one appliance, or of all (``ha_id=None``).

        Nothing is sent until the first ``next()``. ``keepalive_timeout`` is
        the read timeout: Home Connect sends a keep-alive at least every 55 s,
        so a longer silence means a dead connection. ``reconnect_delay`` is
        the first wait before reopening a connection that died without
        bringing anything. See :class:`~.events.EventStream` for reconnection
        and errors.
        """
        path = self._path(ha_id or None, "events")

        def opener(last_event_id: str | None) -> requests.Response:
            return self._open_stream(path, last_event_id, keepalive_timeout)

        return EventStream(
            opener,
            reconnect=reconnect,
            max_reconnects=max_reconnects,
            keepalive_timeout=keepalive_timeout,
            reconnect_delay=reconnect_delay,
        )

    def _open_stream(
        self, path: str, last_event_id: str | None, keepalive_timeout: float
    ) -> requests.Response:
        headers = self._headers(accept=keys.EVENT_STREAM_MEDIA_TYPE)
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        response = self._transport.send(
            "GET",
            path,
            headers=headers,
            stream=True,
            timeout=(self.timeout, keepalive_timeout),
        )
        try:
            if response.status_code != 200:
                try:
                    raise_for_api_error(response)
                except READ_ERRORS as exc:
                    raise transport_error(exc, f"GET {path}") from exc
                raise MalformedResponseError(
                    f"Malformed answer: HTTP {response.status_code} to the "
                    "event stream request.",
                    status=response.status_code,
                )
            mtype = media_type(response)
            if mtype != keys.EVENT_STREAM_MEDIA_TYPE:
                raise MalformedResponseError(
                    "Malformed answer: the event stream came as "
                    f"{clean_text(mtype, 100) or 'none'!r},"
                    f" expected {keys.EVENT_STREAM_MEDIA_TYPE!r}.",
                    status=response.status_code,
                )
        except BaseException:
            response.close()
            raise
        return response
