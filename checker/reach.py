"""One reachability question asked under several readings, on one frame.

`Reachability(system, bad, budget).ask(flags)` answers "can a run reach a state where
`bad` holds?" with the shortest trace, an unbounded proof, a bounded one, or the limit
that stopped it. Questions under different flags share one incremental unrolling
(the flags are assumptions) and what is already known: a reading with more rules
binding has fewer runs (`Flags` order, below), so a proof under fewer rules is a
proof under more, a trace under more rules is a trace under fewer, and lengths known
to hold no bad run are not searched again.
"""

from __future__ import annotations

import z3

from stepcheck.checker.engines import Bmc, Budget, Limits, Reached, Undecided, Unreachable, spacer
from stepcheck.checker.fold import BoolLike
from stepcheck.checker.results import Strength
from stepcheck.checker.system import Flags, System

__all__ = ["Reachability", "fewer_runs"]

Answer = Reached | Unreachable | Undecided


def fewer_runs(stricter: Flags, looser: Flags) -> bool:
    """Every run under `stricter` is a run under `looser` (more rules bind in `stricter`)."""
    return stricter.should >= looser.should and stricter.comply >= looser.comply


class Reachability:
    """Shortest bad runs (bounded search), then Spacer for a proof, then deeper search."""

    def __init__(self, system: System, bad: BoolLike, budget: Budget) -> None:
        self.frame = system.frame(bad)
        self.bad = self.frame.extra[0]
        assert isinstance(self.bad, z3.BoolRef)
        self.budget = budget
        self.limits: Limits = budget.limits
        self.bmc = Bmc(self.frame, self.bad, budget)
        self._answers: dict[Flags, Answer] = {}
        self._clean: dict[Flags, int] = {}  # lengths 0..n hold no bad run under the flags

    def ask(self, flags: Flags) -> Answer:
        if flags not in self._answers:
            self._answers[flags] = self._decide(flags)
        return self._answers[flags]

    def _decide(self, flags: Flags) -> Answer:
        for known, answer in self._answers.items():
            if isinstance(answer, Unreachable) and answer.strength is Strength.UNBOUNDED:
                if fewer_runs(flags, known):
                    return answer
        limits = self.limits
        quick = self._search(flags, limits.quick_depth)
        if not isinstance(quick, Unreachable):
            return quick
        proof = spacer(self.frame, self.bad, flags, self.budget)
        if proof == "unreachable":
            return Unreachable(strength=Strength.UNBOUNDED)
        deep = self._search(flags, limits.max_depth)
        if isinstance(deep, Reached):
            return deep
        if proof == "reachable":
            return Undecided(
                reason=f"a bad state is reachable, but by no run of at most {limits.max_depth} "
                "steps (--depth)"
            )
        if isinstance(deep, Unreachable):
            return Unreachable(strength=Strength.BOUNDED, depth=limits.max_depth)
        return Undecided(reason=f"{proof}; {deep.reason}")

    def _search(self, flags: Flags, depth: int) -> Answer:
        start = max(
            [0, *(n + 1 for known, n in self._clean.items() if fewer_runs(flags, known))]
        )
        if start > depth:
            return Unreachable(strength=Strength.BOUNDED, depth=depth)
        answer = self.bmc.search(flags, depth, start=start)
        if isinstance(answer, Unreachable):
            self._clean[flags] = max(self._clean.get(flags, -1), depth)
        elif isinstance(answer, Reached):
            self._clean[flags] = max(self._clean.get(flags, -1), len(answer.trace.steps) - 1)
        return answer
