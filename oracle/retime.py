"""Dating a checker trace by its steps alone: the executor picks every timer's real value.

`realise` asks for a start date on which every projected state equals the trace's.
The checker lets each timer start at any value its wording allows and each meeting
sit at any phase, so it often picks values no single date gives together, although
the run's events would happen just the same with the real ones. `retime` keeps only
the trace's labels: events at 09:00 on their working day (several a day, in order;
a step at a meeting with a time of day at that time, and the day's later steps with
it), a tick moving on to 09:00 on the next working day. It looks for the earliest start
(and, for a periodic meeting whose document names no day, a day for it to sit) from
which the executor accepts every step, and returns the run it makes as a checker
trace. Time is never added to an event: a step refused only because it is too early,
or because the meeting does not sit that day, rejects the candidate.

The checker lets a timer last any length its wording allows, lengths the calendar
may give only once in decades ("2 weeks" is 6 working days only around Easter 2011),
and a run can need the extremes: ticks until two deadlines are overdue, then a step
that is only a failure once they are. So each block of consecutive ticks in the
stem is taken as however many working days bring every clock to the class (off,
running, due, past) the trace has after it, its own count first; the labels are
otherwise kept. Whatever comes back is checked again in the checker's explorer
(stepcheck/dating.py), so the change of length never has to be trusted.

Every step is first placed at 09:00. A limit in clock hours or calendar days then lasts
fewer working days from a Friday than from a Monday ("24 hours" from Friday 09:00 ends on
Saturday, due that same working day), while the checker lets it last the most from any
moment; a step may happen at any moment, and a Sunday evening still belongs to Friday's
working day (spec/SEMANTICS.md). So when no start works at 09:00, every step is placed
instead at 23:00 on the last day belonging to its working day (Sunday for a Friday), where
such limits are longest.

A lasso's loop is repeated until the projected state at the end of a pass equals the
state at an earlier pass boundary (timers count down and saturate, meetings come
round again), so the returned trace is a lasso of the same steps with real numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta

from attrs import field, frozen

from stepcheck.oracle.abstract import abstract_state
from stepcheck.oracle.calendar_rules import countdown
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.executor_case import Case
from stepcheck.oracle.realise import (
    DatedStep,
    Mismatch,
    NotRealised,
    Realised,
    realise,
    sitting_moment,
    working_days_from,
)
from stepcheck.oracle.retime_meetings import (
    chosen_days,
    executor_with,
    free_meeting,
    meeting_choices,
    meeting_days,
    meeting_events,
)
from stepcheck.oracle.types import Rejected, StepResult
from stepcheck.spec.citations import long_date
from stepcheck.spec.expr import predicates_used
from stepcheck.spec.model import Direction, ProtocolSpec, Reading
from stepcheck.spec.timing import timing
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep, Value
from stepcheck.spec.workdays import next_working_day

__all__ = ["MAX_PASSES", "Retimed", "date_trace", "retime"]

MAX_PASSES = 600
"""How many times a lasso's loop is repeated, at most, waiting for it to close."""

_AT = time(9, 0)
_LATE = time(23, 0)
_CLOCKS = ("deadline:", "level_timer:", "dispute_timer:", "window:")
"""The projected state's countdowns, whose classes a block of ticks must reach."""
_SPARE_TICKS = 3
"""How many working days beyond the longest timer a block of ticks may be stretched."""
_CALENDAR_REFUSALS = frozenset({"meeting", "not_before", "precedence"})
_DATE_PREDICATES = frozenset({"overdue", "in_window"})
"""A Monday starting two weeks without bank holidays, for canonical meeting days."""


def _frozen_days(value: Mapping[str, date]) -> Mapping[str, date]:
    return dict(sorted(value.items()))


