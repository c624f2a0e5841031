"""Expression text -> untyped `RawExpr` tree; `expr.typecheck` resolves and types it.

The grammar lives in `grammar.lark` beside this module (LALR, one spelling per
operator). Syntax errors become `SPEC020` diagnostics located in the spec file: the
column of the offending character is `span.column + offset` on the expression's first
line; later lines of a literal block scalar count from `span.column` as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from attrs import evolve, field, frozen
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from stepcheck.spec.diagnostics import Diagnostic, InternalError, SourceSpan, StepcheckError
from stepcheck.spec.expr.ast import ArithOperator, BoolOperator, CompareOperator

__all__ = [
    "MAX_DEPTH",
    "ExpressionInvalid",
    "RawArith",
    "RawBool",
    "RawBoolOp",
    "RawCall",
    "RawCompare",
    "RawExpr",
    "RawInt",
    "RawMember",
    "RawName",
    "RawNeg",
    "RawNot",
    "parse_expression",
]

MAX_DEPTH = 100
"""Deepest nesting accepted, so every recursive consumer stays far from Python's limit."""

_MAX_DIGITS = 18
_FLAT_CHAIN = 16
_PACKAGE = __name__.rpartition(".")[0]


class ExpressionInvalid(StepcheckError, ValueError):
    """An expression with problems, carrying every diagnostic found, not just the first."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        if not diagnostics:
            raise InternalError("ExpressionInvalid without diagnostics")
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        first, more = self.diagnostics[0], len(self.diagnostics) - 1
        suffix = f" (and {more} more)" if more else ""
        super().__init__(f"{first.span}: {first.message}{suffix}")


@frozen(kw_only=True)
class RawBool:
    """`true` or `false` as written."""

    value: bool
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawInt:
    """A non-negative integer as written (`-3` is `RawNeg` of `RawInt`)."""

    value: int
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawName:
    """A bare identifier: a variable or, next to an enum, one of its values."""

    name: str
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawCall:
    """`predicate(argument)` as written."""

    predicate: str
    argument: str
    argument_span: SourceSpan = field(eq=False)
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawNot:
    """`not operand`."""

    operand: RawExpr
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawBoolOp:
    """`and`, `or`, or `->` (also written `implies`)."""

    op: BoolOperator
    left: RawExpr
    right: RawExpr
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawCompare:
    """`left op right` for one of `== != < <= > >=`."""

    op: CompareOperator
    left: RawExpr
    right: RawExpr
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawMember:
    """`operand in {values}` or `operand not in {values}`."""

    operand: RawExpr
    values: tuple[RawExpr, ...]
    negated: bool
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawArith:
    """`left + right` or `left - right`."""

    op: ArithOperator
    left: RawExpr
    right: RawExpr
    span: SourceSpan = field(eq=False)


@frozen(kw_only=True)
class RawNeg:
    """`-operand`."""

    operand: RawExpr
    span: SourceSpan = field(eq=False)


RawExpr = (
    RawBool
    | RawInt
    | RawName
    | RawCall
    | RawNot
    | RawBoolOp
    | RawCompare
    | RawMember
    | RawArith
    | RawNeg
)


def parse_expression(text: str, span: SourceSpan) -> RawExpr:
    """Parse one expression written at `span` into an untyped tree.

    Raises:
        ExpressionInvalid: with one `SPEC020` diagnostic, located at the offending
            character, when `text` is not an expression.
    """
    source = _Source(text=text, span=span)
    if not text.strip():
        raise ExpressionInvalid([source.syntax_error(0, "empty expression")])
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise ExpressionInvalid([_diagnose(error, source)]) from None
    try:
        return _Builder(source=source).build(tree, depth=1)
    except _Rejected as rejected:
        raise ExpressionInvalid([rejected.diagnostic]) from None


@cache
def _parser() -> Lark:
    grammar = resources.files(_PACKAGE).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True)


@frozen(kw_only=True)
class _Source:
    """Expression text and where it was written, to locate offsets in the spec file."""

    text: str
    span: SourceSpan

    def span_of(self, start: int, end: int | None = None) -> SourceSpan:
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        line_end = len(self.text) if line_end < 0 else line_end
        stop = start + 1 if end is None else end
        return SourceSpan(
            file=self.span.file,
            line=self.span.line + self.text.count("\n", 0, start),
            column=self.span.column + start - line_start,
            path=self.span.path,
            length=max(1, min(stop, line_end) - start),
        )

    def syntax_error(self, start: int, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(
            code="SPEC020",
            message=f"expression syntax error: {message}",
            span=self.span_of(start),
            hint=hint,
        )


class _Rejected(Exception):
    """A parse that lark accepts but the language does not (too deep, too long)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


