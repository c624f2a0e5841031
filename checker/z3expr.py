"""The expression AST's Z3 back-end: the trees the oracle evaluates, as Z3 terms.

`spec.expr` -> here -> the checker's transition encoding. Booleans are Z3 Bools,
integers Z3 Ints, and enum values Z3 Ints holding the value's index in its
`EnumType` (the encoder constrains each enum symbol to its index range). Symbols for
variables and predicates come from the caller, so one translation serves every step
of an unrolling (`status@3`, `held(tam)@3`).
"""

from __future__ import annotations

from typing import Protocol, assert_never

import z3

from stepcheck.spec.expr import (
    Arith,
    ArithOperator,
    BoolLit,
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    CompareOperator,
    EnumLit,
    EnumType,
    Expr,
    IntLit,
    Member,
    Neg,
    Not,
    Var,
)

__all__ = ["Symbols", "enum_index", "to_z3"]


class Symbols(Protocol):
    """Where the translation finds the Z3 term of a name or a predicate application."""

    def var(self, name: str) -> z3.ExprRef:
        """The term of a variable (a Bool, or an Int for ints and enums)."""
        ...

    def predicate(self, name: str, argument: str) -> z3.BoolRef:
        """The term of `name(argument)`, e.g. `held(tam)`."""
        ...


def enum_index(enum: EnumType, value: str) -> int:
    """The integer that stands for an enum value in Z3.

    >>> enum_index(EnumType(name="tier", values=("early_help", "cp")), "cp")
    1
    """
    return enum.values.index(value)


def to_z3(expr: Expr, symbols: Symbols, ctx: z3.Context | None = None) -> z3.ExprRef:
    """Translate a typed expression; its Z3 value equals what `evaluate` computes.

    Literals are made in `ctx` (Z3's default context when None), which must be the
    context of the symbols' terms.
    """
    match expr:
        case BoolLit(value=value):
            return z3.BoolVal(value, ctx)
        case IntLit(value=value):
            return z3.IntVal(value, ctx)
        case EnumLit(value=value, type=enum):
            return z3.IntVal(enum_index(enum, value), ctx)
        case Var(name=name):
            return symbols.var(name)
        case Call(predicate=predicate, argument=argument):
            return symbols.predicate(predicate, argument)
        case Not(operand=operand):
            return z3.Not(to_z3(operand, symbols, ctx))
        case BoolOp():
            return _bool_op(expr, symbols, ctx)
        case Compare():
            return _compare(expr, symbols, ctx)
        case Member(operand=operand, values=values, negated=negated):
            term = to_z3(operand, symbols, ctx)
            found = z3.Or([term == to_z3(value, symbols, ctx) for value in values])
            return z3.Not(found) if negated else found
        case Arith(op=op, left=left, right=right):
            lhs, rhs = to_z3(left, symbols, ctx), to_z3(right, symbols, ctx)
            return lhs + rhs if op is ArithOperator.ADD else lhs - rhs
        case Neg(operand=operand):
            return -to_z3(operand, symbols, ctx)
        case _:
            assert_never(expr)


def _bool_op(expr: BoolOp, symbols: Symbols, ctx: z3.Context | None) -> z3.BoolRef:
    left, right = to_z3(expr.left, symbols, ctx), to_z3(expr.right, symbols, ctx)
    match expr.op:
        case BoolOperator.AND:
            return z3.And(left, right)
        case BoolOperator.OR:
            return z3.Or(left, right)
        case BoolOperator.IMPLIES:
            return z3.Implies(left, right)
        case _:
            assert_never(expr.op)


def _compare(expr: Compare, symbols: Symbols, ctx: z3.Context | None) -> z3.BoolRef:
    left, right = to_z3(expr.left, symbols, ctx), to_z3(expr.right, symbols, ctx)
    match expr.op:
        case CompareOperator.EQ:
            return left == right
        case CompareOperator.NE:
            return left != right
        case CompareOperator.LT:
            return left < right
        case CompareOperator.LE:
            return left <= right
        case CompareOperator.GT:
            return left > right
        case CompareOperator.GE:
            return left >= right
        case _:
            assert_never(expr.op)
