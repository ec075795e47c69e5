"""How the simulator says no, in the words of the Home Connect API.

Every refusal under ``/api`` reaches the client as one envelope, the one the
real cloud sends::

    {"error": {"key": "SDK.Error.WrongOperationState",
               "description": "A program is already active"}}

Two exceptions carry a refusal up to the HTTP handler, which turns them into
that envelope (:func:`error_body`):

* :class:`MachineError`: the *machine* refuses (switched off, already
  brewing, an option out of range...), usually 409. The machine's parts
  (:mod:`.state_machine` and the modules it is built from) raise it;
* :class:`ApiError`: the *API layer* refuses before any machine is asked:
  unknown URL (404/405), wrong media type (406/415), bad token or scope
  (401/403), quota (429, with ``Retry-After``), malformed body (400).

OAuth's refusals have their own shape (:class:`.oauth.OAuthError`).
"""

from __future__ import annotations

from typing import Any


class MachineError(Exception):
    """The machine refuses: ``key`` and ``status`` are what the API answers."""

    def __init__(self, key: str, description: str, status: int = 409):
        super().__init__(f"{description} [{key}]")
        self.key = key
        self.description = description
        self.status = status


class ApiError(Exception):
    """The API refuses a request: status, error key, description, headers."""

    def __init__(self, status: int, key: str, description: str, **headers: str):
        super().__init__(description)
        self.status = status
        self.key = key
        self.description = description
        self.headers = headers


def error_body(key: str, description: str) -> dict[str, Any]:
    """The JSON of an error answer: ``{"error": {"key", "description"}}``."""
    return {"error": {"key": key, "description": description}}