@frozen(kw_only=True)
class Retimed:
    """The trace's steps happen from `start`; `trace` is the run with the executor's numbers.

    `meetings` gives the day chosen for each periodic meeting whose document names no
    day (only those that differ from the executor's own), as `Executor.with_meetings`
    takes it. `trace` has the trace's labels, a block of the stem's ticks perhaps taken
    as more or fewer working days; `steps` dates each of `trace.steps` (a lasso's loop
    once per pass taken);
    `results` are the executor's answers to its event and dispute steps. `exact` is set
    when the trace itself happens, every state included; then `trace` is the one given.
    `late` is set when every step happens at the end of its working day (`_moment`).
    """

    start: date
    trace: Trace
    steps: tuple[DatedStep, ...]
    results: tuple[StepResult, ...]
    meetings: Mapping[str, date] = field(factory=dict, converter=_frozen_days)
    exact: bool = False
    late: bool = False


_Failure = tuple[Mismatch, bool]
"""A candidate's failure, and whether it is one neither meetings nor waits decide.

Such a failure is met from every start when the spec is date-blind (`_date_blind`),
and a loop that never closes is taken as final whatever the spec.
"""


@frozen(kw_only=True)
class _Run:
    cases: tuple[Case, ...]
    results: tuple[StepResult, ...]
    steps: tuple[TraceStep, ...]
    """The trace's steps taken, in order (a lasso's loop once per pass)."""
    loop_start: int | None


def date_trace(
    spec: ProtocolSpec,
    trace: Trace,
    *,
    reading: Reading,
    start: date,
    horizon_days: int = 3653,
    executor: Executor | None = None,
    comply: bool = False,
) -> Retimed | NotRealised:
    """`trace` on the calendar: exactly (`realise`) when it can be, else re-timed (`retime`)."""
    runner = executor or Executor(spec, reading)
    found = realise(
        spec, trace, reading=reading, start=start, horizon_days=horizon_days, executor=runner
    )
    if isinstance(found, Realised):
        return Retimed(
            start=found.start, trace=trace, steps=found.steps, results=found.results, exact=True
        )
    return retime(
        spec,
        trace,
        reading=reading,
        start=start,
        horizon_days=horizon_days,
        executor=runner,
        comply=comply,
    )


def retime(
    spec: ProtocolSpec,
    trace: Trace,
    *,
    reading: Reading,
    start: date,
    horizon_days: int = 3653,
    executor: Executor | None = None,
    comply: bool = False,
) -> Retimed | NotRealised:
    """The earliest start in `[start, start + horizon_days)` from which `trace`'s steps happen.

    Candidates are working days, earliest first; for each, every day that a periodic
    meeting without a named day may sit on (weekly: each weekday; fortnightly: each
    of the ten working days; monthly: each day 1 to 28), the executor's own first.
    `executor`, when given, is reused (it must be of `spec` under `reading`).

    With `comply`, a working day may pass only where the checker lets it: not while an
    enforced deadline is due and can be met, nor while a dispute's limit has run out
    and it can move (spec/SEMANTICS.md, "Ticks"). The run is then one the checker
    itself makes, people complying, rather than one where a deadline is simply missed.
    """
    base = executor or Executor(spec, reading)
    searched = (start, start + timedelta(days=horizon_days - 1))
    status = trace.initial.get("status")
    if not isinstance(status, str) or status not in {s.id for s in spec.initial_statuses}:
        return NotRealised(
            reason=f"the first state's status {status!r} is not initial", searched=searched
        )
    days = working_days_from(start, horizon_days + 2 * trace.days + 10)
    candidates = sum(day < start + timedelta(days=horizon_days) for day in days)
    sittings = meeting_events(base, trace)
    choices = {
        meeting: meeting_choices(base, meeting)
        for meeting in sittings
        if free_meeting(base, meeting)
    }
    blind = _date_blind(spec)
    most = timing(spec).longest + _SPARE_TICKS
    executors: dict[tuple[date | None, ...], Executor] = {}
    best: Mismatch | None = None
    for late, position in ((late, p) for late in (False, True) for p in range(candidates)):
        for combination in meeting_days(base, sittings, choices, days, position):
            if isinstance(combination, Mismatch):
                mismatch = combination
            else:
                runner = executors.get(combination)
                if runner is None:
                    runner = executors[combination] = executor_with(base, choices, combination)
                found = _run(
                    runner, trace, days[position], status, most=most, comply=comply, late=late
                )
                if isinstance(found, _Run):
                    return _retimed(runner, found, chosen_days(choices, combination), late=late)
                mismatch, timeless = found
                if timeless and (blind or mismatch.field == "loop"):
                    return NotRealised(
                        reason=_decisive_reason(mismatch), searched=searched, mismatch=mismatch
                    )
            if best is None or _reach(mismatch) > _reach(best):
                best = mismatch
    return NotRealised(
        reason="no start date in the searched range lets every step happen",
        searched=searched,
        mismatch=best,
    )


