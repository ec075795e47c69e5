# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The brew exporter: a brew ordered in Odoo becomes one beverage, never two.

This component holds the protocol-neutral flow; each protocol fills in the
hooks that talk to its machines (``homeconnect/brew_exporter.py``)::

    with brew.backend_id.work_on("coffee.brew") as work:
        exporter = work.component(usage="record.exporter")
        exporter.run(brew)      # job _export_brew: send it, exactly once
        exporter.follow(brew)   # job _follow_brew: progress, then done
        exporter.conclude(brew) # the machine's program ended: look now
        exporter.stop(brew)     # job _stop_brew: stop a running brew

Sending a brew (``run``)
------------------------

1. Only one worker at a time handles a brew (an advisory lock), and what it
   decides on is the brew *as committed*, never its own snapshot.
2. A brew cancelled, or already brewing / done / failed, is left alone: a
   job run twice, or re-run after its success, brews nothing.
3. The options are checked against what the machine allows (no call spent on
   a start the machine would refuse), then the starts of the account in the
   last minute (Home Connect allows 5: the sixth brew waits, it does not
   earn a 429).
4. The machine is read: switched on (woken from standby if the backend
   allows it), remote start allowed, not busy. Its counters are kept. A
   busy machine is asked again when its program should be over; for ten
   minutes after the order, that wait spends none of the brew's tries.
5. **The attempt is recorded and committed** (state ``sent``, the counters
   read just before) *before* the start is sent.
6. The start is sent. Accepted: ``brewing``, and a job follows it. Refused:
   the brew fails with the machine's reason, or waits for a retry when a
   retry can help (busy, offline, quota). No answer (the network, a timeout,
   a crash of the worker): the outcome is unknown, see below.

Exactly once: a brew in state ``sent`` had a start whose outcome is unknown.
Before anything else, the exporter asks the machine whether it took: the
active program is this beverage with these options, or the machine's
counters grew since the attempt. Then the brew is ``brewing`` (or ``done``)
and nothing is sent again. Only when the machine answers and shows neither
(it certainly did not brew it) is the brew queued again and started again,
and never in the run that lost the answer: that one leaves the question to a
retry, a few seconds later, when the machine has had time to show what it
does. Nor before the start can no longer be in flight: the API may carry
out a start after the client stopped waiting for its answer, so "not made"
waits until the backend's request timeout and a margin have passed since
it was sent. For the first ``_doubt_wait_seconds``, a look that cannot ask the
machine spends no try: a brew that may have been made is not failed
because faults kept the machine from answering.

The counters cannot tell this brew from a beverage of the same kind made at
the panel meanwhile. The event stream can: it shows who started each program
(``coffee.machine.panel_run``), and the growth of the beverages it saw
started at the panel since the attempt is not counted for the brew. While
such a beverage is seen started but not yet counted, the look waits for its
count: on the stream, or with the refresh it queues when the stream lost
that frame. Without the stream (or when it lost the start too), a panel
beverage of the same kind made while the machine was idle is still taken
for the brew.

A program the look finds running that is not the brew's is told apart the
same way (a panel run, unless another Odoo brew matches it): the stream may
have lost its start, and its count is then not taken for the brew either.

The counters kept at the attempt can be behind the machine's: while the
stream is read they are the stored ones, and a stall may have lost a count
just before. A machine counts a beverage at its end, so a look sooner than
half the program's learnt brewing time after the start cannot see this
brew counted: what it sees is kept as the brew's new snapshot, and the
looks after it compare with that.

Following a brew (``follow``)
-----------------------------

