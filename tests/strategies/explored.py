"""Every observation the explicit explorer reaches, for checking the diff's Z3 answers.

`checker/diff_behaviour.py` decides with Z3 which observations a spec can reach; the
tests compare its answers (and `checker/diff_relation.py`'s claims about two versions)
with this plain enumeration of the finite model's states.
"""

from stepcheck.checker.diff_behaviour import Observation, Relevance, observed_in
from stepcheck.checker.explore import ExplicitModel
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import State, Trace, TraceStep

__all__ = ["explored_observations"]


def explored_observations(
    spec: ProtocolSpec, relevant: Relevance, most_states: int = 20_000
) -> set[Observation] | None:
    """Every observation the explorer reaches (must reading, people comply); None when
    the state space is larger than `most_states`."""
    model = ExplicitModel(spec, Reading.MUST, comply=True)
    seen: set[Observation] = set()
    frontier: list[State] = model.initial_states()
    visited = {_frozen(state) for state in frontier}
    for state in frontier:
        seen |= observed_in(spec, Trace(initial=state), relevant)
    while frontier:
        state = frontier.pop()
        for (kind, name), after in model.successors(state):
            step = TraceStep(kind=kind, name=name, day=0, state=after)
            seen |= observed_in(spec, Trace(initial=state, steps=(step,)), relevant)
            key = _frozen(after)
            if key not in visited:
                if len(visited) >= most_states:
                    return None
                visited.add(key)
                frontier.append(after)
    return seen


def _frozen(state: State) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(state.items()))