def _decisive_reason(mismatch: Mismatch) -> str:
    if mismatch.field == "loop":
        return f"the loop does not come back to an earlier state within {MAX_PASSES} passes"
    return "a step is refused for a reason no start date changes"


def _reach(mismatch: Mismatch) -> int:
    return -1 if mismatch.index is None else mismatch.index


def _label(kind: StepKind, name: str | None) -> str | None:
    """The executor's step name of a trace label; None for a tick."""
    if kind is StepKind.TICK:
        return None
    assert name is not None, "event and dispute steps are named"
    return name if kind is StepKind.EVENT else f"{kind.value}:{name}"


def _date_blind(spec: ProtocolSpec) -> bool:
    """Whether nothing but meetings and `not_before` waits lets the date change a step's fate.

    True when no rule reads `overdue` or `in_window` and no re-referral rule routes by
    an open window: then status, owner, variables and which clocks run follow from the
    steps alone, and any other refusal would be met from every start.
    """
    if spec.rereferrals:
        return False
    expressions = [guard.condition for event in spec.events for guard in event.guards]
    expressions += [effect.value for event in spec.events for effect in event.effects]
    expressions += [d.condition for d in spec.deadlines if d.condition is not None]
    return not any(
        name in _DATE_PREDICATES for expr in expressions for name, _ in predicates_used(expr)
    )


def _moment(day: date, *, late: bool) -> datetime:
    """When a step of working day `day` happens: 09:00 that day, or (`late`) 23:00 on the
    last calendar day before the next working day."""
    if not late:
        return datetime.combine(day, _AT)
    return datetime.combine(next_working_day(day) - timedelta(days=1), _LATE)


def _run(
    executor: Executor,
    trace: Trace,
    day: date,
    status: str,
    *,
    most: int,
    comply: bool,
    late: bool,
) -> _Run | _Failure:
    """Take `trace`'s steps from working day `day` (`_moment`); a lasso's loop until it closes.

    The stem's blocks of ticks may be stretched or shrunk (`_tick_block`, up to `most`
    working days); the loop's steps are taken exactly.
    """
    cases = [executor.start(at=_moment(day, late=late), status=status)]
    results: list[StepResult] = []
    taken: list[TraceStep] = []
    loop_start = len(trace.steps) if trace.loop_start is None else trace.loop_start
    walk = _Walk(cases=cases, results=results, taken=taken, day=day, comply=comply, late=late)
    for part in _blocks(trace, loop_start):
        if trace.steps[part.start].kind is StepKind.TICK:
            refused = _tick_block(executor, trace, part, walk, most=most)
        else:
            refused = _pass(executor, trace, part, walk, turn=0)
        if refused is not None:
            return refused
    if trace.loop_start is None:
        return _Run(cases=tuple(cases), results=tuple(results), steps=tuple(taken), loop_start=None)
    stem = len(taken)
    loop = trace.steps[loop_start:]
    boundaries: dict[tuple[tuple[str, Value], ...], int] = {}
    for turn in range(MAX_PASSES + 1):
        state = tuple(sorted(abstract_state(executor, cases[-1]).items()))
        if state in boundaries:
            return _Run(
                cases=tuple(cases),
                results=tuple(results),
                steps=tuple(taken),
                loop_start=stem + boundaries[state] * len(loop),
            )
        boundaries[state] = turn
        if turn < MAX_PASSES:
            part = range(loop_start, len(trace.steps))
            refused = _pass(executor, trace, part, walk, turn=turn + 1)
            if refused is not None:
                return refused
    closing = Mismatch(
        start=day,
        index=trace.loop_start,
        field="loop",
        expected=f"the loop closes within {MAX_PASSES} passes",
        actual="it does not",
    )
    return (closing, True)


