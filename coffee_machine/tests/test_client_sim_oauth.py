"""Both OAuth flows and refresh, end to end against the simulator.

The login and device-verification pages are driven with plain ``requests``,
as a user's browser would; the client does the rest.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import CLIENT_ID, CLIENT_SECRET, submit_form

from coffee_machine.homeconnect import (
    AccessDenied,
    AuthorizationPending,
    ExpiredToken,
    HomeConnectClient,
    InvalidClient,
    InvalidGrant,
    OAuthClient,
    SlowDown,
    Tokens,
    UnauthorizedError,
    generate_pkce,
    keys,
)

REDIRECT_URI = "http://localhost:8069/coffee/oauth/callback"
ALLOW = ("grant", "allow")
DENY = ("grant", "deny")


def _login(sim, oauth_client, challenge, *, state="state-42", button=ALLOW, **creds):
    """Open the authorization URL, log in; return the redirect's query."""
    url = oauth_client.authorization_url(
        REDIRECT_URI, keys.DEFAULT_SCOPE, state, challenge
    )
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    answer = submit_form(
        page,
        button=button,
        username=creds.get("username", sim.config.username),
        password=creds.get("password", sim.config.password),
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _works(sim, got: Tokens) -> bool:
    client = HomeConnectClient(sim.url, got.access_token, timeout=5)
    return bool(client.get_appliances())


# -- authorization code with PKCE ---------------------------------------------------


def test_authorization_code_flow_with_pkce(simulator, oauth):
    verifier, challenge = generate_pkce()
    query = _login(simulator, oauth, challenge)
    assert query["state"] == "state-42"
    got = oauth.exchange_code(query["code"], REDIRECT_URI, verifier)
    assert got.refresh_token
    assert got.scope == keys.DEFAULT_SCOPE
    assert got.expires_in() > 86000
    assert _works(simulator, got)


def test_code_exchange_with_the_wrong_verifier_is_invalid_grant(simulator, oauth):
    _, challenge = generate_pkce()
    query = _login(simulator, oauth, challenge)
    other_verifier, _ = generate_pkce()
    with pytest.raises(InvalidGrant):
        oauth.exchange_code(query["code"], REDIRECT_URI, other_verifier)


def test_code_can_be_exchanged_only_once(simulator, oauth):
    verifier, challenge = generate_pkce()
    query = _login(simulator, oauth, challenge)
    oauth.exchange_code(query["code"], REDIRECT_URI, verifier)
    with pytest.raises(InvalidGrant):
        oauth.exchange_code(query["code"], REDIRECT_URI, verifier)


def test_expired_code_is_invalid_grant(simulator, oauth):
    verifier, challenge = generate_pkce()
    query = _login(simulator, oauth, challenge)
    simulator.clock.advance(simulator.config.code_ttl + 1)
    with pytest.raises(InvalidGrant):
        oauth.exchange_code(query["code"], REDIRECT_URI, verifier)


def test_user_refusing_consent_redirects_with_access_denied(simulator, oauth):
    query = _login(simulator, oauth, generate_pkce()[1], button=DENY)
    assert query["error"] == "access_denied"
    assert "code" not in query


def test_wrong_client_secret_is_invalid_client(simulator):
    verifier, challenge = generate_pkce()
    good = OAuthClient(simulator.url, CLIENT_ID, CLIENT_SECRET)
    query = _login(simulator, good, challenge)
    bad = OAuthClient(simulator.url, CLIENT_ID, "not-the-secret")
    with pytest.raises(InvalidClient):
        bad.exchange_code(query["code"], REDIRECT_URI, verifier)


# -- device flow ----------------------------------------------------------------------


def _verify(device, button=ALLOW, **creds):
    page = requests.get(device.verification_uri_complete, timeout=5)
    assert page.status_code == 200
    return submit_form(
        page,
        button=button,
        user_code=device.user_code,
        username=creds.get("username", "barista"),
        password=creds.get("password", "espresso"),
    )


def test_device_flow_end_to_end(simulator, oauth):
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    assert device.verification_uri.startswith(simulator.url)
    with pytest.raises(AuthorizationPending):
        oauth.poll_device_token(device.device_code)
    assert _verify(device).status_code == 200
    simulator.clock.advance(device.interval)
    got = oauth.poll_device_token(device.device_code)
    assert got.refresh_token
    assert _works(simulator, got)


def test_device_polling_too_fast_is_slow_down(simulator, oauth):
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    with pytest.raises(AuthorizationPending):
        oauth.poll_device_token(device.device_code)
    with pytest.raises(SlowDown):
        oauth.poll_device_token(device.device_code)


def test_device_denied_by_the_user_is_access_denied(simulator, oauth):
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    _verify(device, button=DENY)
    with pytest.raises(AccessDenied):
        oauth.poll_device_token(device.device_code)


def test_device_code_expires(simulator, oauth):
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    simulator.clock.advance(device.expires_in + 1)
    with pytest.raises(ExpiredToken):
        oauth.poll_device_token(device.device_code)


def test_waiting_for_the_device_follows_the_simulator_clock(simulator, oauth):
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        simulator.clock.advance(seconds)
        if len(polls) == 2:
            simulator.approve_device(device.user_code)

    got = oauth.wait_for_device_token(device, sleep=sleep, clock=simulator.clock.now)
    assert polls == [device.interval, device.interval]
    assert _works(simulator, got)


# -- refresh --------------------------------------------------------------------------


def test_refresh_gives_a_working_access_token(simulator, oauth, tokens):
    simulator.clock.advance(simulator.config.access_token_ttl + 1)
    with pytest.raises(UnauthorizedError):
        _works(simulator, tokens)
    fresh = oauth.refresh(tokens.refresh_token)
    assert fresh.access_token != tokens.access_token
    assert _works(simulator, fresh)


def test_reusable_refresh_token_can_be_used_twice(simulator, oauth, tokens):
    first = oauth.refresh(tokens.refresh_token)
    second = oauth.refresh(tokens.refresh_token)
    assert first.refresh_token == tokens.refresh_token
    assert _works(simulator, second)


def test_one_time_refresh_tokens_are_replaced(make_simulator):
    sim = make_simulator(one_time_refresh_tokens=True)
    oauth_client = OAuthClient(sim.url, CLIENT_ID, CLIENT_SECRET)
    original = Tokens.from_api(sim.issue_tokens())
    renewed = oauth_client.refresh(original.refresh_token)
    assert renewed.refresh_token not in (None, original.refresh_token)
    with pytest.raises(InvalidGrant):
        oauth_client.refresh(original.refresh_token)
    again = oauth_client.refresh(renewed.refresh_token)
    assert _works(sim, again)


def test_refresh_with_an_unknown_token_is_invalid_grant(simulator, oauth):
    with pytest.raises(InvalidGrant):
        oauth.refresh("no-such-refresh-token")
