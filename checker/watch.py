"""Observers: extra state that turns a property into "a bad state is unreachable".

A `Watch` adds variables to the encoded state and says how each step updates them;
its `bad` predicate is what the engines search for. Observer variables are named
`watch:*` and never appear in traces.
"""

from __future__ import annotations

from typing import Protocol

import z3
from attrs import frozen

from stepcheck.checker.encode import Encoding, StateTerms, StateVar
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import Property, Tier
from stepcheck.spec.trace import StepKind

__all__ = ["Bad", "NoWatch", "ResponseWatch", "StepDownWatch", "Watch"]

_TIERS = tuple(tier.value for tier in Tier)


class Watch(Protocol):
    """Observer state: its variables, its initial value and its update on a step."""

    @property
    def vars(self) -> tuple[StateVar, ...]: ...

    def init(self, encoding: Encoding, s: StateTerms) -> z3.BoolRef: ...

    def update(
        self, encoding: Encoding, s: StateTerms, t: StateTerms, step: z3.ArithRef
    ) -> z3.BoolRef: ...


class Bad(Protocol):
    def __call__(self, encoding: Encoding, s: StateTerms) -> z3.BoolRef: ...


@frozen
class NoWatch:
    """No observer: the property is a predicate on states."""

    vars: tuple[StateVar, ...] = ()

    def init(self, encoding: Encoding, s: StateTerms) -> z3.BoolRef:
        del encoding, s
        return z3.BoolVal(True)

    def update(
        self, encoding: Encoding, s: StateTerms, t: StateTerms, step: z3.ArithRef
    ) -> z3.BoolRef:
        del encoding, s, t, step
        return z3.BoolVal(True)


@frozen
class StepDownWatch:
    """`watch:bad_step` is set by an event step that steps a case down without a meeting."""

    prop: Property
    vars: tuple[StateVar, ...] = (StateVar(name="watch:bad_step", is_bool=True),)

    def init(self, encoding: Encoding, s: StateTerms) -> z3.BoolRef:
        del encoding
        return z3.Not(s["watch:bad_step"])

    def update(
        self, encoding: Encoding, s: StateTerms, t: StateTerms, step: z3.ArithRef
    ) -> z3.BoolRef:
        bad = [
            z3.And(
                step == index,
                self.violates(encoding, encoding.spec.event_by_id(str(name)).at, s, t),
            )
            for index, (kind, name) in enumerate(encoding.labels)
            if kind is StepKind.EVENT
        ]
        return t["watch:bad_step"] == z3.Or(bad)

    def violates(
        self, encoding: Encoding, at: str | None, s: StateTerms, t: StateTerms
    ) -> z3.BoolRef:
        """The step from `s` to `t` (at meeting `at`) leaves a watched tier downwards, unmet."""
        terms = encoding.terms
        before, after = terms.tier(s), terms.tier(t)
        tiers = self.prop.tiers or (Tier.CP,)
        leaves = z3.Or([before == _TIERS.index(tier.value) for tier in tiers])
        if self.prop.to_tiers:
            lower = z3.Or([after == _TIERS.index(tier.value) for tier in self.prop.to_tiers])
        else:
            lower = _rank(after) < _rank(before)
        met = z3.Or(
            [s[f"held:{m}"] for m in self.prop.meetings] + [z3.BoolVal(at in self.prop.meetings)]
        )
        return z3.And(leaves, lower, z3.Not(met))


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

    def init(self, encoding: Encoding, s: StateTerms) -> z3.BoolRef:
        starts = z3.And(
            encoding.terms.holds(self.trigger, s), z3.Not(encoding.terms.holds(self.goal, s))
        )
        return z3.And(s["watch:pending"] == starts, s["watch:k"] == 0)

    def update(
        self, encoding: Encoding, s: StateTerms, t: StateTerms, step: z3.ArithRef
    ) -> z3.BoolRef:
        terms = encoding.terms
        reached, triggered = terms.holds(self.goal, t), terms.holds(self.trigger, t)
        tick = step == encoding.labels.index((StepKind.TICK, None))
        counted = z3.If(tick, s["watch:k"] + 1, s["watch:k"])
        k = s["watch:k"]
        return z3.And(
            t["watch:pending"] == z3.And(z3.Not(reached), z3.Or(s["watch:pending"], triggered)),
            t["watch:k"]
            == z3.If(
                z3.Or(reached, z3.Not(s["watch:pending"])),
                0,
                z3.If(counted > self.cap, k, counted),
            ),
        )


def _rank(tier_index: z3.ArithRef) -> z3.ArithRef:
    term: z3.ArithRef = z3.IntVal(0)
    for tier in Tier:
        term = z3.If(tier_index == _TIERS.index(tier.value), tier.rank, term)
    return term
