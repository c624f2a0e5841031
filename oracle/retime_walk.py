"""Taking a checker trace's steps in the executor from one candidate start (`retime.py`).

`run` takes the steps from working day `day`: events and dispute steps at their moment
(`moment`: 09:00, or 23:00 when late; a timed meeting's step at its time,
`realise.sitting_moment`), a tick as the next working day, each block of the stem's
ticks as however many working days bring every clock to the class the trace has after
it (`_tick_block`), and a lasso's loop until the projected state comes back to an
earlier pass boundary. A refused step is a `Failure`: the mismatch, and whether
neither meetings nor waits decide it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from attrs import frozen

from stepcheck.oracle.abstract import abstract_state
from stepcheck.oracle.calendar_rules import countdown
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.executor_case import Case
from stepcheck.oracle.realise import Mismatch, sitting_moment
from stepcheck.oracle.types import Rejected, StepResult
from stepcheck.spec.citations import long_date
from stepcheck.spec.model import Direction
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep, Value
from stepcheck.spec.workdays import next_working_day

__all__ = ["MAX_PASSES", "Failure", "Run", "label", "moment", "run"]

MAX_PASSES = 600
"""How many times a lasso's loop is repeated, at most, waiting for it to close."""

_AT = time(9, 0)
_LATE = time(23, 0)
_CLOCKS = ("deadline:", "level_timer:", "dispute_timer:", "window:")
"""The projected state's countdowns, whose classes a block of ticks must reach."""
_CALENDAR_REFUSALS = frozenset({"meeting", "not_before", "precedence"})


Failure = tuple[Mismatch, bool]
"""A candidate's failure, and whether it is one neither meetings nor waits decide.

Such a failure is met from every start when the spec is date-blind (`_date_blind`),
and a loop that never closes is taken as final whatever the spec.
"""


@frozen(kw_only=True)
class Run:
    cases: tuple[Case, ...]
    results: tuple[StepResult, ...]
    steps: tuple[TraceStep, ...]
    """The trace's steps taken, in order (a lasso's loop once per pass)."""
    loop_start: int | None


def label(kind: StepKind, name: str | None) -> str | None:
    """The executor's step name of a trace label; None for a tick."""
    if kind is StepKind.TICK:
        return None
    assert name is not None, "event and dispute steps are named"
    return name if kind is StepKind.EVENT else f"{kind.value}:{name}"


def moment(day: date, *, late: bool) -> datetime:
    """When a step of working day `day` happens: 09:00 that day, or (`late`) 23:00 on the
    last calendar day before the next working day."""
    if not late:
        return datetime.combine(day, _AT)
    return datetime.combine(next_working_day(day) - timedelta(days=1), _LATE)


def run(
    executor: Executor,
    trace: Trace,
    day: date,
    status: str,
    *,
    most: int,
    comply: bool,
    late: bool,
) -> Run | Failure:
    """Take `trace`'s steps from working day `day` (`moment`); a lasso's loop until it closes.

    The stem's blocks of ticks may be stretched or shrunk (`_tick_block`, up to `most`
    working days); the loop's steps are taken exactly.
    """
    cases = [executor.start(at=moment(day, late=late), status=status)]
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
        return Run(cases=tuple(cases), results=tuple(results), steps=tuple(taken), loop_start=None)
    stem = len(taken)
    loop = trace.steps[loop_start:]
    boundaries: dict[tuple[tuple[str, Value], ...], int] = {}
    for turn in range(MAX_PASSES + 1):
        state = tuple(sorted(abstract_state(executor, cases[-1]).items()))
        if state in boundaries:
            return Run(
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
    """Whether steps happen at the end of their working day (`moment`)."""


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
) -> Failure | None:
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
) -> Failure | None:
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
    refused: Failure | None = None
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
) -> Failure | None:
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
    then = moment(next_working_day(cases[-1].now.date()), late=walk.late)
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
    step = label(kind, name)
    assert step is not None, "ticks are taken by _tick"
    result = executor.apply(case, step, at=sitting_moment(executor, step, case.now))
    if isinstance(result, Rejected):
        return result
    cases.append(result.case)
    results.append(result)
    return None


def _refused(rejected: Rejected, day: date, index: int, turn: int) -> Failure:
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
