"""Observers: extra state that turns a property into "a bad state is unreachable".

A `Watch` adds variables to the encoded state and says how each step updates them;
the property's bad states are then a predicate on the observed state. Observer
variables are named `watch:*` and never appear in traces. Like the encoding, every
watch is written once, over the canonical states `s` and `t` and the step input.
"""

from __future__ import annotations

from typing import Protocol

import z3
from attrs import frozen

from stepcheck.checker.encode import Encoding, StateTerms, StateVar
from stepcheck.checker.fold import BoolLike, conj, disj, negate
from stepcheck.checker.watched import kind_watched, team_moves
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import Property, PropertyKind, Tier
from stepcheck.spec.trace import StepKind

__all__ = ["NoWatch", "ResponseWatch", "StepDownWatch", "Watch"]

_TIERS = tuple(tier.value for tier in Tier)


class Watch(Protocol):
    """Observer state: its variables, its initial value and its update on a step."""

    @property
    def vars(self) -> tuple[StateVar, ...]: ...

    def init(self, encoding: Encoding, s: StateTerms) -> BoolLike: ...

    def updates(self, encoding: Encoding, s: StateTerms, t: StateTerms) -> dict[str, z3.ExprRef]:
        """The new value of each observer variable (over `s`, `t` and the step input)."""
        ...


@frozen
class NoWatch:
    """No observer: the property is a predicate on states."""

    vars: tuple[StateVar, ...] = ()

    def init(self, encoding: Encoding, s: StateTerms) -> BoolLike:
        del encoding, s
        return True

    def updates(self, encoding: Encoding, s: StateTerms, t: StateTerms) -> dict[str, z3.ExprRef]:
        del encoding, s, t
        return {}


@frozen
class StepDownWatch:
    """`watch:bad_step` is set by an event step that steps a case down without a meeting
    (`cp_step_down_requires_meeting`), or, for `requires_meeting`, by a step of a watched
    kind taken neither at nor after one of the meetings."""

    prop: Property
    vars: tuple[StateVar, ...] = (StateVar(name="watch:bad_step", is_bool=True),)

    def init(self, encoding: Encoding, s: StateTerms) -> BoolLike:
        del encoding
        return z3.Not(s["watch:bad_step"])

    def updates(self, encoding: Encoding, s: StateTerms, t: StateTerms) -> dict[str, z3.ExprRef]:
        step = encoding.terms.step
        by_meeting: dict[str | None, list[int]] = {}
        for index, (kind, name) in enumerate(encoding.labels):
            if kind is not StepKind.EVENT:
                continue
            event = encoding.spec.event_by_id(str(name))
            if self.prop.kind is PropertyKind.REQUIRES_MEETING and not kind_watched(
                self.prop, event
            ):
                continue
            by_meeting.setdefault(event.at, []).append(index)
        bad = disj(
            conj(disj(step == i for i in indexes), self.violates(encoding, at, s, t))
            for at, indexes in by_meeting.items()
        )
        return {"watch:bad_step": _bool(bad, encoding.ctx)}

    def violates(
        self, encoding: Encoding, at: str | None, s: StateTerms, t: StateTerms
    ) -> BoolLike:
        """The step from `s` to `t` (at meeting `at`) leaves a watched tier downwards, unmet."""
        if at in self.prop.meetings:
            return False
        terms = encoding.terms
        before, after = terms.tier(s), terms.tier(t)
        met = disj(s[f"held:{m}"] for m in self.prop.meetings)
        if self.prop.kind is PropertyKind.REQUIRES_MEETING:
            # a step of a watched kind (chosen in `updates`), from a watched tier if named
            tiers_of = self.prop.tiers
            leaves = (
                disj(before == _TIERS.index(tier.value) for tier in tiers_of) if tiers_of else True
            )
            moves = _changes_team(encoding, s, t) if self.prop.between_teams else True
            return conj(leaves, moves, negate(met))
        tiers = self.prop.tiers or (Tier.CP,)
        leaves = disj(before == _TIERS.index(tier.value) for tier in tiers)
        if self.prop.to_tiers:
            lower = disj(after == _TIERS.index(tier.value) for tier in self.prop.to_tiers)
        else:
            lower = _rank(after, encoding.ctx) < _rank(before, encoding.ctx)
        return conj(leaves, lower, negate(met))


def _changes_team(encoding: Encoding, s: StateTerms, t: StateTerms) -> BoolLike:
    """The owner before the step and the owner after it are of different teams
    (`watched.moves_team`)."""
    index = encoding.terms.owner_index
    return disj(
        conj(
            disj(s["owner"] == index[o] for o in members), disj(t["owner"] == index[o] for o in to)
        )
        for members, to in team_moves(encoding.spec)
    )


@frozen
class ResponseWatch:
    """`from` leads to `to`: `watch:pending`, and `watch:k` ticks while pending (up to `cap`)."""

    trigger: Expr
    goal: Expr
    cap: int

    @property
    def vars(self) -> tuple[StateVar, ...]:
        return (
            StateVar(name="watch:pending", is_bool=True),
            StateVar(name="watch:k", lo=0, hi=self.cap),
        )

    def init(self, encoding: Encoding, s: StateTerms) -> BoolLike:
        terms = encoding.terms
        starts = z3.And(terms.holds(self.trigger, s), z3.Not(terms.holds(self.goal, s)))
        return conj(s["watch:pending"] == starts, s["watch:k"] == 0)

    def updates(self, encoding: Encoding, s: StateTerms, t: StateTerms) -> dict[str, z3.ExprRef]:
        terms = encoding.terms
        reached, triggered = terms.holds(self.goal, t), terms.holds(self.trigger, t)
        k = s["watch:k"]
        counted = k + encoding.elapsed
        return {
            "watch:pending": z3.And(z3.Not(reached), z3.Or(s["watch:pending"], triggered)),
            "watch:k": z3.If(
                z3.Or(reached, z3.Not(s["watch:pending"])),
                0,
                z3.If(counted > self.cap, self.cap, counted),
            ),
        }


def _bool(part: BoolLike, ctx: z3.Context) -> z3.BoolRef:
    return z3.BoolVal(part, ctx) if isinstance(part, bool) else part


def _rank(tier_index: z3.ArithRef, ctx: z3.Context) -> z3.ArithRef:
    term: z3.ArithRef = z3.IntVal(0, ctx)
    for tier in Tier:
        term = z3.If(tier_index == _TIERS.index(tier.value), tier.rank, term)
    return term
