"""The compiled replay engine: a spec's steps as a transition table, cases played on it.

`play_compiled` gives exactly what `replay_engine.play` gives, for every log
(oracle/REPLAY.md, "The compiled engine"). A case's state is split in two:

- the **discrete part**: status, owners, variables, meetings held, which deadline
  clocks, windows and disputes are running (`_Discrete`), interned to a small integer;
- the **times**: each running clock's limit (started, ends, due date), kept as the
  executor's own objects.

A step depends on the times only through a few yes/no questions about the row's
moment (`_bits`): is each running deadline overdue, is a `not_before` limit still
holding, is a limit in hours over, has each re-referral window closed, does the
step's meeting sit then (that day, and from its time of day when it has one). So
the table maps (discrete state, step, answers) to the step's result: accepted or
not, late or not, the next discrete state, and per clock and window whether it is
kept or started afresh at the row's time (`_Entry`).
An entry is filled the first time it is needed by the reference executor itself,
so the two cannot disagree; a step that changes a dispute is never tabulated and
always goes to the executor. Due dates and working-day counts come from an integer
array over the calendar (`spec/workdays`), limits are computed once per
(start, deadline).

The table answers only for rows that are accepted with nothing to report. The first
time a case would have a finding (a refused or late step, an enforced deadline
overdue, a recorded status, owner or value that differs), the case is played again,
from its first row, by the executor-based player (`replay_engine`), which writes the
findings and their citations; so findings are never written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from attrs import frozen

from stepcheck.oracle.calendar_rules import Limit, limit_from
from stepcheck.oracle.executor_case import Case, DeadlineClock, DisputeClock, WindowClock
from stepcheck.oracle.replay_calendar import working_calendar
from stepcheck.oracle.replay_engine import (
    CasesPlayed,
    assemble,
    case_played,
    out_of_order,
    rule_index,
    sort_out,
)
from stepcheck.oracle.replay_facts import fact_value
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_model import (
    CaseReport,
    Finding,
    OpenObligation,
    OutOfOrder,
    ReplayReport,
    TimelineEntry,
    UnownedInterval,
)
from stepcheck.oracle.replay_read import LogRead
from stepcheck.oracle.replay_rows import LogRow
from stepcheck.oracle.types import Accepted, CaseView
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import UNSPECIFIED, Direction, ProtocolSpec, Reading

__all__ = ["CompiledSpec", "play_compiled", "replay_compiled"]

_EMPTY_VIEW: Final = CaseView(status="", owner="")


@frozen
class _Discrete:
    """Everything about a case but its times; equal parts, equal futures."""

    status: str
    owner: str
    co_owner: str
    previous_owner: str
    variables: tuple[tuple[str, object], ...]
    held: tuple[str, ...]
    clocks: tuple[str, ...]
    windows: tuple[tuple[str, str], ...]
    disputes: tuple[tuple[str, str], ...]


@frozen
class _Entry:
    """A tabulated step: accepted with nothing to report, and what it makes."""

    ok: bool
    target: int
    clocks: tuple[tuple[str, int], ...]
    """Per new clock: its deadline and the old clock's index, or -1: started at the row."""
    windows: tuple[tuple[str, int, str], ...]
    """Per new window: its rule, the old window's index or -1, and its owner."""


class _State:
    """A case on the table: its discrete state's number and its times."""

    __slots__ = ("clocks", "discrete", "now", "started", "windows")

    def __init__(
        self,
        discrete: int,
        clocks: tuple[DeadlineClock, ...],
        windows: tuple[WindowClock, ...],
        now: datetime,
        started: datetime,
    ) -> None:
        self.discrete = discrete
        self.clocks = clocks
        self.windows = windows
        self.now = now
        self.started = started


class _Unclean(Exception):
    """The case has something to report: the executor-based player takes it."""


