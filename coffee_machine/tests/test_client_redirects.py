"""No credential ever follows a redirect.

Every request of the client carries a secret: the bearer token (API calls and
the event stream) or the client secret with a code or a refresh token (the
token endpoint). ``requests`` follows redirects by default and keeps the
``Authorization`` header when the host stays the same (it only drops it for
another host), and it re-posts the form on a 307 or 308. The client follows
none: a 3xx is an :class:`UnexpectedRedirect`, and the server it pointed to
hears nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from client_fixtures import *  # noqa: F403  (pytest fixtures)
from client_fixtures import CLIENT_SECRET, HA_ID
from stub_server import Canned, StubServer

from coffee_machine.homeconnect import (
    HomeConnectClient,
    HomeConnectError,
    MalformedResponseError,
    OAuthClient,
    UnexpectedRedirect,
    keys,
)

TOKEN = "bearer-secret-token"
REFRESH_TOKEN = "refresh-secret-token"
REDIRECT_STATUSES = [301, 302, 303, 307, 308]


@pytest.fixture
def elsewhere() -> Iterator[StubServer]:
    """A second server, where a redirect points: it must stay silent."""
    with StubServer() as server:
        yield server


@pytest.fixture(params=["other port", "localhost"])
def target(request, elsewhere) -> str:
    """Where the redirect points: the second server, by address or by name."""
    if request.param == "localhost":
        return f"http://localhost:{urlsplit(elsewhere.url).port}"
    return elsewhere.url


def _redirect(status: int, location: str) -> Canned:
    return Canned(status=status, headers={"Location": location})


def _assert_told_nothing(error: HomeConnectError, status: int, *secrets: str):
    assert isinstance(error, UnexpectedRedirect)
    assert isinstance(error, MalformedResponseError)  # a broken promise of the API
    assert error.status == status
    text = f"{error} {error.description} {error.key}"
    assert f"HTTP {status}" in text
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def client(stub) -> Iterator[HomeConnectClient]:
    with HomeConnectClient(stub.url, TOKEN, timeout=2.0) as hc:
        yield hc


@pytest.fixture
def oauth_client(stub) -> Iterator[OAuthClient]:
    oauth = OAuthClient(stub.url, "client-id", CLIENT_SECRET, timeout=2.0)
    yield oauth
    oauth.close()


# -- API calls ----------------------------------------------------------------------


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
def test_api_call_redirected_elsewhere_is_not_followed(
    stub, elsewhere, target, client, status
):
    stub.respond(_redirect(status, f"{target}/api/homeappliances"))
    with pytest.raises(UnexpectedRedirect) as info:
        client.get_appliances()
    _assert_told_nothing(info.value, status, TOKEN)
    port = urlsplit(target).port
    assert info.value.location_host == f"{urlsplit(target).hostname}:{port}"
    assert info.value.location_host in str(info.value)
    assert len(stub.requests) == 1
    assert stub.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert elsewhere.requests == []


@pytest.mark.parametrize("status", [307, 308])
def test_brew_start_redirected_is_not_replayed(stub, elsewhere, client, status):
    stub.respond(_redirect(status, f"{elsewhere.url}/api/x"))
    with pytest.raises(UnexpectedRedirect):
        client.start_program(HA_ID, keys.PROGRAM_ESPRESSO)
    assert [r.method for r in stub.requests] == ["PUT"]
    assert elsewhere.requests == []


def test_redirect_to_the_same_server_is_not_followed_either(stub, client):
    # requests itself would keep the bearer token on a same-host redirect
    stub.respond(_redirect(302, "/api/homeappliances/elsewhere"))
    with pytest.raises(UnexpectedRedirect) as info:
        client.get_appliances()
    _assert_told_nothing(info.value, 302, TOKEN)
    assert info.value.location_host == urlsplit(stub.url).netloc
    assert len(stub.requests) == 1


def test_redirect_message_names_the_host_not_the_location(stub, elsewhere, client):
    location = f"http://user:pw@localhost:{urlsplit(elsewhere.url).port}/p?code=c0de"
    stub.respond(_redirect(302, location))
    with pytest.raises(UnexpectedRedirect) as info:
        client.get_appliances()
    message = str(info.value)
    assert f"localhost:{urlsplit(elsewhere.url).port}" in message
    for part in ("user", "pw", "c0de", "/p?"):
        assert part not in message
    assert elsewhere.requests == []


def test_redirect_without_location_is_still_refused(stub, client):
    stub.respond(Canned(status=302))
    with pytest.raises(UnexpectedRedirect) as info:
        client.get_status(HA_ID)
    assert info.value.location_host is None
    assert "HTTP 302" in str(info.value)


def test_a_session_of_the_caller_does_not_follow_either(stub, elsewhere):
    session = requests.Session()
    session.max_redirects = 30
    client = HomeConnectClient(stub.url, TOKEN, timeout=2.0, session=session)
    stub.respond(_redirect(302, elsewhere.url))
    with pytest.raises(UnexpectedRedirect):
        client.get_appliances()
    assert elsewhere.requests == []
    session.close()


# -- the event stream ---------------------------------------------------------------


@pytest.mark.parametrize("reconnect", [False, True])
@pytest.mark.parametrize("status", [302, 307])
def test_event_stream_redirected_is_not_followed(
    stub, elsewhere, target, client, status, reconnect
):
    stub.respond(_redirect(status, f"{target}/api/homeappliances/events"))
    stream = client.events(HA_ID, reconnect=reconnect, max_reconnects=2)
    with pytest.raises(UnexpectedRedirect) as info:
        next(stream)
    stream.close()
    _assert_told_nothing(info.value, status, TOKEN)
    assert len(stub.requests) == 1
    assert stub.requests[0].headers["Accept"] == keys.EVENT_STREAM_MEDIA_TYPE
    assert elsewhere.requests == []


# -- the token endpoint -------------------------------------------------------------


TOKEN_CALLS = {
    "refresh": lambda oauth: oauth.refresh(REFRESH_TOKEN),
    "code": lambda oauth: oauth.exchange_code("code-secret", "https://x/cb", "v" * 43),
    "device token": lambda oauth: oauth.poll_device_token("device-secret"),
    "device authorization": lambda oauth: oauth.start_device_authorization("Scope"),
}


@pytest.mark.parametrize("call", TOKEN_CALLS.values(), ids=TOKEN_CALLS)
@pytest.mark.parametrize("status", REDIRECT_STATUSES)
def test_token_endpoint_redirected_is_not_followed(
    stub, elsewhere, target, oauth_client, call, status
):
    stub.respond(_redirect(status, f"{target}/security/oauth/token"))
    with pytest.raises(UnexpectedRedirect) as info:
        call(oauth_client)
    _assert_told_nothing(
        info.value,
        status,
        REFRESH_TOKEN,
        CLIENT_SECRET,
        "code-secret",
        "device-secret",
    )
    assert [r.method for r in stub.requests] == ["POST"]
    assert elsewhere.requests == []
