"""The worst case of a deadline the checker proved can always be met.

A derived question (`checker/derived.py`) proves "never overdue" in the model where
people meet the deadline at the first chance. How close it comes is read from the same
model by the explicit explorer: a deadline's countdown starts anywhere in its interval
`[lo, hi]` of working days (the calendar picks) and loses one a working day
(SEMANTICS.md, "Countdown timers"). Under the first-chance reading time passes while
it runs only when nothing can meet it yet, so how long it runs does not depend on
where its countdown started, and the least value the countdown reaches while running
is `lo` less the most working days it can run. That worst case is reported against the
limit ("met by working day 3 at worst, of 5"). The search is bounded (the derived
questions' `--derived-explicit-states`): a larger model gets no worst case, and the
proof alone is said.
"""

from __future__ import annotations

from attrs import frozen

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.explore_search import StateSpaceTooLarge, reachable_graph
from stepcheck.checker.explore_state import Config
from stepcheck.checker.explore_step import Label, Stepper

__all__ = ["worst_case"]


@frozen
class _Model:
    stepper: Stepper

    def roots(self) -> list[Config]:
        return self.stepper.initial()

    def successors(self, node: Config) -> list[tuple[Label, Config]]:
        return self.stepper.successors(node)


def worst_case(model: ExplicitModel, deadline_id: str, *, max_states: int) -> int | None:
    """The most working days `deadline_id` can run before it is met or stops, in
    `model` (the first-chance model of its derived question); None when the model has
    more than `max_states` states or the deadline never runs."""
    layout = model.layout
    if deadline_id not in layout.deadlines or max_states <= 0:
        return None
    index = layout.deadlines.index(deadline_id)
    try:
        graph = reachable_graph(_Model(stepper=model.stepper), max_states=max_states)
    except StateSpaceTooLarge:
        return None
    nodes: list[Config] = list(graph.nodes)
    running = [r for r in (node.deadlines[index] for node in nodes) if r is not None]
    if not running:
        return None
    least: int = layout.timing.deadlines[deadline_id][0]
    return max(0, least - min(running))
