"""A guard called unmeetable (SPEC220) is never met: the explorer never takes its step."""

from __future__ import annotations

from collections import deque

from hypothesis import HealthCheck, event, given, settings
from strategies.specs import small_specs

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.structure import check_structure
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import Reading
from stepcheck.spec.trace import StepKind

_MOST = 20_000
"""States the check explores, at most; a larger model is left out of the draw."""


def _events_taken(model: ExplicitModel) -> set[str] | None:
    """Every event some reachable state takes, or None past `_MOST` states."""
    stepper = model.stepper
    seen = set(stepper.initial())
    queue = deque(seen)
    taken: set[str] = set()
    while queue:
        config = queue.popleft()
        for (kind, name), after in stepper.successors(config):
            if kind is StepKind.EVENT and name is not None:
                taken.add(name)
            if after not in seen:
                if len(seen) >= _MOST:
                    return None
                seen.add(after)
                queue.append(after)
    return taken


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs())
def test_an_unmeetable_guard_is_never_met(text):
    """A must-guard's step is never taken in either reading; a should-guard's, never
    where the should-rules bind."""
    spec = load_spec_text(text, "<random>")
    found = [f for f in check_structure(spec) if f.code == "SPEC220"]
    event("SPEC220 fired" if found else "SPEC220 quiet")
    for reading in (Reading.MUST, Reading.SHOULD) if found else ():
        binding = [f for f in found if reading is Reading.SHOULD or "should-rules" not in f.message]
        taken = _events_taken(ExplicitModel(spec, reading, comply=False))
        if taken is None:
            event("too many states to check")
            continue
        for stuck in binding:
            assert str(stuck.subject).removeprefix("event:") not in taken, (stuck, reading)
