"""Two versions' transition relations compared directly, before any reachability search.

The behaviour half of a diff (`diff_behaviour.behaviour_of`) asks which observations
each version can reach, and that is the costly part of `stepcheck diff`. Most edits
change one or two steps, and what the two versions share can be settled from their
relations alone, with a handful of small Z3 queries and no search:

- When both versions have the same state (the same parts with the same ranges and
  value names), the same steps in the same order, and the same observations (each
  observation's predicate the same formula), their systems can be put in one Z3
  context and compared part by part: initial states, and each step's relation, under
  the reading behaviour is decided in (`Flags()`).
- `narrower` and `wider` say, for each direction, whether every initial state and
  every step of one version is one of the other's (checked pointwise, inputs
  included, which is sufficient for inclusion of the projected relation). If the old
  version's runs are all runs of the new one, so are its reachable observations; if
  the new version has no run the old one lacks, nothing can be newly reachable.
- When the relations are the same both ways, the versions reach the same states and
  so the same observations: no behaviour change, proved, without a search.

Anything that cannot be compared this way (a new status, a reordered event list, a
new observation) gives `None`, and the diff decides both versions on their own.
"""

from __future__ import annotations

import z3
from attrs import frozen

from stepcheck.checker.system import Flags, System

__all__ = ["Relation", "compare"]


@frozen(kw_only=True)
class Relation:
    """How the old version's runs relate to the new one's.

    `old_in_new`: every run of the old version is a run of the new one (so every
    observation reachable in the old is reachable in the new); `new_in_old` the
    converse. `changed` names the steps (labels, in the systems' order) whose
    relation differs."""

    old_in_new: bool
    new_in_old: bool
    changed: tuple[int, ...]

    @property
    def same(self) -> bool:
        return self.old_in_new and self.new_in_old


def compare(
    old: System,
    new: System,
    old_predicates: list[z3.BoolRef],
    new_predicates: list[z3.BoolRef],
    flags: Flags | None = None,
) -> Relation | None:
    """Compare `old` and `new` (see the module's docstring); `*_predicates` are the
    same observations' predicates over each system's `s`, in the same order."""
    flags = flags if flags is not None else Flags()
    if old.vars != new.vars or old.labels != new.labels:
        return None
    if len(old_predicates) != len(new_predicates):
        return None
    ctx = z3.Context()
    old_init, old_trans, old_preds = _bring(old, old_predicates, flags, ctx)
    new_init, new_trans, new_preds = _bring(new, new_predicates, flags, ctx)
    step = z3.Int("in:step", ctx)
    solver = z3.SolverFor("QF_LIA", ctx=ctx)
    differs = [z3.Xor(a, b) for a, b in zip(old_preds, new_preds, strict=True)]
    if differs and _sat(solver, z3.Or(differs)):
        return None
    old_in_new = not _sat(solver, z3.And(old_init, z3.Not(new_init)))
    new_in_old = not _sat(solver, z3.And(new_init, z3.Not(old_init)))
    changed: list[int] = []
    for index in range(len(old.labels)):
        on = step == index
        more = _sat(solver, z3.And(on, old_trans, z3.Not(new_trans)))
        fewer = _sat(solver, z3.And(on, new_trans, z3.Not(old_trans)))
        old_in_new = old_in_new and not more
        new_in_old = new_in_old and not fewer
        if more or fewer:
            changed.append(index)
    return Relation(old_in_new=old_in_new, new_in_old=new_in_old, changed=tuple(changed))


def _bring(
    system: System, predicates: list[z3.BoolRef], flags: Flags, ctx: z3.Context
) -> tuple[z3.BoolRef, z3.BoolRef, list[z3.BoolRef]]:
    """The system's initial states, step and `predicates` in `ctx`, with the flags fixed.

    Constants are named (state parts, inputs), so the two systems' terms meet in one
    context on the same constants."""
    terms = z3.AstVector(ctx=system.encoding.ctx)
    for term in (system.init, system.trans, *predicates):
        terms.push(term)
    copied = list(terms.translate(ctx))
    should = z3.Bool(str(system.encoding.terms.should), ctx)
    comply = z3.Bool(str(system.encoding.terms.comply), ctx)
    fixed = [
        z3.substitute(
            term,
            (should, z3.BoolVal(flags.should, ctx)),
            (comply, z3.BoolVal(flags.comply, ctx)),
        )
        for term in copied
    ]
    init, trans, *rest = fixed
    assert isinstance(init, z3.BoolRef)
    assert isinstance(trans, z3.BoolRef)
    return init, trans, [term for term in rest if isinstance(term, z3.BoolRef)]


_RLIMIT = 20_000_000
"""Z3's resource count for one comparison query (deterministic; far above what one
step of a shipped spec needs)."""


def _sat(solver: z3.Solver, query: z3.BoolRef) -> bool:
    """Whether `query` has a model; an answer Z3 cannot give counts as "yes" (the
    comparison then claims nothing)."""
    solver.push()
    solver.set("rlimit", _RLIMIT)
    solver.add(query)
    outcome = solver.check()
    solver.pop()
    return bool(outcome != z3.unsat)