_BOOL_OPERATORS = {
    "implies": BoolOperator.IMPLIES,
    "or_": BoolOperator.OR,
    "and_": BoolOperator.AND,
}
_ARITH_OPERATORS = {"add": ArithOperator.ADD, "sub": ArithOperator.SUB}


@frozen(kw_only=True)
class _Builder:
    """Turns lark's parse tree into `RawExpr` nodes with located spans."""

    source: _Source

    def build(self, node: Tree[Token] | Token, depth: int) -> RawExpr:
        tree = _subtree(node)
        span = self.source.span_of(tree.meta.start_pos, tree.meta.end_pos)
        if depth > MAX_DEPTH:
            message = f"expression nested more than {MAX_DEPTH} levels deep"
            raise _Rejected(self.source.syntax_error(tree.meta.start_pos, message))
        kids = tree.children
        match tree.data:
            case "int" | "true" | "false" | "name" | "call":
                return self._leaf(tree, span)
            case "paren":
                return evolve(self.build(kids[1], depth + 1), span=span)
            case "not_":
                return RawNot(operand=self.build(kids[1], depth + 1), span=span)
            case "neg":
                return RawNeg(operand=self.build(kids[1], depth + 1), span=span)
            case "member" | "not_member":
                values = tuple(self.build(kid, depth + 1) for kid in _subtrees(kids[-1]))
                operand = self.build(kids[0], depth + 1)
                negated = tree.data == "not_member"
                return RawMember(operand=operand, values=values, negated=negated, span=span)
            case _:
                return self._binary(tree, span, depth)

    def _binary(self, tree: Tree[Token], span: SourceSpan, depth: int) -> RawExpr:
        if tree.data in ("and_", "or_"):
            return self._chain(tree, depth)
        left, right = (self.build(tree.children[i], depth + 1) for i in (0, 2))
        if tree.data in _BOOL_OPERATORS:
            return RawBoolOp(op=_BOOL_OPERATORS[tree.data], left=left, right=right, span=span)
        if tree.data in _ARITH_OPERATORS:
            return RawArith(op=_ARITH_OPERATORS[tree.data], left=left, right=right, span=span)
        if tree.data == "compare":
            op = CompareOperator(str(tree.children[1]))
            return RawCompare(op=op, left=left, right=right, span=span)
        raise InternalError(f"unexpected parse node '{tree.data}'")

    def _chain(self, tree: Tree[Token], depth: int) -> RawExpr:
        """A run of one associative operator (`a and b and c ...`). Up to `_FLAT_CHAIN`
        terms it is built left-deep, as written; a longer run is built balanced, so a
        flat list of 150 conditions is 8 levels deep, not 150 (it was refused as
        "nested more than 100 levels")."""
        operands: list[Tree[Token]] = []
        pending: list[Tree[Token] | Token] = [tree]
        while pending:
            node = pending.pop()
            if isinstance(node, Tree) and node.data == tree.data:
                pending += [node.children[2], node.children[0]]
            else:
                operands.append(_subtree(node))
        flat = len(operands) <= _FLAT_CHAIN
        levels = len(operands) - 1 if flat else math.ceil(math.log2(len(operands)))
        built = [self.build(operand, depth + levels) for operand in operands]
        if flat:
            result = built[0]
            for index in range(1, len(built)):
                result = self._joined(tree.data, operands, (0, index + 1), result, built[index])
            return result
        return self._balanced(tree.data, operands, built, 0, len(built))

    def _balanced(
        self, op: str, trees: list[Tree[Token]], built: list[RawExpr], lo: int, hi: int
    ) -> RawExpr:
        if hi - lo == 1:
            return built[lo]
        middle = (lo + hi) // 2
        left = self._balanced(op, trees, built, lo, middle)
        right = self._balanced(op, trees, built, middle, hi)
        return self._joined(op, trees, (lo, hi), left, right)

    def _joined(
        self,
        op: str,
        trees: list[Tree[Token]],
        ends: tuple[int, int],
        left: RawExpr,
        right: RawExpr,
    ) -> RawExpr:
        """`left op right`, spanning the source from operand `ends[0]` to `ends[1] - 1`."""
        lo, hi = ends
        span = self.source.span_of(trees[lo].meta.start_pos, trees[hi - 1].meta.end_pos)
        return RawBoolOp(op=_BOOL_OPERATORS[op], left=left, right=right, span=span)

    def _leaf(self, tree: Tree[Token], span: SourceSpan) -> RawExpr:
        first = _token(tree.children[0])
        match tree.data:
            case "int":
                if len(first) > _MAX_DIGITS:
                    message = f"integer literal longer than {_MAX_DIGITS} digits"
                    raise _Rejected(self.source.syntax_error(_start(first), message))
                return RawInt(value=int(first), span=span)
            case "true" | "false":
                return RawBool(value=tree.data == "true", span=span)
            case "name":
                return RawName(name=str(first), span=span)
            case _:
                argument = _token(tree.children[2])
                argument_span = self.source.span_of(_start(argument), argument.end_pos)
                return RawCall(
                    predicate=str(first),
                    argument=str(argument),
                    argument_span=argument_span,
                    span=span,
                )


