"""Typed expression trees: `expr.typecheck` builds them; `expr.evaluate` and the Z3
encoding in `checker` consume them with one `match` over the node classes.

Every node carries its resolved `type` and a `span` (left out of equality), and every
name is already resolved: a `Var` reads a variable, an `EnumLit` is a value of an
enum, a `Call` applies a predicate to one of the ids it accepts. Nodes check their
own typing when built, so an ill-typed tree is an `InternalError`, not a user error.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import assert_never

from attrs import field, frozen

from stepcheck.spec.diagnostics import InternalError, SourceSpan
from stepcheck.spec.expr.types import BOOL, BoolType, EnumType, IntType, Type, comparable

__all__ = [
    "Arith",
    "ArithOperator",
    "Assignment",
    "BoolLit",
    "BoolOp",
    "BoolOperator",
    "Call",
    "Compare",
    "CompareOperator",
    "EnumLit",
    "Expr",
    "IntLit",
    "Member",
    "Neg",
    "Not",
    "Var",
    "names",
    "predicates_used",
    "subexpressions",
    "to_text",
]


class BoolOperator(Enum):
    """A connective between two conditions, valued by its canonical spelling."""

    AND = "and"
    OR = "or"
    IMPLIES = "->"


class CompareOperator(Enum):
    """A comparison, valued by its spelling; only `==` and `!=` apply beyond ints."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def is_ordering(self) -> bool:
        """Whether the operator orders integers (`<`, `<=`, `>`, `>=`)."""
        return self not in (CompareOperator.EQ, CompareOperator.NE)


class ArithOperator(Enum):
    """Integer addition or subtraction, valued by its spelling."""

    ADD = "+"
    SUB = "-"


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InternalError(f"ill-typed expression tree: {message}")


def _int_type(operand: Expr, what: str) -> IntType:
    kind = operand.type
    if not isinstance(kind, IntType):
        raise InternalError(f"ill-typed expression tree: {what} of {kind}")
    return kind


@frozen(kw_only=True)
class BoolLit:
    """The constant `true` or `false`."""

    value: bool
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(default=BOOL, init=False, eq=False, repr=False)


@frozen(kw_only=True)
class IntLit:
    """An integer constant (negative after folding `-3`); its type is `IntType(v, v)`."""

    value: int
    span: SourceSpan = field(eq=False, repr=False)
    type: IntType = field(init=False, eq=False, repr=False)

    @type.default
    def _singleton(self) -> IntType:
        _require(not isinstance(self.value, bool), "IntLit holds a bool")
        return IntType(lo=self.value, hi=self.value)


