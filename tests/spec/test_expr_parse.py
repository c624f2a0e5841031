"""Tests for `spec.expr.parse`: precedence, located syntax errors and their hints."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr import BOOL, EnumType, ExpressionInvalid, IntType, Scope, check_expression
from stepcheck.spec.expr.parse import (
    MAX_DEPTH,
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

AT = SourceSpan(file="northshire.yaml", line=5, column=10, path="events.refer.guard")


def _shape(raw: RawExpr) -> str:
    """The raw tree fully parenthesised, independently of `to_text`."""
    match raw:
        case RawBool():
            return str(raw.value).lower()
        case RawInt():
            return str(raw.value)
        case RawName():
            return raw.name
        case RawCall():
            return f"{raw.predicate}({raw.argument})"
        case RawNot():
            return f"(not {_shape(raw.operand)})"
        case RawNeg():
            return f"(-{_shape(raw.operand)})"
        case RawBoolOp() | RawCompare() | RawArith():
            return f"({_shape(raw.left)} {raw.op.value} {_shape(raw.right)})"
        case RawMember():
            keyword = "not in" if raw.negated else "in"
            values = ", ".join(_shape(value) for value in raw.values)
            return f"({_shape(raw.operand)} {keyword} {{{values}}})"
    raise AssertionError(raw)


def _syntax_error(text: str):
    with pytest.raises(ExpressionInvalid) as caught:
        parse_expression(text, AT)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a and b", "((not a) and b)"),
        ("not not a", "(not (not a))"),
        ("a -> b -> c", "(a -> (b -> c))"),
        ("a implies b", "(a -> b)"),
        ("a and b -> c or d", "((a and b) -> (c or d))"),
        ("a or b or c", "((a or b) or c)"),
        ("x in {a, b}", "(x in {a, b})"),
        ("x not in {a}", "(x not in {a})"),
        ("not x in {a, b}", "(not (x in {a, b}))"),
        ("not x == y", "(not (x == y))"),
        ("x + 1 < y and z", "(((x + 1) < y) and z)"),
        ("a - b - c", "((a - b) - c)"),
        ("-a + b", "((-a) + b)"),
        ("a - -1", "(a - (-1))"),
        ("held(tam) and (a or b)", "(held(tam) and (a or b))"),
        ("(a -> b) -> c", "((a -> b) -> c)"),
        ("x in {y + 1, 2}", "(x in {(y + 1), 2})"),
        ("true != false", "(true != false)"),
    ],
)
def test_operators_bind_with_documented_precedence(text, shape):
    """Each operator groups as the precedence table says, loosest `->` first."""
    raw = parse_expression(text, AT)

    assert _shape(raw) == shape


def test_keywords_inside_longer_names_are_names():
    """`andy` and `inx` are identifiers, not the keywords they start with."""
    raw = parse_expression("andy and inx", AT)

    assert _shape(raw) == "(andy and inx)"


def test_node_spans_locate_subexpressions_in_the_spec_file():
    """A subexpression's span starts at its column in the file and covers its text."""
    raw = parse_expression("consent and (urgent or x)", AT)

    assert isinstance(raw, RawBoolOp)
    assert (raw.right.span.column, raw.right.span.length) == (22, 13)


@pytest.mark.parametrize(
    ("text", "offset", "message", "hint"),
    [
        ("consent and (x", 14, "unexpected end of expression", "'(' at column 22 is never"),
        ("consent and", 11, "unexpected end of expression", "'and' needs an operand"),
        ("a && b", 2, "unexpected '&'", "use 'and' instead of '&&'"),
        ("a || b", 2, "unexpected '|'", "use 'or' instead of '||'"),
        ("!a", 0, "unexpected '!'", "use 'not' instead of '!'"),
        ("a = b", 2, "unexpected '='", "use '==' to compare"),
        ("a => b", 2, "unexpected '='", "use '->' (or 'implies')"),
        ("a)", 1, "unexpected ')'", "no matching '('"),
        ("held(a, b)", 6, "unexpected ','", "expected ')'"),
        ("x in (a, b)", 5, "unexpected '('", "expected '{'"),
        ("tier in [cin]", 8, "unexpected '['", "write sets with braces"),
        ("a == b == c", 7, "unexpected '=='", "comparisons do not chain"),
        ("tier == early help", 14, "unexpected 'help'", "'early_help'"),
        ("Consent", 0, "unexpected 'C'", "write 'consent'"),
        ("a ≤ b", 2, "unexpected '≤'", "use '<='"),
        ("x in {", 6, "unexpected end of expression", "'{' at column 15 is never closed"),
    ],
)
def test_syntax_error_is_located_with_a_hint(text, offset, message, hint):
    """A syntax error names the offending text at its column and suggests the fix."""
    diagnostic = _syntax_error(text)

    assert diagnostic.code == "SPEC020"
    assert diagnostic.message == f"expression syntax error: {message}"
    assert (diagnostic.span.line, diagnostic.span.column) == (AT.line, AT.column + offset)
    assert diagnostic.hint is not None
    assert hint in diagnostic.hint


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_expression_is_a_syntax_error(text):
    """Blank text is reported as an empty expression at the start of the value."""
    diagnostic = _syntax_error(text)

    assert diagnostic.message == "expression syntax error: empty expression"
    assert diagnostic.span.column == AT.column


