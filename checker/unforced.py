"""Why a case can wait for ever: a step that would end the wait, possible all along.

A `leads_to` property without a time limit fails on a lasso: a run that goes round a
loop for ever without reaching its goal. Often the loop is only days passing while a
`must` step that would reach the goal stays possible throughout: the document says the
step happens ("will be referred ... in the first instance") but gives no time for it,
so nothing in the protocol makes it happen by any day. The violation is real in the
model (no step is forced without a deadline), and the reader should be told that this,
not a missing route, is why: the document says how the wait ends, not when.

`unforced_steps(model, prop, trace)` -> the ids of those steps, by id, or () when the
loop has none (a true dead loop: nothing possible ends the wait).
"""

from __future__ import annotations

from stepcheck.checker.explore import ExplicitModel
from stepcheck.spec.model import Modality, Property, PropertyKind, ProtocolSpec, Reading
from stepcheck.spec.trace import StepKind, Trace

__all__ = ["unforced_steps", "wait_enders"]


def unforced_steps(model: ExplicitModel, prop: Property, trace: Trace) -> tuple[str, ...]:
    """The `must` events possible in every state of the lasso's loop, never taken in it,
    and reaching the property's goal from some state of the loop."""
    if prop.kind is not PropertyKind.LEADS_TO or prop.goal is None or trace.loop_start is None:
        return ()
    loop = range(trace.loop_start, len(trace.steps))
    taken = {trace.steps[index].name for index in loop}
    possible: set[str] | None = None
    reaching: set[str] = set()
    for index in loop:
        here: set[str] = set()
        for (kind, name), after in model.successors(dict(trace.state_before(index))):
            if kind is not StepKind.EVENT or name is None or name in taken:
                continue
            if model.spec.event_by_id(name).modality is not Modality.MUST:
                continue
            here.add(name)
            if model.holds(prop.goal, after):
                reaching.add(name)
        possible = here if possible is None else possible & here
    return tuple(sorted((possible or set()) & reaching))


def wait_enders(
    spec: ProtocolSpec, prop: Property, trace: Trace | None, reading: Reading
) -> tuple[str, ...]:
    """For a property the author wrote that fails by waiting for ever: its unforced
    steps under `reading` (derived questions word their own causes)."""
    if trace is None or prop.deadline is not None or prop.holding is not None:
        return ()
    return unforced_steps(ExplicitModel(spec, reading), prop, trace)
