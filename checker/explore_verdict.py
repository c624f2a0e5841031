"""The explorer's verdict on each kind of property, over the whole finite model.

`checker.explore.explicit_verdict` -> here -> `explore_search`. Safety properties
are breadth-first searches for the nearest bad state or step; response properties
(`leads_to`, `escalation_terminates`) walk the model in product with the observer of
`spec/SEMANTICS.md` ("Properties") and either find a lasso that keeps the response
pending through a tick, or measure the longest wait.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar, assert_never

from attrs import frozen

from stepcheck.checker.explore_search import (
    Path,
    longest_ticks,
    reachable_graph,
    search_node,
    search_step,
    tick_cycle,
)
from stepcheck.checker.explore_state import Config, Layout
from stepcheck.checker.explore_step import Label, Stepper
from stepcheck.checker.results import Verdict
from stepcheck.checker.watched import unmet_step
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import Property, PropertyKind
from stepcheck.spec.trace import StepKind, Trace, TraceStep

__all__ = ["ExplicitVerdict", "condition", "decide", "trace_of", "trace_steps"]

_N = TypeVar("_N")
_Observed = tuple[Config, bool, int]
"""A configuration with a `leads_to` observer's `pending` flag and tick count `k`."""


@frozen(kw_only=True)
class ExplicitVerdict:
    """The explorer's verdict on one property, with its evidence.

    Proved: `bound` is the most working days a response can stay pending (None for
    safety properties). Violated: `trace` shows it (a lasso for an unbounded
    response). `states` counts the states visited (of the product, where there is one).
    """

    verdict: Verdict
    bound: int | None = None
    trace: Trace | None = None
    states: int = 0


def decide(stepper: Stepper, prop: Property, *, max_states: int) -> ExplicitVerdict:
    """Decide `prop` on the model `stepper` steps through (see `explicit_verdict`)."""
    layout = stepper.layout
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            return _always(stepper, lambda config: _owned_or_final(layout, config), max_states)
        case PropertyKind.INVARIANT:
            assert prop.holds is not None, "an invariant has 'holds'"
            return _always(stepper, condition(layout, prop.holds), max_states)
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING | PropertyKind.REQUIRES_MEETING:
            return _step_downs(stepper, prop, max_states)
        case PropertyKind.LEADS_TO:
            return _leads_to(stepper, prop, max_states)
        case PropertyKind.ESCALATION_TERMINATES:
            return _escalations_end(stepper, prop, max_states)
        case _:
            assert_never(prop.kind)


def condition(layout: Layout, expr: Expr) -> Callable[[Config], bool]:
    """`expr` as a (cached) test of configurations."""

    @cache
    def holds(config: Config) -> bool:
        return layout.holds(expr, config)

    return holds


def trace_of(layout: Layout, path: Path[_N], config_of: Callable[[_N], Config]) -> Trace:
    """The named trace of a path whose nodes hold configurations (`config_of` finds them)."""
    return Trace(
        initial=layout.to_named(config_of(path.start)),
        steps=trace_steps(layout, path, config_of, day=0),
        loop_start=path.loop_start,
    )


def trace_steps(
    layout: Layout, path: Path[_N], config_of: Callable[[_N], Config], *, day: int
) -> tuple[TraceStep, ...]:
    """The path's steps as trace steps, counting working days on from `day`."""
    steps = []
    for (kind, name), node in path.steps:
        day += kind is StepKind.TICK
        state = layout.to_named(config_of(node))
        steps.append(TraceStep(kind=kind, name=name, day=day, state=state))
    return tuple(steps)


# -- safety -----------------------------------------------------------------------------


def _always(stepper: Stepper, good: Callable[[Config], bool], max_states: int) -> ExplicitVerdict:
    """Breadth-first search for the nearest reachable state where `good` fails."""
    path, visited = search_node(
        _Plain(stepper=stepper), lambda config: not good(config), max_states=max_states
    )
    return _safety_verdict(stepper.layout, path, len(visited))


def _step_downs(stepper: Stepper, prop: Property, max_states: int) -> ExplicitVerdict:
    """A watched step without one of the meetings ends the trace (`checker/watched.py`)."""
    spec = stepper.layout.spec

    def unprotected(before: Config, label: Label, after: Config) -> bool:
        kind, name = label
        if kind is not StepKind.EVENT or name is None:
            return False
        return unmet_step(
            spec,
            prop,
            event=name,
            source=before.status,
            target=after.status,
            held=before.held,
            owners=(before.owner, after.owner),
        )

    path, visited = search_step(_Plain(stepper=stepper), unprotected, max_states=max_states)
    return _safety_verdict(stepper.layout, path, len(visited))