class CompiledSpec:
    """One spec under one reading as a transition table, filled as steps are met."""

    def __init__(self, rules: RuleIndex) -> None:
        self.rules = rules
        self.executor = rules.executor
        index = self.executor.index
        self._index = index
        self._calendar = working_calendar()
        self._states: list[_Discrete] = []
        self._numbers: dict[_Discrete, int] = {}
        self._table: dict[tuple[int, str, tuple[bool, ...]], _Entry] = {}
        self._limits: dict[tuple[datetime, str], Limit] = {}
        self._within = {d.id: d.within for d in index.timed}
        self._after = {d.id for d in index.timed if d.direction is Direction.AFTER}
        self._holding = {d.id for d in index.timed if d.direction is Direction.NOT_BEFORE}
        self._hours = {
            d.id
            for d in index.timed
            if isinstance(d.within, Duration) and d.within.unit is Unit.HOURS
        }
        self._enforced = {d.id for d in index.timed if index.reading.enforces(d.modality)}
        self._windows = {rule.id: rule.window for rule in index.spec.rereferrals}
        self._meeting = {event.id: event.at for event in index.spec.events}
        self._responsible = {
            (status.id, owner.id): owner.responsible or status.final
            for status in index.spec.statuses
            for owner in index.spec.owners
        }
        self._openings: dict[str, Case] = {}

    @property
    def entries(self) -> int:
        """How many entries the table holds so far."""
        return len(self._table)

    # --- the table -------------------------------------------------------------------

    def _number(self, discrete: _Discrete) -> int:
        found = self._numbers.get(discrete)
        if found is None:
            found = self._numbers[discrete] = len(self._states)
            self._states.append(discrete)
        return found

    def _state_of(self, case: Case) -> _State:
        discrete = _Discrete(
            status=case.status,
            owner=case.owner,
            co_owner=case.co_owner,
            previous_owner=case.previous_owner,
            variables=case.variables,
            held=case.held,
            clocks=tuple(clock.deadline for clock in case.deadlines),
            windows=tuple((window.rule, window.owner) for window in case.windows),
            disputes=tuple((dispute.ladder, dispute.level) for dispute in case.disputes),
        )
        return _State(self._number(discrete), case.deadlines, case.windows, case.now, case.started)

    def _case_of(self, state: _State) -> Case:
        discrete = self._states[state.discrete]
        return Case(
            status=discrete.status,
            owner=discrete.owner,
            co_owner=discrete.co_owner,
            previous_owner=discrete.previous_owner,
            variables=discrete.variables,  # type: ignore[arg-type]
            held=discrete.held,
            deadlines=state.clocks,
            disputes=tuple(
                DisputeClock(ladder=ladder, level=level, level_started=state.now, opened=state.now)
                for ladder, level in discrete.disputes
            ),
            windows=state.windows,
            now=state.now,
            started=state.started,
            view=_EMPTY_VIEW,
            due=(),
        )

    def _bits(self, state: _State, step: str, at: datetime) -> tuple[bool, ...]:
        """The answers about `at` that the step's result can depend on."""
        passed = self._calendar.passed
        day = at.date()
        bits: list[bool] = []
        for clock in state.clocks:
            limit = clock.limit
            name = clock.deadline
            if name in self._after:  # overdue (guards read it)
                bits.append(passed(limit.by, at))
            else:  # a `not_before` limit still holding the step back
                bits.append(day < limit.by)
            if name in self._hours:  # met late
                bits.append(at > limit.ends)
        moving = at != state.now
        for window in state.windows:
            bits.append(moving and passed(window.limit.by, at))
        meeting = self._meeting.get(step)
        if meeting is not None:
            sittings = self._index.sittings.get(meeting)
            bits.append(sittings is None or sittings.sits_at(at))
        return tuple(bits)

    def _entry(self, state: _State, step: str, at: datetime, bits: tuple[bool, ...]) -> _Entry:
        """The table's entry, filled by the executor on first use."""
        key = (state.discrete, step, bits)
        entry = self._table.get(key)
        if entry is None:
            entry = self._table[key] = self._filled(state, step, at)
        return entry

    def _filled(self, state: _State, step: str, at: datetime) -> _Entry:
        result = self.executor.apply(self._case_of(state), step, at=at)
        if not isinstance(result, Accepted) or result.late:
            return _Entry(ok=False, target=-1, clocks=(), windows=())
        after = result.case
        clocks = tuple((c.deadline, _position(state.clocks, c)) for c in after.deadlines)
        windows = tuple((w.rule, _position(state.windows, w), w.owner) for w in after.windows)
        target = self._state_of(after).discrete
        return _Entry(ok=True, target=target, clocks=clocks, windows=windows)

    def _limit(self, at: datetime, name: str, within: object) -> Limit:
        key = (at, name)
        found = self._limits.get(key)
        if found is None:
            assert isinstance(within, Duration), "running limits have a duration"
            found = limit_from(at, within, unstated_days_as=self._index.unstated_days_as)
            self._limits[key] = found
        return found

    def step(self, state: _State, step: str, at: datetime) -> _State:
        """The case after `step` at `at`; `_Unclean` if the row has anything to report."""
        entry = self._entry(state, step, at, self._bits(state, step, at))
        if not entry.ok:
            raise _Unclean
        clocks = tuple(
            state.clocks[old]
            if old >= 0
            else DeadlineClock(deadline=name, limit=self._limit(at, name, self._within[name]))
            for name, old in entry.clocks
        )
        windows = tuple(
            state.windows[old]
            if old >= 0
            else WindowClock(
                rule=rule, limit=self._limit(at, "window:" + rule, self._windows[rule]), owner=owner
            )
            for rule, old, owner in entry.windows
        )
        return _State(entry.target, clocks, windows, at, state.started)

    # --- one case ----------------------------------------------------------------------

    def opening(self, step: str, at: datetime) -> _State:
        """`replay_engine.opening` on the table: the first initial status that takes `step`."""
        first: _State | None = None
        for status in self._index.spec.statuses:
            if not status.initial:
                continue
            template = self._openings.get(status.id)
            if template is None:
                template = self.executor.start(at=at, status=status.id)
                self._openings[status.id] = template
            state = self._state_of(template)
            state.now = state.started = at
            first = first or state
            try:
                self.step(state, step, at)
            except _Unclean:
                continue
            return state
        assert first is not None, "a spec has an initial status"
        return first

    def play(self, case_id: str, rows: Sequence[LogRow], end: datetime | None) -> CaseReport:
        """The case's report, when it has nothing to report; `_Unclean` otherwise."""
        state = self.opening(rows[0].event, rows[0].local)
        timeline: list[TimelineEntry] = []
        unowned: list[UnownedInterval] = []
        since = self._owner_seen(state, state.now, None, unowned)
        last = ("", "")
        for row in rows:
            at = max(row.local, state.now)
            self._overdue(state, at)
            state = self.step(state, row.event, at)
            discrete = self._states[state.discrete]
            self._recorded(row, discrete)
            if (discrete.status, discrete.owner) != last:
                last = (discrete.status, discrete.owner)
                timeline.append(
                    TimelineEntry(at=at, place=row.place, status=last[0], owner=last[1])
                )
            since = self._owner_seen(state, at, since, unowned)
        final = max(end or state.now, state.now)
        self._overdue(state, final)
        if since is not None:
            unowned.append(self._interval(since[0], since[1], final, still_open=True))
        discrete = self._states[state.discrete]
        return CaseReport(
            case=case_id,
            rows=len(rows),
            status=discrete.status,
            owner=discrete.owner,
            timeline=tuple(timeline),
            open=self._open(state, final),
            unowned=tuple(unowned),
        )

    def _open(self, state: _State, final: datetime) -> tuple[OpenObligation, ...]:
        found = []
        for deadline in self._index.timed:
            if deadline.id not in self._after:
                continue
            for clock in state.clocks:
                if clock.deadline == deadline.id:
                    found.append(
                        OpenObligation(
                            deadline=deadline.id,
                            obligation=deadline.obligation,
                            by=clock.limit.by,
                            overdue=self._calendar.passed(clock.limit.by, final),
                        )
                    )
                    break
        return tuple(found)

    def _overdue(self, state: _State, at: datetime) -> None:
        for clock in state.clocks:
            name = clock.deadline
            if (
                name in self._after
                and name in self._enforced
                and self._calendar.passed(clock.limit.by, at)
            ):
                raise _Unclean

    def _recorded(self, row: LogRow, after: _Discrete) -> None:
        if row.status is not None and row.status != after.status:
            raise _Unclean
        if row.owner is not None and after.owner not in (UNSPECIFIED.value, row.owner):
            raise _Unclean
        if row.facts:
            values = dict(after.variables)
            for name, text in row.facts:
                if fact_value(self.rules.variables[name], text) != values[name]:
                    raise _Unclean

    def _owner_seen(
        self,
        state: _State,
        at: datetime,
        since: tuple[str, datetime] | None,
        unowned: list[UnownedInterval],
    ) -> tuple[str, datetime] | None:
        """`replay_engine`'s unowned stretches: the stretch open after this row, if any."""
        discrete = self._states[state.discrete]
        responsible = self._responsible[(discrete.status, discrete.owner)]
        if since is not None and (responsible or since[0] != discrete.owner):
            unowned.append(self._interval(since[0], since[1], at, still_open=False))
            since = None
        if not responsible and since is None:
            since = (discrete.owner, at)
        return since

    def _interval(
        self, owner: str, start: datetime, end: datetime, *, still_open: bool
    ) -> UnownedInterval:
        return UnownedInterval(
            owner=owner,
            start=start,
            end=end,
            working_days=self._calendar.between(start.date(), end.date()),
            open=still_open,
        )


