"""Dating a checker trace: the first real start date from which the executor replays it.

The checker's traces (`spec.trace.Trace`) count working days and let each timer
start at any value its interval allows, so a trace happens only from some start
dates. `realise` looks for the earliest working day, on or after a given date, from
which the whole trace replays in the executor: events at 09:00 on their working day,
a tick moving on to 09:00 on the next working day, and every state projected
(`abstract.abstract_state`) equal to the trace's. A step at a meeting with a time of
day waits for it (`sitting_moment`): the CTM's step at 14:00, and the day's later
steps with it.

It is fast because only two things depend on the date: meeting phases and the
values timers start at. Both are checked first, per candidate start, from tables
computed once; only a start that passes them is replayed in full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

from attrs import frozen

from stepcheck.oracle.abstract import abstract_state
from stepcheck.oracle.calendar_rules import countdown, limit_from
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.executor_case import Case
from stepcheck.oracle.types import Rejected, StepResult
from stepcheck.spec.duration import Duration
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import State, StepKind, Trace, Value
from stepcheck.spec.workdays import is_working_day, next_working_day

__all__ = [
    "DatedStep",
    "Mismatch",
    "NotRealised",
    "Realised",
    "realise",
    "sitting_moment",
    "working_days_from",
]

_AT: time = time(9, 0)


@frozen(kw_only=True)
class DatedStep:
    """One step of a trace on the calendar: what happened (`step` None for a tick) and when."""

    index: int
    kind: StepKind
    step: str | None
    at: datetime


@frozen(kw_only=True)
class Realised:
    """The trace happens from `start`: each step dated, with the executor's results."""

    start: date
    steps: tuple[DatedStep, ...]
    results: tuple[StepResult, ...]
    first: Case
    last: Case


@frozen(kw_only=True)
class Mismatch:
    """Where replay from `start` first left the trace: step `index` (None: the first state)."""

    start: date
    index: int | None
    field: str
    expected: Value | str
    actual: Value | str

    def words(self) -> str:
        where = "the first state" if self.index is None else f"step {self.index}"
        return (
            f"from {self.start.isoformat()}, {where}: {self.field} is {self.actual!r}, "
            f"the trace has {self.expected!r}"
        )


@frozen(kw_only=True)
class NotRealised:
    """No start in the searched range replays the trace; `mismatch` got furthest."""

    reason: str
    searched: tuple[date, date]
    mismatch: Mismatch | None = None


_Failure = tuple[Mismatch, bool]
"""The first mismatch of one start's replay, and whether every start would meet it."""
_DATED_FIELDS = (
    "deadline:",
    "level_timer:",
    "dispute_timer:",
    "window:",
    "window_owner:",
    "phase:",
)
_CALENDAR_REFUSALS = frozenset({"meeting", "not_before", "precedence"})
_Check = tuple[int | None, str, int, Value, Callable[[date], Value]]
"""(step index, field, working-day offset, expected value, the value on a date)."""


def realise(
    spec: ProtocolSpec,
    trace: Trace,
    *,
    reading: Reading,
    start: date,
    horizon_days: int = 3653,
    meetings: Mapping[str, date] | None = None,
    executor: Executor | None = None,
) -> Realised | NotRealised:
    """The earliest working day in `[start, start + horizon_days)` from which `trace` replays.

    A lasso (`loop_start` set) replays its stem and one turn of its loop, which must
    come back to the projection it started from. `executor`, when given, is reused
    (it must be of `spec` under `reading`); otherwise one is made with `meetings`.
    """
    runner = executor or Executor(spec, reading, meetings)
    days = working_days_from(start, horizon_days + 2 * trace.days + 10)
    candidates = sum(day < start + timedelta(days=horizon_days) for day in days)
    searched = (start, start + timedelta(days=horizon_days - 1))
    status = trace.initial.get("status")
    if not isinstance(status, str) or status not in {s.id for s in spec.initial_statuses}:
        return NotRealised(
            reason=f"the first state's status {status!r} is not initial", searched=searched
        )
    checks = _checks(runner, trace)
    best: Mismatch | None = None
    for position in range(candidates):
        mismatch = _precheck(checks, days, position)
        if mismatch is None:
            found = _replay(runner, trace, days, position)
            if isinstance(found, Realised):
                return found
            mismatch, decisive = found
            if decisive:
                return NotRealised(
                    reason="the trace leaves the executor's runs, whatever the start date",
                    searched=searched,
                    mismatch=mismatch,
                )
        if best is None or _further(mismatch, best):
            best = mismatch
    return NotRealised(
        reason="no start date in the searched range replays the trace",
        searched=searched,
        mismatch=best,
    )


def _further(mismatch: Mismatch, best: Mismatch) -> bool:
    def reach(m: Mismatch) -> int:
        return -1 if m.index is None else m.index

    return reach(mismatch) > reach(best)


def working_days_from(start: date, span: int) -> list[date]:
    """The working days from `start` (or the next one) to `span` calendar days after it."""
    day = start if is_working_day(start) else next_working_day(start)
    days = []
    last = start + timedelta(days=span)
    while day <= last:
        days.append(day)
        day = next_working_day(day)
    return days


def sitting_moment(executor: Executor, step: str, now: datetime) -> datetime:
    """When a dated trace takes `step` after `now`: at `now`, or, for an event at a meeting
    with a time of day, at that time if it is later the same day (SEMANTICS.md, "The
    oracle's calendar"). Time moves on only for such a meeting, so no other step moves."""
    event = executor.index.events.get(step)
    sittings = None if event is None or event.at is None else executor.index.sittings.get(event.at)
    return now if sittings is None else sittings.earliest(now)


