"""Does a trace show that a property fails? Checked on the trace alone, state by state.

A counterexample may be re-timed on the real calendar before it is shown (the oracle
picks the timer lengths a real start date gives, where the solver picked any length
the wording allows). The re-timed run must still replay in the explorer and still be
a violation; this module is the second half of that check, written from the property
definitions in spec/SEMANTICS.md ("Properties").
"""

from __future__ import annotations

from attrs import frozen

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.watched import unmet_step
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import Property, PropertyKind
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["violation_shown"]


def violation_shown(model: ExplicitModel, prop: Property, trace: Trace) -> str | None:
    """None when `trace` (already replayed in `model`) violates `prop`; else why it does not."""
    states = [trace.initial, *(step.state for step in trace.steps)]
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            shown = any(_unowned(model, state) for state in states)
        case PropertyKind.INVARIANT:
            assert prop.holds is not None, "an invariant has 'holds'"
            holds = prop.holds
            shown = any(not model.holds(holds, state) for state in states)
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING | PropertyKind.REQUIRES_MEETING:
            shown = any(
                _unprotected(model, prop, trace.state_before(i), step)
                for i, step in enumerate(trace.steps)
            )
        case PropertyKind.LEADS_TO:
            assert prop.trigger is not None, "leads_to has 'from'"
            assert prop.goal is not None, "leads_to has 'to'"
            within = model.layout.timing.within.get(prop.id)
            watch = _Response(trigger=prop.trigger, goal=prop.goal)
            if within is not None:
                shown = any(k > within[1] for pending, k in watch.run(model, trace) if pending)
            else:
                shown = _pending_for_ever(model, trace, watch)
        case PropertyKind.ESCALATION_TERMINATES:
            ladders = prop.escalations or tuple(ladder.id for ladder in model.spec.escalations)
            shown = any(_open_for_ever(trace, ladder) for ladder in ladders)
    return None if shown else f"the trace does not show '{prop.id}' failing"


def _unowned(model: ExplicitModel, state: State) -> bool:
    spec = model.spec
    status, owner = str(state["status"]), str(state["owner"])
    return not spec.status_by_id(status).final and not spec.owner_by_id(owner).responsible


def _unprotected(model: ExplicitModel, prop: Property, before: State, step: TraceStep) -> bool:
    """A watched event step with none of the meetings held (`checker/watched.py`)."""
    if step.kind is not StepKind.EVENT or step.name is None:
        return False
    held = before["held"]
    assert isinstance(held, tuple), "held is a tuple of meeting ids"
    return unmet_step(
        model.spec,
        prop,
        event=step.name,
        source=str(before["status"]),
        target=str(step.state["status"]),
        held=tuple(str(meeting) for meeting in held),
        owners=(str(before["owner"]), str(step.state["owner"])),
    )


@frozen
class _Response:
    """The `leads_to` observer of SEMANTICS.md: `pending`, and the ticks `k` while pending."""

    trigger: Expr
    goal: Expr

    def run(self, model: ExplicitModel, trace: Trace) -> list[tuple[bool, int]]:
        """(pending, k) at every state of the trace, the initial one first."""
        first = trace.initial
        pending = model.holds(self.trigger, first) and not model.holds(self.goal, first)
        observed, k = [(pending, 0)], 0
        for step in trace.steps:
            reached = model.holds(self.goal, step.state)
            triggered = model.holds(self.trigger, step.state)
            k = 0 if reached or not pending else k + (step.kind is StepKind.TICK)
            pending = not reached and (pending or triggered)
            observed.append((pending, k))
        return observed


def _pending_for_ever(model: ExplicitModel, trace: Trace, watch: _Response) -> bool:
    """A lasso whose loop has a tick and keeps the observer pending throughout."""
    start = trace.loop_start
    if start is None:
        return False
    observed = watch.run(model, trace)
    return _ticks(trace, start) and all(pending for pending, _ in observed[start:])


def _open_for_ever(trace: Trace, ladder: str) -> bool:
    """A lasso whose loop has a tick and keeps the dispute open throughout."""
    start = trace.loop_start
    if start is None:
        return False
    states = [trace.initial, *(step.state for step in trace.steps)]
    return _ticks(trace, start) and all(
        state.get(f"dispute:{ladder}") is not None for state in states[start:]
    )


def _ticks(trace: Trace, start: int) -> bool:
    return any(step.kind is StepKind.TICK for step in trace.steps[start:])
