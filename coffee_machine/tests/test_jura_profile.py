"""Our bundled EF1091 profile agrees with the client's reading of J.O.E.'s file."""

from __future__ import annotations

import importlib.resources

import pytest
from jura_fixtures import *  # noqa: F403  (pytest fixtures)

from coffee_machine.jura.simulator import load_profile

OURS = load_profile("EF1091")


def test_profile_file_ships_as_package_data():
    data = importlib.resources.files("coffee_machine.jura.simulator") / "data"
    assert (data / "ef1091.json").is_file()


def test_unknown_profile_is_a_key_error():
    with pytest.raises(KeyError):
        load_profile("EF9999")


def test_products_have_the_clients_codes_names_and_kinds(ef1091):
    theirs = {(p.code, p.name, p.kind, p.active) for p in ef1091.products}
    assert {(p.code, p.name, p.kind, p.active) for p in OURS.products} == theirs


def test_product_parameters_sit_at_the_clients_offsets_with_its_defaults(ef1091):
    for product in ef1091.products:
        ours = OURS.product(product.code).params
        assert {k: (p.byte, p.default) for k, p in ours.items()} == {
            p.kind: (p.offset, p.default) for p in product.params
        }, product.name


def allowed_values(param) -> set[int]:
    if param.choices:
        return set(param.choices)
    return set(range(param.minimum, param.maximum + 1, param.step))


def test_parameters_allow_exactly_the_clients_values(ef1091):
    for product in ef1091.products:
        for param in product.params:
            ours = allowed_values(OURS.product(product.code).params[param.kind])
            if param.items:
                theirs = {int(item.value, 16) for item in param.items}
            else:
                theirs = set(range(param.minimum, param.maximum + 1, param.step))
            assert ours == theirs, (product.name, param.kind)


def test_alert_bits_have_the_clients_names(ef1091):
    assert {a.bit: a.name for a in OURS.alerts} == {
        bit: a.name for bit, a in ef1091.alert_by_bit.items()
    }


def test_alerts_block_what_the_client_says_they_block(ef1091):
    kinds = ("C", "M", "CM", "T", "TM", "P")
    for bit, alert in ef1091.alert_by_bit.items():
        ours = next(a for a in OURS.alerts if a.bit == bit)
        assert {k for k in kinds if ours.blocks_kind(k)} == set(alert.blocked_kinds)


def test_maintenance_reminders_name_the_clients_processes(ef1091):
    assert {a.name: a.process for a in OURS.alerts if a.process} == {
        a.name: a.process for a in ef1091.alerts if a.process
    }


def test_maintenance_banks_list_the_clients_fields_in_order(ef1091):
    assert OURS.maintenance_counters == ef1091.maintenance_counter_fields
    assert OURS.maintenance_percent == ef1091.maintenance_percent_fields


def test_settings_are_the_clients_addresses(ef1091):
    assert {a: s.name for a, s in OURS.settings.items()} == {
        s.p_argument: s.name for s in ef1091.settings
    }


def test_aliases_name_existing_alerts():
    assert all(OURS.alert(alias) for alias in OURS.alert_aliases)


def test_product_found_by_code_hex_or_name():
    assert OURS.product(0x2B) is OURS.product("2b") is OURS.product("cortado")