@frozen(kw_only=True)
class _Walk:
    """A run being made: the cases so far (each step appends one), and what it took."""

    cases: list[Case]
    results: list[StepResult]
    taken: list[TraceStep]
    """The trace's steps taken, in order, a stretched block's tick once per working day."""
    day: date
    """The candidate start."""
    comply: bool
    late: bool
    """Whether steps happen at the end of their working day (`_moment`)."""


def _blocks(trace: Trace, end: int) -> Iterator[range]:
    """The steps before `end` in order: each block of consecutive ticks, each other step alone."""
    index = 0
    while index < end:
        after = index + 1
        if trace.steps[index].kind is StepKind.TICK:
            while after < end and trace.steps[after].kind is StepKind.TICK:
                after += 1
        yield range(index, after)
        index = after


def _pass(
    executor: Executor, trace: Trace, part: range, walk: _Walk, *, turn: int
) -> _Failure | None:
    """Take the steps `part` of `trace` exactly (pass `turn` of its loop; 0: its stem), or fail."""
    for index in part:
        step = trace.steps[index]
        if step.kind is StepKind.TICK:
            refused = _tick(executor, walk, index, turn)
        else:
            rejected = _take(executor, step.kind, step.name, walk.cases, walk.results)
            refused = None if rejected is None else _refused(rejected, walk.day, index, turn)
        if refused is not None:
            return refused
        walk.taken.append(step)
    return None


def _tick_block(
    executor: Executor, trace: Trace, block: range, walk: _Walk, *, most: int
) -> _Failure | None:
    """Take a block of the stem's ticks as however many working days its clocks need.

    The checker may give a timer fewer (or more) working days than the calendar ever
    does, so the trace's count of ticks can leave a deadline running where the trace
    has it overdue, and the next step is then refused or means something else. The
    block is taken as the first count, of its own, then more (up to `most`), then
    fewer (down to one), after which every clock has the class (off, running, due,
    past) it has in the trace after the block; if none does, as its own count. With
    `comply`, a tick the checker would block ends the counts beyond it.
    """
    own = len(block)
    target = _classes(trace.steps[block[-1]].state)
    cases = [walk.cases[-1]]
    refused: _Failure | None = None
    counts = [*range(own, max(own, most) + 1), *range(own - 1, 0, -1)]
    chosen = None
    for count in counts:
        while refused is None and len(cases) <= count:
            index = block[min(len(cases) - 1, own - 1)]
            refused = _tick(executor, walk, index, 0, cases=cases)
        if len(cases) > count and _classes(abstract_state(executor, cases[count])) == target:
            chosen = count
            break
    if chosen is None:
        if len(cases) <= own:
            assert refused is not None, "a block's own count is taken unless a tick is refused"
            return refused
        chosen = own
    walk.cases.extend(cases[1 : chosen + 1])
    walk.taken.extend(trace.steps[block[min(tick, own - 1)]] for tick in range(chosen))
    return None


def _classes(state: State) -> dict[str, int | None]:
    """Each clock of `state` as off (None), running (1), due (0) or past its limit (-1)."""
    return {
        name: None if not isinstance(value, int) else max(min(value, 1), -1)
        for name, value in state.items()
        if name.startswith(_CLOCKS)
    }


