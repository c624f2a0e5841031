"""A concrete case seen through the checker's abstraction: its `spec.trace.State`.

The checker counts time in whole working days (spec/SEMANTICS.md, "The checker's
finite model"). Projecting a case at a moment gives every countdown as the working
days left to its due date (`calendar_rules.countdown`), every meeting phase as the
working days since it last sat, and the rest as it is. `trace_of` turns a dated run
of the executor into the checker's trace, with one tick per working day passed, so
the explicit explorer can replay it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from stepcheck.oracle.calendar_rules import Limit, countdown, passed
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.executor_case import Case
from stepcheck.oracle.types import Accepted
from stepcheck.spec.model import Direction
from stepcheck.spec.trace import StepKind, Trace, TraceStep, Value
from stepcheck.spec.workdays import add_working_days, working_days_between

__all__ = ["abstract_state", "step_label", "trace_of"]


def abstract_state(executor: Executor, case: Case, at: datetime | None = None) -> dict[str, Value]:
    """The checker's named state of `case` at `at` (default `case.now`; never before it)."""
    now = case.now if at is None else at
    index = executor.index
    state: dict[str, Value] = {
        "status": case.status,
        "owner": case.owner,
        "co_owner": case.co_owner,
        "previous_owner": case.previous_owner,
    }
    state.update({f"var:{name}": value for name, value in case.variables})
    state["held"] = tuple(sorted(case.held))
    for deadline in index.timed:
        clock = case.clock(deadline.id)
        r = None if clock is None else countdown(clock.limit.by, now)
        if r is not None and deadline.direction is Direction.NOT_BEFORE:
            r = max(r, 0)
        state[f"deadline:{deadline.id}"] = r
    for ladder in index.spec.escalations:
        dispute = case.dispute(ladder.id)
        state[f"dispute:{ladder.id}"] = None if dispute is None else dispute.level
        level_limit = None if dispute is None else dispute.level_limit
        dispute_limit = None if dispute is None else dispute.dispute_limit
        state[f"level_timer:{ladder.id}"] = _timer(level_limit, now)
        state[f"dispute_timer:{ladder.id}"] = _timer(dispute_limit, now)
    for rule in index.spec.rereferrals:
        window = case.window(rule.id)
        if window is not None and passed(window.limit.by, now):
            window = None
        state[f"window:{rule.id}"] = None if window is None else countdown(window.limit.by, now)
        state[f"window_owner:{rule.id}"] = None if window is None else window.owner
    for meeting, sittings in index.sittings.items():
        state[f"phase:{meeting}"] = sittings.phase(now)
    return state


def step_label(step: str) -> tuple[StepKind, str]:
    """The checker's label of an executor step name.

    >>> step_label("escalate:dispute")
    (<StepKind.ESCALATE: 'escalate'>, 'dispute')
    """
    kind, _, ladder = step.partition(":")
    if ladder and kind in ("escalate", "decide"):
        return (StepKind(kind), ladder)
    return (StepKind.EVENT, step)


def trace_of(executor: Executor, start: Case, results: Sequence[Accepted]) -> Trace:
    """The checker's trace of a run: `start`, then each accepted step in order.

    Between two steps, one tick per working day passed; the state after a tick is
    the case projected at the start of that working day.
    """
    steps: list[TraceStep] = []
    case, day = start, 0
    for result in results:
        for _ in range(working_days_between(case.now, result.at)):
            day += 1
            midnight = datetime.combine(add_working_days(case.now.date(), 1), time())
            case = executor.advance(case, max(midnight, case.now))
            steps.append(_tick(executor, case, day))
        kind, name = step_label(result.step)
        steps.append(
            TraceStep(kind=kind, name=name, day=day, state=abstract_state(executor, result.case))
        )
        case = result.case
    return Trace(initial=abstract_state(executor, start), steps=tuple(steps))


def _tick(executor: Executor, case: Case, day: int) -> TraceStep:
    return TraceStep(kind=StepKind.TICK, name=None, day=day, state=abstract_state(executor, case))


def _timer(limit: Limit | None, now: datetime) -> int | None:
    return None if limit is None else countdown(limit.by, now)
