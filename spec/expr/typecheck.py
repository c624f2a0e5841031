"""Expression text -> typed `Expr`: `expr.parse`, then resolve every name and check types.

The loader calls `check_expression` for guards and property conditions and
`check_assignment` for effects. A bare identifier is a variable when the scope has
one by that name; otherwise, next to an enum-typed operand (or assigned to an enum
variable), it is a value of that enum. Every problem in one expression is collected
into a single `ExpressionInvalid`.
"""

from __future__ import annotations

from typing import assert_never

from attrs import field, frozen

from stepcheck.spec.diagnostics import Diagnostic, InternalError, SourceSpan, did_you_mean
from stepcheck.spec.expr.ast import (
    Arith,
    Assignment,
    BoolLit,
    BoolOp,
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
from stepcheck.spec.expr.parse import (
    ExpressionInvalid,
    RawArith,
    RawBool,
    RawBoolOp,
    RawCall,
    RawCompare,
    RawExpr,
    RawInt,
    RawMember,
    RawName,
    RawNeg,
    RawNot,
    parse_expression,
)
from stepcheck.spec.expr.types import BOOL, EnumType, IntType, Scope, Type, comparable

__all__ = ["ExpressionInvalid", "check_assignment", "check_expression"]


def check_expression(
    text: str, span: SourceSpan, scope: Scope, *, expected: Type | None = BOOL
) -> Expr:
    """Parse `text` written at `span`, resolve its names in `scope` and type it.

    Args:
        text: the expression as written in the spec, e.g. `"consent and not urgent_cp"`.
        span: where `text` starts in the spec file.
        scope: the variables, predicates and assignable names in force.
        expected: the type the expression must have; `None` accepts any type. An
            enum type also lets a bare value such as `front_door` stand alone.

    Raises:
        ExpressionInvalid: every syntax, name and type problem found (`SPEC020`,
            `SPEC120` to `SPEC124`).
    """
    checker = _Checker(scope=scope)
    expr = checker.root(parse_expression(text, span), expected, what="expression")
    return checker.result(expr)


def check_assignment(target: str, value: object, span: SourceSpan, scope: Scope) -> Assignment:
    """Check one effect `target: value`, where `value` is a YAML bool, int or expression.

    `span` locates the value; problems with the target are reported there too.

    Raises:
        ExpressionInvalid: every problem with the target and the value found.
    """
    checker = _Checker(scope=scope)
    target_type = checker.target(target, span)
    if target_type is None:
        # Without a target type the value's names cannot be resolved; report only
        # its syntax errors rather than a cascade of unknown names.
        checker.parse_only(value, span)
        raise ExpressionInvalid(checker.problems)
    expr = checker.result(checker.value(value, span, target_type, target=target))
    return Assignment(target=target, target_type=target_type, value=expr, span=span)


@frozen(kw_only=True)
class _Checker:
    """Types raw trees in one scope, collecting diagnostics instead of stopping."""

    scope: Scope
    problems: list[Diagnostic] = field(factory=list)

    def result(self, expr: Expr | None) -> Expr:
        if self.problems:
            raise ExpressionInvalid(self.problems)
        if expr is None:
            raise InternalError("an expression failed to type without a diagnostic")
        return expr

    def report(self, code: str, message: str, span: SourceSpan, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code=code, message=message, span=span, hint=hint))

    def root(self, raw: RawExpr, expected: Type | None, *, what: str) -> Expr | None:
        expr = self.infer(raw, expected if isinstance(expected, EnumType) else None)
        if expr is None or expected is None or comparable(expr.type, expected):
            return expr
        self.report("SPEC121", f"{what} must be {expected}, got {expr.type}", raw.span)
        return None

    def target(self, target: str, span: SourceSpan) -> Type | None:
        variables, assignable = self.scope.variables, self.scope.assignable
        if target in assignable:
            return variables[target]
        hint = did_you_mean(target, assignable, what="assignable variables")
        if target in variables:
            message = f"'{target}' cannot be assigned in an effect"
            self.report("SPEC123", message, span, hint or "declare a variable to assign instead")
            return variables[target]
        self.report("SPEC120", f"unknown variable '{target}' in effect", span, hint)
        return None

    def parse_only(self, value: object, span: SourceSpan) -> None:
        if isinstance(value, str):
            try:
                parse_expression(value, span)
            except ExpressionInvalid as invalid:
                self.problems.extend(invalid.diagnostics)

    def value(self, value: object, span: SourceSpan, expected: Type, *, target: str) -> Expr | None:
        what = f"value for '{target}'"
        match value:
            case bool():
                return self.root(RawBool(value=value, span=span), expected, what=what)
            case int():
                expr = self.root(RawInt(value=value, span=span), expected, what=what)
            case str():
                try:
                    raw = parse_expression(value, span)
                except ExpressionInvalid as invalid:
                    self.problems.extend(invalid.diagnostics)
                    return None
                expr = self.root(raw, expected, what=what)
            case _:
                message = f"{what} must be true, false, a whole number or an expression"
                self.report("SPEC121", f"{message}, got {_yaml_kind(value)}", span)
                return None
        self.check_range(expr, expected, target)
        return expr

    def check_range(self, expr: Expr | None, expected: Type, target: str) -> None:
        if not isinstance(expr, IntLit) or not isinstance(expected, IntType):
            return
        if not expected.contains(expr.value):
            bounds = f"{expected.lo}..{expected.hi}"
            message = f"value {expr.value} for '{target}' is outside its range {bounds}"
            self.report("SPEC123", message, expr.span)

    def infer(self, raw: RawExpr, context: EnumType | None) -> Expr | None:
        match raw:
            case RawBool():
                return BoolLit(value=raw.value, span=raw.span)
            case RawInt():
                return IntLit(value=raw.value, span=raw.span)
            case RawName():
                return self.name(raw, context)
            case RawCall():
                return self.call(raw)
            case RawNot() | RawBoolOp():
                return self.logic(raw)
            case RawCompare():
                return self.compare(raw)
            case RawMember():
                return self.member(raw)
            case RawArith() | RawNeg():
                return self.arithmetic(raw)
            case _:
                assert_never(raw)

    def name(self, raw: RawName, context: EnumType | None) -> Expr | None:
        variable = self.scope.variables.get(raw.name)
        if variable is not None:
            return Var(name=raw.name, type=variable, span=raw.span)
        if context is None:
            hint = self.unknown_name_hint(raw.name)
            self.report("SPEC120", f"unknown name '{raw.name}' in expression", raw.span, hint)
            return None
        if raw.name in context.values:
            return EnumLit(value=raw.name, type=context, span=raw.span)
        hint = did_you_mean(raw.name, context.values, what=f"{context} values")
        self.report("SPEC124", f"'{raw.name}' is not {_a(context.name)}", raw.span, hint)
        return None

    def unknown_name_hint(self, name: str) -> str | None:
        for variable, kind in sorted(self.scope.variables.items()):
            if isinstance(kind, EnumType) and name in kind.values:
                example = f"{variable} == {name}"
                value = f"'{name}' is {_a(kind.name)} value"
                return f"{value}; compare it with a variable, e.g. '{example}'"
        return did_you_mean(name, self.scope.variables, what="names")

    def call(self, raw: RawCall) -> Expr | None:
        accepted = self.scope.predicates.get(raw.predicate)
        if accepted is None:
            hint = did_you_mean(raw.predicate, self.scope.predicates, what="predicates")
            self.report("SPEC122", f"unknown predicate '{raw.predicate}'", raw.span, hint)
            return None
        if raw.argument not in accepted:
            message = f"predicate '{raw.predicate}' cannot be applied to '{raw.argument}'"
            hint = did_you_mean(raw.argument, accepted, what=f"ids for '{raw.predicate}'")
            self.report("SPEC122", message, raw.argument_span, hint)
            return None
        return Call(predicate=raw.predicate, argument=raw.argument, span=raw.span)

    def logic(self, raw: RawNot | RawBoolOp) -> Expr | None:
        if isinstance(raw, RawNot):
            operand = self.operand(raw.operand, BOOL, "'not' needs a bool operand")
            return None if operand is None else Not(operand=operand, span=raw.span)
        phrase = f"'{raw.op.value}' needs bool operands"
        left, right = self.operand(raw.left, BOOL, phrase), self.operand(raw.right, BOOL, phrase)
        if left is None or right is None:
            return None
        return BoolOp(op=raw.op, left=left, right=right, span=raw.span)

    def arithmetic(self, raw: RawArith | RawNeg) -> Expr | None:
        integers = IntType(lo=0, hi=0)  # any IntType is comparable with any other
        if isinstance(raw, RawNeg):
            operand = self.operand(raw.operand, integers, "'-' needs an int operand")
            if isinstance(operand, IntLit):
                return IntLit(value=-operand.value, span=raw.span)
            return None if operand is None else Neg(operand=operand, span=raw.span)
        phrase = f"'{raw.op.value}' needs int operands"
        left = self.operand(raw.left, integers, phrase)
        right = self.operand(raw.right, integers, phrase)
        if left is None or right is None:
            return None
        return Arith(op=raw.op, left=left, right=right, span=raw.span)

    def operand(self, raw: RawExpr, kind: Type, phrase: str) -> Expr | None:
        expr = self.infer(raw, None)
        if expr is None or comparable(expr.type, kind):
            return expr
        self.report("SPEC121", f"{phrase}, got {expr.type}", raw.span)
        return None

    def compare(self, raw: RawCompare) -> Expr | None:
        left, right = self.group((raw.left, raw.right))
        if left is None or right is None:
            return None
        if raw.op.is_ordering:
            sides = ((left, raw.left), (right, raw.right))
            wrong = [(expr, side) for expr, side in sides if not isinstance(expr.type, IntType)]
            for expr, side in wrong:
                message = f"'{raw.op.value}' needs int operands, got {expr.type}"
                self.report("SPEC121", message, side.span)
            if wrong:
                return None
        elif not comparable(left.type, right.type):
            message = (
                f"'{raw.op.value}' needs operands of one type, got {left.type} and {right.type}"
            )
            self.report("SPEC121", message, raw.span, _shadow_hint(left, right))
            return None
        return Compare(op=raw.op, left=left, right=right, span=raw.span)

    def member(self, raw: RawMember) -> Expr | None:
        operand, *values = self.group((raw.operand, *raw.values))
        if operand is None:
            return None
        keyword = "not in" if raw.negated else "in"
        for value, written in zip(values, raw.values, strict=True):
            if value is not None and not comparable(operand.type, value.type):
                message = f"'{keyword}' needs values of type {operand.type}, got {value.type}"
                self.report("SPEC121", message, written.span, _shadow_hint(operand, value))
        checked = tuple(
            value for value in values if value is not None and comparable(operand.type, value.type)
        )
        if len(checked) < len(values):
            return None
        return Member(operand=operand, values=checked, negated=raw.negated, span=raw.span)

    def group(self, raws: tuple[RawExpr, ...]) -> tuple[Expr | None, ...]:
        """Type operands that must share one type, such as both sides of `==`.

        Bare names that are not variables are typed last, as values of the first
        enum type found among the other operands.
        """
        typed = {
            index: self.infer(raw, None)
            for index, raw in enumerate(raws)
            if not self.is_value_candidate(raw)
        }
        enums = (expr.type for expr in typed.values() if expr is not None)
        context = next((kind for kind in enums if isinstance(kind, EnumType)), None)
        return tuple(
            typed[index] if index in typed else self.infer(raw, context)
            for index, raw in enumerate(raws)
        )

    def is_value_candidate(self, raw: RawExpr) -> bool:
        return isinstance(raw, RawName) and raw.name not in self.scope.variables


def _shadow_hint(left: Expr, right: Expr) -> str | None:
    """Explain a variable whose name is also a value of the enum it is compared with."""
    for variable, other in ((left, right), (right, left)):
        kind = other.type
        if (
            isinstance(variable, Var)
            and isinstance(kind, EnumType)
            and variable.name in kind.values
        ):
            return f"'{variable.name}' names a variable here, not the {kind} value"
    return None


def _a(noun: str) -> str:
    """The noun with its indefinite article.

    >>> _a("owner"), _a("tier")
    ('an owner', 'a tier')
    """
    return f"an {noun}" if noun[:1] in set("aeiou") else f"a {noun}"


def _yaml_kind(value: object) -> str:
    match value:
        case None:
            return "nothing (null)"
        case float():
            return f"the decimal {value}"
        case list() | tuple():
            return "a list"
        case dict():
            return "a mapping"
        case _:
            return type(value).__name__
