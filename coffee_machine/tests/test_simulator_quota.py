"""Rate limits: 429 with key "429" and an integer Retry-After, on the sim clock."""

from __future__ import annotations

import pytest
from conftest import Api, error_key

from coffee_machine.homeconnect import keys
from coffee_machine.homeconnect.simulator import QuotaConfig

ESPRESSO = keys.PROGRAM_ESPRESSO


def quota_api(make_sim, **limits):
    sim = make_sim(quota=QuotaConfig(**limits))
    api = Api(sim.url, sim.issue_tokens()["access_token"])
    return sim, api, next(iter(sim.machines))


def test_fifty_first_call_in_a_minute_is_429(sim, api):
    answers = [api.get("homeappliances").status_code for _ in range(51)]
    assert answers[:50] == [200] * 50
    assert answers[50] == 429


def test_429_has_key_and_integer_retry_after(make_sim):
    sim, api, _ = quota_api(make_sim, per_minute=1)
    api.get("homeappliances")
    sim.clock.advance(20)
    answer = api.get("homeappliances")
    assert error_key(answer) == keys.ERROR_TOO_MANY_REQUESTS
    assert answer.headers["Retry-After"] == "40"


def test_minute_block_lifts_when_the_minute_is_over(make_sim):
    sim, api, _ = quota_api(make_sim, per_minute=1)
    api.get("homeappliances")
    api.get("homeappliances")
    sim.clock.advance(60)
    assert api.get("homeappliances").status_code == 200


def test_daily_cap_blocks_until_midnight(make_sim):
    sim, api, _ = quota_api(make_sim, per_day=2)
    api.get("homeappliances"), api.get("homeappliances")
    answer = api.get("homeappliances")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == str(16 * 3600)  # from 08:00 UTC


def test_daily_cap_resets_the_next_day(make_sim):
    sim, api, _ = quota_api(make_sim, per_day=1)
    api.get("homeappliances")
    sim.clock.advance(16 * 3600)
    api.token = sim.issue_tokens()["access_token"]
    assert api.get("homeappliances").status_code == 200


def test_refused_calls_do_not_count(make_sim):
    sim, api, _ = quota_api(make_sim, per_minute=1, per_day=2)
    api.get("homeappliances"), api.get("homeappliances")
    sim.clock.advance(60)
    assert api.get("homeappliances").status_code == 200


def start_stop(api, ha_id):
    started = api.start(ha_id, ESPRESSO).status_code
    api.delete(f"homeappliances/{ha_id}/programs/active")
    return started


def test_sixth_start_in_a_minute_is_429(make_sim):
    sim, api, ha_id = quota_api(make_sim)
    answers = [start_stop(api, ha_id) for _ in range(6)]
    assert answers == [204] * 5 + [429]


def test_start_limit_is_configurable(make_sim):
    sim, api, ha_id = quota_api(make_sim, starts_per_minute=2)
    assert [start_stop(api, ha_id) for _ in range(3)] == [204, 204, 429]


def test_stop_limit(make_sim):
    sim, api, ha_id = quota_api(make_sim, stops_per_minute=1)
    api.start(ha_id, ESPRESSO)
    api.delete(f"homeappliances/{ha_id}/programs/active")
    api.start(ha_id, ESPRESSO)
    answer = api.delete(f"homeappliances/{ha_id}/programs/active")
    assert answer.status_code == 429


def make_error(api, ha_id):
    assert api.get(f"homeappliances/{ha_id}/programs/active").status_code == 404


def test_error_streak_blocks_for_ten_minutes(make_sim):
    sim, api, ha_id = quota_api(make_sim, error_streak=3)
    for _ in range(3):
        make_error(api, ha_id)
    answer = api.get("homeappliances")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "600"


def test_a_success_breaks_the_error_streak(make_sim):
    sim, api, ha_id = quota_api(make_sim, error_streak=3)
    make_error(api, ha_id), make_error(api, ha_id)
    api.get("homeappliances")
    make_error(api, ha_id)
    assert api.get("homeappliances").status_code == 200


def test_errors_spread_over_more_than_the_window_do_not_block(make_sim):
    sim, api, ha_id = quota_api(make_sim, error_streak=2)
    make_error(api, ha_id)
    sim.clock.advance(601)
    make_error(api, ha_id)
    assert api.get("homeappliances").status_code == 200


@pytest.mark.parametrize("limits", [{"enabled": False}, {"per_minute": None}])
def test_limits_can_be_switched_off(make_sim, limits):
    sim, api, _ = quota_api(make_sim, **limits)
    assert all(api.get("homeappliances").status_code == 200 for _ in range(60))


def test_quota_counts_per_user(make_sim):
    sim, api, _ = quota_api(make_sim, per_minute=1)
    api.get("homeappliances")
    other = Api(sim.url, sim.oauth.issue_tokens(user="latte")["access_token"])
    assert other.get("homeappliances").status_code == 200


def test_calls_today_are_exposed(sim, api):
    api.get("homeappliances"), api.get("homeappliances")
    assert sim.quota.snapshot() == {
        "coffee-connector/barista": {
            "calls_today": 2,
            "calls_total": 2,
            "refused": 0,
            "blocked_for": 0.0,
            "block_reason": "",
            "error_streak": 0,
        }
    }