def test_error_on_a_later_line_counts_lines_and_columns_from_the_span():
    """In multi-line text the error's line is offset from the span's, its column from its line."""
    diagnostic = _syntax_error("consent\n  and (urgent\n  or x")

    assert (diagnostic.span.line, diagnostic.span.column) == (7, AT.column + 6)
    assert "line 6, column 16" in (diagnostic.hint or "")


def test_multi_line_expression_parses():
    """Newlines are whitespace between tokens."""
    raw = parse_expression("consent\n  and not\n  urgent", AT)

    assert _shape(raw) == "(consent and (not urgent))"
    assert isinstance(raw, RawBoolOp)
    assert (raw.right.span.line, raw.right.span.column) == (6, AT.column + 6)


def test_nesting_beyond_the_limit_is_rejected():
    """Expressions nested deeper than `MAX_DEPTH` are an error, not a recursion crash."""
    depth = MAX_DEPTH + 5
    diagnostic = _syntax_error("(" * depth + "a" + ")" * depth)

    assert f"more than {MAX_DEPTH} levels" in diagnostic.message


def test_overlong_integer_literal_is_rejected():
    """An integer literal with more digits than any bound needs is a syntax error."""
    diagnostic = _syntax_error("referrals < " + "9" * 40)

    assert diagnostic.message == "expression syntax error: integer literal longer than 18 digits"
    assert diagnostic.span.column == AT.column + 12


FUZZ_SCOPE = Scope(
    variables={
        "consent": BOOL,
        "referrals": IntType(lo=0, hi=3),
        "tier": EnumType(name="tier", values=("early_help", "cin", "cp")),
    },
    predicates={"held": ("tam",)},
    assignable=frozenset({"consent", "referrals"}),
)
FUZZ_TOKENS = (
    "and", "or", "not", "in", "implies", "->", "==", "!=", "<", "<=", "+", "-", "(", ")",
    "{", "}", ",", "true", "false", "consent", "referrals", "tier", "cp", "cpp", "held",
    "held(tam)", "held(x)", "3", "-1", "&&", "=", "!", "\n", "x", "Tier", "é",
)  # fmt: skip
FUZZ_TEXT = st.one_of(
    st.lists(st.sampled_from(FUZZ_TOKENS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(FUZZ_TOKENS), max_size=12).map("".join),
    st.text(alphabet="abcdeinoprt_ 019(){},+-<>=!&|\n\t#'\"[]≤é\x00", max_size=30),
)


def _diagnostics_of(text, expected):
    try:
        check_expression(text, AT, FUZZ_SCOPE, expected=expected)
    except ExpressionInvalid as invalid:
        return invalid.diagnostics
    return ()


@given(text=FUZZ_TEXT, expected=st.sampled_from([BOOL, None, IntType(lo=0, hi=9)]))
def test_any_text_either_checks_or_raises_located_diagnostics(text, expected):
    """Arbitrary text yields an expression or `ExpressionInvalid`, never another exception."""
    spans = [diagnostic.span for diagnostic in _diagnostics_of(text, expected)]

    assert all(AT.line <= span.line <= AT.line + text.count("\n") for span in spans)
    assert all(AT.column <= span.column <= AT.column + len(text) for span in spans)
