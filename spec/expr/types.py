"""Types of spec expressions and the scope names resolve in.

The loader builds a `Scope` from a spec's variables and built-ins; `expr.typecheck`
resolves every name against it and stamps these types on the AST, where the
evaluator and the Z3 encoding in `checker` read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from stepcheck.spec.diagnostics import InternalError

__all__ = ["BOOL", "BoolType", "EnumType", "IntType", "Scope", "Type", "comparable"]


@frozen(kw_only=True)
class BoolType:
    """The type of conditions: guards, properties, predicate applications."""

    def __str__(self) -> str:
        return "bool"


@frozen(kw_only=True)
class IntType:
    """Integers between `lo` and `hi` inclusive, e.g. a counter of referrals."""

    lo: int
    hi: int

    def __attrs_post_init__(self) -> None:
        if self.lo > self.hi:
            raise InternalError(f"empty integer range {self.lo}..{self.hi}")

    def __str__(self) -> str:
        return "int"

    def contains(self, value: int) -> bool:
        """Whether `value` lies in this range.

        >>> IntType(lo=0, hi=3).contains(4)
        False
        """
        return self.lo <= value <= self.hi


@frozen(kw_only=True)
class EnumType:
    """A named finite set of snake_case ids, such as the tiers of need."""

    name: str
    values: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        if not self.values or len(set(self.values)) != len(self.values):
            raise InternalError(f"enum '{self.name}' needs distinct values, got {self.values}")

    def __str__(self) -> str:
        return self.name


Type = BoolType | IntType | EnumType

BOOL = BoolType()


def comparable(left: Type, right: Type) -> bool:
    """Whether `==`, `!=` and `in` may relate values of these two types.

    Integers of any ranges compare; enums only with the very same enum.

    >>> comparable(IntType(lo=0, hi=1), IntType(lo=5, hi=9))
    True
    """
    match left:
        case BoolType() | IntType():
            return type(left) is type(right)
        case EnumType():
            return left == right
        case _:
            raise InternalError(f"unknown type {left!r}")


def _read_only_types(mapping: Mapping[str, Type]) -> Mapping[str, Type]:
    return MappingProxyType(dict(mapping))


def _read_only_ids(mapping: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(mapping))


def _frozen_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


@frozen(kw_only=True)
class Scope:
    """What an expression may name: readable variables, predicates, assignable names.

    `variables` holds user variables and the loader's built-ins (`status`, `tier`,
    `owner`, ...); `predicates` maps a predicate to the ids it may be applied to;
    `assignable` lists the names an effect may set (user variables only).
    """

    variables: Mapping[str, Type] = field(converter=_read_only_types, hash=False)
    predicates: Mapping[str, tuple[str, ...]] = field(converter=_read_only_ids, hash=False)
    assignable: frozenset[str] = field(converter=_frozen_names)

    def __attrs_post_init__(self) -> None:
        unknown = self.assignable - self.variables.keys()
        if unknown:
            raise InternalError(f"assignable names without a type: {sorted(unknown)}")