@frozen(kw_only=True)
class EnumLit:
    """A value of an enum, such as `cp` compared with the `tier` variable."""

    value: str
    type: EnumType
    span: SourceSpan = field(eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _require(self.value in self.type.values, f"'{self.value}' is not a {self.type}")


@frozen(kw_only=True)
class Var:
    """The current value of a variable or built-in such as `status`."""

    name: str
    type: Type
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Call:
    """A predicate applied to one id, such as `held(three_way)`; always bool."""

    predicate: str
    argument: str
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(default=BOOL, init=False, eq=False, repr=False)


@frozen(kw_only=True)
class Not:
    """The negation of a condition."""

    operand: Expr
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(init=False, eq=False, repr=False)

    @type.default
    def _bool(self) -> BoolType:
        _require(self.operand.type == BOOL, "'not' of a non-bool")
        return BOOL


@frozen(kw_only=True)
class BoolOp:
    """`and`, `or` or `->` between two conditions."""

    op: BoolOperator
    left: Expr
    right: Expr
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(init=False, eq=False, repr=False)

    @type.default
    def _bool(self) -> BoolType:
        _require(self.left.type == BOOL == self.right.type, f"'{self.op.value}' of a non-bool")
        return BOOL


@frozen(kw_only=True)
class Compare:
    """A comparison: equality on any one type, ordering on integers only."""

    op: CompareOperator
    left: Expr
    right: Expr
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(init=False, eq=False, repr=False)

    @type.default
    def _bool(self) -> BoolType:
        left, right = self.left.type, self.right.type
        if self.op.is_ordering:
            _int_type(self.left, self.op.value)
            _int_type(self.right, self.op.value)
        _require(comparable(left, right), f"'{self.op.value}' between {left} and {right}")
        return BOOL


@frozen(kw_only=True)
class Member:
    """Whether `operand` equals one of `values` (or none of them, when `negated`)."""

    operand: Expr
    values: tuple[Expr, ...]
    negated: bool
    span: SourceSpan = field(eq=False, repr=False)
    type: BoolType = field(init=False, eq=False, repr=False)

    @type.default
    def _bool(self) -> BoolType:
        _require(bool(self.values), "membership in an empty set")
        for value in self.values:
            _require(comparable(self.operand.type, value.type), "membership across types")
        return BOOL


@frozen(kw_only=True)
class Arith:
    """`+` or `-` on integers; its type is the interval of every possible result."""

    op: ArithOperator
    left: Expr
    right: Expr
    span: SourceSpan = field(eq=False, repr=False)
    type: IntType = field(init=False, eq=False, repr=False)

    @type.default
    def _interval(self) -> IntType:
        left, right = _int_type(self.left, self.op.value), _int_type(self.right, self.op.value)
        match self.op:
            case ArithOperator.ADD:
                return IntType(lo=left.lo + right.lo, hi=left.hi + right.hi)
            case ArithOperator.SUB:
                return IntType(lo=left.lo - right.hi, hi=left.hi - right.lo)
            case _:
                assert_never(self.op)


@frozen(kw_only=True)
class Neg:
    """Integer negation of a non-literal (`-3` is folded into `IntLit(-3)`)."""

    operand: Expr
    span: SourceSpan = field(eq=False, repr=False)
    type: IntType = field(init=False, eq=False, repr=False)

    @type.default
    def _interval(self) -> IntType:
        operand = _int_type(self.operand, "negation")
        _require(not isinstance(self.operand, IntLit), "negation of a literal is folded")
        return IntType(lo=-operand.hi, hi=-operand.lo)


Expr = BoolLit | IntLit | EnumLit | Var | Call | Not | BoolOp | Compare | Member | Arith | Neg


@frozen(kw_only=True)
class Assignment:
    """One effect `target := value`; effects of a step all read the old state."""

    target: str
    target_type: Type
    value: Expr
    span: SourceSpan = field(eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _require(comparable(self.target_type, self.value.type), f"assignment to '{self.target}'")


def subexpressions(expr: Expr) -> Iterator[Expr]:
    """Every node of `expr`, the root first, children left to right."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def names(expr: Expr) -> frozenset[str]:
    """The variables `expr` reads."""
    return frozenset(node.name for node in subexpressions(expr) if isinstance(node, Var))


def predicates_used(expr: Expr) -> frozenset[tuple[str, str]]:
    """The `(predicate, argument)` applications in `expr`, e.g. `("held", "tam")`."""
    return frozenset(
        (node.predicate, node.argument) for node in subexpressions(expr) if isinstance(node, Call)
    )


def _children(expr: Expr) -> tuple[Expr, ...]:
    match expr:
        case BoolLit() | IntLit() | EnumLit() | Var() | Call():
            return ()
        case Not() | Neg():
            return (expr.operand,)
        case BoolOp() | Compare() | Arith():
            return (expr.left, expr.right)
        case Member():
            return (expr.operand, *expr.values)
        case _:
            assert_never(expr)


# Binding strength in the grammar, loosest first; atoms bind tightest.
_IMPLIES, _OR, _AND, _NOT, _COMPARE, _SUM, _UNARY, _ATOM = range(1, 9)
_BOOL_LEVELS = {BoolOperator.IMPLIES: _IMPLIES, BoolOperator.OR: _OR, BoolOperator.AND: _AND}


def to_text(expr: Expr) -> str:
    """The canonical spelling of `expr`, with only the parentheses it needs.

    Parsing and checking the text in the same scope gives back an equal tree.
    """
    match expr:
        case BoolLit():
            return "true" if expr.value else "false"
        case IntLit():
            return str(expr.value)
        case EnumLit():
            return expr.value
        case Var():
            return expr.name
        case Call():
            return f"{expr.predicate}({expr.argument})"
        case Not():
            return f"not {_operand_text(expr.operand, _NOT)}"
        case BoolOp():
            return _bool_op_text(expr)
        case Compare():
            left, right = _operand_text(expr.left, _SUM), _operand_text(expr.right, _SUM)
            return f"{left} {expr.op.value} {right}"
        case Member():
            return _member_text(expr)
        case Arith():
            left, right = _operand_text(expr.left, _SUM), _operand_text(expr.right, _UNARY)
            return f"{left} {expr.op.value} {right}"
        case Neg():
            return f"-{_operand_text(expr.operand, _UNARY)}"
        case _:
            assert_never(expr)


def _bool_op_text(expr: BoolOp) -> str:
    level = _BOOL_LEVELS[expr.op]
    # `->` groups to the right, `and` and `or` to the left.
    if expr.op is BoolOperator.IMPLIES:
        left_level, right_level = level + 1, level
    else:
        left_level, right_level = level, level + 1
    left, right = _operand_text(expr.left, left_level), _operand_text(expr.right, right_level)
    return f"{left} {expr.op.value} {right}"


def _member_text(expr: Member) -> str:
    keyword = "not in" if expr.negated else "in"
    values = ", ".join(_operand_text(value, _SUM) for value in expr.values)
    return f"{_operand_text(expr.operand, _SUM)} {keyword} {{{values}}}"


def _operand_text(expr: Expr, minimum: int) -> str:
    text = to_text(expr)
    return text if _level(expr) >= minimum else f"({text})"


def _level(expr: Expr) -> int:
    match expr:
        case BoolLit() | EnumLit() | Var() | Call():
            return _ATOM
        case IntLit():
            return _UNARY if expr.value < 0 else _ATOM
        case Not():
            return _NOT
        case BoolOp():
            return _BOOL_LEVELS[expr.op]
        case Compare() | Member():
            return _COMPARE
        case Arith():
            return _SUM
        case Neg():
            return _UNARY
        case _:
            assert_never(expr)
