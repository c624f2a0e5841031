"""The vector replay engine: every case advanced in lockstep over integer columns.

`--engine vector` gives exactly the report of `--engine compiled` (oracle/REPLAY.md,
"The vector engine"). `Lockstep.run` walks each case to its end in compiled code
(`replay_kernel.walk`), in the sorted order, so the rows it reads follow one another
in memory. `Lockstep.run_reference` is the numpy reference it is tested against: the
cases ordered longest first, so at step k the cases that still have a k-th row are a
prefix; each step is a handful of numpy operations over that prefix: the row's time
(never earlier than the case's last), each enforced deadline overdue, the answers key
(`replay_vector_table.Layout`), one sorted lookup of the compiled table's entries for
all cases at once (missing keys filled from the compiled engine, so from the
executor), and the new state, clocks and windows. A
running clock is its start time and due day per deadline name; due days are counted
on the working-day calendar as one integer array (`replay_calendar`), limits of
whole days computed once per start day.

A case leaves the lockstep the moment it would have anything to report (as in the
compiled engine) and is played again by the executor engine, which writes the
findings; the others' reports are built from the recorded states
(`replay_vector_report`). A spec whose initial statuses already run clocks is left to
the compiled engine (`Unsupported`), as is a log recording facts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

from stepcheck.oracle.calendar_rules import limit_from
from stepcheck.oracle.replay_calendar import working_calendar
from stepcheck.oracle.replay_columns import ColumnLog, Ints, local_time
from stepcheck.oracle.replay_compiled import _State
from stepcheck.oracle.replay_vector_sort import SortedColumns
from stepcheck.oracle.replay_vector_table import (
    KEEP,
    START,
    Unsupported,
    VectorTable,
    clocks_of,
)
from stepcheck.oracle.replay_vector_walk import walk_all
from stepcheck.spec.duration import Duration, Unit

__all__ = ["DAY", "Lockstep", "WorkingDays"]

DAY: Final = 86_400_000_000
"""Microseconds in a day."""
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_NONE: Final = -(2**62)


class WorkingDays:
    """Working days counted up to each day, as a numpy array indexed by days since 1970."""

    def __init__(self) -> None:
        calendar = working_calendar()
        self.first = date(1999, 1, 1).toordinal() - _EPOCH_ORDINAL
        self.counts = np.array(calendar._counts, np.int64)
        self.last = self.first + len(self.counts) - 1

    def passed(self, by: Ints, day: Ints) -> npt.NDArray[np.bool_]:
        """`calendar_rules.passed` per element: a working day after `by` has begun by `day`."""
        if day.size and (
            day.min() < self.first
            or day.max() > self.last
            or by.min() < self.first
            or by.max() > self.last
        ):
            raise Unsupported("a day outside the working-day calendar")
        return self.counts[day - self.first] - self.counts[by - self.first] >= 1


def _due_table(table: VectorTable, limits: int, calendar: WorkingDays) -> Ints:
    """The table's due days, one row per limit and one column per calendar day (-1
    until computed), kept in the table for the next log."""
    days = calendar.last - calendar.first + 1
    if table.due_days is None or table.due_days.shape != (limits, days):
        table.due_days = np.full((limits, days), -1, np.int64)
    return table.due_days


class Lockstep:
    """The per-case arrays of one replay: cases in the log's sorted order (their rows
    ascend), or longest first for the numpy reference (`run_reference`)."""

    none: Final = _NONE
    """The start of a clock that is not running."""

    def __init__(
        self,
        table: VectorTable,
        log: ColumnLog,
        cases: SortedColumns,
        *,
        longest_first: bool = False,
    ) -> None:
        compiled = self.compiled = table.compiled
        self.log = log
        self.cases = cases
        self.calendar = WorkingDays()
        self.layout = table.layout
        self.entries = table.entries
        # The compiled walk plays one case after another: in the sorted order, the
        # rows it reads come one after another in memory too (longest first, nearly
        # every case's first row was a cache miss in each of the log's four columns).
        self.longest_first = longest_first
        self.order = (
            np.argsort(-cases.length, kind="stable")
            if longest_first
            else np.arange(len(cases.length), dtype=np.int64)
        )
        self.first = cases.first[self.order]
        self.length = cases.length[self.order]
        count = len(self.order)
        n_deadlines, n_windows = len(self.layout.deadlines), len(self.layout.windows)
        self.state = np.zeros(count, np.int64)
        self.now = np.zeros(count, np.int64)
        self.started = np.zeros(count, np.int64)
        self.unclean = np.zeros(count, np.bool_)
        first_day = self.calendar.first
        self.start = table.clocks("start", count, n_deadlines, _NONE)
        """Per case (a row), per deadline: when its clock started, or `none`."""
        self.by = table.clocks("by", count, n_deadlines, first_day)
        self.ends = table.clocks("ends", count, n_deadlines, 0)
        self.window_start = table.clocks("window_start", count, n_windows, _NONE)
        self.window_by = table.clocks("window_by", count, n_windows, first_day)
        self.opened = np.zeros(count, np.int64)
        self.at_of = np.zeros(len(cases.rows), np.int64)
        self.state_of = np.zeros(len(cases.rows), np.int64)
        index = compiled.executor.index
        timed = {deadline.id: deadline for deadline in index.timed}
        self.after = [name in compiled._after for name in self.layout.deadlines]
        self.enforced = [
            name in compiled._after and name in compiled._enforced for name in self.layout.deadlines
        ]
        self.hours = [name in compiled._hours for name in self.layout.deadlines]
        self.within = [timed[name].within for name in self.layout.deadlines]
        self.window_within = [compiled._windows[rule] for rule in self.layout.windows]
        self.due = _due_table(table, n_deadlines + n_windows, self.calendar)
        self.sits = self._sittings()
        self.opens = self._opening_times()

    def _sittings(self) -> npt.NDArray[np.bool_]:
        """Per step, per calendar day: does the step's meeting sit (True without one)."""
        days = self.calendar.last - self.calendar.first + 1
        table = np.ones((len(self.layout.steps), days), np.bool_)
        index = self.compiled._index
        for code, step in enumerate(self.layout.steps):
            meeting = self.compiled._meeting.get(step)
            sittings = index.sittings.get(meeting) if meeting is not None else None
            if sittings is not None:
                table[code] = False
                ordinals = np.array(sittings.ordinals, np.int64) - _EPOCH_ORDINAL
                inside = ordinals[
                    (ordinals >= self.calendar.first) & (ordinals <= self.calendar.last)
                ]
                table[code, inside - self.calendar.first] = True
        return table

    def _opening_times(self) -> Ints:
        """Per step, the time of day (microseconds) its meeting sits from; 0 without one."""
        opens = np.zeros(len(self.layout.steps), np.int64)
        index = self.compiled._index
        for code, step in enumerate(self.layout.steps):
            meeting = self.compiled._meeting.get(step)
            sittings = index.sittings.get(meeting) if meeting is not None else None
            if sittings is not None and sittings.sits_from is not None:
                clock = sittings.sits_from
                opens[code] = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000
        return opens

    def _sitting(self, step: Ints, at: Ints) -> Ints:
        """Per row, 1 when the step's meeting sits at `at` (that day, from its time of day)."""
        day = at // DAY
        sits = self.sits[step, day - self.calendar.first] & (at - day * DAY >= self.opens[step])
        return sits.astype(np.int64)

    # --- limits -------------------------------------------------------------------------

    def _due(self, starts: Ints, within: object, key: int) -> tuple[Ints, Ints]:
        """(due day, end in microseconds) of limits of `within` started at `starts`."""
        assert isinstance(within, Duration), "running limits have a duration"
        if within.unit is Unit.HOURS:
            ends = starts + within.quantity * 3_600_000_000
            return ends // DAY, ends
        table = self.due[key]
        days = starts // DAY - self.calendar.first
        if days.min() < 0 or days.max() >= len(table):
            raise Unsupported("a clock started outside the working-day calendar")
        self.fill_due(key, np.unique(days[table[days] < 0]))
        return table[days], starts

    def fill_due(self, key: int, days: Ints) -> None:
        """The due day of limit `key` (a deadline, or a window after the deadlines)
        started on each of `days` (counted from the calendar's first day)."""
        deadlines = len(self.layout.deadlines)
        within = self.within[key] if key < deadlines else self.window_within[key - deadlines]
        assert isinstance(within, Duration), "running limits have a duration"
        unstated = self.compiled._index.unstated_days_as
        for day in days.tolist():
            moment = datetime.fromordinal(day + self.calendar.first + _EPOCH_ORDINAL)
            limit = limit_from(moment, within, unstated_days_as=unstated)
            self.due[key, day] = limit.by.toordinal() - _EPOCH_ORDINAL

    # --- one case's compiled state, for filling the table -----------------------------------

    def compiled_state(self, case: int) -> _State:
        """The compiled engine's `_State` of a case, its clocks remade from their starts."""
        starts: dict[str, datetime] = {}
        for where, name in enumerate(self.layout.deadlines):
            if self.start[case, where] != _NONE:
                starts[name] = local_time(self.start[case, where])
        for where, rule in enumerate(self.layout.windows):
            if self.window_start[case, where] != _NONE:
                starts["window:" + rule] = local_time(self.window_start[case, where])
        clocks, windows = clocks_of(self.compiled, int(self.state[case]), starts)
        return _State(
            int(self.state[case]),
            clocks,
            windows,
            local_time(self.now[case]),
            local_time(self.started[case]),
        )

    # --- the replay ---------------------------------------------------------------------

    def run(self) -> None:
        """Open every case, then walk each one to its end in compiled code
        (`replay_kernel.walk`), filling what it asks for between walks."""
        if not len(self.order):
            return
        self._open()
        walk_all(self)

    def run_reference(self) -> None:
        """`run` in numpy: open every case, then play the k-th row of every case, for
        each k (the reference the compiled walk is tested against)."""
        if not self.longest_first:
            raise ValueError("the reference steps a lockstep made longest first")
        if not len(self.order):
            return
        self._open()
        for k in range(int(self.length[0])):
            self._step(k, int(np.searchsorted(-self.length, -k, side="left")))

    def _open(self) -> None:
        """`CompiledSpec.opening` for every case: the first initial status whose table
        entry accepts the first row's step at its time, else the first initial status."""
        compiled = self.compiled
        # each case's first row, gathered in case-code order (cases are numbered as first
        # read, so these rows ascend) and then put in lockstep order: gathered in lockstep
        # order, every case's row would be at an unrelated place of the log's columns
        rows = self.cases.rows[self.cases.first]
        at = self.log.local[rows][self.order]
        step = self.cases.step[rows][self.order]
        self.now[:] = at  # a case's time and start while it waits for a status too
        self.started[:] = at
        chosen = np.full(len(self.order), -1, np.int64)
        first_state = -1
        meeting = self._sitting(step, at)
        mask = np.where(np.array(self.layout.meets)[step], meeting << self.layout.meeting_bit, 0)
        for status in compiled._index.spec.statuses:
            if not status.initial:
                continue
            template = compiled._openings.get(status.id)
            if template is None:
                template = compiled.executor.start(at=local_time(at[0]), status=status.id)
                compiled._openings[status.id] = template
            if template.deadlines or template.windows or template.disputes:
                raise Unsupported("an initial status runs a clock")
            number = compiled._state_of(template).discrete
            first_state = number if first_state < 0 else first_state
            waiting = np.flatnonzero(chosen < 0)
            self.state[waiting] = number
            keys = self.entries.key(self.state[waiting], step[waiting], mask[waiting])
            entries = self.entries.find(keys, self._filler(waiting, at[waiting], step[waiting]))
            accepted = self.entries.ok[entries]
            chosen[waiting[accepted]] = number
        chosen[chosen < 0] = first_state
        self.opened = chosen.copy()
        self.state[:] = chosen

    def _filler(
        self, cases: Ints, at: Ints, step: Ints
    ) -> Callable[[int], tuple[_State, str, datetime]]:
        """What fills the table's entry for the key at position p: that case's state,
        step and time."""

        def fill(position: int) -> tuple[_State, str, datetime]:
            case = int(cases[position])
            name = self.layout.steps[int(step[position])]
            return self.compiled_state(case), name, local_time(at[position])

        return fill

    def _step(self, k: int, active: int) -> None:
        """Play the k-th row of the first `active` cases."""
        live = np.flatnonzero(~self.unclean[:active])
        if not len(live):
            return
        positions = self.first[live] + k
        rows = self.cases.rows[positions]
        at = np.maximum(self.log.local[rows], self.now[live])
        day = at // DAY
        step = self.cases.step[rows]
        bad = np.zeros(len(live), np.bool_)
        mask = np.zeros(len(live), np.int64)
        layout = self.layout
        for where, name in enumerate(layout.deadlines):
            running = self.start[live, where] != _NONE
            by = self.by[live, where]
            if self.after[where]:
                overdue = running & self.calendar.passed(by, day)
                if self.enforced[where]:
                    bad |= overdue
                mask |= overdue.astype(np.int64) << layout.clock_bit[name]
            else:
                mask |= (running & (day < by)).astype(np.int64) << layout.clock_bit[name]
            if self.hours[where]:
                over = running & (at > self.ends[live, where])
                mask |= over.astype(np.int64) << layout.hours_bit[name]
        moving = at != self.now[live]
        for where, rule in enumerate(layout.windows):
            running = self.window_start[live, where] != _NONE
            closed = running & moving & self.calendar.passed(self.window_by[live, where], day)
            mask |= closed.astype(np.int64) << layout.window_bit[rule]
        meets = np.array(layout.meets)[step]
        sitting = self._sitting(step, at)
        mask |= np.where(meets, sitting << layout.meeting_bit, 0)
        keys = self.entries.key(self.state[live], step, mask)
        found = self.entries.find(keys, self._filler(live, at, step))
        entries = self.entries
        bad |= ~entries.ok[found]
        target = entries.target[found]
        status, owner = self.cases.status[rows], self.cases.owner[rows]
        bad |= (status >= 0) & (status != entries.status_of[target])
        bad |= (
            (owner >= 0) & ~entries.unspecified_owner[target] & (owner != entries.owner_of[target])
        )
        self.unclean[live[bad]] = True
        good = ~bad
        cases, at, found = live[good], at[good], found[good]
        self._advance(cases, at, found)
        self.state[cases] = target[good]
        self.now[cases] = at
        self.at_of[positions[good]] = at
        self.state_of[positions[good]] = target[good]

    def _advance(self, cases: Ints, at: Ints, found: Ints) -> None:
        """Each deadline's and window's clock after the step: stopped, kept or started."""
        entries = self.entries
        for where in range(len(self.layout.deadlines)):
            action = entries.clocks[found, where]
            self.start[cases, where] = np.where(
                action == KEEP, self.start[cases, where], np.where(action == START, at, _NONE)
            )
            fresh = action == START
            if fresh.any():
                due, ends = self._due(at[fresh], self.within[where], where)
                self.by[cases[fresh], where] = due
                self.ends[cases[fresh], where] = ends
        for where in range(len(self.layout.windows)):
            action = entries.windows[found, where]
            self.window_start[cases, where] = np.where(
                action == KEEP,
                self.window_start[cases, where],
                np.where(action == START, at, _NONE),
            )
            fresh = action == START
            if fresh.any():
                key = len(self.layout.deadlines) + where
                due, _ends = self._due(at[fresh], self.window_within[where], key)
                self.window_by[cases[fresh], where] = due

    def finish(self, end: datetime | None) -> Ints:
        """Each case's end of log (microseconds); a case with an enforced deadline overdue
        then becomes unclean."""
        final = self.now.copy()
        if end is not None:
            final = np.maximum(final, (end - datetime(1970, 1, 1)) // timedelta(microseconds=1))
        day = final // DAY
        enforced = np.array(self.enforced, np.bool_).reshape(1, -1)
        # one pass over the clocks finds the running ones of every enforced deadline: a
        # column at a time would read the whole (cases x deadlines) array per deadline,
        # and picking the enforced columns (fancy indexing on the second axis) is slower
        running = np.flatnonzero((self.start != _NONE) & enforced)  # faster than 2-d nonzero
        case, where = np.divmod(running, self.start.shape[1])
        overdue = self.calendar.passed(self.by[case, where], day[case])
        self.unclean[case[overdue]] = True
        return final
