"""The explicit-state explorer: the finite model by plain enumeration, for cross-checks.

An independent implementation of `spec/SEMANTICS.md` ("The checker's finite model"):
it enumerates the model's configurations one step at a time (`explore_step`), and
decides properties by searching the graph they form (`explore_verdict`,
`explore_search`). The Z3 engines are checked against it on random specs, and every
counterexample they find is replayed here (`replay`) before it is shown. States
crossing this module's boundary are named `spec.trace.State` mappings; inside they
are tuples (`explore_state`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attrs import frozen

from stepcheck.checker.explore_rules import TooManyChoices
from stepcheck.checker.explore_search import Path, StateSpaceTooLarge, reachable_graph, tick_cycle
from stepcheck.checker.explore_state import Config, Layout
from stepcheck.checker.explore_step import Label, Stepper
from stepcheck.checker.explore_verdict import ExplicitVerdict, condition, decide, trace_steps
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import Property, ProtocolSpec, Reading
from stepcheck.spec.readings import require_closed
from stepcheck.spec.timing import timing
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = [
    "ExplicitModel",
    "ExplicitVerdict",
    "ReplayResult",
    "StateSpaceTooLarge",
    "complete_lasso",
    "explicit_verdict",
    "replay",
]


class ExplicitModel:
    """The finite model of one spec under one reading, one step at a time.

    `comply` False lets time pass even when a deadline or limit is due (people may
    miss them); by default they comply whenever they can (SEMANTICS, "Ticks").

    `layout` and `stepper` are its internal (tuple) form, for the explorer's searches.
    """

    def __init__(
        self, spec: ProtocolSpec, reading: Reading = Reading.MUST, *, comply: bool = True
    ) -> None:
        require_closed(spec, "the explorer")
        self.spec = spec
        self.reading = reading
        self.comply = comply
        self.layout = Layout.of(spec, timing(spec))
        self.stepper = Stepper(layout=self.layout, reading=reading, comply=comply)

    def initial_states(self) -> list[State]:
        """Every initial state (one per initial status and choice of meeting phases)."""
        return [self.layout.to_named(config) for config in self.stepper.initial()]

    def successors(self, state: State) -> list[tuple[Label, State]]:
        """Every step from `state` and the state it leads to, one per nondeterministic choice.

        Raises:
            ValueError: `state` does not have exactly this spec's state names.
        """
        config = self.layout.from_named(state)
        return [
            (label, self.layout.to_named(after)) for label, after in self.stepper.successors(config)
        ]

    def holds(self, expr: Expr, state: State) -> bool:
        """Whether the boolean spec expression `expr` is true in `state`."""
        return self.layout.holds(expr, self.layout.from_named(state))


def explicit_verdict(
    model: ExplicitModel, prop: Property, *, max_states: int = 200_000
) -> ExplicitVerdict:
    """Decide `prop` on the whole finite model, under the model's reading.

    Safety properties give the shortest violating trace; `leads_to` without `within`
    and `escalation_terminates` give a lasso, or the bound in working days.

    Raises:
        StateSpaceTooLarge: more than `max_states` states (of the model, or of its
            product with the property's observer) are reachable.
    """
    return decide(model.stepper, prop, max_states=max_states)


@frozen(kw_only=True)
class ReplayResult:
    """Whether a trace is a run of the model; if not, where (`index`, a step) and why."""

    ok: bool
    index: int | None = None
    reason: str | None = None


def replay(model: ExplicitModel, trace: Trace) -> ReplayResult:
    """Check `trace` step by step against the model and, for a lasso, that its loop closes.

    The first state must be initial; each step must be one of the model's steps from
    the state before (same label, same state after), dated one working day later
    exactly when it is a tick; a loop must return to its first state and hold a tick.
    """
    current = _matching(model.layout, model.stepper.initial(), trace.initial)
    if current is None:
        return ReplayResult(ok=False, reason="the first state is not an initial state of the model")
    day = 0
    for index, step in enumerate(trace.steps):
        day += step.kind is StepKind.TICK
        if step.day != day:
            return _rejected(index, f"step is on day {step.day}, expected day {day}")
        try:
            found = model.stepper.successors(current)
        except TooManyChoices as error:
            return _rejected(
                index, f"the explicit model cannot list this step's outcomes ({error})"
            )
        candidates = [after for label, after in found if label == step.label]
        current = _matching(model.layout, candidates, step.state)
        if current is None:
            return _rejected(index, _no_step_reason(step, found=bool(candidates)))
    return _loop_closes(trace)


def complete_lasso(
    model: ExplicitModel, prefix: Trace, goal: Expr, *, max_states: int = 100_000
) -> Trace | None:
    """Extend `prefix` by a path and a loop (holding a tick) along which `goal` stays false.

    The search starts in the prefix's last state, where `goal` must be false too,
    and visits at most `max_states` states; None when it finds no such loop.
    """
    holds = condition(model.layout, goal)
    start = model.layout.from_named(prefix.final)
    system = _Avoiding(stepper=model.stepper, start=start, goal=holds)
    try:
        graph = reachable_graph(system, max_states=max_states)
    except (StateSpaceTooLarge, TooManyChoices):
        return None
    path: Path[Config] | None = tick_cycle(graph, lambda _: True)
    if path is None:
        return None
    assert path.loop_start is not None, "tick_cycle returns a lasso"
    day = prefix.steps[-1].day if prefix.steps else 0
    tail = trace_steps(model.layout, path, _itself, day=day)
    return Trace(
        initial=prefix.initial,
        steps=(*prefix.steps, *tail),
        loop_start=len(prefix.steps) + path.loop_start,
    )


@frozen(kw_only=True)
class _Avoiding:
    """The part of the model reachable from `start` through states where `goal` is false."""

    stepper: Stepper
    start: Config
    goal: Callable[[Config], bool]

    def roots(self) -> list[Config]:
        return [] if self.goal(self.start) else [self.start]

    def successors(self, node: Config) -> list[tuple[Label, Config]]:
        steps = self.stepper.successors(node)
        return [(label, after) for label, after in steps if not self.goal(after)]


def _itself(config: Config) -> Config:
    return config


def _matching(layout: Layout, candidates: Sequence[Config], state: State) -> Config | None:
    """The candidate whose named form is `state`, if any."""
    wanted = dict(state)
    return next((config for config in candidates if layout.to_named(config) == wanted), None)


def _rejected(index: int | None, reason: str) -> ReplayResult:
    return ReplayResult(ok=False, index=index, reason=reason)


def _no_step_reason(step: TraceStep, *, found: bool) -> str:
    what = step.kind.value if step.name is None else f"{step.kind.value} '{step.name}'"
    if not found:
        return f"no {what} step can happen in the state before"
    return f"no {what} step from the state before leads to this state"


def _loop_closes(trace: Trace) -> ReplayResult:
    start = trace.loop_start
    if start is None:
        return ReplayResult(ok=True)
    if not 0 <= start < len(trace.steps):
        return _rejected(start, f"the loop start {start} is not a step of the trace")
    if dict(trace.final) != dict(trace.state_before(start)):
        return _rejected(start, "the loop does not return to the state it starts from")
    if not any(step.kind is StepKind.TICK for step in trace.steps[start:]):
        return _rejected(start, "the loop has no tick: time never passes in it")
    return ReplayResult(ok=True)
