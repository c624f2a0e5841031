"""Terms that fold Python constants before they reach Z3.

The transition relation is built once per spec, from many small pieces most of which
are known in Python to be true, false or "unchanged" (an event that does not touch a
deadline leaves its clock alone). These helpers take Python booleans as well as Z3
terms and only build a Z3 node when the answer is not already known, which keeps the
building fast and the relation small.

    conj(True, x) is x;  disj(False, False) is False;  ite(True, a, b) is a
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

import z3

__all__ = ["BoolLike", "as_bool", "conj", "disj", "ite", "negate", "same"]

BoolLike: TypeAlias = bool | z3.BoolRef
"""A condition known in Python (a bool) or only to Z3 (a term)."""


def conj(*parts: BoolLike | Iterable[BoolLike]) -> BoolLike:
    """`And` of the parts (iterables are flattened), folding constants."""
    terms: list[z3.BoolRef] = []
    for part in _flatten(parts):
        if part is False:
            return False
        if part is not True:
            terms.append(part)
    if not terms:
        return True
    return terms[0] if len(terms) == 1 else z3.And(terms)


def disj(*parts: BoolLike | Iterable[BoolLike]) -> BoolLike:
    """`Or` of the parts (iterables are flattened), folding constants."""
    terms: list[z3.BoolRef] = []
    for part in _flatten(parts):
        if part is True:
            return True
        if part is not False:
            terms.append(part)
    if not terms:
        return False
    return terms[0] if len(terms) == 1 else z3.Or(terms)


def negate(part: BoolLike) -> BoolLike:
    if isinstance(part, bool):
        return not part
    return z3.Not(part)


def ite(condition: BoolLike, then: z3.ExprRef, otherwise: z3.ExprRef) -> z3.ExprRef:
    """`If`, folding a known condition and equal branches."""
    if condition is True or same(then, otherwise):
        return then
    if condition is False:
        return otherwise
    return z3.If(condition, then, otherwise)


def same(a: z3.ExprRef, b: z3.ExprRef) -> bool:
    """The two terms are the same node (Z3 shares equal terms)."""
    return bool(a.eq(b))


def as_bool(part: BoolLike, ctx: z3.Context) -> z3.BoolRef:
    """A Z3 term for the condition."""
    if isinstance(part, bool):
        return z3.BoolVal(part, ctx)
    return part


def _flatten(parts: tuple[BoolLike | Iterable[BoolLike], ...]) -> Iterable[BoolLike]:
    for part in parts:
        if isinstance(part, bool | z3.BoolRef):
            yield part
        else:
            yield from part