def _tick(
    executor: Executor, walk: _Walk, index: int, turn: int, *, cases: list[Case] | None = None
) -> _Failure | None:
    """Let a working day pass after `cases[-1]` (default: the walk's), appending the case
    after it, unless the walk complies and the checker blocks it."""
    cases = walk.cases if cases is None else cases
    blocked = _blocked(executor, cases[-1]) if walk.comply else None
    if blocked is not None:
        on = long_date(cases[-1].now.date())
        mismatch = Mismatch(
            start=walk.day,
            index=index,
            field="step",
            expected=f"a working day passes after {on}{_pass_words(turn)}",
            actual=blocked,
        )
        return (mismatch, False)
    then = _moment(next_working_day(cases[-1].now.date()), late=walk.late)
    cases.append(executor.advance(cases[-1], then))
    return None


def _take(
    executor: Executor,
    kind: StepKind,
    name: str | None,
    cases: list[Case],
    results: list[StepResult],
) -> Rejected | None:
    """Take one event or dispute step after `cases[-1]`, appending the case after it; the
    rejection if refused."""
    case = cases[-1]
    step = _label(kind, name)
    assert step is not None, "ticks are taken by _tick"
    result = executor.apply(case, step, at=sitting_moment(executor, step, case.now))
    if isinstance(result, Rejected):
        return result
    cases.append(result.case)
    results.append(result)
    return None


def _refused(rejected: Rejected, day: date, index: int, turn: int) -> _Failure:
    mismatch = Mismatch(
        start=day,
        index=index,
        field="step",
        expected=f"'{rejected.step}' accepted on {long_date(rejected.at.date())}"
        + _pass_words(turn),
        actual="; ".join(refusal.reason for refusal in rejected.refusals),
    )
    return (mismatch, not {refusal.kind for refusal in rejected.refusals} & _CALENDAR_REFUSALS)


def _pass_words(turn: int) -> str:
    return f" (pass {turn} of the loop)" if turn > 1 else ""


def _blocked(executor: Executor, case: Case) -> str | None:
    """Why the checker would not let a working day pass now (people comply), or None.

    The checker sees days, not times: an obligation at a meeting that sits later today
    (the CTM at 14:00, asked at 09:00) can still happen today, so steps are asked at the
    latest of the day's meeting times.
    """
    index = executor.index
    today = [sittings.earliest(case.now) for sittings in index.sittings.values()]
    latest = max([case.now, *today])
    for deadline in index.timed:
        clock = case.clock(deadline.id)
        if (
            clock is None
            or deadline.direction is not Direction.AFTER
            or not index.reading.enforces(deadline.modality)
            or countdown(clock.limit.by, case.now) != 0
        ):
            continue
        for step in executor.enabled(case, latest):
            event = index.events.get(step)
            if event is not None and (
                event.id in deadline.obligation
                or (event.target not in (None, case.status) and event.target in deadline.obligation)
            ):
                return f"'{deadline.id}' is due and '{step}' would meet it"
    for dispute in case.disputes:
        limits = (dispute.level_limit, dispute.dispute_limit)
        if not any(limit is not None and countdown(limit.by, case.now) == 0 for limit in limits):
            continue
        for kind in ("escalate", "decide"):
            step = f"{kind}:{dispute.ladder}"
            if executor.apply(case, step, at=case.now).accepted:
                return f"a limit of dispute '{dispute.ladder}' has run out and '{step}' can happen"
    return None


def _retimed(executor: Executor, run: _Run, meetings: Mapping[str, date], *, late: bool) -> Retimed:
    """The run as a checker trace (one tick per working day) and as dated steps."""
    steps: list[TraceStep] = []
    dated: list[DatedStep] = []
    day = 0
    for index, (taken, case) in enumerate(zip(run.steps, run.cases[1:], strict=True)):
        kind, name = taken.label
        day += kind is StepKind.TICK
        steps.append(TraceStep(kind=kind, name=name, day=day, state=abstract_state(executor, case)))
        dated.append(DatedStep(index=index, kind=kind, step=_label(kind, name), at=case.now))
    first = run.cases[0]
    return Retimed(
        start=first.now.date(),
        trace=Trace(
            initial=abstract_state(executor, first), steps=tuple(steps), loop_start=run.loop_start
        ),
        steps=tuple(dated),
        results=run.results,
        meetings=meetings,
        late=late,
    )
