"""OAuth helpers without a server (PKCE, URL) and against canned token answers."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from stub_server import Canned, json_answer

from coffee_machine.homeconnect import (
    AccessDenied,
    AuthorizationPending,
    DeviceAuthorization,
    ExpiredToken,
    InvalidClient,
    InvalidGrant,
    OAuthError,
    RateLimitedError,
    ServerError,
    SlowDown,
    Tokens,
    authorization_url,
    generate_pkce,
    pkce_challenge,
)

JSON = "application/json"


def _token_answer(**fields):
    body = {
        "access_token": "access-2",
        "refresh_token": "refresh-2",
        "expires_in": 86400,
        "scope": "IdentifyAppliance CoffeeMaker",
        "token_type": "Bearer",
        "id_token": "id-2",
        **fields,
    }
    return json_answer(
        {k: v for k, v in body.items() if v is not None}, content_type=JSON
    )


def _oauth_error(error, status=400, description="why"):
    return json_answer(
        {"error": error, "error_description": description}, status, content_type=JSON
    )


def _form(request):
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


# -- PKCE and the authorization URL -----------------------------------------------


def test_pkce_challenge_matches_rfc7636_appendix_b():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_generated_pkce_pair_is_consistent_and_url_safe():
    verifier, challenge = generate_pkce()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    assert challenge == pkce_challenge(verifier)
    assert "=" not in challenge


def test_generated_verifiers_differ():
    assert generate_pkce()[0] != generate_pkce()[0]


def test_pkce_verifier_length_is_checked():
    with pytest.raises(ValueError):
        generate_pkce(20)


def test_authorization_url_carries_every_parameter():
    url = authorization_url(
        "https://api.home-connect.com/",
        "client-1",
        "https://odoo.example.com/callback",
        ["IdentifyAppliance", "CoffeeMaker"],
        "state-xyz",
        "challenge-abc",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "api.home-connect.com",
        "/security/oauth/authorize",
    )
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": "client-1",
        "redirect_uri": "https://odoo.example.com/callback",
        "response_type": "code",
        "scope": "IdentifyAppliance CoffeeMaker",
        "state": "state-xyz",
        "code_challenge": "challenge-abc",
        "code_challenge_method": "S256",
    }


def test_authorization_url_without_pkce_has_no_challenge():
    url = authorization_url(
        "http://sim/api", "c", "http://cb", "IdentifyAppliance", "s"
    )
    query = parse_qs(urlsplit(url).query)
    assert "code_challenge" not in query
    assert url.startswith("http://sim/security/oauth/authorize?")


# -- tokens -----------------------------------------------------------------------


def test_tokens_expiry_helpers():
    tokens = Tokens.from_api({"access_token": "a", "expires_in": 600}, now=1000.0)
    assert tokens.expires_at == 1600.0
    assert tokens.expires_in(now=1100.0) == 500.0
    assert not tokens.is_expiring(margin=300, now=1100.0)
    assert tokens.is_expiring(margin=300, now=1400.0)


def test_tokens_round_trip_through_a_dict():
    tokens = Tokens.from_api({"access_token": "a", "refresh_token": "r"}, now=0)
    assert Tokens.from_dict(tokens.as_dict()) == tokens


def test_code_exchange_posts_a_form_and_returns_tokens(stub, stub_oauth):
    stub.respond(_token_answer())
    before = time.time()
    tokens = stub_oauth.exchange_code("code-1", "http://localhost/cb", "verifier-1")
    assert tokens.access_token == "access-2"
    assert tokens.refresh_token == "refresh-2"
    assert tokens.id_token == "id-2"
    assert before + 86400 <= tokens.expires_at <= time.time() + 86400
    request = stub.requests[0]
    assert (request.method, request.path) == ("POST", "/security/oauth/token")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert _form(request) == {
        "grant_type": "authorization_code",
        "code": "code-1",
        "redirect_uri": "http://localhost/cb",
        "code_verifier": "verifier-1",
        "client_id": "coffee-connector",
        "client_secret": "coffee-secret",
    }


def test_refresh_returns_the_new_refresh_token(stub, stub_oauth):
    stub.respond(_token_answer(refresh_token="refresh-new"))
    tokens = stub_oauth.refresh("refresh-old")
    assert tokens.refresh_token == "refresh-new"
    assert _form(stub.requests[0])["refresh_token"] == "refresh-old"
    assert _form(stub.requests[0])["grant_type"] == "refresh_token"


def test_refresh_keeps_the_old_refresh_token_when_none_comes(stub, stub_oauth):
    stub.respond(_token_answer(refresh_token=None))
    assert stub_oauth.refresh("refresh-old").refresh_token == "refresh-old"


def test_refresh_with_a_dead_token_is_invalid_grant(stub, stub_oauth):
    stub.respond(_oauth_error("invalid_grant"))
    with pytest.raises(InvalidGrant) as info:
        stub_oauth.refresh("refresh-used")
    assert (info.value.error, info.value.status) == ("invalid_grant", 400)


def test_wrong_client_secret_is_invalid_client(stub, stub_oauth):
    stub.respond(_oauth_error("invalid_client", 401))
    with pytest.raises(InvalidClient):
        stub_oauth.refresh("r")


def test_unknown_oauth_error_is_plain_oauth_error(stub, stub_oauth):
    stub.respond(_oauth_error("invalid_scope"))
    with pytest.raises(OAuthError) as info:
        stub_oauth.refresh("r")
    assert type(info.value) is OAuthError
    assert info.value.error == "invalid_scope"


def test_token_endpoint_rate_limit_is_rate_limited(stub, stub_oauth):
    stub.respond(json_answer({"error": "too_many"}, 429, headers={"Retry-After": "5"}))
    with pytest.raises(RateLimitedError) as info:
        stub_oauth.refresh("r")
    assert info.value.retry_after == 5.0


def test_token_endpoint_server_error_is_server_error(stub, stub_oauth):
    stub.respond(Canned(status=500, body=b"oops"))
    with pytest.raises(ServerError):
        stub_oauth.refresh("r")


# -- device flow ------------------------------------------------------------------


DEVICE = {
    "device_code": "dev-1",
    "user_code": "ABCD-EFGH",
    "verification_uri": "http://sim/security/oauth/device_verify",
    "verification_uri_complete": "http://sim/security/oauth/device_verify?u=ABCD",
    "expires_in": 300,
    "interval": 5,
}


def test_device_authorization_is_parsed(stub, stub_oauth):
    stub.respond(json_answer(DEVICE, content_type=JSON))
    device = stub_oauth.start_device_authorization("IdentifyAppliance CoffeeMaker")
    assert device == DeviceAuthorization(
        device_code="dev-1",
        user_code="ABCD-EFGH",
        verification_uri=DEVICE["verification_uri"],
        verification_uri_complete=DEVICE["verification_uri_complete"],
        expires_in=300.0,
        interval=5.0,
    )
    assert stub.requests[0].path == "/security/oauth/device_authorization"
    assert _form(stub.requests[0]) == {
        "client_id": "coffee-connector",
        "scope": "IdentifyAppliance CoffeeMaker",
    }


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        ("authorization_pending", AuthorizationPending),
        ("slow_down", SlowDown),
        ("expired_token", ExpiredToken),
        ("access_denied", AccessDenied),
    ],
)
def test_device_poll_errors_are_typed(stub, stub_oauth, error, cls):
    stub.respond(_oauth_error(error))
    with pytest.raises(cls) as info:
        stub_oauth.poll_device_token("dev-1")
    assert info.value.error == error


def test_device_poll_sends_the_device_code_grant(stub, stub_oauth):
    stub.respond(_token_answer())
    stub_oauth.poll_device_token("dev-1")
    form = _form(stub.requests[0])
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    assert form["device_code"] == "dev-1"


def test_waiting_for_the_device_honours_interval_and_slow_down(stub, stub_oauth):
    stub.respond(
        _oauth_error("authorization_pending"),
        _oauth_error("slow_down"),
        _oauth_error("authorization_pending"),
        _token_answer(),
    )
    sleeps = []
    device = DeviceAuthorization("dev-1", "U", "http://x", expires_in=300, interval=5)
    tokens = stub_oauth.wait_for_device_token(
        device, sleep=sleeps.append, clock=lambda: 0.0
    )
    assert tokens.access_token == "access-2"
    assert sleeps == [5, 10, 10]


def test_waiting_for_the_device_stops_at_expiry(stub, stub_oauth):
    stub.default = _oauth_error("authorization_pending")
    now = [0.0]
    device = DeviceAuthorization("dev-1", "U", "http://x", expires_in=12, interval=5)

    def sleep(seconds):
        now[0] += seconds

    with pytest.raises(ExpiredToken):
        stub_oauth.wait_for_device_token(device, sleep=sleep, clock=lambda: now[0])
    assert len(stub.requests) == 3


def test_waiting_for_the_device_stops_when_denied(stub, stub_oauth):
    stub.respond(_oauth_error("authorization_pending"), _oauth_error("access_denied"))
    device = DeviceAuthorization("dev-1", "U", "http://x", interval=1)
    with pytest.raises(AccessDenied):
        stub_oauth.wait_for_device_token(device, sleep=lambda s: None)
