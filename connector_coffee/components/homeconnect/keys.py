# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Home Connect keys, read for the neutral layer (the ``vocabulary``).

Home Connect names everything with dotted keys: values
(``BSH.Common.EnumType.PowerState.On``), programs
(``ConsumerProducts.CoffeeMaker.Program.Beverage.Espresso``), counters
(``ConsumerProducts.CoffeeMaker.Status.BeverageCounterCoffee``). The
functions below turn them into the connector's own values; the other
Home Connect components import them from here, and the models ask
:class:`HomeConnectVocabulary` (see ``components/vocabulary.py``).

Counters: one total (``BeverageCounter``) and one per family
(``BeverageCounterCoffee``, ``...CoffeeAndMilk``...).
``BeverageCounterHotWaterCups`` grows with ``HotWater``: it is not a family
of its own.
"""

from odoo.addons.component.core import Component

from coffee_machine.homeconnect import keys

from ...models.coffee_machine.common import OPERATION_STATES, POWER_STATES

#: counters that are not a beverage family of their own
NOT_FAMILIES = ("", "HotWaterCups")


def power_state_of(value):
    """``BSH.Common.EnumType.PowerState.On`` → ``on`` (unknown values kept)."""
    name = keys.short_name(value or "").lower()
    return name if name in dict(POWER_STATES) else "unknown"


def operation_state_of(value):
    """``BSH.Common.EnumType.OperationState.Run`` → ``run``."""
    name = keys.short_name(value or "").lower()
    return name if name in dict(OPERATION_STATES) else "unknown"


def program_kind(key):
    """The kind of a program key; ``other`` for keys nobody documented."""
    key = key or ""
    if key.startswith(keys.BEVERAGE_PREFIX):
        return "beverage"
    if key.startswith(keys.COFFEE_WORLD_PREFIX):
        return "coffee_world"
    if key.startswith(keys.FAVORITE_PREFIX):
        return "favorite"
    if ".MyCoffee." in key:
        return "mycoffee"
    if key.startswith(keys.CLEANING_PREFIX) or ".CleaningModes." in key:
        return "cleaning"
    return "other"


def counter_family(counter_key):
    """``...BeverageCounterCoffee`` → ``Coffee``; ``None`` if not a family."""
    if not counter_key.startswith(keys.COUNTER_PREFIX):
        return None
    family = counter_key[len(keys.COUNTER_PREFIX) :]
    return None if family in NOT_FAMILIES else family


def brew_family(program_key):
    """The family whose counter a brew of ``program_key`` grows, or ``None``."""
    families = keys.counter_families(program_key)
    return families[0] if families else None


class HomeConnectVocabulary(Component):
    _name = "coffee.homeconnect.vocabulary"
    _inherit = "coffee.vocabulary"
    _api_type = "homeconnect"

    def program_kind(self, program_key):
        return program_kind(program_key)

    def counter_family(self, counter_key):
        return counter_family(counter_key or "")

    def is_total_counter(self, counter_key):
        return counter_key == keys.COUNTER_PREFIX

    def counter_label(self, counter_key):
        key = counter_key or ""
        if key.startswith(keys.COUNTER_PREFIX):
            return key[len(keys.COUNTER_PREFIX) :]
        return keys.short_name(key)

    def brew_family(self, program_key):
        return brew_family(program_key)