def _position(old: Sequence[object], new: object) -> int:
    """The index of `new` among `old` by identity (the executor keeps what it keeps), or -1."""
    for position, item in enumerate(old):
        if item is new:
            return position
    return -1


def play_compiled(
    compiled: CompiledSpec, cases: Mapping[str, Sequence[LogRow]], end: datetime | None
) -> CasesPlayed:
    """`replay_engine.play` on the table: the same result, each case with a finding
    played again by the executor-based player."""
    out: list[OutOfOrder] = [found for rows in cases.values() for found in out_of_order(rows)]
    findings: list[Finding] = []
    reports = []
    for case_id in sorted(cases):
        rows = sorted(cases[case_id], key=lambda row: (row.instant, row.order))
        try:
            reports.append(compiled.play(case_id, rows, end))
        except _Unclean:
            report, found = case_played(compiled.rules, case_id, rows, end)
            reports.append(report)
            findings += found
    return CasesPlayed(findings=tuple(findings), out_of_order=tuple(out), cases=tuple(reports))


def replay_compiled(
    spec: ProtocolSpec,
    read: LogRead,
    *,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
) -> ReplayReport:
    """`replay_engine.replay` on the compiled engine: the same report, byte for byte."""
    rules = rule_index(spec, reading)
    rows = sort_out(rules, read, as_of)
    played = play_compiled(CompiledSpec(rules), rows.cases, rows.end)
    return assemble(spec, read, reading, rows, [played])