def _checks(executor: Executor, trace: Trace) -> list[_Check]:
    """The date-dependent facts of `trace`: meeting phases, and the values timers start at
    (from the time of day each step happens at, `sitting_moment`)."""
    index = executor.index
    checks: list[_Check] = []
    offset = 0
    moment = datetime.combine(date.min, _AT)  # only its time of day is read
    for meeting, sittings in index.sittings.items():
        checks.append(
            (None, f"phase:{meeting}", 0, trace.initial.get(f"phase:{meeting}"), sittings.phase)
        )
    for position, step in enumerate(trace.steps):
        offset += step.kind is StepKind.TICK
        before, after = trace.state_before(position), step.state
        if step.kind is StepKind.TICK:
            moment = datetime.combine(date.min, _AT)
            for meeting, sittings in index.sittings.items():
                name = f"phase:{meeting}"
                checks.append((position, name, offset, after.get(name), sittings.phase))
            continue
        if step.kind is StepKind.EVENT and step.name is not None:
            moment = sitting_moment(executor, step.name, moment)
        for name, duration in _started_timers(executor, before, after):
            value = _start_value(executor, duration, moment.time())
            checks.append((position, name, offset, after.get(name), value))
    return checks


def _started_timers(executor: Executor, before: State, after: State) -> list[tuple[str, Duration]]:
    """The timers that an event or dispute step (re)started: their value changed to a count."""
    spec = executor.spec
    found: list[tuple[str, Duration]] = []
    durations: list[tuple[str, object]] = [
        (f"deadline:{d.id}", d.within) for d in executor.index.timed
    ]
    durations += [(f"window:{rule.id}", rule.window) for rule in spec.rereferrals]
    for ladder in spec.escalations:
        level = after.get(f"dispute:{ladder.id}")
        if isinstance(level, str) and level in {lv.id for lv in ladder.levels}:
            durations.append((f"level_timer:{ladder.id}", ladder.level_by_id(level).within))
        durations.append((f"dispute_timer:{ladder.id}", ladder.within))
    for name, duration in durations:
        value = after.get(name)
        if isinstance(duration, Duration) and value is not None and value != before.get(name):
            found.append((name, duration))
    return found


def _start_value(executor: Executor, duration: Duration, at: time) -> Callable[[date], Value]:
    memo: dict[date, int] = {}
    unstated = executor.index.unstated_days_as

    def value(day: date) -> Value:
        if day not in memo:
            limit = limit_from(datetime.combine(day, at), duration, unstated_days_as=unstated)
            memo[day] = countdown(limit.by, day)
        return memo[day]

    return value


def _precheck(checks: list[_Check], days: list[date], position: int) -> Mismatch | None:
    for index, name, offset, expected, actual_on in checks:
        actual = actual_on(days[position + offset])
        if actual != expected:
            return Mismatch(
                start=days[position], index=index, field=name, expected=expected, actual=actual
            )
    return None


def _replay(
    executor: Executor, trace: Trace, days: list[date], position: int
) -> Realised | _Failure:
    """Replay `trace` in full from `days[position]`: the realisation, or the first mismatch.

    A mismatch is decisive when it cannot depend on the date: up to it every state
    matched the trace (so every countdown and phase did), and neither a differing
    field nor a refusal is one the calendar decides beyond those numbers.
    """
    start = days[position]
    first = executor.start(at=datetime.combine(start, _AT), status=str(trace.initial["status"]))
    mismatch = _compare(executor, first, trace.initial, start, None)
    if mismatch is not None:
        return mismatch
    case, offset = first, 0
    seen = [dict(trace.initial)]
    dated: list[DatedStep] = []
    results: list[StepResult] = []
    for index, step in enumerate(trace.steps):
        if step.kind is StepKind.TICK:
            offset += 1
            case = executor.advance(case, datetime.combine(days[position + offset], _AT))
            dated.append(DatedStep(index=index, kind=step.kind, step=None, at=case.now))
        else:
            name = step.name if step.kind is StepKind.EVENT else f"{step.kind.value}:{step.name}"
            assert name is not None, "event and dispute steps are named"
            result = executor.apply(case, name, at=sitting_moment(executor, name, case.now))
            if isinstance(result, Rejected):
                refused = Mismatch(
                    start=start,
                    index=index,
                    field="step",
                    expected=f"'{name}' accepted",
                    actual="; ".join(r.reason for r in result.refusals),
                )
                return (refused, not {r.kind for r in result.refusals} & _CALENDAR_REFUSALS)
            case = result.case
            results.append(result)
            dated.append(DatedStep(index=index, kind=step.kind, step=name, at=case.now))
        mismatch = _compare(executor, case, step.state, start, index)
        if mismatch is not None:
            return mismatch
        seen.append(dict(step.state))
    if trace.loop_start is not None:
        closing = abstract_state(executor, case)
        if closing != seen[trace.loop_start]:
            loop = Mismatch(
                start=start,
                index=trace.loop_start,
                field="loop",
                expected="the loop closes",
                actual="it does not",
            )
            return (loop, True)
    return Realised(start=start, steps=tuple(dated), results=tuple(results), first=first, last=case)


def _compare(
    executor: Executor, case: Case, expected: State, start: date, index: int | None
) -> _Failure | None:
    actual = abstract_state(executor, case)
    differ = [
        name
        for name in sorted(set(actual) | set(expected))
        if actual.get(name) != _normal(expected.get(name))
    ]
    if not differ:
        return None
    name = differ[0]
    mismatch = Mismatch(
        start=start, index=index, field=name, expected=expected.get(name), actual=actual.get(name)
    )
    return (mismatch, not any(field.startswith(_DATED_FIELDS) for field in differ))


def _normal(value: Value) -> Value:
    """A held set may come as a list from JSON; compare it as a sorted tuple."""
    if isinstance(value, list):
        return tuple(sorted(value))
    return value