def _subtree(node: Tree[Token] | Token) -> Tree[Token]:
    if not isinstance(node, Tree):
        raise InternalError(f"expected a parse subtree, got token {node!r}")
    return node


def _subtrees(node: Tree[Token] | Token) -> tuple[Tree[Token], ...]:
    return tuple(kid for kid in _subtree(node).children if isinstance(kid, Tree))


def _token(node: Tree[Token] | Token) -> Token:
    if not isinstance(node, Token):
        raise InternalError(f"expected a token, got subtree {node!r}")
    return node


def _start(token: Token) -> int:
    if token.start_pos is None:
        raise InternalError(f"token {token!r} has no position")
    return token.start_pos


# What people write from other languages, and what this language spells instead.
_FOREIGN_OPERATORS = (
    ("&&", "use 'and' instead of '&&'"),
    ("||", "use 'or' instead of '||'"),
    ("=>", "use '->' (or 'implies') instead of '=>'"),
    ("!", "use 'not' instead of '!'"),
    ("=", "use '==' to compare; effects assign with the YAML key, not '='"),
    ("&", "use 'and' instead of '&'"),
    ("|", "use 'or' instead of '|'"),
    ("≤", "use '<='"),
    ("≥", "use '>='"),
    ("≠", "use '!='"),
    ("¬", "use 'not'"),
    ("∧", "use 'and'"),
    ("∨", "use 'or'"),
    ("→", "use '->'"),
    ("⇒", "use '->'"),
    ("[", "write sets with braces, e.g. 'tier in {cin, cp}'"),
)
_TERMINALS = {
    "RPAR": "')'",
    "LPAR": "'('",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "COMMA": "','",
    "NAME": "a name",
    "INT": "a number",
}
_OPERAND_TOKENS = frozenset({"NAME", "INT", "TRUE", "FALSE", "LPAR", "NOT"})
_TRAILING_OPERATOR = re.compile(r"(?:\b(?:and|or|not|implies|in)|->|==|!=|<=|>=|<|>|\+|-)$")
_WORD = re.compile(r"[A-Za-z0-9_]+")
_TRAILING_NAME = re.compile(r"\b[a-z_][a-z0-9_]*$")
_TRAILING_WORD = re.compile(r"\b[a-z0-9_]+$")
_OPERATOR_WORDS = frozenset({"and", "or", "not", "implies", "in"})
_KEYWORDS = _OPERATOR_WORDS | {"true", "false"}


