"""Smaller questions for safety properties: drop the timers nothing reads.

A deadline's countdown matters to a safety property only if some guard, condition or
the property itself reads `overdue` of it, or it holds an event back (`not_before`).
The others only block ticks, and ticks change nothing but timers; dropping them (and
the dispute limits) lets time pass more freely, which over-approximates the runs. So
a proof on the slice is a proof; a trace found on the slice is made concrete in the
explorer (`concretize`), and if that fails the full model is asked instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import evolve

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.explore_rules import TooManyChoices
from stepcheck.spec.expr import EnumLit, Expr, predicates_used, subexpressions
from stepcheck.spec.model import Direction, Property, PropertyKind, ProtocolSpec, Reading
from stepcheck.spec.timing import Timing
from stepcheck.spec.trace import State, Trace, TraceStep

__all__ = ["SAFETY", "concretize", "slice_timing", "sliceable"]

SAFETY = frozenset(
    {
        PropertyKind.NO_UNOWNED_CASE,
        PropertyKind.INVARIANT,
        PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING,
        PropertyKind.REQUIRES_MEETING,
    }
)
# Present in a sliced state but held off there; every other name the slice has must agree.
_DROPPED_PREFIXES = ("level_timer:", "dispute_timer:")


def sliceable(prop: Property, times: Timing) -> bool:
    """Questions about states, and bounded responses, are first asked of a slice."""
    return prop.kind in SAFETY or (prop.kind is PropertyKind.LEADS_TO and prop.id in times.within)


def slice_timing(spec: ProtocolSpec, prop: Property, reading: Reading, times: Timing) -> Timing:
    """`times` without the deadlines and dispute limits `prop` cannot observe.

    A bounded response also keeps the deadlines that answer it: those anchored on, or
    met by, the statuses its `from` and `to` name or the events into and out of them
    (whose holding time back is what makes the response prompt), and the limits of the
    ladders it names. Dropping any other only lets time pass more freely.
    """
    read = _overdue_read(spec, prop, reading) | _answering(spec, prop)
    kept = {
        deadline.id: times.deadlines[deadline.id]
        for deadline in spec.deadlines
        if deadline.id in times.deadlines
        and (
            deadline.id in read
            or (deadline.direction is Direction.NOT_BEFORE and reading.enforces(deadline.modality))
        )
    }
    ladders = {argument for name, argument in _calls(_ends(prop)) if name == "escalating"}
    levels = {key: value for key, value in times.levels.items() if key[0] in ladders}
    disputes = {key: value for key, value in times.disputes.items() if key in ladders}
    return evolve(times, deadlines=kept, levels=levels, disputes=disputes)


def _ends(prop: Property) -> list[Expr]:
    return [e for e in (prop.trigger, prop.goal) if e is not None]


def _answering(spec: ProtocolSpec, prop: Property) -> set[str]:
    """For a bounded response, the deadlines about the statuses it names."""
    if prop.kind is not PropertyKind.LEADS_TO:
        return set()
    statuses = {status.id for status in spec.statuses}
    named = {
        node.value
        for expr in _ends(prop)
        for node in subexpressions(expr)
        if isinstance(node, EnumLit) and node.value in statuses
    }
    moving = {
        event.id
        for event in spec.events
        if event.target in named or not named.isdisjoint(event.sources_from)
    }
    touched = named | moving
    return {
        deadline.id
        for deadline in spec.deadlines
        if not touched.isdisjoint(deadline.anchor) or not touched.isdisjoint(deadline.obligation)
    }


def _overdue_read(spec: ProtocolSpec, prop: Property, reading: Reading) -> set[str]:
    exprs: list[Expr] = [
        guard.condition
        for event in spec.events
        for guard in event.guards
        if reading.enforces(guard.modality)
    ]
    exprs += [d.condition for d in spec.deadlines if d.condition is not None]
    exprs += [r.condition for r in spec.rereferrals if r.condition is not None]
    exprs += [e for e in (prop.holds, prop.trigger, prop.goal) if e is not None]
    return {argument for name, argument in _calls(exprs) if name == "overdue"}


def _calls(exprs: Iterable[Expr]) -> set[tuple[str, str]]:
    return {call for expr in exprs for call in predicates_used(expr)}


def concretize(model: ExplicitModel, trace: Trace, *, max_steps: int = 20_000) -> Trace | None:
    """A run of the full model with the trace's steps and its values wherever the slice
    had them; None when there is none, or when finding one would take more than
    `max_steps` steps of the search (the timers the slice dropped can start at many
    values, and a late mismatch would otherwise try them all)."""
    budget = [max_steps]
    for initial in model.initial_states():
        if _agrees(trace.initial, initial):
            try:
                found = _extend(model, trace, initial, budget=budget)
            except TooManyChoices:
                return None
            if found is not None:
                return Trace(initial=initial, steps=tuple(found), loop_start=trace.loop_start)
    return None


def _extend(
    model: ExplicitModel, trace: Trace, initial: State, *, budget: list[int]
) -> list[TraceStep] | None:
    """A depth-first search for full-model steps matching the trace's, with a stack of
    its own rather than Python's: a trace of a long wait has one step per working day,
    thousands for a window of years, deeper than the interpreter's recursion limit."""
    done: list[TraceStep] = []
    if not trace.steps:
        return done
    budget[0] -= 1
    if budget[0] < 0:
        return None
    stack = [_matching(model, trace.steps[0], initial)]
    while stack:
        concrete = next(stack[-1], None)
        if concrete is None:
            stack.pop()
            if done:
                done.pop()
            continue
        done.append(concrete)
        if len(done) == len(trace.steps):
            return done
        budget[0] -= 1
        if budget[0] < 0:
            return None
        stack.append(_matching(model, trace.steps[len(done)], concrete.state))
    return None


def _matching(model: ExplicitModel, step: TraceStep, state: State) -> Iterator[TraceStep]:
    """The full model's steps from `state` that agree with the slice's `step`."""
    for label, after in model.successors(state):
        if label == step.label and _agrees(step.state, after):
            yield TraceStep(kind=step.kind, name=step.name, day=step.day, state=after)


def _agrees(sliced: State, full: State) -> bool:
    return all(
        full.get(name) == value
        for name, value in sliced.items()
        if not name.startswith(_DROPPED_PREFIXES)
    )
