"""The ``/api`` route table: which URL, which method, what it takes.

Each :class:`Route` says, for one method and one URL pattern under
``/api/homeappliances``, what the request needs and what it does:

* ``need``: the scope family the token must have (``identify``, ``monitor``,
  ``control``, ``settings``; :data:`.oauth.SCOPE_NEEDS`);
* ``kind``: what the quotas count it as (``call``, ``start``, ``stop``), or
  ``stream`` for the event streams (:mod:`.stream`);
* ``handler``: the :class:`.endpoints.ApiEndpoints` method that answers it
  (``None`` for a stream); ``body``: whether it takes a JSON body (``PUT``).

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


_HA = r"(?P<ha_id>[^/]+)"
_KEY = r"(?P<key>[^/]+)"


def _routes() -> list[Route]:
    base = "/api/homeappliances"
    table = [
        ("GET", "", "identify", ApiEndpoints.appliances, "call"),
        ("GET", "/events", "monitor", None, "stream"),
        ("GET", f"/{_HA}", "identify", ApiEndpoints.appliance, "call"),
        ("GET", f"/{_HA}/events", "monitor", None, "stream"),
        ("GET", f"/{_HA}/programs/available", "monitor", ApiEndpoints.programs, "call"),
        (
            "GET",
            f"/{_HA}/programs/available/{_KEY}",
            "monitor",
            ApiEndpoints.program,
            "call",
        ),
        ("GET", f"/{_HA}/programs/active", "monitor", ApiEndpoints.active, "call"),
        ("PUT", f"/{_HA}/programs/active", "control", ApiEndpoints.start, "start"),
        ("DELETE", f"/{_HA}/programs/active", "control", ApiEndpoints.stop, "stop"),
        (
            "GET",
            f"/{_HA}/programs/active/options",
            "monitor",
            ApiEndpoints.active_options,
            "call",
        ),
        (
            "GET",
            f"/{_HA}/programs/active/options/{_KEY}",
            "monitor",
            ApiEndpoints.active_option,
            "call",
        ),
        ("GET", f"/{_HA}/programs/selected", "monitor", ApiEndpoints.selected, "call"),
        ("PUT", f"/{_HA}/programs/selected", "control", ApiEndpoints.select, "call"),
        (
            "GET",
            f"/{_HA}/programs/selected/options",
            "monitor",
            ApiEndpoints.selected_options,
            "call",
        ),
        (
            "GET",
            f"/{_HA}/programs/selected/options/{_KEY}",
            "monitor",
            ApiEndpoints.selected_option,
            "call",
        ),
        ("GET", f"/{_HA}/status", "monitor", ApiEndpoints.status, "call"),
        ("GET", f"/{_HA}/status/{_KEY}", "monitor", ApiEndpoints.status_item, "call"),
        ("GET", f"/{_HA}/settings", "settings", ApiEndpoints.settings, "call"),
        ("GET", f"/{_HA}/settings/{_KEY}", "settings", ApiEndpoints.setting, "call"),
        (
            "PUT",
            f"/{_HA}/settings/{_KEY}",
            "settings",
            ApiEndpoints.put_setting,
            "call",
        ),
    ]
    return [
        Route(
            method,
            re.compile(f"{base}{path}/?"),
            need,
            handler,
            kind,
            body=method == "PUT",
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
