# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Counter growth → brew-log entries of origin "machine panel".

The API has no brew history; what it has is counters: one total and one per
beverage *family* (Home Connect counts per kind of beverage, ``Coffee``,
``CoffeeAndMilk``...; JURA per product). Which counter counts which family
is the protocol's to say (its ``vocabulary`` component). Each state refresh
compares the counters with the previous reading. A family that grew by *g*
between two readings made *g* beverages in that window, some of them ordered
from Odoo (the brew exporter logs those itself, origin ``odoo``), the rest at
the machine's own panel.

First, when a program was seen started at the panel (``panel_run``, see
``stream.py``) and its family grew, that beverage is logged on its own: one
panel entry of its program, with the time it started. Nothing ordered from
Odoo made it. Its count comes on the event stream right after it, or, when
the stream lost that frame, with the next refresh that finds the program
over (a program aborted at the panel whose end the stream lost too is the
one case taken wrongly: the growth is another beverage's). Then, per family
that grew:

1. the Odoo brews of that family that reached the machine (``sent``,
   ``brewing`` or ``done``, sent before the end of the window) and were not
   counted yet are taken, oldest first, as long as they fit in *g*; they are
   flagged ``counted`` so no later window takes them again;
2. what is left is logged as ONE panel entry: quantity, family, window.

A brew in ``sent`` may be taken so before its start proves not made (the
brew exporter looks again); it then goes back to the queue, uncounted, and
the beverage taken for it is counted again by the same two steps
(``_count_again``).

Rules worth knowing:

* the first reading of a machine is the baseline: nothing is logged for the
  beverages made before Odoo knew the machine;
* the total is not a family, nor is a counter that repeats another one
  (the vocabulary says so);
* a counter that went *down* means the machine (or the cloud's memory of it)
  was reset: its new value is what was made since the reset, and is logged
  as the growth. (A reset followed by more beverages than the counter showed
  before cannot be told from plain growth; the API gives nothing better.)
"""

from odoo import _, fields, models

from ..coffee_brew.common import ORDERED_ORIGINS


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    def _record_counters(self, counters, when, panel_run=None):
        """Store ``counters`` ({key: value}) read at ``when``; log their growth.

        ``panel_run`` is the program the event stream saw started at the
        panel, when these counters come on the stream right after it (a
        refresh passes it once the machine no longer runs it:
        ``_ended_panel_run``). Returns the panel brews created.
        """
        self.ensure_one()
        vocabulary = self.backend_id._vocabulary()
        window_start = self.state_sync_date
        known = {counter.key: counter for counter in self.counter_ids}
        growth = {}
        new_lines = []
        for key, value in counters.items():
            counter = known.get(key)
            if counter is None:
                new_lines.append(
                    (0, 0, {"key": key, "value": value, "sync_date": when})
                )
                continue
            family = vocabulary.counter_family(key)
            grown = value - counter.value if value >= counter.value else value
            if family and grown:
                growth[family] = grown
            if value != counter.value:
                counter.write({"value": value, "sync_date": when})
        if new_lines:
            self.write({"counter_ids": new_lines})
        brews = self.env["coffee.brew"]
        run_family = panel_run and vocabulary.brew_family(panel_run["key"])
        if run_family and growth.get(run_family):
            brews |= self._log_panel_run(panel_run, run_family, when)
            growth[run_family] -= 1
        for family, grown in sorted(growth.items()):
            if not grown:
                continue
            brews |= self._log_panel_brews(
                family, grown, window_start, when, vocabulary
            )
        return brews

    def _ended_panel_run(self, active_program_key):
        """The ``panel_run`` a refresh counts: the program seen started at
        the panel when the machine, read now, runs another one (or none)."""
        self.ensure_one()
        run = self.panel_run
        return run if run and run["key"] != active_program_key else None

    def _log_panel_run(self, run, family, when):
        """Log the beverage of ``run``, a program seen started at the panel."""
        self.panel_run = False
        started = fields.Datetime.to_datetime(run["started"])
        program = self.program_ids.filtered(lambda p: p.key == run["key"])[:1]
        return self.env["coffee.brew"].create(
            {
                "machine_id": self.id,
                "origin": "panel",
                "state": "done",
                "user_id": False,
                "beverage_id": program.beverage_id.id,
                "program_key": run["key"],
                "options": run["options"],
                "family": family,
                "quantity": 1,
                "window_start": started,
                "window_end": when,
                "date_started": started,
                "date_done": when,
                "counted": True,
            }
        )

    def _log_panel_brews(self, family, grown, window_start, window_end, vocabulary):
        """Log ``grown`` beverages of ``family``, less those ordered from Odoo."""
        ordered = self.env["coffee.brew"].search(
            [
                ("machine_id", "=", self.id),
                ("origin", "in", ORDERED_ORIGINS),
                ("counted", "=", False),
                ("state", "in", ("sent", "brewing", "done")),
                ("date_sent", "<=", window_end),
            ],
            order="date_sent, id",
        )
        counted = self.env["coffee.brew"]
        total = 0
        for brew in ordered.filtered(
            lambda b: vocabulary.brew_family(b.program_key) == family
        ):
            if total + brew.quantity > grown:
                break
            counted |= brew
            total += brew.quantity
        counted.write({"counted": True})
        if grown - total <= 0:
            return self.env["coffee.brew"]
        return self.env["coffee.brew"].create(
            {
                "machine_id": self.id,
                "origin": "panel",
                "state": "done",
                "user_id": False,
                "family": family,
                "quantity": grown - total,
                "window_start": window_start,
                "window_end": window_end,
                "date_done": window_end,
                "counted": True,
            }
        )

    def _count_again(self, brew, since):
        """``brew`` (an Odoo brew), taken for a beverage the counters showed
        since ``since``, was not made: that beverage is counted again, by the
        rules above, without it (another brew of its family, or the panel).
        """
        vocabulary = self.backend_id._vocabulary()
        family = vocabulary.brew_family(brew.program_key)
        if not family:
            return self.env["coffee.brew"]
        now = fields.Datetime.now()
        return self._log_panel_brews(family, brew.quantity, since, now, vocabulary)

    def _state_summary(self, panel_brews):
        self.ensure_one()
        summary = _(
            "%(machine)s: %(state)s.",
            machine=self.display_name,
            state=dict(self._fields["display_state"]._description_selection(self.env))[
                self.display_state
            ],
        )
        if panel_brews:
            summary += " " + _(
                "Made at the panel: %(brews)s.",
                brews=", ".join(
                    f"{brew.quantity} × {brew.family}" for brew in panel_brews
                ),
            )
        return summary