def _safety_verdict(layout: Layout, path: Path[Config] | None, states: int) -> ExplicitVerdict:
    if path is None:
        return ExplicitVerdict(verdict=Verdict.PROVED, states=states)
    trace = trace_of(layout, path, lambda config: config)
    return ExplicitVerdict(verdict=Verdict.VIOLATED, trace=trace, states=states)


def _owned_or_final(layout: Layout, config: Config) -> bool:
    spec = layout.spec
    return spec.status_by_id(config.status).final or spec.owner_by_id(config.owner).responsible


# -- response -------------------------------------------------------------------------


def _leads_to(stepper: Stepper, prop: Property, max_states: int) -> ExplicitVerdict:
    layout = stepper.layout
    assert prop.trigger is not None, "leads_to has 'from'"
    assert prop.goal is not None, "leads_to has 'to'"
    trigger, goal = condition(layout, prop.trigger), condition(layout, prop.goal)
    within = layout.timing.within.get(prop.id)
    if within is None:
        system = _Observer(stepper=stepper, trigger=trigger, goal=goal, cap=None)
        return _unbounded(layout, system, max_states)
    hi = within[1]
    system = _Observer(stepper=stepper, trigger=trigger, goal=goal, cap=hi + 1)
    path, visited = search_node(
        system, lambda node: node[1] and node[2] > hi, max_states=max_states
    )
    if path is None:
        # The worst case reached, at most `hi`: k saturates only above it.
        bound = max((k for _, pending, k in visited if pending), default=0)
        return ExplicitVerdict(verdict=Verdict.PROVED, bound=bound, states=len(visited))
    trace = trace_of(layout, path, lambda node: node[0])
    return ExplicitVerdict(verdict=Verdict.VIOLATED, trace=trace, states=len(visited))


def _unbounded(layout: Layout, system: _Observer, max_states: int) -> ExplicitVerdict:
    """A tick loop while pending, or else the most ticks a pending stretch holds."""
    graph = reachable_graph(system, max_states=max_states)

    def pending(node: _Observed) -> bool:
        return node[1]

    lasso = tick_cycle(graph, pending)
    if lasso is not None:
        trace = trace_of(layout, lasso, lambda node: node[0])
        return ExplicitVerdict(verdict=Verdict.VIOLATED, trace=trace, states=len(graph))
    bound = longest_ticks(graph, pending)
    return ExplicitVerdict(verdict=Verdict.PROVED, bound=bound, states=len(graph))


def _escalations_end(stepper: Stepper, prop: Property, max_states: int) -> ExplicitVerdict:
    """Per ladder, `escalating(e)` leads to `not escalating(e)`.

    The observer's `pending` is then exactly "the dispute is open", so no product is
    needed: the region is the configurations where the dispute is open.
    """
    layout = stepper.layout
    graph = reachable_graph(_Plain(stepper=stepper), max_states=max_states)
    bound = 0
    for ladder in prop.escalations or layout.escalations:
        index = layout.escalations.index(ladder)

        def open_(config: Config, index: int = index) -> bool:
            return config.disputes[index].level is not None

        lasso = tick_cycle(graph, open_)
        if lasso is not None:
            trace = trace_of(layout, lasso, lambda config: config)
            return ExplicitVerdict(verdict=Verdict.VIOLATED, trace=trace, states=len(graph))
        bound = max(bound, longest_ticks(graph, open_))
    return ExplicitVerdict(verdict=Verdict.PROVED, bound=bound, states=len(graph))


# -- transition systems the searches walk -----------------------------------------------


@frozen(kw_only=True)
class _Plain:
    """The model itself."""

    stepper: Stepper

    def roots(self) -> list[Config]:
        return self.stepper.initial()

    def successors(self, node: Config) -> list[tuple[Label, Config]]:
        return self.stepper.successors(node)


@frozen(kw_only=True)
class _Observer:
    """The model in product with a `leads_to` observer (SEMANTICS.md, "Properties").

    `pending` starts when `trigger` and not `goal` hold; a step into a `goal` state
    ends it; each tick while pending adds one to `k`, saturated at `cap` (always 0
    when `cap` is None).
    """

    stepper: Stepper
    trigger: Callable[[Config], bool]
    goal: Callable[[Config], bool]
    cap: int | None

    def roots(self) -> list[_Observed]:
        return [
            (config, self.trigger(config) and not self.goal(config), 0)
            for config in self.stepper.initial()
        ]

    def successors(self, node: _Observed) -> list[tuple[Label, _Observed]]:
        config, pending, k = node
        return [
            (label, (after, *self._observe(pending, k, label, after)))
            for label, after in self.stepper.successors(config)
        ]

    def _observe(self, pending: bool, k: int, label: Label, after: Config) -> tuple[bool, int]:
        if self.goal(after):
            return False, 0
        if not pending:
            return self.trigger(after), 0
        if self.cap is None or label[0] is not StepKind.TICK:
            return True, k
        return True, min(k + 1, self.cap)
