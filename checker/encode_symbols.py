"""What names in a guard, condition or property mean in the encoded state.

`checker/z3expr.py` translates the expression AST; this says what each variable and
predicate is in one state's terms, `overdue` and `in_window` read from the state before
the step when the expression is about the state after it (SEMANTICS, fine points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3

from stepcheck.checker.encode_values import NONE, OFF
from stepcheck.checker.fold import BoolLike
from stepcheck.spec.model import Direction

if TYPE_CHECKING:
    from stepcheck.checker.encode_terms import StateTerms, Terms

__all__ = ["TermSymbols"]


class TermSymbols:
    """`checker.z3expr.Symbols` over state terms: variables, and the predicates
    (`held`, `overdue`, `escalating`, `in_window`) as the finite model reads them."""

    def __init__(self, terms: Terms, s: StateTerms, overdue_from: StateTerms) -> None:
        self._terms, self._s, self._overdue_from = terms, s, overdue_from

    def var(self, name: str) -> z3.ExprRef:
        terms, s = self._terms, self._s
        match name:
            case "status" | "owner" | "co_owner":
                return s[name]
            case "tier":
                return terms.tier(s)
            case "allocated":
                allocated = [o.id for o in terms.spec.owners if o.allocated]
                return _bool(terms.owner_kind_in(s, "owner", allocated), terms.ctx)
            case "owned":
                responsible = [o.id for o in terms.spec.owners if o.responsible]
                return _bool(terms.owner_kind_in(s, "owner", responsible), terms.ctx)
            case _:
                return s[f"var:{name}"]

    def predicate(self, name: str, argument: str) -> z3.BoolRef:
        s, ctx = self._s, self._terms.ctx
        match name:
            case "held":
                return s[f"held:{argument}"]
            case "overdue":
                key = f"deadline:{argument}"
                deadline = self._terms.spec.deadline_by_id(argument)
                if key not in self._overdue_from or deadline.direction is not Direction.AFTER:
                    return z3.BoolVal(False, ctx)
                return self._overdue_from[key] == -1
            case "escalating":
                return s[f"dispute:{argument}"] != NONE
            case "in_window":  # like `overdue`, read before the step (SEMANTICS, fine points)
                return self._overdue_from[f"window:{argument}"] != OFF
            case _:
                raise ValueError(f"unknown predicate {name}")


def _bool(part: BoolLike, ctx: z3.Context) -> z3.BoolRef:
    return z3.BoolVal(part, ctx) if isinstance(part, bool) else part
