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

from stepcheck.checker.engines import (
    Bmc,
    Budget,
    Limits,
    Reached,
    Undecided,
    Unreachable,
    debug,
    fewer_runs,
    shares,
    spacer,
)
from stepcheck.checker.fold import BoolLike
from stepcheck.checker.results import Strength
from stepcheck.checker.system import Flags, System

__all__ = ["Reachability"]

Answer = Reached | Unreachable | Undecided


class Reachability:
    """Bounded search and Spacer in turns with growing shares, until one settles it."""

    def __init__(self, system: System, bad: BoolLike, budget: Budget, name: str = "") -> None:
        self.name = name
        self.frame = system.frame(bad)
        self.bad = self.frame.extra[0]
        assert isinstance(self.bad, z3.BoolRef)
        self.budget = budget
        self.limits: Limits = budget.limits
        self.bmc = Bmc(self.frame, self.bad, budget)
        self._answers: dict[Flags, Answer] = {}

    def ask(self, flags: Flags) -> Answer:
        if flags not in self._answers:
            before = self.budget.used
            self._answers[flags] = self._decide(flags)
            debug(
                f"ask {self.name} {flags} -> {type(self._answers[flags]).__name__} "
                f"{self.budget.used - before}"
            )
        return self._answers[flags]

    def _decide(self, flags: Flags) -> Answer:
        """Rounds of a bounded search's share, then a Spacer run, each round 4x larger.

        Most violations are shallow and most proofs quick for Spacer, but Spacer can
        take long to find a deep violation a bounded search finds at once, and a
        bounded search can take long to clear depths Spacer proves at once. Giving
        each a growing share in turn costs at most a few times what the better one
        needs, and as shares are counted in Z3's resource units, never in seconds, the
        answer does not depend on timing.
        """
        for known, answer in self._answers.items():
            proved = isinstance(answer, Unreachable) and answer.strength is Strength.UNBOUNDED
            if proved and fewer_runs(flags, known):
                return answer
        limits, bmc = self.limits, self.bmc
        searched: Answer = Undecided(reason="not searched")
        proof: str | None = None
        last_round_tried = False
        for round_, share in enumerate(shares(limits)):
            last_round = share == limits.rlimit
            depth = (limits.quick_depth, limits.middle_depth)[round_] if round_ < 2 else None
            depth = limits.max_depth if depth is None else min(depth, limits.max_depth)
            search_over = isinstance(searched, Unreachable)
            if not search_over:
                cleared = bmc.clean(flags)
                searched = bmc.search(flags, depth, allowance=share)
                if isinstance(searched, Reached):
                    return searched
                stalled = last_round and bmc.clean(flags) == cleared
                if isinstance(searched, Unreachable) and depth < limits.max_depth:
                    searched = Undecided(reason=f"no bad run of at most {depth} steps yet")
                search_over = isinstance(searched, Unreachable) or stalled
            if proof is None or (_retry(proof) and not last_round_tried):
                proof = spacer(self.frame, self.bad, flags, self.budget, rlimit=share)
                if proof == "unreachable":
                    return Unreachable(strength=Strength.UNBOUNDED)
            last_round_tried = last_round
            proof_over = not _retry(proof) or last_round
            if (search_over and proof_over) or self.budget.left <= 0:
                break
        if isinstance(searched, Unreachable):
            if proof == "reachable":
                return Undecided(
                    reason="a bad state is reachable, but by no run of at most "
                    f"{limits.max_depth} steps (--depth)"
                )
            return Unreachable(strength=Strength.BOUNDED, depth=limits.max_depth)
        reason = searched.reason if isinstance(searched, Undecided) else ""
        return Undecided(reason=f"{proof}; {reason}")


def _retry(proof: str) -> bool:
    """Spacer stopped for want of resources: a larger share may settle it."""
    return "ran out of" in proof
