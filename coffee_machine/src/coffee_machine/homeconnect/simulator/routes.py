"""The ``/api`` route table: which URL, which method, what it takes.

Each :class:`Route` says, for one method and one URL pattern under
``/api/homeappliances``, what the request needs and what it does:

* ``need``: the scope family the token must have (``identify``, ``monitor``,
  ``control``, ``settings``; :data:`.oauth.SCOPE_NEEDS`);
* ``kind``: what the quotas count it as (``call``, ``start``, ``stop``), or
  ``stream`` for the event streams (:mod:`.stream`);
* ``handler``: the :class:`.endpoints.ApiEndpoints` method that answers it
  (``None`` for a stream); ``body``: whether it takes a JSON body (``PUT``);
* ``produces``: the media type of a success, which ``Accept`` must allow:
  the API's JSON everywhere, ``image/jpeg`` for one image (its refusals are
  JSON all the same, as Home Connect sends them).

Every operation of BSH's specification has its line, the two event streams
included: what a coffee maker cannot do (commands other than its own, images)
is refused by the machine, with the status the specification documents,
never by a missing route.

:func:`match_route` finds the route of a request: a known path with another
method is a ``405``, an unknown path a ``404``. A trailing ``/`` is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .. import keys
from .endpoints import ApiEndpoints
from .errors import ApiError


@dataclass
class Route:
    """One line of the route table (see the module docstring)."""

    method: str
    pattern: re.Pattern[str]
    need: str  # scope family: identify, monitor, control, settings
    handler: Callable[..., tuple[int, Any]]
    kind: str = "call"  # quota: call, start, stop, stream
    body: bool = False
    produces: str = keys.MEDIA_TYPE  # what a success is sent as (Accept)


_HA = r"(?P<ha_id>[^/]+)"
_KEY = r"(?P<key>[^/]+)"


def _routes() -> list[Route]:
    base = "/api/homeappliances"
    api = ApiEndpoints
    ha = f"/{_HA}"
    active = f"{ha}/programs/active"
    selected = f"{ha}/programs/selected"
    table = [
        ("GET", "", "identify", api.appliances, "call"),
        ("GET", "/events", "monitor", None, "stream"),
        ("GET", ha, "identify", api.appliance, "call"),
        ("GET", f"{ha}/events", "monitor", None, "stream"),
        ("GET", f"{ha}/programs", "monitor", api.all_programs, "call"),
        ("GET", f"{ha}/programs/available", "monitor", api.programs, "call"),
        ("GET", f"{ha}/programs/available/{_KEY}", "monitor", api.program, "call"),
        ("GET", active, "monitor", api.active, "call"),
        ("PUT", active, "control", api.start, "start"),
        ("DELETE", active, "control", api.stop, "stop"),
        ("GET", f"{active}/options", "monitor", api.active_options, "call"),
        ("PUT", f"{active}/options", "control", api.set_active_options, "call"),
        ("GET", f"{active}/options/{_KEY}", "monitor", api.active_option, "call"),
        ("PUT", f"{active}/options/{_KEY}", "control", api.set_active_option, "call"),
        ("GET", selected, "monitor", api.selected, "call"),
        ("PUT", selected, "control", api.select, "call"),
        ("GET", f"{selected}/options", "monitor", api.selected_options, "call"),
        ("PUT", f"{selected}/options", "control", api.set_selected_options, "call"),
        ("GET", f"{selected}/options/{_KEY}", "monitor", api.selected_option, "call"),
        (
            "PUT",
            f"{selected}/options/{_KEY}",
            "control",
            api.set_selected_option,
            "call",
        ),
        ("GET", f"{ha}/status", "monitor", api.status, "call"),
        ("GET", f"{ha}/status/{_KEY}", "monitor", api.status_item, "call"),
        ("GET", f"{ha}/settings", "settings", api.settings, "call"),
        ("PUT", f"{ha}/settings", "settings", api.put_settings, "call"),
        ("GET", f"{ha}/settings/{_KEY}", "settings", api.setting, "call"),
        ("PUT", f"{ha}/settings/{_KEY}", "settings", api.put_setting, "call"),
        ("GET", f"{ha}/commands", "control", api.commands, "call"),
        ("PUT", f"{ha}/commands", "control", api.put_commands, "call"),
        ("PUT", f"{ha}/commands/{_KEY}", "control", api.put_command, "call"),
        ("GET", f"{ha}/images", "images", api.images, "call"),
        ("GET", f"{ha}/images/{_KEY}", "images", api.image, "image"),
    ]
    return [
        Route(
            method,
            re.compile(f"{base}{path}/?"),
            need,
            handler,
            "call" if kind == "image" else kind,
            body=method == "PUT",
            produces=keys.IMAGE_MEDIA_TYPE if kind == "image" else keys.MEDIA_TYPE,
        )
        for method, path, need, handler, kind in table
    ]


ROUTES = _routes()


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route of ``method path`` and the path's parameters, or ApiError."""
    path_matches = False
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            path_matches = True
            if route.method == method:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
    if path_matches:
        raise ApiError(405, "405", f"Method {method} not allowed here")
    raise ApiError(404, keys.ERROR_RESOURCE_NOT_FOUND, "No such resource")
