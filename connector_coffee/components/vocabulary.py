# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How a protocol names things: the ``vocabulary`` component.

The models keep what the machines say in the machines' own words: program
keys (a dotted Home Connect program key, a JURA product name), counter
keys. Whatever the neutral layer
must *understand* of those words it asks the protocol's vocabulary, never
parses itself:

* what kind of program a key is (a beverage, a cleaning program...);
* which beverage family a counter counts, and whether it is the total;
* which family's counter a brew of a program grows (the counters settle
  brews and log the panel's beverages, ``models/coffee_machine/counters.py``).

A *family* is the unit the machine counts in: Home Connect counts per kind of
beverage (``Coffee``, ``CoffeeAndMilk``...), JURA per product.

Get it with ``backend._vocabulary()``.
"""

from odoo.addons.component.core import AbstractComponent


class CoffeeVocabulary(AbstractComponent):
    _name = "coffee.vocabulary"
    _inherit = "base.coffee.connector"
    _usage = "vocabulary"

    def program_kind(self, program_key):
        """One of ``PROGRAM_KINDS`` (``models/coffee_beverage/common.py``)."""
        raise NotImplementedError

    def counter_family(self, counter_key):
        """The family whose beverages ``counter_key`` counts, or ``None``
        (the total, or a counter that repeats another one)."""
        raise NotImplementedError

    def is_total_counter(self, counter_key):
        """Whether ``counter_key`` counts every beverage of the machine."""
        raise NotImplementedError

    def counter_label(self, counter_key):
        """How a person reads ``counter_key``; empty for the total."""
        raise NotImplementedError

    def brew_family(self, program_key):
        """The family whose counter a brew of ``program_key`` grows, or ``None``."""
        raise NotImplementedError
