# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What can go wrong when Odoo talks to a coffee machine, in queue_job terms.

The protocol library raises its own exceptions (one per failure class of the
machine's API). The backend adapter turns each of them into one of the job
errors below, so that the job runner does the right thing on its own:

=============================  ======================  ======================
failure                        job error               the runner...
=============================  ======================  ======================
network, timeout, 5xx          ``MachineUnreachable``  retries, with the
                                                       backoff of the job
                                                       function's retry
                                                       pattern
machine offline                ``MachineOffline``      the same, and the
                                                       machine is shown
                                                       offline
429 quota                      ``QuotaExceeded``       retries after the
                                                       Retry-After delay
token refused twice, scope     ``AuthorizationError``  fails the job: a person
                                                       must re-authorize
wrong state, unsupported       ``MachineRefused``      fails the job with the
                                                       machine's reason
malformed answer               ``MachineRefused``      fails the job
=============================  ======================  ======================

Every message is written for the person who will read it on the job or on
the record: what happened, and what to do about it. ``api_error`` keeps the
library's exception for code that needs the detail (for instance the brew
exporter, which treats "the machine is busy" apart).
"""

from odoo.addons.queue_job.exception import (
    FailedJobError,
    RetryableJobError,
)


class CoffeeJobError(Exception):
    """Base of the job errors of the connector; keeps the library's exception."""

    api_error = None

    def with_api_error(self, api_error):
        self.api_error = api_error
        return self


class MachineUnreachable(CoffeeJobError, RetryableJobError):
    """The machine or its cloud could not be reached; worth another try."""


class MachineOffline(MachineUnreachable):
    """The machine itself is offline (its cloud or dongle says so); retried."""


class QuotaExceeded(CoffeeJobError, RetryableJobError):
    """The API's quota is spent; retry after ``seconds``."""


class AuthorizationError(CoffeeJobError, FailedJobError):
    """The backend must be authorized again by a person."""


class CredentialRefused(CoffeeJobError, RetryableJobError):
    """The API refused a credential (an access token) it should accept:
    renew it and try again."""


class MachineRefused(CoffeeJobError, FailedJobError):
    """The machine refused the request; retrying cannot change its answer."""
