"""Spec expressions as Promela expressions, from the typed AST (never from spec text).

`checker.promela` -> here. One `match` over the node classes of `spec.expr`, as the
evaluator and the Z3 encoding do, so the three read a guard alike. Every compound is
parenthesised, so no Promela precedence rule matters. A Promela expression reads the
variables as they are when it runs: the model evaluates each condition at the point
of a step where the variables hold the state SEMANTICS.md says it reads (`c` or `c'`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import assert_never

from stepcheck.checker.promela_names import PromelaNames
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.expr import (
    Arith,
    BoolLit,
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    EnumLit,
    Expr,
    IntLit,
    Member,
    Neg,
    Not,
    Var,
)

__all__ = ["any_of", "every", "translate"]


def translate(expr: Expr, names: PromelaNames) -> str:
    """`expr` as a Promela expression over the model's state variables."""
    match expr:
        case BoolLit():
            return "true" if expr.value else "false"
        case IntLit():
            return str(expr.value) if expr.value >= 0 else f"({expr.value})"
        case EnumLit():
            return names.enum_value(expr.type, expr.value)
        case Var():
            return _variable(expr, names)
        case Call():
            return _predicate(expr, names)
        case Not():
            return f"!{_atom(translate(expr.operand, names))}"
        case Neg():
            return f"(-{_atom(translate(expr.operand, names))})"
        case BoolOp() | Compare() | Arith() | Member():
            return _compound(expr, names)
        case _:
            assert_never(expr)


def _compound(expr: BoolOp | Compare | Arith | Member, names: PromelaNames) -> str:
    """A node with several operands; `->` becomes `!a || b`, `in` a disjunction."""
    if isinstance(expr, Member):
        operand = translate(expr.operand, names)
        found = any_of(f"({operand} == {translate(value, names)})" for value in expr.values)
        return f"!{_atom(found)}" if expr.negated else found
    left, right = translate(expr.left, names), translate(expr.right, names)
    if isinstance(expr, BoolOp):
        match expr.op:
            case BoolOperator.AND:
                return f"({left} && {right})"
            case BoolOperator.OR:
                return f"({left} || {right})"
            case BoolOperator.IMPLIES:
                return f"(!{_atom(left)} || {right})"
            case _:
                assert_never(expr.op)
    # Comparison and arithmetic operators are spelt as in Promela (and C).
    return f"({left} {expr.op.value} {right})"


def any_of(parts: Iterable[str]) -> str:
    """The disjunction of Promela conditions (`false` when there are none)."""
    found = [part for part in dict.fromkeys(parts) if part != "false"]
    if "true" in found:
        return "true"
    if not found:
        return "false"
    return found[0] if len(found) == 1 else "(" + " || ".join(found) + ")"


def every(parts: Iterable[str]) -> str:
    """The conjunction of Promela conditions (`true` when there are none)."""
    found = [part for part in dict.fromkeys(parts) if part != "true"]
    if "false" in found:
        return "false"
    if not found:
        return "true"
    return found[0] if len(found) == 1 else "(" + " && ".join(found) + ")"


def _variable(expr: Var, names: PromelaNames) -> str:
    """A built-in (as `checker.explore_state` reads them) or a user variable."""
    match expr.name:
        case "status" | "owner" | "co_owner":
            return expr.name
        case "tier":
            return "TIER(status)"
        case "allocated":
            return "ALLOCATED(owner)"
        case "owned":
            return "RESPONSIBLE(owner)"
    if expr.name not in {variable.id for variable in names.spec.variables}:
        raise InternalError(f"unknown variable '{expr.name}'")
    return names.variable(expr.name)


def _predicate(expr: Call, names: PromelaNames) -> str:
    argument = expr.argument
    match expr.predicate:
        case "held":
            return names.held(argument)
        case "overdue":
            # Only timed deadlines have a clock; `not_before` ones stop at 0, never -1.
            if argument not in names.deadlines:
                return "false"
            return f"({names.deadline(argument)} == -1)"
        case "escalating":
            return f"({names.dispute(argument)} != 0)"
        case "in_window":
            return f"({names.window(argument)} != OFF)"
    raise InternalError(f"unknown predicate '{expr.predicate}'")


def _atom(text: str) -> str:
    """`text` wrapped in parentheses unless it already is one unit."""
    if text.isidentifier() or (text.startswith("(") and _closes_at_end(text)):
        return text
    return f"({text})"


def _closes_at_end(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return depth == 0
