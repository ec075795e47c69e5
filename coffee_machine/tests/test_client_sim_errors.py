"""Every failure class, reached through the simulator over real HTTP."""

from __future__ import annotations

import pytest
from client_fixtures import *  # noqa: F403  (pytest fixtures)

from coffee_machine.homeconnect import (
    ApplianceOfflineError,
    ConflictError,
    ForbiddenError,
    HomeConnectClient,
    NotFoundError,
    RateLimitedError,
    RemoteStartNotAllowedError,
    RequestTimeout,
    ServerError,
    Tokens,
    TransportError,
    UnauthorizedError,
    UnsupportedError,
    WrongOperationStateError,
    keys,
)
from coffee_machine.homeconnect.simulator import QuotaConfig


def _client(sim, access_token, **kwargs):
    return HomeConnectClient(sim.url, access_token, **kwargs)


# -- tokens and scopes ---------------------------------------------------------


def test_expired_token_is_unauthorized(simulator, hc_api, machine_id):
    simulator.clock.advance(simulator.config.access_token_ttl + 1)
    with pytest.raises(UnauthorizedError) as info:
        hc_api.get_status(machine_id)
    assert (info.value.status, info.value.key) == (401, keys.ERROR_INVALID_TOKEN)


def test_unknown_token_is_unauthorized(simulator):
    with pytest.raises(UnauthorizedError):
        _client(simulator, "forged").get_appliances()


def test_refreshed_token_set_on_the_client_works_again(
    simulator, hc_api, oauth, tokens
):
    simulator.clock.advance(simulator.config.access_token_ttl + 1)
    with pytest.raises(UnauthorizedError):
        hc_api.get_appliances()
    hc_api.access_token = oauth.refresh(tokens.refresh_token).access_token
    assert hc_api.get_appliances()


def test_token_without_the_scope_is_forbidden(simulator, machine_id):
    narrow = Tokens.from_api(simulator.issue_tokens(scope="IdentifyAppliance"))
    client = _client(simulator, narrow.access_token)
    assert client.get_appliances()
    with pytest.raises(ForbiddenError) as info:
        client.get_status(machine_id)
    assert (info.value.status, info.value.key) == (403, keys.ERROR_INSUFFICIENT_SCOPE)


def test_monitor_only_token_cannot_start(simulator, machine_id):
    monitor = simulator.issue_tokens(scope="IdentifyAppliance CoffeeMaker-Monitor")
    with pytest.raises(ForbiddenError):
        _client(simulator, monitor["access_token"]).start_program(
            machine_id, keys.PROGRAM_ESPRESSO
        )


# -- the appliance says no -----------------------------------------------------


def test_offline_appliance(simulator, hc_api, machine_id):
    simulator.faults.offline(machine_id)
    with pytest.raises(ApplianceOfflineError) as info:
        hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert (info.value.status, info.value.key) == (409, keys.ERROR_OFFLINE)
    assert not hc_api.get_appliance(machine_id).connected


def test_offline_appliance_status(simulator, hc_api, machine_id):
    simulator.faults.offline(machine_id)
    with pytest.raises(ApplianceOfflineError):
        hc_api.get_status(machine_id)


def test_start_while_brewing_is_wrong_state(hc_api, machine_id):
    hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    with pytest.raises(WrongOperationStateError) as info:
        hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert info.value.key == keys.ERROR_WRONG_OPERATION_STATE


def test_stop_while_idle_is_wrong_state(hc_api, machine_id):
    with pytest.raises(WrongOperationStateError):
        hc_api.stop_program(machine_id)


def test_programs_of_a_machine_in_standby_are_wrong_state(hc_api, machine_id):
    hc_api.put_setting(machine_id, keys.SETTING_POWER_STATE, keys.POWER_STANDBY)
    with pytest.raises(WrongOperationStateError):
        hc_api.get_available_programs(machine_id)


def test_remote_start_switched_off_at_the_machine(simulator, hc_api, machine_id):
    simulator.machines[machine_id].disallow_remote_start()
    with pytest.raises(RemoteStartNotAllowedError) as info:
        hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert info.value.key == keys.ERROR_REMOTE_START_NOT_ALLOWED
    assert isinstance(info.value, WrongOperationStateError)


def test_remote_start_lapses_with_time(make_simulator):
    sim = make_simulator(remote_start_ttl=600)
    client = _client(sim, sim.issue_tokens()["access_token"])
    sim.clock.advance(601)
    with pytest.raises(RemoteStartNotAllowedError):
        client.start_program(next(iter(sim.machines)), keys.PROGRAM_ESPRESSO)


def test_unknown_program_is_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError) as info:
        hc_api.start_program(
            machine_id, "ConsumerProducts.CoffeeMaker.Program.Beverage.Mud"
        )
    assert info.value.key in keys.UNSUPPORTED_KEYS


def test_unknown_option_is_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError) as info:
        hc_api.start_program(
            machine_id, keys.PROGRAM_ESPRESSO, {"Vendor.Option.Sugar": 2}
        )
    assert info.value.key == keys.ERROR_UNSUPPORTED_OPTION


def test_option_value_out_of_range_is_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError):
        hc_api.start_program(
            machine_id, keys.PROGRAM_ESPRESSO, {keys.OPTION_FILL_QUANTITY: 999}
        )


