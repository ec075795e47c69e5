"""Home Connect: the cloud API of Siemens, Bosch, Neff and Gaggenau machines.

This package speaks Home Connect for coffee machines (appliance type
``CoffeeMaker``). It has two halves that share :mod:`.keys`, the API's
vocabulary:

* ``client``: what the connector uses, re-exported here: OAuth helpers
  (:class:`OAuthClient`, :func:`generate_pkce`, :func:`authorization_url`),
  the API client (:class:`HomeConnectClient`), the event stream
  (:class:`EventStream`), the models and one exception hierarchy rooted at
  :class:`HomeConnectError`;
* ``simulator``: a local Home Connect server with coffee machines, for tests
  and demos (``python -m coffee_machine.homeconnect.simulator``).

A first brew, with tokens obtained once through the device flow::

    from coffee_machine.homeconnect import (
        HomeConnectClient, OAuthClient, WrongOperationStateError, keys)

    oauth = OAuthClient(url, client_id, client_secret)
    device = oauth.start_device_authorization(keys.DEFAULT_SCOPE)
    print("Go to", device.verification_uri, "and enter", device.user_code)
    tokens = oauth.wait_for_device_token(device)      # store tokens.as_dict()

    client = HomeConnectClient(url, tokens.access_token)
    machine = client.get_appliances()[0]
    try:
        client.start_program(machine.ha_id, keys.PROGRAM_ESPRESSO,
                             {keys.OPTION_FILL_QUANTITY: 40})
    except WrongOperationStateError as exc:
        print("Not now:", exc)
    for event in client.events(machine.ha_id):
        for item in event.items:
            print(event.type, item.key, item.value)

Calls raise only :class:`HomeConnectError` subclasses (see
:mod:`.client.errors`); each carries ``status``, ``key`` and ``description``.
"""

from . import keys
from .client import *  # noqa: F403
from .client import __all__ as _client_all

__all__ = ["keys", *_client_all]
