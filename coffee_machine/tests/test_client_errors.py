"""Which answer becomes which exception, and what the exceptions say."""

from __future__ import annotations

import email.utils

import pytest

from coffee_machine.homeconnect import (
    DEFAULT_RETRY_AFTER,
    ApiError,
    ApplianceOfflineError,
    ConflictError,
    ForbiddenError,
    HomeConnectError,
    MalformedResponseError,
    NoProgramActiveError,
    NoProgramSelectedError,
    NotAcceptableError,
    NotFoundError,
    RateLimitedError,
    RemoteStartNotAllowedError,
    RequestTimeout,
    ServerError,
    TransportError,
    UnauthorizedError,
    UnsupportedError,
    UnsupportedMediaTypeError,
    WrongOperationStateError,
    keys,
    parse_retry_after,
)
from coffee_machine.homeconnect.client.errors import api_error_from

NOW = 1_700_000_000.0


def test_retry_after_in_seconds():
    assert parse_retry_after("120") == 120.0


def test_retry_after_with_fraction():
    assert parse_retry_after(" 1.5 ") == 1.5


def test_retry_after_as_http_date():
    header = email.utils.formatdate(NOW + 90, usegmt=True)
    assert parse_retry_after(header, now=NOW) == pytest.approx(90.0)


def test_retry_after_date_in_the_past_is_zero():
    header = email.utils.formatdate(NOW - 90, usegmt=True)
    assert parse_retry_after(header, now=NOW) == 0.0


@pytest.mark.parametrize(
    "header", [None, "", "soon", "-5", "nan", "inf", "Thu, 99 Foo 2024 99:99:99 GMT"]
)
def test_retry_after_absent_or_garbled_is_sixty_seconds(header):
    assert parse_retry_after(header) == DEFAULT_RETRY_AFTER == 60.0


def test_daily_quota_retry_after_is_kept_whole():
    assert parse_retry_after("70000") == 70000.0


@pytest.mark.parametrize(
    ("status", "key", "expected"),
    [
        (401, keys.ERROR_INVALID_TOKEN, UnauthorizedError),
        (401, None, UnauthorizedError),
        (403, keys.ERROR_INSUFFICIENT_SCOPE, ForbiddenError),
        (404, keys.ERROR_NO_PROGRAM_ACTIVE, NoProgramActiveError),
        (404, keys.ERROR_NO_PROGRAM_SELECTED, NoProgramSelectedError),
        (404, keys.ERROR_NOT_FOUND, NotFoundError),
        (406, keys.ERROR_NOT_ACCEPTABLE, NotAcceptableError),
        (408, keys.ERROR_REQUEST_TIMEOUT, RequestTimeout),
        (409, keys.ERROR_OFFLINE, ApplianceOfflineError),
        (409, keys.ERROR_WRONG_OPERATION_STATE, WrongOperationStateError),
        (409, keys.ERROR_REMOTE_START_NOT_ALLOWED, RemoteStartNotAllowedError),
        (409, "SDK.Error.RemoteControlStartNotAllowed", RemoteStartNotAllowedError),
        (409, keys.ERROR_PROGRAM_NOT_AVAILABLE, UnsupportedError),
        (409, keys.ERROR_UNSUPPORTED_PROGRAM, UnsupportedError),
        (409, keys.ERROR_UNSUPPORTED_OPTION, UnsupportedError),
        (409, keys.ERROR_UNSUPPORTED_SETTING, UnsupportedError),
        (409, "SDK.Error.SomethingNew", ConflictError),
        (415, keys.ERROR_UNSUPPORTED_MEDIA_TYPE, UnsupportedMediaTypeError),
        (429, keys.ERROR_TOO_MANY_REQUESTS, RateLimitedError),
        (500, keys.ERROR_INTERNAL, ServerError),
        (503, None, ServerError),
        (400, "SDK.Error.InvalidRequest", ApiError),
    ],
)
def test_status_and_key_choose_the_class(status, key, expected):
    error = api_error_from(status, key, "why")
    assert type(error) is expected
    assert (error.status, error.key, error.description) == (status, key, "why")


def test_conflict_without_error_object_is_malformed():
    error = api_error_from(409, None, None, wrapped=False)
    assert type(error) is MalformedResponseError


def test_not_found_without_error_object_is_still_not_found():
    assert type(api_error_from(404, None, None, wrapped=False)) is NotFoundError


def test_rate_limited_carries_parsed_retry_after():
    error = api_error_from(429, "429", None, retry_after="30")
    assert error.retry_after == 30.0


def test_remote_start_not_allowed_is_a_wrong_operation_state():
    assert issubclass(RemoteStartNotAllowedError, WrongOperationStateError)


def test_request_timeout_is_a_transport_error():
    assert issubclass(RequestTimeout, TransportError)


@pytest.mark.parametrize(
    "cls", [TransportError, ApiError, MalformedResponseError, RateLimitedError]
)
def test_every_class_is_a_home_connect_error(cls):
    assert issubclass(cls, HomeConnectError)


def test_message_is_a_readable_sentence():
    error = api_error_from(409, keys.ERROR_OFFLINE, "HomeAppliance is offline.")
    assert str(error) == (
        "The appliance is offline (HTTP 409, "
        "SDK.Error.HomeAppliance.Connection.Initialization.Failed): "
        "HomeAppliance is offline."
    )


def test_rate_limited_message_says_when_to_retry():
    error = api_error_from(429, "429", "Too many requests", retry_after="42")
    assert str(error).endswith("Retry after 42 seconds.")


def test_explicit_message_wins():
    error = TransportError("Connection refused by 127.0.0.1")
    assert str(error) == "Connection refused by 127.0.0.1"
    assert error.status is None
