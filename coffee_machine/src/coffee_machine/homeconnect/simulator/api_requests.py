"""The ``/api`` request pipeline: from a request line to an answer.

Every request under ``/api`` goes through the same steps, in this order
(:meth:`ApiRequests._api`), and the first that refuses answers:

1. the fault switches (:mod:`.faults`): drop the connection, wait, or answer
   ``408`` / ``500`` before anything else;
2. the route (:func:`.routes.match_route`): ``404`` or ``405``;
3. admission (:meth:`ApiRequests._admit`): the media type (``406``; a
   missing ``Accept`` or ``*/*`` is accepted, not for a stream), the Bearer
   token (``401``), its scope (``403``), the quotas (``429`` with
   ``Retry-After``);
4. the call: the JSON body of a ``PUT`` (``415``, ``400``), then the
   endpoint (:mod:`.endpoints`), which may refuse with the machine's error
   (:class:`.errors.MachineError`, usually ``409``).

Its answer is counted against the caller's quotas, then sent wrapped
(``{"data": ...}``) or as the error envelope. An event stream leaves the
pipeline after admission for :mod:`.stream`. A start the
``lose_start_answer`` fault catches brews the beverage, then gets no answer.
"""

from __future__ import annotations

import json
from typing import Any

from .. import keys
from .catalogue import pick_language
from .endpoints import ApiEndpoints
from .errors import ApiError, MachineError
from .oauth import AccessToken, InvalidToken
from .routes import Route, match_route
from .stream import StreamRequests


def _accepts(accept: str | None, media_type: str, lenient: bool = True) -> bool:
    """Does an ``Accept`` header allow ``media_type``? (missing, */*: yes)."""
    if not accept or not accept.strip():
        return lenient
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == media_type:
            return True
        if lenient and media in ("*/*", media_type.split("/")[0] + "/*"):
            return True
    return False


class ApiRequests(StreamRequests):
    """The request handler's ``/api`` side."""

    def _injected_fault(self) -> bool:
        """Apply the fault switches; True when the request is already answered."""
        faults = self.sim.faults
        if faults.take("drop_connections"):
            self._read_body()
            self._drop()
            return True
        if faults.slow_seconds:
            self.sim.stopping.wait(faults.slow_seconds)
        if faults.take("timeout_408"):
            self._read_body()
            self._send_error(
                408,
                keys.ERROR_REQUEST_TIMEOUT,
                "The appliance did not answer in time",
            )
            return True
        if faults.take("server_error"):
            self._read_body()
            self._send_error(500, keys.ERROR_INTERNAL, "Internal Server Error")
            return True
        return False

    def _api(self, method: str, path: str) -> None:
        if self._injected_fault():
            return
        token: AccessToken | None = None
        try:
            route, params = match_route(method, path)
            token = self._admit(route)
            if route.kind == "stream":
                self._stream(params.get("ha_id"), token)
                return
            status, data = self._call(route, params)
        except ApiError as error:
            status, data = error.status, error
        except MachineError as error:
            status, data = (
                error.status,
                ApiError(error.status, error.key, error.description),
            )
        if token is not None:
            self.sim.quota.record_answer(token.principal, status)
        if isinstance(data, ApiError):
            self._send_error(data.status, data.key, data.description, data.headers)
            return
        if route.kind == "start" and status == 204:
            if self.sim.faults.take("lose_start_answer"):
                self._drop()
                return
        self._send_json(status, None if data is None else {"data": data})

    def _admit(self, route: Route) -> AccessToken:
        """Media type, token, scope and quota checks, in that order."""
        accept = self.headers.get("Accept")
        if route.kind == "stream":
            if not _accepts(accept, keys.EVENT_STREAM_MEDIA_TYPE, lenient=False):
                raise ApiError(
                    406, keys.ERROR_NOT_ACCEPTABLE, "Use Accept: text/event-stream"
                )
        elif not _accepts(accept, route.produces):
            raise ApiError(
                406,
                keys.ERROR_NOT_ACCEPTABLE,
                f"Resource representation is only available with these types:\n"
                f"{route.produces}",
            )
        try:
            token = self.sim.oauth.authenticate(self.headers.get("Authorization"))
        except InvalidToken as error:
            raise ApiError(401, keys.ERROR_INVALID_TOKEN, error.description) from None
        if not token.has(route.need):
            raise ApiError(
                403,
                keys.ERROR_INSUFFICIENT_SCOPE,
                "Insufficient scope for this resource",
            )
        quota = self.sim.quota
        if route.kind == "stream":
            open_streams = self.sim.bus.open_streams(token.principal)
            wait = quota.admit_stream(token.principal, open_streams)
        else:
            wait = quota.admit(token.principal, route.kind)
        if wait is not None:
            raise ApiError(
                429,
                keys.ERROR_TOO_MANY_REQUESTS,
                "The user has sent too many requests in a given amount of time",
                **{"Retry-After": str(wait)},
            )
        return token

    def _call(self, route: Route, params: dict[str, str]) -> tuple[int, Any]:
        api = ApiEndpoints(self.sim, pick_language(self.headers.get("Accept-Language")))
        args: list[Any] = [params[name] for name in ("ha_id", "key") if name in params]
        if route.body:
            args.append(self._json_body())
        return route.handler(api, *args)

    def _json_body(self) -> Any:
        raw = self._read_body()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type.lower() != keys.MEDIA_TYPE:
            raise ApiError(
                415,
                keys.ERROR_UNSUPPORTED_MEDIA_TYPE,
                f"The request's Content-Type is not supported. Expected:\n"
                f"{keys.MEDIA_TYPE}",
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, keys.ERROR_BAD_REQUEST, "Invalid JSON") from None