def test_unknown_program_definition_is_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError):
        hc_api.get_available_program(machine_id, "Vendor.Program.Unknown")


def test_unknown_setting_is_unsupported(hc_api, machine_id):
    with pytest.raises(UnsupportedError) as info:
        hc_api.get_setting(machine_id, "Vendor.Setting.Unknown")
    assert info.value.key == keys.ERROR_UNSUPPORTED_SETTING


def test_unknown_appliance_is_not_found(hc_api):
    with pytest.raises(NotFoundError):
        hc_api.get_appliance("SIEMENS-NOPE-000000000000")


def test_every_refusal_is_a_conflict(hc_api, machine_id):
    with pytest.raises(ConflictError):
        hc_api.stop_program(machine_id)


# -- quotas --------------------------------------------------------------------


def test_per_minute_quota_is_rate_limited_with_retry_after(make_simulator):
    sim = make_simulator(quota=QuotaConfig(per_minute=3))
    client = _client(sim, sim.issue_tokens()["access_token"])
    for _ in range(3):
        client.get_appliances()
    with pytest.raises(RateLimitedError) as info:
        client.get_appliances()
    assert (info.value.status, info.value.key) == (429, keys.ERROR_TOO_MANY_REQUESTS)
    assert 0 < info.value.retry_after <= 60


def test_rate_limit_lifts_after_retry_after(make_simulator):
    sim = make_simulator(quota=QuotaConfig(per_minute=1))
    client = _client(sim, sim.issue_tokens()["access_token"])
    client.get_appliances()
    with pytest.raises(RateLimitedError) as info:
        client.get_appliances()
    sim.clock.advance(info.value.retry_after)
    assert client.get_appliances()


def test_starts_per_minute_are_rate_limited(make_simulator):
    sim = make_simulator(quota=QuotaConfig(starts_per_minute=1))
    client = _client(sim, sim.issue_tokens()["access_token"])
    ha = next(iter(sim.machines))
    client.start_program(ha, keys.PROGRAM_ESPRESSO)
    client.stop_program(ha)
    with pytest.raises(RateLimitedError) as info:
        client.start_program(ha, keys.PROGRAM_ESPRESSO)
    assert info.value.retry_after > 0
    assert sim.machines[ha].snapshot()["active_program"] is None


def test_error_streak_blocks_the_account(make_simulator):
    sim = make_simulator(quota=QuotaConfig(error_streak=3))
    client = _client(sim, sim.issue_tokens()["access_token"])
    ha = next(iter(sim.machines))
    for _ in range(3):
        with pytest.raises(WrongOperationStateError):
            client.stop_program(ha)
    with pytest.raises(RateLimitedError) as info:
        client.get_appliances()
    assert info.value.retry_after == pytest.approx(600, abs=1)


def test_connection_is_usable_after_a_refused_put(simulator, machine_id):
    narrow = simulator.issue_tokens(scope="IdentifyAppliance CoffeeMaker-Monitor")
    client = _client(simulator, narrow["access_token"])
    with pytest.raises(ForbiddenError):
        client.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    assert client.get_appliances()


def test_daily_quota_asks_to_wait_hours(make_simulator):
    sim = make_simulator(quota=QuotaConfig(per_day=2, per_minute=None))
    client = _client(sim, sim.issue_tokens()["access_token"])
    client.get_appliances()
    client.get_appliances()
    with pytest.raises(RateLimitedError) as info:
        client.get_appliances()
    assert info.value.retry_after > 3600


# -- the server and the network ------------------------------------------------


def test_server_error(simulator, hc_api):
    simulator.faults.server_error(1)
    with pytest.raises(ServerError) as info:
        hc_api.get_appliances()
    assert info.value.status == 500
    assert hc_api.get_appliances()


def test_dropped_connection_is_transport_error(simulator, hc_api):
    simulator.faults.drop_connections(1)
    with pytest.raises(TransportError) as info:
        hc_api.get_appliances()
    assert not isinstance(info.value, RequestTimeout)
    assert hc_api.get_appliances()


def test_slow_answer_is_request_timeout(simulator, tokens):
    simulator.faults.slow(1.0)
    client = _client(simulator, tokens.access_token, timeout=0.2)
    with pytest.raises(RequestTimeout) as info:
        client.get_appliances()
    assert info.value.status is None


def test_appliance_timeout_408_is_request_timeout(simulator, hc_api, machine_id):
    simulator.faults.timeout_408(1)
    with pytest.raises(RequestTimeout) as info:
        hc_api.get_status(machine_id)
    assert (info.value.status, info.value.key) == (408, keys.ERROR_REQUEST_TIMEOUT)


def test_lost_answer_after_start_while_the_machine_brews(simulator, hc_api, machine_id):
    simulator.faults.lose_start_answer(1)
    with pytest.raises(TransportError):
        hc_api.start_program(machine_id, keys.PROGRAM_ESPRESSO)
    active = hc_api.get_active_program(machine_id)
    assert active is not None and active.key == keys.PROGRAM_ESPRESSO
    assert simulator.machines[machine_id].operation_state == keys.OPERATION_RUN


def test_stopped_server_is_transport_error(simulator, hc_api):
    simulator.stop()
    with pytest.raises(TransportError):
        hc_api.get_appliances()
