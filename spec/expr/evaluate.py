"""The reference meaning of typed expressions, read by the executor in `oracle`.

The Z3 encoding in `checker` must agree with `evaluate` on every state: enum values
are their string ids, integers are unbounded Python ints (range checks belong to the
executor), `a -> b` is `not a or b`, and a step's effects all read the old state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol, assert_never

from attrs import field, frozen

from stepcheck.spec.diagnostics import InternalError
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
)
from stepcheck.spec.expr.types import BoolType, EnumType, IntType, Type

__all__ = ["Environment", "Valuation", "Value", "apply_assignments", "evaluate"]

Value = bool | int | str


class Environment(Protocol):
    """One state as expressions see it: variable values and which predicates hold."""

    def value(self, name: str) -> Value:
        """The current value of variable `name` (an enum value is its string id)."""
        ...

    def predicate(self, name: str, argument: str) -> bool:
        """Whether predicate `name` holds of `argument`, e.g. `held("tam")`."""
        ...


def _read_only(values: Mapping[str, Value]) -> Mapping[str, Value]:
    return MappingProxyType(dict(values))


@frozen(kw_only=True)
class Valuation:
    """An `Environment` from plain data: values by name, and the applications that hold."""

    values: Mapping[str, Value] = field(converter=_read_only, hash=False)
    facts: frozenset[tuple[str, str]] = field(factory=frozenset, converter=frozenset)

    def value(self, name: str) -> Value:
        """The value of `name`; a missing one is a bug in whoever built the state."""
        if name not in self.values:
            raise InternalError(f"no value for variable '{name}'")
        return self.values[name]

    def predicate(self, name: str, argument: str) -> bool:
        """Whether `(name, argument)` is among the facts."""
        return (name, argument) in self.facts


def evaluate(expr: Expr, env: Environment) -> Value:
    """The value of `expr` in the state `env`.

    >>> from stepcheck.spec.diagnostics import UNKNOWN_SPAN as at
    >>> evaluate(Neg(operand=Var(name="n", type=IntType(lo=0, hi=3), span=at), span=at),
    ...          Valuation(values={"n": 2}))
    -2
    """
    match expr:
        case BoolLit() | IntLit() | EnumLit():
            return expr.value
        case Var():
            return _checked(env.value(expr.name), expr.type, expr.name)
        case Call():
            return _checked(env.predicate(expr.predicate, expr.argument), expr.type, expr.predicate)
        case Not():
            return not _truth(expr.operand, env)
        case BoolOp():
            return _connective(expr, env)
        case Compare():
            return _comparison(expr, env)
        case Member():
            operand = evaluate(expr.operand, env)
            found = any(operand == evaluate(value, env) for value in expr.values)
            return found != expr.negated
        case Arith() | Neg():
            return _arithmetic(expr, env)
        case _:
            assert_never(expr)


def apply_assignments(assignments: Iterable[Assignment], env: Environment) -> dict[str, Value]:
    """The new values of one step's effects, all evaluated in the old state `env`.

    So `{a: b, b: a}` swaps. Range checks on the results are the executor's job.
    """
    updates: dict[str, Value] = {}
    for assignment in assignments:
        if assignment.target in updates:
            raise InternalError(f"'{assignment.target}' is assigned twice in one step")
        updates[assignment.target] = evaluate(assignment.value, env)
    return updates


def _connective(expr: BoolOp, env: Environment) -> bool:
    match expr.op:
        case BoolOperator.AND:
            return _truth(expr.left, env) and _truth(expr.right, env)
        case BoolOperator.OR:
            return _truth(expr.left, env) or _truth(expr.right, env)
        case BoolOperator.IMPLIES:
            return not _truth(expr.left, env) or _truth(expr.right, env)
        case _:
            assert_never(expr.op)


def _comparison(expr: Compare, env: Environment) -> bool:
    match expr.op:
        case CompareOperator.EQ:
            return evaluate(expr.left, env) == evaluate(expr.right, env)
        case CompareOperator.NE:
            return evaluate(expr.left, env) != evaluate(expr.right, env)
        case CompareOperator.LT:
            return _number(expr.left, env) < _number(expr.right, env)
        case CompareOperator.LE:
            return _number(expr.left, env) <= _number(expr.right, env)
        case CompareOperator.GT:
            return _number(expr.left, env) > _number(expr.right, env)
        case CompareOperator.GE:
            return _number(expr.left, env) >= _number(expr.right, env)
        case _:
            assert_never(expr.op)


def _arithmetic(expr: Arith | Neg, env: Environment) -> int:
    if isinstance(expr, Neg):
        return -_number(expr.operand, env)
    match expr.op:
        case ArithOperator.ADD:
            return _number(expr.left, env) + _number(expr.right, env)
        case ArithOperator.SUB:
            return _number(expr.left, env) - _number(expr.right, env)
        case _:
            assert_never(expr.op)


def _truth(expr: Expr, env: Environment) -> bool:
    value = evaluate(expr, env)
    if not isinstance(value, bool):
        raise InternalError(f"condition evaluated to {value!r}")
    return value


def _number(expr: Expr, env: Environment) -> int:
    value = evaluate(expr, env)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InternalError(f"integer expression evaluated to {value!r}")
    return value


def _checked(value: Value, kind: Type, name: str) -> Value:
    """`value` as read from the environment, if it has the declared type."""
    match kind:
        case BoolType():
            fits = isinstance(value, bool)
        case IntType():
            fits = isinstance(value, int) and not isinstance(value, bool)
        case EnumType():
            fits = isinstance(value, str) and value in kind.values
        case _:
            assert_never(kind)
    if not fits:
        raise InternalError(f"environment gave {value!r} for '{name}', which is {kind}")
    return value