def _diagnose(error: UnexpectedInput, source: _Source) -> Diagnostic:
    match error:
        case UnexpectedCharacters():
            return _unexpected_character(source, _offset(error))
        case UnexpectedToken() if error.token.type != "$END":
            hint = _token_hint(source.text, error.token, error.expected)
            return source.syntax_error(_start(error.token), f"unexpected '{error.token}'", hint)
        case _:
            return _unexpected_end(source)


def _offset(error: UnexpectedCharacters) -> int:
    offset: int | None = error.pos_in_stream
    if offset is None:
        raise InternalError("lexer error without a position")
    return offset


def _unexpected_character(source: _Source, offset: int) -> Diagnostic:
    text, char = source.text, source.text[offset]
    hints = (advice for written, advice in _FOREIGN_OPERATORS if text.startswith(written, offset))
    hint = next(hints, None)
    if hint is None and char.isascii() and char.isalpha():
        word = _word_around(text, offset)
        hint = f"names and keywords are lower-case snake_case: write '{word.lower()}'"
    shown = f"'{char}'" if char.isprintable() else f"character U+{ord(char):04X}"
    return source.syntax_error(offset, f"unexpected {shown}", hint)


def _word_around(text: str, offset: int) -> str:
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    found = _WORD.match(text, start)
    return found.group() if found else text[offset]


def _token_hint(text: str, token: Token, expected: set[str]) -> str | None:
    before = text[: _start(token)].rstrip()
    if token.type == "RPAR" and before.count("(") <= before.count(")"):
        return "this ')' has no matching '('"
    if _ends_operand(before) and token.type in _OPERAND_TOKENS:
        return _missing_operator_hint(before, token)
    if _ends_operand(before) and token.type in {"COMPARE_OP", "IN"}:
        return "comparisons do not chain; join them with 'and'"
    return _expected_hint(expected)


def _ends_operand(before: str) -> bool:
    if before.endswith((")", "}")):
        return True
    word = _TRAILING_WORD.search(before)
    return word is not None and word.group() not in _OPERATOR_WORDS


def _missing_operator_hint(before: str, token: Token) -> str:
    previous = _TRAILING_NAME.search(before)
    if token.type == "NAME" and previous and previous.group() not in _KEYWORDS:
        joined = f"{previous.group()}_{token}"
        return f"an operator is missing before '{token}'; ids are snake_case, e.g. '{joined}'"
    return f"an operator is missing before '{token}'"


def _expected_hint(expected: set[str]) -> str | None:
    shown = sorted(_TERMINALS[name] for name in expected if name in _TERMINALS)
    if 0 < len(shown) <= 2 and len(shown) == len(expected):
        return "expected " + " or ".join(shown)
    return None


def _unexpected_end(source: _Source) -> Diagnostic:
    text = source.text.rstrip()
    unclosed = _unclosed_bracket(text)
    hint: str | None = None
    if unclosed is not None:
        opened = source.span_of(unclosed)
        hint = f"the '{text[unclosed]}' at {_position(opened, source.span)} is never closed"
    elif trailing := _TRAILING_OPERATOR.search(text):
        hint = f"'{trailing.group()}' needs an operand after it"
    return source.syntax_error(len(text), "unexpected end of expression", hint)


def _position(span: SourceSpan, origin: SourceSpan) -> str:
    if span.line == origin.line:
        return f"column {span.column}"
    return f"line {span.line}, column {span.column}"


def _unclosed_bracket(text: str) -> int | None:
    stack: list[int] = []
    for offset, char in enumerate(text):
        if char in "({":
            stack.append(offset)
        elif char in ")}" and stack:
            stack.pop()
    return stack[-1] if stack else None