The follow job looks at the machine when the beverage should be in the cup
(the program's duration, learnt from earlier brews). The brew is ``done``
when the counters grew; while the machine still runs the brew's program, its
progress is stored and the job comes back when the program's remaining time
is over; when the program is gone and the counters did not grow, the brew
``failed`` (it was stopped at the machine, or ran out of water or beans).
Without the event stream a short brew costs three calls: the machine read
before the start, the start, one look.

With the event stream (``odoo coffee-events``), the brew costs **one call**,
the start:

* the machine's stored state is live (``coffee.machine._state_is_live``):
  the exporter decides on it, and snapshots the counters, without reading
  the machine;
* progress comes on the stream, and the counters' growth settles the brew
  (``settle_on_counters``, called by the reader);
* the follow job is only a fallback: its first look comes a margin after the
  expected end, and finds the brew settled (no call) unless the stream
  stopped meanwhile.

A start whose answer was lost is still looked for on the machine itself
(``_attempt_took``): exactly once is never decided on the stream alone.

Every write on the brew is committed at once (``coffee.brew._store``): a
retried or failed job rolls its own transaction back, and what it learnt
must stay.
"""

import logging
import math
from collections import Counter
from dataclasses import dataclass, field

from odoo import _, fields

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..exceptions import (
    CoffeeJobError,
    MachineRefused,
    MachineUnreachable,
    QuotaExceeded,
)

_logger = logging.getLogger(__name__)

#: operation states in which a machine cannot start a brew now
BUSY_STATES = ("run", "delayedstart", "pause", "aborting")
#: operation states in which a machine cannot brew until someone steps in
ATTENTION_STATES = ("actionrequired", "error")


@dataclass(frozen=True)
class MachineReading:
    """What the exporter needs to know of a machine, in neutral words."""

    power: str = "unknown"  # on, standby, off, unknown
    operation: str = "unknown"  # ready, run, finished, actionrequired...
    remote_start: bool = False
    counters: dict = field(default_factory=dict)  # counter key → value
    remaining: int | None = None  # seconds the running program has left


@dataclass(frozen=True)
class ActiveProgram:
    """The program a machine is running."""

    key: str
    options: dict = field(default_factory=dict)
    progress: int | None = None
    remaining: int | None = None  # seconds


class BrewRefused(FailedJobError):
    """The brew cannot be made as ordered; the brew is failed with this message."""


class BrewMustWait(RetryableJobError):
    """The brew cannot be made now; a later try can (busy, unknown outcome)."""


class CoffeeBrewExporter(AbstractComponent):
    _name = "coffee.brew.exporter"
    _inherit = ["base.exporter", "base.coffee.connector"]
    _usage = "record.exporter"
    _apply_on = "coffee.brew"

    #: starts a minute the API allows per account (``None``: no limit)
    _starts_per_minute = None
    #: seconds before a busy machine is asked again (at most: sooner when
    #: its program's remaining time is known)
    _busy_retry_seconds = 30
    #: seconds after it was queued during which a brew waits for a busy
    #: machine without spending its tries
    _busy_patience_seconds = 600
    #: seconds before a start whose answer was lost is looked for again
    _unknown_retry_seconds = 10
    #: seconds after the request timeout during which a start whose answer
    #: was lost may still be carried out by the machine
    _in_flight_margin_seconds = 10
    #: seconds another brew's start may stay in doubt before waiting for it
    #: spends this brew's tries
    _doubt_wait_seconds = 1800
    #: seconds a beverage takes, until brews of its program on the machine
    #: have shown better
    _default_brew_seconds = 30
    #: share of a program's learnt brewing time before which no beverage of
    #: it started since can be counted (the machine counts it at its end)
    _shortest_brew_share = 0.5
    #: seconds after the expected end of a program before a look at it
    _follow_margin_seconds = 2
    #: the same while the event stream settles brews: the look is a fallback
    _follow_margin_with_events = 30

    # -- hooks of the protocol ---------------------------------------------
    def _read_machine(self, brew):
        """Return the :class:`MachineReading` of the brew's machine (API)."""
        raise NotImplementedError

    def _read_active_program(self, brew):
        """Return the machine's :class:`ActiveProgram`, or ``None`` when idle."""
        raise NotImplementedError

    def _wake(self, brew):
        """Switch the machine on from standby."""
        raise NotImplementedError

    def _start(self, brew):
        """Send the start of the brew's program with its options."""
        raise NotImplementedError

    def _stop(self, brew):
        """Stop the program the machine runs."""
        raise NotImplementedError

    def _brewed_counters(self, brew):
        """The counter keys that grow when this brew is made."""
        return []

    def _refusal_is_temporary(self, error):
        """True when the machine refused the start for a reason that passes."""
        return False

    def _refusal_message(self, brew, error):
        """The message of a start the machine refused (a job error)."""
        return str(error)

    # -- run: send the brew, exactly once --------------------------------------
    def run(self, brew):
        """Send ``brew`` to its machine unless it is already there (job body)."""
        self.advisory_lock_or_retry(f"coffee.brew.export({brew.id})", retry_seconds=5)
        state = brew._committed_read(["state"])["state"]
        if state == "cancelled":
            return _("%s was cancelled before it was sent: nothing done.", brew.name)
        if state in ("brewing", "done", "failed"):
            return _(
                "%(brew)s is already %(state)s: not sent again.",
                brew=brew.name,
                state=state,
            )
        if state not in ("queued", "sent"):
            return _("%s is not queued: nothing done.", brew.name)
        try:
            return self._run(brew, state)
        except BrewRefused as error:
            self._fail(brew, str(error))
            raise
        except RetryableJobError as error:
            if not error.ignore_retry and brew._is_last_attempt():
                self._fail(
                    brew,
                    _(
                        "Odoo gave up sending this brew after its last try: "
                        "%(reason)s Order it again.",
                        reason=error,
                    ),
                )
            else:
                brew._store({"error_message": str(error)})
            raise
        except CoffeeJobError as error:  # authorization lost, malformed answer
            self._fail(brew, str(error))
            raise

    def _run(self, brew, state):
        if state == "sent":
            took = self._attempt_took(brew)
            if took:
                return took
            self._check_not_in_flight(brew)
            # certainly not started: a wait for a busy machine below must not
            # keep this attempt's counters, nor count a panel beverage for it
            self._back_to_queue(brew)
            _logger.info(
                "The earlier start of brew %s did not take: starting it again",
                brew.id,
            )
        return self._send(brew)

    def _check_not_in_flight(self, brew):
        """Wait while the recorded start may still reach the machine.

        A start whose answer was lost may be carried out late: the API can
        serve it after the client stopped waiting (up to the backend's
        request timeout after it was sent, and a margin). Only after that
        does a machine that shows neither the brew nor its count prove it
        was not made. The wait spends no try.
        """
        sent = brew._committed_read(["date_sent"])["date_sent"]
        if not sent:
            return
        timeout = brew.backend_id.request_timeout or 10
        left = timeout + self._in_flight_margin_seconds - self._seconds_since(sent)
        if left > 0:
            raise BrewMustWait(
                _(
                    "The start of %s may still reach the machine: it is looked "
                    "for again before any new start.",
                    brew.name,
                ),
                seconds=max(1, math.ceil(left)),
                ignore_retry=True,
            )

    def _send(self, brew):
        """Check, read the machine, record the attempt, start."""
        errors = brew._option_errors()
        if errors:
            raise BrewRefused("\n".join(errors))
        self._check_no_start_in_doubt(brew)
        self._check_no_brew_running(brew)
        self._check_start_slot(brew)
        reading = self._check_machine(brew, self._reading_before_start(brew))
        self._record_attempt(brew, reading)
        try:
            self._start(brew)
        except MachineUnreachable as error:
            return self._after_unknown_start(brew, error)
        except QuotaExceeded:
            self._back_to_queue(brew, retract_start=True)
            raise
        except MachineRefused as error:
            message = self._refusal_message(brew, error)
            if self._refusal_is_temporary(error):
                self._back_to_queue(brew)
                raise self._busy_wait(brew, message) from error
            raise BrewRefused(message) from error
        return self._started(brew)

    def _reading_before_start(self, brew):
        """The machine as the event stream keeps it, or as read now."""
        machine = brew.machine_id
        if not machine._state_is_live():
            return self._read_machine(brew)
        return MachineReading(
            power=machine.power_state,
            operation=machine.operation_state,
            remote_start=machine.remote_start_allowed,
            counters=machine._stream_counters(),
            remaining=machine.remaining_seconds or None,
        )

    def _check_no_start_in_doubt(self, brew):
        """Wait while another brew of the machine has a start in doubt.

        Its outcome is told by the machine's counters: a beverage started
        meanwhile would grow them too, and be taken for it. The wait spends
        none of this brew's tries while that start is recent; one in doubt
        for longer than ``_doubt_wait_seconds`` is stuck, and the wait counts
        again (as do that brew's own looks, which end it).
        """
        with brew._committed_env() as committed:
            in_doubt = self._other_brew(committed, "sent", "date_sent")
            sent = in_doubt.date_sent
        if in_doubt:
            raise BrewMustWait(
                _(
                    "Another brew's start on this machine is not confirmed "
                    "yet: this one waits until it is."
                ),
                seconds=self._unknown_retry_seconds,
                ignore_retry=self._doubt_is_recent(sent),
            )

    def _check_no_brew_running(self, brew):
        """Wait while another brew of the machine is brewing, as Odoo knows.

        The event stream may have lost that brew's start (a stall): the
        machine then looks idle, and a start sent now would be refused; were
        that answer lost too, the look at this start in doubt would take the
        other brew's count for this one's. The wait is a busy machine's
        (``_busy_wait``), until the other brew should be over, or, once it
        should be, until its follow look settles it.
        """
        with brew._committed_env() as committed:
            running = self._other_brew(committed, "brewing", "date_started")
            if not running:
                return
            elapsed = self._seconds_since(running.date_started)
            remaining = self._expected_brew_seconds(running) - elapsed
            if remaining <= 0:
                remaining = self._first_look_delay(running) - elapsed
            message = _(
                "The machine is still brewing %s ordered from Odoo: this brew "
                "will be sent when it is done.",
                running.name,
            )
        raise self._busy_wait(brew, message, max(remaining, 1))

    @staticmethod
    def _other_brew(brew, state, order):
        """The first (by ``order``) other brew of ``brew``'s machine in
        ``state``, as committed (``brew`` is read in a committed env)."""
        return brew.search(
            [
                ("machine_id", "=", brew.machine_id.id),
                ("state", "=", state),
                ("id", "!=", brew.id),
            ],
            order=order,
            limit=1,
        )

    def _doubt_is_recent(self, sent):
        """True while a start sent at ``sent`` has been in doubt for less than
        ``_doubt_wait_seconds``: waiting for its answer spends no try."""
        return self._seconds_since(sent) < self._doubt_wait_seconds

    @staticmethod
    def _seconds_since(when):
        """Seconds from ``when`` to now (0 when it is not set)."""
        return (fields.Datetime.now() - when).total_seconds() if when else 0

    def _check_start_slot(self, brew):
        """Wait for a free start slot of the account (before any call)."""
        with brew.backend_id._committed_env() as runtime:
            wait = runtime.backend_id._start_slot_wait(self._starts_per_minute)
        if wait:
            self._raise_start_slot_wait(brew, wait)

    def _raise_start_slot_wait(self, brew, wait):
        raise RetryableJobError(
            _(
                "%(count)d brews were started on %(backend)s in the last "
                "minute, the most the API allows: this one waits %(seconds)d "
                "seconds.",
                count=self._starts_per_minute,
                backend=brew.backend_id.name,
                seconds=wait,
            ),
            seconds=wait,
            ignore_retry=True,
        )

    def _check_machine(self, brew, reading):
        """Refuse, wait, or wake the machine; return the reading to start on."""
        if reading.power == "standby" and brew.backend_id.wake_from_standby:
            self._wake(brew)
            reading = self._read_machine(brew)
        if reading.power in ("standby", "off"):
            raise BrewRefused(
                _(
                    "The machine is switched off: switch it on (or let the "
                    "backend wake machines from standby) and order again."
                )
            )
        if not reading.remote_start:
            raise BrewRefused(
                _(
                    "Remote start is switched off on the machine: enable it on "
                    "the machine's panel, then order again."
                )
            )
        if reading.operation in BUSY_STATES:
            raise self._busy_wait(
                brew,
                _(
                    "The machine is busy with another beverage: the brew will "
                    "be sent when it is done."
                ),
                reading.remaining,
            )
        if reading.operation in ATTENTION_STATES:
            raise BrewRefused(
                _(
                    "The machine needs attention (beans, water, drip tray, "
                    "descaling...): see its panel, then order again."
                )
            )
        return reading

    def _busy_wait(self, brew, message, remaining=None):
        """The wait for a busy machine: until its program should be over
        (its remaining time, when known), spending no try for the first
        ``_busy_patience_seconds`` after the brew was queued. An office
        machine is busy for minutes at worst; one busy for longer is stuck,
        and the tries count again."""
        seconds = self._busy_retry_seconds
        if remaining:
            seconds = max(2, min(seconds, remaining + self._follow_margin_seconds))
        patient = self._seconds_since(brew.date_queued) < self._busy_patience_seconds
        return BrewMustWait(message, seconds=seconds, ignore_retry=patient)

    def _record_attempt(self, brew, reading):
        """Commit that a start is about to be sent, with the counters before it.

        The lock on the backend's runtime row serializes the start slots of
        the account; the brew's row lock makes a cancel that came meanwhile
        win.
        """
        wait = 0
        with brew.backend_id._committed_env(lock=True) as runtime:
            wait = runtime.backend_id._start_slot_wait(self._starts_per_minute)
            if not wait:
                with brew._committed_env(lock=True) as locked:
                    if locked.state not in ("queued", "sent"):
                        raise BrewMustWait(
                            _("%s changed meanwhile.", brew.name), seconds=1
                        )
                    locked.write(
                        {
                            "state": "sent",
                            "date_sent": fields.Datetime.now(),
                            "start_attempts": locked.start_attempts + 1,
                            "counter_snapshot": reading.counters,
                            "error_message": False,
                        }
                    )
        brew.invalidate_recordset()
        if wait:
            self._raise_start_slot_wait(brew, wait)

    def _started(self, brew):
        brew._store(
            {
                "state": "brewing",
                "date_started": fields.Datetime.now(),
                "progress": 0,
                "error_message": False,
            }
        )
        brew._enqueue_follow(eta=self._first_look_delay(brew))
        return _(
            "%(machine)s is brewing %(brew)s.",
            machine=brew.machine_id.display_name,
            brew=brew.name,
        )

    def _after_unknown_start(self, brew, error):
        """The start got no answer: did the machine take it?

        If the machine shows it, good; if not, it is *not* started again
        now: a retry will look again, and only then start again. That retry
        spends no try: a brew that may have been made is never failed for
        want of a look.
        """
        took = self._attempt_took(brew)
        if took:
            return took
        raise BrewMustWait(
            _(
                "The start of %(brew)s got no answer (%(error)s) and the "
                "machine does not show it yet: it will be looked for again "
                "before any new start.",
                brew=brew.name,
                error=error,
            ),
            seconds=self._unknown_retry_seconds,
            ignore_retry=True,
        ) from error

    def _attempt_took(self, brew):
        """Ask the machine whether the recorded start took; return the result.

        Returns the job result when it took (the brew is then ``brewing`` or
        ``done``), ``None`` when it certainly did not. Raises a retryable
        error when the machine cannot be asked.
        """
        committed = brew._committed_read(["counter_snapshot", "date_sent"])
        snapshot = committed["counter_snapshot"]
        # the brew may have been made: a try spent on asking would fail it
        recent = self._doubt_is_recent(committed["date_sent"])
        try:
            active = self._read_active_program(brew)
            if not (active and self._is_this_brew(brew, active)):
                reading = self._read_machine(brew)
        except MachineUnreachable as error:
            raise BrewMustWait(
                _(
                    "Whether the machine took the start of %(brew)s is not "
                    "known yet (%(error)s): it will be asked again before any "
                    "new start.",
                    brew=brew.name,
                    error=error,
                ),
                seconds=self._unknown_retry_seconds,
                ignore_retry=recent,
            ) from error
        if active and self._is_this_brew(brew, active):
            brew._store(
                {
                    "state": "brewing",
                    "date_started": fields.Datetime.now(),
                    "progress": active.progress or 0,
                    "error_message": False,
                }
            )
            brew._enqueue_follow()
            return _(
                "The machine had accepted the start of %(brew)s (its answer "
                "was lost): it is brewing, nothing sent again.",
                brew=brew.name,
            )
        if active:
            self._note_other_program(brew, active)
        pending, explained = self._panel_growth(brew, committed["date_sent"])
        if pending and not active:
            # a beverage seen started at the panel, its count not seen yet:
            # the stream brings it, or this refresh (it outlives the retry)
            with brew._committed_env() as committed:
                committed.machine_id._delay_refresh()
            raise BrewMustWait(
                _(
                    "A beverage was made at the machine's panel while the start "
                    "of %s was in doubt: the counters are looked at again once "
                    "it is counted.",
                    brew.name,
                ),
                seconds=self._unknown_retry_seconds,
                ignore_retry=recent,
            )
        if self._too_soon_to_be_counted(brew, committed["date_sent"]):
            if not pending:
                self._store_baseline(brew, snapshot, reading.counters, explained)
            return None
        if self._counters_grew(brew, snapshot or {}, reading.counters, explained):
            self._done(brew)
            return _(
                "The machine had brewed %(brew)s (its answer was lost): done, "
                "nothing sent again.",
                brew=brew.name,
            )
        return None

    def _note_other_program(self, brew, active):
        """The machine runs a program that is not the brew's, whose start the
        stream may have lost: it is kept as the machine's panel run, unless
        it is another brew ordered from Odoo, so that its count is not taken
        for this brew (``coffee.machine._seen_running``)."""
        with brew._committed_env() as committed:
            committed.machine_id._seen_running(active.key, active.options)

    def _too_soon_to_be_counted(self, brew, sent):
        """True when a beverage of the brew's program, started at ``sent``
        at the earliest, cannot have been counted yet: less than a share
        (``_shortest_brew_share``) of its learnt brewing time has passed.
        Unknown until learnt: then never too soon."""
        learnt = brew._machine_program().brew_seconds
        if not (learnt and sent):
            return False
        return self._seconds_since(sent) < learnt * self._shortest_brew_share

    def _store_baseline(self, brew, snapshot, counters, explained):
        """Keep ``counters``, read too soon to count this brew, as its
        snapshot: whatever they grew since the one kept at the attempt was
        counted before the start (a count the stream lost, so the stored
        counters the attempt kept were behind the machine's). Less what the
        panel beverages seen since the start grew (``explained``), which the
        looks subtract again."""
        baseline = {
            key: value - explained.get(key, 0) for key, value in counters.items()
        }
        if baseline != snapshot:
            brew._store({"counter_snapshot": baseline})

    def _is_this_brew(self, brew, active):
        return active.key == brew.program_key and brew._sent_as(active.options)

    def _may_stop(self, brew, active):
        """True when stopping the ``active`` program stops ``brew`` and
        nothing else: the same program with every option the brew sent. A
        brew without options cannot be told from a beverage made at the
        panel with the same program, so its stop stops nothing."""
        return bool(brew.options) and self._is_this_brew(brew, active)

    def _counters_grew(self, brew, before, after, explained=None):
        """True when every counter this brew grows has grown: the total and
        its family's, so that a beverage of another family made meanwhile
        (at the panel) is not taken for this one. The growth ``explained``
        ({counter key: n}) by beverages seen made at the panel does not
        count."""
        keys = [k for k in self._brewed_counters(brew) or before if k in before]
        explained = explained or {}
        return bool(keys) and all(
            after.get(key, 0) - before[key] > explained.get(key, 0) for key in keys
        )

    def _panel_growth(self, brew, since):
        """What the event stream saw made at the machine's panel since
        ``since`` (when the brew's start was sent), as committed:
        ``(pending, explained)``, whether a program seen started there is
        not counted yet (``coffee.machine.panel_run``), and the counters
        grown by those seen started and counted since ({counter key: n})."""
        explained = Counter()
        with brew._committed_env() as committed:
            for made in committed.search(
                [
                    ("machine_id", "=", committed.machine_id.id),
                    ("origin", "=", "panel"),
                    ("date_started", ">=", since),
                ]
            ):
                for key in self._brewed_counters(made):
                    explained[key] += made.quantity
            return bool(committed.machine_id.panel_run), explained

    def _back_to_queue(self, brew, retract_start=False):
        """The start certainly did not happen: the brew is queued again.

        A beverage the machine's counters showed and a refresh took for this
        brew (``counted``) was another one: it is counted again without it
        (in the same transaction, so that it is never counted twice).
        """
        values = {"state": "queued", "counted": False}
        if retract_start:
            values["date_sent"] = False  # refused starts use no start slot
        with brew._committed_env() as committed:
            counted, sent = committed.counted, committed.date_sent
            committed.write(values)
            if counted:
                committed.machine_id._count_again(committed, sent)
        brew._remember(values)

    def _fail(self, brew, message):
        brew._store(
            {
                "state": "failed",
                "error_message": message,
                "date_done": fields.Datetime.now(),
            }
        )

    def _done(self, brew):
        brew._store(
            {
                "state": "done",
                "progress": 100,
                "date_done": fields.Datetime.now(),
                "error_message": False,
            }
        )

    # -- follow: progress, then done --------------------------------------------
    def follow(self, brew):
        """Settle a brewing brew, or store its progress and look again (job)."""
        state = brew._committed_read(["state", "counter_snapshot"])
        if state["state"] != "brewing":
            return _(
                "%(brew)s is %(state)s: nothing to follow.",
                brew=brew.name,
                state=state["state"],
            )
        try:
            reading = self._read_machine(brew)
            if self._counters_grew(
                brew, state["counter_snapshot"] or {}, reading.counters
            ):
                self._done(brew)
                return _("%s is ready.", brew.name)
            active = None
            if reading.operation in BUSY_STATES:
                active = self._read_active_program(brew)
            if active and self._is_this_brew(brew, active):
                brew._store({"progress": active.progress or 0})
                raise RetryableJobError(
                    _(
                        "%(brew)s is brewing (%(progress)d %%).",
                        brew=brew.name,
                        progress=active.progress or 0,
                    ),
                    seconds=self._next_look_delay(brew, active),
                )
        except RetryableJobError as error:
            if brew._is_last_attempt():
                brew._store(
                    {
                        "error_message": _(
                            "Odoo stopped following this brew: check the "
                            "machine. (%s)",
                            error,
                        )
                    }
                )
            raise
        message = _(
            "The machine stopped before the beverage was finished (stopped at "
            "its panel, or out of water or beans)."
        )
        self._fail(brew, message)
        return message

    def _margin(self, brew):
        if brew.backend_id._reads_events():
            return self._follow_margin_with_events
        return self._follow_margin_seconds

    def _first_look_delay(self, brew):
        """Seconds from the start to the first look: the expected end, and a
        margin (a long one while the event stream will settle the brew)."""
        return round(self._expected_brew_seconds(brew) + self._margin(brew))

    def _expected_brew_seconds(self, brew):
        """Seconds the brew's program takes: learnt, or the default."""
        return brew._machine_program().brew_seconds or self._default_brew_seconds

    def _next_look_delay(self, brew, active):
        """Seconds to the next look at a brew still brewing: what remains."""
        remaining = active.remaining
        if remaining is None:
            remaining = self._default_brew_seconds / 3
        return max(round(remaining + self._margin(brew)), 2)

    def settle_on_counters(self, brew):
        """The machine's counters changed on its event stream: the brew is
        done if they grew since its start. No call. Returns whether it is."""
        state = brew._committed_read(["state", "counter_snapshot", "date_started"])
        if state["state"] != "brewing":
            return False
        counters = brew.machine_id._stream_counters()
        if not self._counters_grew(brew, state["counter_snapshot"] or {}, counters):
            return False
        self._done(brew)
        brew._machine_program()._learn_brew_seconds(state["date_started"])
        return True

    def conclude(self, brew):
        """The machine says its program ended: follow ``brew`` at once.

        Called by the job that handles the machine's events. Returns whether
        the brew is settled (done or failed); one the machine shows still
        brewing, or that cannot be read now, is left to its follow job.
        """
        try:
            self.follow(brew.with_context(job_uuid=None))
        except (RetryableJobError, CoffeeJobError) as error:
            _logger.info("Brew %s not concluded on its event: %s", brew.id, error)
            return False
        return brew._committed_read(["state"])["state"] in ("done", "failed")

    # -- stop ------------------------------------------------------------------------
    def stop(self, brew):
        """Stop the machine's program if it is this brew's (job body)."""
        state = brew._committed_read(["state"])["state"]
        if state not in ("sent", "brewing"):
            return _(
                "%(brew)s is %(state)s: nothing to stop.", brew=brew.name, state=state
            )
        active = self._read_active_program(brew)
        if not active or not self._may_stop(brew, active):
            return _(
                "The machine is not brewing %s any more: nothing to stop.", brew.name
            )
        try:
            self._stop(brew)
        except MachineRefused as error:
            return _(
                "The machine did not stop %(brew)s: %(error)s",
                brew=brew.name,
                error=error,
            )
        brew._store(
            {
                "state": "cancelled",
                "date_done": fields.Datetime.now(),
                "error_message": _("Stopped from Odoo."),
            }
        )
        return _("%s was stopped.", brew.name)
