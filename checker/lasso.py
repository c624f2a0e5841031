"""Extend a stem to a lasso by walking forward, letting time pass whenever it can.

Where a dispute or a pending case can be left alone for ever, the witness is usually
"nothing happens any more": ticks until every timer has run out, then a loop of
ticks. The explorer's exhaustive search (`complete_lasso`) must enumerate the whole
region where the goal stays false, which is far too large for an authority's spec;
this walk follows one run, so it finds those loops in a few hundred steps. It is only
a search: what it returns is replayed like any other trace.
"""

from __future__ import annotations

from collections.abc import Callable

from stepcheck.checker.explore import ExplicitModel, complete_lasso
from stepcheck.checker.explore_rules import TooManyChoices
from stepcheck.checker.system import Flags
from stepcheck.spec.expr import Expr
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["lasso_finder", "walk_to_lasso"]

# The explorer's exhaustive search, tried after the walk and a short symbolic search:
# for small specs only (it visits every state where the goal stays false).
_EXHAUSTIVE_STATES = 5_000


def lasso_finder(
    models: Callable[[Flags], ExplicitModel],
) -> Callable[[Trace, Expr, Flags, bool], Trace | None]:
    """In the model of the question's flags: the walk, or (`thorough`) the explorer's
    exhaustive search, bounded, as one function."""

    def find(stem: Trace, goal: Expr, flags: Flags, thorough: bool) -> Trace | None:
        model = models(flags)
        if not thorough:
            try:
                return walk_to_lasso(model, stem, goal)
            except TooManyChoices:
                return None
        return complete_lasso(model, stem, goal, max_states=_EXHAUSTIVE_STATES)

    return find


def walk_to_lasso(
    model: ExplicitModel, stem: Trace, goal: Expr, *, max_steps: int = 2_000
) -> Trace | None:
    """A lasso extending `stem` on which `goal` never holds, or None if the walk finds none."""
    state = stem.final
    if model.holds(goal, state):
        return None
    steps = list(stem.steps)
    day = steps[-1].day if steps else 0
    seen: dict[tuple[object, ...], int] = {_key(state): len(steps)}
    for _ in range(max_steps):
        move = _next_move(model, state, goal, seen, steps)
        if move is None:
            return None
        (kind, name), state = move
        day += kind is StepKind.TICK
        steps.append(TraceStep(kind=kind, name=name, day=day, state=state))
        key = _key(state)
        if key in seen:
            start = seen[key]
            if any(step.kind is StepKind.TICK for step in steps[start:]):
                return Trace(initial=stem.initial, steps=tuple(steps), loop_start=start)
        else:
            seen[key] = len(steps)
    return None


def _next_move(
    model: ExplicitModel,
    state: State,
    goal: Expr,
    seen: dict[tuple[object, ...], int],
    steps: list[TraceStep],
) -> tuple[tuple[StepKind, str | None], State] | None:
    """A tick if one keeps the goal false (fewest changes first), else the first such step.

    A step back into a state already on the walk is taken only when it closes a loop
    with a tick in it; otherwise the walk would cycle through events for ever.
    """
    options = [
        (label, after) for label, after in model.successors(state) if not model.holds(goal, after)
    ]
    options.sort(key=lambda option: (option[0][0] is not StepKind.TICK, _changes(state, option[1])))
    for label, after in options:
        key = _key(after)
        if key not in seen:
            return label, after
        looped = steps[seen[key] :]
        if label[0] is StepKind.TICK or any(step.kind is StepKind.TICK for step in looped):
            return label, after
    return None


def _changes(before: State, after: State) -> int:
    return sum(before.get(name) != value for name, value in after.items())


def _key(state: State) -> tuple[object, ...]:
    return tuple(sorted(state.items()))
