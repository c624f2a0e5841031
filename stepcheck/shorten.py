"""The shortest story that still shows the problem: steps that do not matter are dropped.

A run the engines find is a run of the model, not the shortest telling of it: a solver
fills the depth it searches with any steps the model allows ("give consent" eight
times while a dispute climbs its ladder). Before a dated run is told, its events and
dispute steps are taken out, as many at a time as can be (halves, then quarters, down
to one; a delta-debugging search over the run's steps), each shorter run kept only if
the oracle's executor still replays it from the same start date and the explorer still
sees it as a run of the model that shows the property failing. The working days that
pass are the calendar's and stay; a lasso's loop stays as it is.

Every try is one replay from one date, so the search costs at most `MAX_TRIES`
replays and never depends on the machine: the same run gives the same story.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from stepcheck.oracle.executor import Executor
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import StepKind, Trace

__all__ = ["MAX_TRIES", "shortest"]

MAX_TRIES = 200
"""How many shorter runs are replayed, at most, for one story."""


def shortest(
    spec: ProtocolSpec,
    found: Retimed,
    *,
    reading: Reading,
    executor: Executor,
    shows: Callable[[Retimed], bool],
) -> Retimed:
    """`found` with every event and dispute step of its stem dropped that the problem
    does not need; `shows` says whether a dated run still shows it."""
    best = found
    tries = 0
    chunk = max(1, len(_droppable(best.trace)) // 2)
    while chunk >= 1 and tries < MAX_TRIES:
        position = 0
        while tries < MAX_TRIES:
            droppable = _droppable(best.trace)
            if position >= len(droppable):
                break
            tries += 1
            shorter = _dated(
                spec,
                _without(best.trace, droppable[position : position + chunk]),
                reading=reading,
                start=best.start,
                executor=executor,
            )
            if shorter is not None and _fewer_steps(shorter, best) and shows(shorter):
                best = shorter
            else:
                position += chunk
        chunk //= 2
    return best


def _droppable(trace: Trace) -> list[int]:
    """The stem's event and dispute steps, by index."""
    end = len(trace.steps) if trace.loop_start is None else trace.loop_start
    return [index for index in range(end) if trace.steps[index].kind is not StepKind.TICK]


def _without(trace: Trace, dropped: list[int]) -> Trace:
    gone = set(dropped)
    steps = tuple(step for index, step in enumerate(trace.steps) if index not in gone)
    loop = trace.loop_start
    if loop is not None:
        loop -= sum(index < loop for index in gone)
    return Trace(initial=trace.initial, steps=steps, loop_start=loop)


def _dated(
    spec: ProtocolSpec, trace: Trace, *, reading: Reading, start: date, executor: Executor
) -> Retimed | None:
    """The shorter run replayed from the story's own start date only, people complying."""
    found = date_trace(
        spec, trace, reading=reading, start=start, horizon_days=1, comply=True, executor=executor
    )
    return found if isinstance(found, Retimed) else None


def _fewer_steps(shorter: Retimed, than: Retimed) -> bool:
    """Fewer events and dispute steps; the working days are the calendar's."""

    def events(run: Retimed) -> int:
        return sum(step.kind is not StepKind.TICK for step in run.trace.steps)

    return events(shorter) < events(than)
