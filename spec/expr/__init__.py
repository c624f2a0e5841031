"""The expression language of spec guards, effects and property conditions.

Text -> `parse` (lark grammar) -> `typecheck` (names resolved in a `Scope`, typed
`Expr`) -> consumed by `evaluate` here and by the Z3 encoding in `checker`.
"""

from stepcheck.spec.expr.ast import (
    Arith,
    ArithOperator,
    Assignment,
    BoolLit,
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    CompareOperator,
    EnumLit,
    Expr,
    IntLit,
    Member,
    Neg,
    Not,
    Var,
    names,
    predicates_used,
    subexpressions,
    to_text,
)
from stepcheck.spec.expr.evaluate import Environment, Valuation, Value, apply_assignments, evaluate
from stepcheck.spec.expr.parse import ExpressionInvalid, parse_expression
from stepcheck.spec.expr.typecheck import check_assignment, check_expression
from stepcheck.spec.expr.types import BOOL, BoolType, EnumType, IntType, Scope, Type, comparable

__all__ = [
    "BOOL",
    "Arith",
    "ArithOperator",
    "Assignment",
    "BoolLit",
    "BoolOp",
    "BoolOperator",
    "BoolType",
    "Call",
    "Compare",
    "CompareOperator",
    "EnumLit",
    "EnumType",
    "Environment",
    "Expr",
    "ExpressionInvalid",
    "IntLit",
    "IntType",
    "Member",
    "Neg",
    "Not",
    "Scope",
    "Type",
    "Valuation",
    "Value",
    "Var",
    "apply_assignments",
    "check_assignment",
    "check_expression",
    "comparable",
    "evaluate",
    "names",
    "parse_expression",
    "predicates_used",
    "subexpressions",
    "to_text",
]
