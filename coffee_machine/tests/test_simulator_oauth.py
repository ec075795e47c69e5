"""The simulator's OAuth server, driven with plain HTTP like a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import TIMEOUT, Api, error_key

from coffee_machine.homeconnect import keys

REDIRECT = "https://odoo.example.com/coffee/oauth"
CLIENT = {"client_id": "coffee-connector", "client_secret": "coffee-secret"}
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def pkce_pair() -> tuple[str, str]:
    verifier = "v" * 20 + "erifier-0123456789-abcdefghijklmnop"
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def form_fields(page: str) -> dict[str, str]:
    """The hidden inputs of an HTML form."""
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))


def authorize(sim, challenge: str, method: str = "S256", **login: str):
    """GET the login page, then POST it back as the user would."""
    query = {
        "client_id": "coffee-connector",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": keys.DEFAULT_SCOPE,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": method,
    }
    page = requests.get(
        f"{sim.url}/security/oauth/authorize", params=query, timeout=TIMEOUT
    )
    assert page.status_code == 200
    form = {
        **form_fields(page.text),
        "username": "barista",
        "password": "espresso",
        "grant": "allow",
        **login,
    }
    return requests.post(
        f"{sim.url}/security/oauth/authorize",
        data=form,
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def code_from(answer: requests.Response) -> str:
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def token_call(sim, **form: str) -> requests.Response:
    return requests.post(f"{sim.url}/security/oauth/token", data=form, timeout=TIMEOUT)


def exchange(sim, code: str, verifier: str, **extra: str) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **CLIENT,
        **extra,
    }
    return token_call(sim, **form)


# -- authorization code + PKCE --------------------------------------------------------


def test_login_page_carries_the_query_in_hidden_fields(sim):
    verifier, challenge = pkce_pair()
    page = requests.get(
        f"{sim.url}/security/oauth/authorize",
        params={
            "client_id": "coffee-connector",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": keys.DEFAULT_SCOPE,
            "state": "xyz",
            "code_challenge": challenge,
        },
        timeout=TIMEOUT,
    )
    fields = form_fields(page.text)
    assert page.headers["Content-Type"].startswith("text/html")
    assert fields["code_challenge"] == challenge
    assert fields["state"] == "xyz"


def test_code_flow_with_s256_pkce_gives_working_tokens(sim):
    verifier, challenge = pkce_pair()
    answer = exchange(sim, code_from(authorize(sim, challenge)), verifier)
    tokens = answer.json()
    assert answer.status_code == 200
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 86400
    assert tokens["scope"] == keys.DEFAULT_SCOPE
    assert {"access_token", "refresh_token", "id_token"} <= tokens.keys()
    assert Api(sim.url, tokens["access_token"]).get("homeappliances").status_code == 200


def test_code_flow_with_plain_pkce_works(sim):
    answer = exchange(
        sim, code_from(authorize(sim, "plainverifier", "plain")), "plainverifier"
    )
    assert answer.status_code == 200


def test_wrong_code_verifier_is_invalid_grant(sim):
    _verifier, challenge = pkce_pair()
    answer = exchange(sim, code_from(authorize(sim, challenge)), "not-the-verifier")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_code_works_only_once(sim):
    verifier, challenge = pkce_pair()
    code = code_from(authorize(sim, challenge))
    assert exchange(sim, code, verifier).status_code == 200
    again = exchange(sim, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_code_expires_after_code_ttl(sim):
    verifier, challenge = pkce_pair()
    code = code_from(authorize(sim, challenge))
    sim.clock.advance(601)
    assert exchange(sim, code, verifier).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorization_request(sim):
    verifier, challenge = pkce_pair()
    code = code_from(authorize(sim, challenge))
    answer = exchange(sim, code, verifier, redirect_uri="https://evil.example.com/")
    assert answer.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client_401(sim):
    verifier, challenge = pkce_pair()
    code = code_from(authorize(sim, challenge))
    answer = token_call(
        sim,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
        client_id="coffee-connector",
        client_secret="wrong",
    )
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }


def test_wrong_password_shows_the_login_form_again(sim):
    _verifier, challenge = pkce_pair()
    answer = authorize(sim, challenge, password="decaf")
    assert answer.status_code == 401
    assert "Wrong user name or password" in answer.text
    assert form_fields(answer.text)["code_challenge"] == challenge


def test_denying_consent_redirects_with_access_denied(sim):
    _verifier, challenge = pkce_pair()
    answer = authorize(sim, challenge, grant="deny")
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz"]


def test_unknown_scope_is_refused_on_the_login_page(sim):
    page = requests.get(
        f"{sim.url}/security/oauth/authorize",
        params={
            "client_id": "coffee-connector",
            "redirect_uri": REDIRECT,
            "scope": "IdentifyAppliance Espresso-Everything",
        },
        timeout=TIMEOUT,
    )
    assert page.status_code == 400
    assert "invalid_scope" in page.text


def test_unknown_grant_type_is_unsupported(sim):
    answer = token_call(sim, grant_type="password", **CLIENT)
    assert answer.json()["error"] == "unsupported_grant_type"


# -- device flow -----------------------------------------------------------------------


def device_start(sim) -> dict:
    answer = requests.post(
        f"{sim.url}/security/oauth/device_authorization",
        data={"client_id": "coffee-connector", "scope": keys.DEFAULT_SCOPE},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200
    return answer.json()


def device_poll(sim, device_code: str, grant_type: str = DEVICE_GRANT):
    return token_call(
        sim,
        grant_type=grant_type,
        device_code=device_code,
        client_id="coffee-connector",
    )


def test_device_authorization_answers_codes_and_timing(sim):
    answer = device_start(sim)
    assert answer["expires_in"] == 300
    assert answer["interval"] == 5
    assert answer["verification_uri"] == f"{sim.url}/security/oauth/device_verify"
    assert answer["verification_uri_complete"].endswith(
        "user_code=" + answer["user_code"]
    )


def test_polling_before_approval_is_authorization_pending(sim):
    answer = device_poll(sim, device_start(sim)["device_code"])
    assert answer.status_code == 400
    assert answer.json()["error"] == "authorization_pending"


def test_polling_faster_than_interval_is_slow_down(sim):
    device_code = device_start(sim)["device_code"]
    device_poll(sim, device_code)
    sim.clock.advance(2)
    assert device_poll(sim, device_code).json()["error"] == "slow_down"


def test_polling_at_the_interval_is_not_slow_down(sim):
    device_code = device_start(sim)["device_code"]
    device_poll(sim, device_code)
    sim.clock.advance(5)
    assert device_poll(sim, device_code).json()["error"] == "authorization_pending"


def test_device_code_expires_after_300_seconds(sim):
    device_code = device_start(sim)["device_code"]
    sim.clock.advance(301)
    assert device_poll(sim, device_code).json()["error"] == "expired_token"


def test_approved_device_gets_tokens_with_short_grant_type_name(sim):
    started = device_start(sim)
    sim.approve_device(started["user_code"])
    answer = device_poll(sim, started["device_code"], grant_type="device_code")
    assert answer.status_code == 200
    assert answer.json()["scope"] == keys.DEFAULT_SCOPE


def test_user_approves_on_the_verification_page(sim):
    started = device_start(sim)
    page = requests.get(started["verification_uri_complete"], timeout=TIMEOUT)
    assert started["user_code"] in page.text
    answer = requests.post(
        started["verification_uri"],
        data={
            "user_code": started["user_code"],
            "username": "barista",
            "password": "espresso",
            "grant": "allow",
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200
    assert "Device connected" in answer.text
    assert device_poll(sim, started["device_code"]).status_code == 200


def test_user_denies_on_the_verification_page(sim):
    started = device_start(sim)
    requests.post(
        started["verification_uri"],
        data={"user_code": started["user_code"], "grant": "deny"},
        timeout=TIMEOUT,
    )
    assert device_poll(sim, started["device_code"]).json()["error"] == "access_denied"


def test_unknown_user_code_is_refused_on_the_verification_page(sim):
    answer = requests.post(
        f"{sim.url}/security/oauth/device_verify",
        data={"user_code": "ZZZZ-ZZZZ", "username": "barista", "password": "espresso"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert "Unknown or expired user code" in answer.text


# -- refresh and expiry ----------------------------------------------------------------


def refresh(sim, refresh_token: str) -> requests.Response:
    return token_call(
        sim,
        grant_type="refresh_token",
        refresh_token=refresh_token,
        client_secret="coffee-secret",
    )


def test_refresh_gives_a_new_working_access_token(sim):
    tokens = sim.issue_tokens()
    answer = refresh(sim, tokens["refresh_token"])
    fresh = answer.json()
    assert answer.status_code == 200
    assert fresh["access_token"] != tokens["access_token"]
    assert Api(sim.url, fresh["access_token"]).get("homeappliances").status_code == 200


def test_refresh_token_is_reusable_by_default(sim):
    tokens = sim.issue_tokens()
    refresh(sim, tokens["refresh_token"])
    assert refresh(sim, tokens["refresh_token"]).status_code == 200


def test_refresh_needs_the_client_secret(sim):
    tokens = sim.issue_tokens()
    answer = token_call(
        sim, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


@pytest.fixture
def one_time_sim(make_sim):
    return make_sim(one_time_refresh_tokens=True)


def test_one_time_refresh_token_works_once(one_time_sim):
    tokens = one_time_sim.issue_tokens()
    first = refresh(one_time_sim, tokens["refresh_token"])
    again = refresh(one_time_sim, tokens["refresh_token"])
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_one_time_mode_new_refresh_token_works(one_time_sim):
    tokens = one_time_sim.issue_tokens()
    second = refresh(one_time_sim, tokens["refresh_token"]).json()
    assert refresh(one_time_sim, second["refresh_token"]).status_code == 200


def test_access_token_expires_on_the_sim_clock(sim, api):
    sim.clock.advance(86400)
    answer = api.get("homeappliances")
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {"key": "invalid_token", "description": "The access token expired"}
    }


def test_missing_token_is_401_invalid_token(sim):
    answer = Api(sim.url, None).get("homeappliances")
    assert answer.status_code == 401
    assert error_key(answer) == keys.ERROR_INVALID_TOKEN


def test_unknown_token_is_401_invalid_token(sim):
    assert error_key(Api(sim.url, "forged").get("homeappliances")) == "invalid_token"


@pytest.mark.parametrize(
    ("scope", "path"),
    [
        ("CoffeeMaker", "homeappliances"),
        ("IdentifyAppliance", "homeappliances/{ha_id}/status"),
        ("IdentifyAppliance CoffeeMaker-Monitor", "homeappliances/{ha_id}/settings"),
    ],
)
def test_missing_scope_is_403_insufficient_scope(sim, ha_id, scope, path):
    token = sim.issue_tokens(scope)["access_token"]
    answer = Api(sim.url, token).get(path.format(ha_id=ha_id))
    assert answer.status_code == 403
    assert error_key(answer) == keys.ERROR_INSUFFICIENT_SCOPE


def test_control_scope_is_needed_to_start(sim, ha_id):
    token = sim.issue_tokens("IdentifyAppliance Monitor")["access_token"]
    answer = Api(sim.url, token).start(ha_id, keys.PROGRAM_ESPRESSO)
    assert error_key(answer) == keys.ERROR_INSUFFICIENT_SCOPE


@pytest.mark.parametrize(
    "scope",
    [
        "IdentifyAppliance Monitor Control Settings",
        "IdentifyAppliance CoffeeMaker-Monitor CoffeeMaker-Control",
    ],
)
def test_generic_and_typed_scopes_both_grant_access(sim, ha_id, scope):
    token = sim.issue_tokens(scope)["access_token"]
    assert Api(sim.url, token).start(ha_id, keys.PROGRAM_ESPRESSO).status_code == 204
