# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Measuring every request, at no cost for the fast ones.

``ir.http._dispatch`` runs the controller of every request that matched a
route. It is timed with ``time.monotonic()``; a request faster than
``MIN_REQUEST_SECONDS`` (one second) stops there: one subtraction and one
comparison, no query, no lock, no cache lookup.

A slower request is remembered on the request, and looked at **after** it:
the response (its answer, or the error page of a request that failed) gets
a ``call_on_close`` callback, which werkzeug runs once the response is sent,
when the request's transaction is over, committed or rolled back. The
callback opens a transaction of its own: if the user opted in and the
request took longer than their threshold, a trigger is recorded and a job
queued to pour the coffee (``coffee.busy.trigger``). The request never waits
for any of it, and a request that failed still counts. A request retried by
Odoo after a serialization failure is measured from its first try, once.
"""

import logging
import time
import uuid

from odoo import SUPERUSER_ID, api, models
from odoo.http import request

from .user import MIN_REQUEST_SECONDS

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls, endpoint):
        started = time.monotonic()
        try:
            return super()._dispatch(endpoint)
        finally:
            if time.monotonic() - started >= MIN_REQUEST_SECONDS:
                cls._coffee_busy_remember(started)

    @classmethod
    def _post_dispatch(cls, response):
        result = super()._post_dispatch(response)
        cls._coffee_busy_after(response)
        return result

    @classmethod
    def _handle_error(cls, exception):
        response = super()._handle_error(exception)
        cls._coffee_busy_after(response)
        return response

    @classmethod
    def _coffee_busy_remember(cls, started):
        slow = getattr(request, "_coffee_busy_slow", None)
        if slow is None:  # the first try of a request Odoo may retry
            slow = request._coffee_busy_slow = {
                "started": started,
                "request_id": uuid.uuid4().hex,
                "uid": request.env.uid,
                "path": request.httprequest.path,
            }
        slow["elapsed"] = time.monotonic() - slow["started"]

    @classmethod
    def _coffee_busy_after(cls, response):
        """Record the slow request once ``response`` is sent. A retried
        request builds a response per try and only the last is sent; the
        request's id makes any second recording a no-op."""
        slow = getattr(request, "_coffee_busy_slow", None)
        if slow and hasattr(response, "call_on_close"):
            registry = request.env.registry
            response.call_on_close(lambda: cls._coffee_busy_record(registry, slow))

    @classmethod
    def _coffee_busy_record(cls, registry, slow):
        """After the response: record the slow request if it kept its user
        waiting (in a transaction of its own)."""
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                threshold = env["res.users"]._coffee_busy_thresholds().get(slow["uid"])
                if threshold is None or slow["elapsed"] < threshold:
                    return
                env["coffee.busy.trigger"]._record_slow_request(
                    slow["uid"], slow["request_id"], slow["path"], slow["elapsed"]
                )
        except Exception:  # a person's request never fails for a coffee
            _logger.warning("A slow request could not be recorded", exc_info=True)
