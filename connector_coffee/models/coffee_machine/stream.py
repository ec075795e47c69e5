# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A machine kept current by its event stream, and when that can be trusted.

While the event reader reads an account's stream, each state change of a
machine arrives as a frame, and the protocol's ``stream.state`` component
turns it into field values (``_apply_stream_state``). No call is spent: the
counters' growth logs the beverages made at the panel, the progress of a
brew ordered from Odoo moves, and its counters settle it.

The stored state is *live* (``_state_is_live``), good enough for the brew
exporter to decide on without reading the machine, only when all of these
hold:

* the reader reads the stream now (its heartbeat is recent);
* the machine was read in full over the API (``state_read_date``) *after*
  the stream now read was opened (``events_connected_at``; both in seconds,
  so in a later second): what happened while no stream was open is not
  missed. The reader queues that reading for every machine, a few seconds
  after it opens a stream.

Otherwise the exporter reads the machine as it always did.

Who started a program
---------------------

A frame that shows a program starting (``active_program_key`` set anew, with
the values of its options when the protocol sends them) is matched with the
brews ordered from Odoo that may be starting on the machine (``sent``, its
start in doubt, or ``brewing``): the same program, every option they sent.
A start that matches none, or only brews that sent no option while the
machine says it was made at its panel (``local_control_active``), is a
*panel run*: kept in ``panel_run`` until
its beverage is counted, when it is logged at once as one panel beverage of
its program (``counters.py``). So a beverage made at the panel while a
brew's start is in doubt is never taken for that brew: the brew exporter
subtracts what panel runs grew from the counters it looks at.

A start the stream lost (the progress of a program comes, but no program
was seen started) gets a refresh queued at once: it reads the program
while it runs, with its options, and tells whose it is the same way
(``_panel_run``, called by the protocol's state importer). So does the brew
exporter's look at a start in doubt that finds another program running
(``_seen_running``).
"""

from odoo import fields, models

from ..coffee_brew.common import ORDERED_ORIGINS

#: operation states while a program runs
RUNNING_STATES = ("run", "pause", "delayedstart", "aborting")


class CoffeeMachine(models.Model):
    _inherit = "coffee.machine"  # pylint: disable=consider-merging-classes-inherited

    panel_run = fields.Json(
        readonly=True,
        copy=False,
        help="The program the event stream showed started at the machine (not "
        "ordered from Odoo), until its beverage is counted: key, options and "
        "when it started.",
    )

    def write(self, vals):
        if vals.get("operation_state", "run") not in RUNNING_STATES:
            vals = dict(vals, panel_run=False)  # its program ended
        return super().write(vals)

    def _state_is_live(self):
        """True when the event stream keeps this machine's stored state current."""
        self.ensure_one()
        backend = self.backend_id
        opened = backend.events_connected_at
        return bool(
            opened
            and self.state_read_date
            and self.state_read_date > opened  # in seconds: a later second
            and backend._reads_events()
        )

    def _stream_counters(self):
        """The counters as stored: ``{key: value}``."""
        self.ensure_one()
        return {counter.key: counter.value for counter in self.counter_ids}

    def _apply_stream_state(self, values, counters, options=None):
        """Store what a frame of the stream said of this machine.

        ``values`` are field values of the machine, ``counters`` the counters
        the frame carried (``{key: value}``), ``options`` the values of the
        options of a program the frame shows started (``None``: the frame
        carries none). Returns the panel brews logged.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        started = values.get("active_program_key")
        if started and started != self.active_program_key:
            local = values.get("local_control_active", self.local_control_active)
            values = dict(values, panel_run=self._panel_run(started, options, local))
        elif self._start_was_missed(values):
            self._delay_refresh()  # it reads the program while it runs
        values = dict(values, connected=True)
        if values.get("operation_state", "run") not in RUNNING_STATES:
            values.update(active_program_key=False, remaining_seconds=0)
            values.setdefault("program_progress", 0)
        # only what changed: fewer writes, fewer collisions with the jobs
        values = {name: value for name, value in values.items() if self[name] != value}
        panel = self.env["coffee.brew"]
        if counters:
            panel = self._record_counters(counters, now, self.panel_run)
        if values or counters:
            self.write(dict(values, state_sync_date=now))
        if "program_progress" in values and self.active_program_key:
            self.env["coffee.brew"].search(
                [
                    ("machine_id", "=", self.id),
                    ("state", "=", "brewing"),
                    ("program_key", "=", self.active_program_key),
                ]
            ).write({"progress": values["program_progress"]})
        return panel

    def _start_was_missed(self, values):
        """True when ``values`` show the progress of a program whose start
        the stream did not show (its frame lost in a stall or a drop)."""
        progress = values.get("program_progress")
        return (
            progress is not None
            and progress < 100
            and not values.get("active_program_key", self.active_program_key)
        )

    def _seen_running(self, program_key, options):
        """A look over the API found ``program_key`` running (with these
        option values): a start the stream may have lost. Unless a panel run
        is already kept, it becomes one when no brew ordered from Odoo
        matches it (``_panel_run``)."""
        self.ensure_one()
        if self.panel_run:
            return
        run = self._panel_run(program_key, options, self.local_control_active)
        if run:
            self.panel_run = run

    def _panel_run(self, program_key, options, local):
        """The ``panel_run`` of a program seen started, or ``False`` when it
        is the start of a brew ordered from Odoo.

        Option values tell best: a start with every option value a brew sent
        is that brew's, whatever ``local`` says, as the flag may be stale (the
        frame that cleared it lost in a drop). The flag decides only for the
        brews that sent no option, which any panel beverage of their program
        matches.
        """
        starting = self.env["coffee.brew"].search(
            [
                ("machine_id", "=", self.id),
                ("origin", "in", ORDERED_ORIGINS),
                ("state", "in", ("sent", "brewing")),
                ("program_key", "=", program_key),
            ]
        )
        matching = starting  # no option values: nothing tells them apart
        if options is not None:
            matching = starting.filtered(lambda brew: brew._sent_as(options))
            if matching.filtered("options"):
                return False  # its option values tell: that brew's
        if matching and not local:
            return False
        return {
            "key": program_key,
            "options": options or {},
            "started": fields.Datetime.to_string(fields.Datetime.now()),
        }
