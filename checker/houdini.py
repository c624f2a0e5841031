"""Many unreachability questions proved at once by one inductive invariant (Houdini).

Given candidate facts about a state ("this observation is not the last one seen"),
`inductive_subset` finds the largest subset whose conjunction is an inductive
invariant of the frame's system under the given flags: it holds in every initial
state, and any step from a state where all of it holds leads to a state where all of
it holds again. Every fact in that subset then holds in every reachable state, at any
depth: an unbounded proof, the same strength as Spacer's.

The subset is found by the classic fixpoint of Flanagan and Leino's Houdini: a fact
false in some initial state is dropped; then, while some step from a state
satisfying every fact left leads to a state breaking some, every fact that step breaks
is dropped. Dropping a fact only weakens the assumption, so the loop ends, and what is
left is inductive (the last check proved it). Facts dropped are not refuted, only
not proved this way: the caller asks them by other means.

Each solver call is charged to the question's `Budget` under a share; a call that
runs out ends the attempt with nothing proved, so the answer never depends on timing.
"""

from __future__ import annotations

from collections.abc import Mapping

import z3

from stepcheck.checker.engines import Budget, charged_check
from stepcheck.checker.system import Flags, Frame

__all__ = ["inductive_subset"]


def inductive_subset(
    frame: Frame,
    facts: Mapping[int, z3.BoolRef],
    flags: Flags,
    budget: Budget,
    *,
    rlimit: int,
    support: tuple[z3.BoolRef, ...] = (),
) -> frozenset[int]:
    """The keys of `facts` (terms over `frame.s`) proved to hold in every reachable state.

    `support` are further candidate facts that may help the induction; they are dropped
    like the others when not inductive, and never reported."""
    alive = dict(facts)
    alive.update({-1 - i: fact for i, fact in enumerate(support)})
    fixpoint = _Fixpoint(frame, flags, budget, rlimit)
    if not fixpoint.drop_false_initially(alive) or not fixpoint.drop_not_inductive(alive):
        return frozenset()
    return frozenset(key for key in alive if key in facts)


class _Fixpoint:
    """The two fixpoints, each solver call under the flags and charged to the budget."""

    def __init__(self, frame: Frame, flags: Flags, budget: Budget, rlimit: int) -> None:
        self.frame, self.flags, self.budget, self.rlimit = frame, flags, budget, rlimit

    def drop_false_initially(self, alive: dict[int, z3.BoolRef]) -> bool:
        solver = z3.SolverFor("QF_LIA", ctx=self.frame.ctx)
        solver.add(self.frame.init)
        return self._drop_broken(solver, self.frame.s, alive, {})

    def drop_not_inductive(self, alive: dict[int, z3.BoolRef]) -> bool:
        solver = z3.SolverFor("QF_LIA", ctx=self.frame.ctx)
        solver.add(self.frame.trans)
        holds: dict[int, z3.BoolRef] = {}
        for key in sorted(alive):
            holds[key] = z3.Bool(f"houdini:holds:{key}", self.frame.ctx)
            solver.add(z3.Implies(holds[key], alive[key]))
        return self._drop_broken(solver, self.frame.t, alive, holds)

    def _drop_broken(
        self,
        solver: z3.Solver,
        state: Mapping[str, z3.ExprRef],
        alive: dict[int, z3.BoolRef],
        holds: Mapping[int, z3.BoolRef],
    ) -> bool:
        """Drop from `alive` every fact a model breaks in `state`, until none is broken.

        `holds` switches each fact on before the step (none: the initial states).
        False when a call ran out."""
        frame = self.frame
        after = {key: frame.at(fact, dict(state)) for key, fact in alive.items()}
        round_ = 0
        while alive:  # each round drops at least one fact, so this ends
            round_ += 1
            query = z3.Bool(f"houdini:query:{round_}", frame.ctx)
            solver.add(z3.Implies(query, z3.Or([z3.Not(after[key]) for key in sorted(alive)])))
            assumed = [holds[key] for key in sorted(alive) if key in holds]
            assumptions = [*frame.assumptions(self.flags), *assumed, query]
            outcome, _ = charged_check(solver, self.budget, assumptions, self.rlimit)
            if outcome == z3.unsat:
                return True
            if outcome != z3.sat:
                return False
            model = solver.model()
            broken = [key for key in sorted(alive) if z3.is_false(model.eval(after[key], True))]
            assert broken, "a model of 'some fact is broken' breaks none"
            for key in broken:
                del alive[key]
        return True
