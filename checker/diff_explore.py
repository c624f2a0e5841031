"""Observations near a run, found by the explicit explorer: many for one solver call.

`diff_behaviour.behaviour_of` finds reachable observations with a bounded search,
one run per solver call, and each run retires only what it shows. On a shipped spec
that is a few hundred calls, each deeper and slower than the last. Most observations
the search would look for next lie a few steps from a run it has already found, and
the explicit explorer (`checker/explore.py`, the reference implementation of the same
finite model) lists those steps far more cheaply than a solver call.

So each run is first replayed in the explorer (a run that does not replay is used
for nothing more than the observations it shows itself), and then the explorer walks
breadth first from its last state, up to a fixed number of states, collecting every
observation it passes. Before any search, the same walk starts from the initial
states. Everything collected is reachable (a run of the explorer's own model), and the
walks' sizes are fixed numbers, so the answers never depend on timing. The walks only
find what is reachable; what is not is still asked of the engines.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.explore_rules import TooManyChoices
from stepcheck.checker.explore_state import Config
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import Trace, TraceStep

__all__ = ["Neighbourhood"]

_O = TypeVar("_O")

FROM_START = 5_000
"""States the walk from the initial states visits."""

AROUND_RUN = 300
"""States the walk from the end of each run the search finds visits."""


class Neighbourhood(Generic[_O]):
    """Walks of the explorer's model of `spec` (must reading, people comply); `observe`
    gives what a trace shows (`diff_behaviour.observed_in`)."""

    def __init__(self, spec: ProtocolSpec, observe: Callable[[Trace], set[_O]]) -> None:
        self.observe = observe
        self.model = ExplicitModel(spec, Reading.MUST, comply=True)

    def from_start(self) -> set[_O]:
        """Observations within `FROM_START` states of the initial states."""
        return self._walk(self.model.stepper.initial(), FROM_START)

    def around(self, trace: Trace) -> set[_O]:
        """Observations within `AROUND_RUN` states of the end of `trace`, if it replays."""
        if not replay(self.model, trace).ok:
            return set()
        last = trace.steps[-1].state if trace.steps else trace.initial
        return self._walk([self.model.layout.from_named(last)], AROUND_RUN)

    def _walk(self, roots: list[Config], most: int) -> set[_O]:
        layout, stepper = self.model.layout, self.model.stepper
        seen: set[_O] = set()
        visited = set(roots)
        queue = deque(roots)
        for root in roots:
            seen |= self.observe(Trace(initial=layout.to_named(root)))
        while queue:
            config = queue.popleft()
            try:
                found = stepper.successors(config)
            except TooManyChoices:
                continue
            before = layout.to_named(config)
            for (kind, name), after in found:
                step = TraceStep(kind=kind, name=name, day=0, state=layout.to_named(after))
                seen |= self.observe(Trace(initial=before, steps=(step,)))
                if after not in visited and len(visited) < most:
                    visited.add(after)
                    queue.append(after)
        return seen
