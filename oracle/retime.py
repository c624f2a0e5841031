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

from collections.abc import Mapping
from datetime import date, timedelta

from attrs import field, frozen

from stepcheck.oracle.abstract import abstract_state
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import (
    DatedStep,
    Mismatch,
    NotRealised,
    Realised,
    realise,
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
from stepcheck.oracle.retime_walk import MAX_PASSES, Run, label, run
from stepcheck.oracle.types import StepResult
from stepcheck.spec.expr import predicates_used
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.timing import timing
from stepcheck.spec.trace import StepKind, Trace, TraceStep

__all__ = ["MAX_PASSES", "Retimed", "date_trace", "retime"]

_SPARE_TICKS = 3
"""How many working days beyond the longest timer a block of ticks may be stretched."""
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
    `late` is set when every step happens at the end of its working day (`retime_walk.moment`).
    """

    start: date
    trace: Trace
    steps: tuple[DatedStep, ...]
    results: tuple[StepResult, ...]
    meetings: Mapping[str, date] = field(factory=dict, converter=_frozen_days)
    exact: bool = False
    late: bool = False


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
                found = run(
                    runner, trace, days[position], status, most=most, comply=comply, late=late
                )
                if isinstance(found, Run):
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


def _retimed(executor: Executor, run: Run, meetings: Mapping[str, date], *, late: bool) -> Retimed:
    """The run as a checker trace (one tick per working day) and as dated steps."""
    steps: list[TraceStep] = []
    dated: list[DatedStep] = []
    day = 0
    for index, (taken, case) in enumerate(zip(run.steps, run.cases[1:], strict=True)):
        kind, name = taken.label
        day += kind is StepKind.TICK
        steps.append(TraceStep(kind=kind, name=name, day=day, state=abstract_state(executor, case)))
        dated.append(DatedStep(index=index, kind=kind, step=label(kind, name), at=case.now))
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
