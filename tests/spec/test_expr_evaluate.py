"""Tests for `spec.expr.evaluate`, and properties of typed trees drawn at random.

The strategy `bool_exprs` draws well-typed trees over a small scope; they must print
and check back to themselves, and `evaluate` must agree with a reference interpreter
built here from lark's parse tree and the `operator` module.
"""

import doctest
import importlib
import operator
from collections.abc import Callable, Mapping
from importlib import resources

import pytest
from hypothesis import given
from lark import Lark, Tree
from strategies.expressions import (
    AT,
    OWNER,
    SCOPE,
    STATE,
    any_exprs,
    facts,
    int_exprs,
    states,
)

from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.expr import (
    Valuation,
    apply_assignments,
    check_assignment,
    check_expression,
    evaluate,
    to_text,
)

# -- reference interpreter: lark tree -> closures over the operator module -------------

Meaning = Callable[[Mapping[str, object], frozenset], object]
REFERENCE_PARSER = Lark(
    resources.files("stepcheck.spec.expr").joinpath("grammar.lark").read_text(encoding="utf-8"),
    parser="lalr",
)
OPERATORS = {
    "and_": operator.and_,
    "or_": operator.or_,
    "implies": lambda a, b: operator.or_(operator.not_(a), b),
    "add": operator.add,
    "sub": operator.sub,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _meaning(tree) -> Meaning:
    """Compile a lark tree; an unknown name means the enum value it spells."""
    kids = tree.children
    match tree.data:
        case "int":
            number = int(kids[0])
            return lambda _state, _facts: number
        case "true" | "false":
            truth = tree.data == "true"
            return lambda _state, _facts: truth
        case "name":
            name = str(kids[0])
            return lambda state, _facts: state.get(name, name)
        case "call":
            application = (str(kids[0]), str(kids[2]))
            return lambda _state, facts: operator.contains(facts, application)
        case "paren":
            return _meaning(kids[1])
        case "not_" | "neg":
            unary, inner = operator.not_ if tree.data == "not_" else operator.neg, _meaning(kids[1])
            return lambda state, facts: unary(inner(state, facts))
        case "member" | "not_member":
            return _membership(tree)
        case _:
            op = OPERATORS[str(kids[1]) if tree.data == "compare" else tree.data]
            left, right = _meaning(kids[0]), _meaning(kids[2])
            return lambda state, facts: op(left(state, facts), right(state, facts))


def _membership(tree) -> Meaning:
    operand = _meaning(tree.children[0])
    values = [_meaning(kid) for kid in tree.children[-1].children if isinstance(kid, Tree)]
    negated = tree.data == "not_member"

    def member(state, facts):
        found = operator.contains([value(state, facts) for value in values], operand(state, facts))
        return operator.xor(found, negated)

    return member


def _reference(text, state, facts):
    return _meaning(REFERENCE_PARSER.parse(text))(state, facts)


# -- properties ------------------------------------------------------------------------


@given(expr=any_exprs)
def test_printed_expression_checks_back_to_the_same_tree(expr):
    """`to_text` then `check_expression` gives back an equal tree with the same type."""
    checked = check_expression(to_text(expr), AT, SCOPE, expected=None)

    assert checked == expr
    assert checked.type == expr.type


@given(expr=any_exprs, state=states, facts=facts)
def test_evaluation_agrees_with_a_reference_interpreter(expr, state, facts):
    """`evaluate` gives the value and Python type that the independent interpreter gives."""
    expected = _reference(to_text(expr), state, facts)

    actual = evaluate(expr, Valuation(values=state, facts=facts))

    assert (type(actual), actual) == (type(expected), expected)


@given(expr=int_exprs(3), state=states)
def test_integer_results_lie_in_the_interval_type(expr, state):
    """Interval arithmetic bounds every value an integer expression can take."""
    value = evaluate(expr, Valuation(values=state))

    assert expr.type.contains(value)


# -- examples --------------------------------------------------------------------------


def _value(text, state=STATE, facts=frozenset(), expected=None):
    expr = check_expression(text, AT, SCOPE, expected=expected)
    return evaluate(expr, Valuation(values=state, facts=facts))


@pytest.mark.parametrize(
    ("consent", "urgent", "implied"),
    [(False, False, True), (False, True, True), (True, False, False), (True, True, True)],
)
def test_implication_is_false_only_when_premise_holds_and_conclusion_fails(
    consent, urgent, implied
):
    """`consent -> urgent` follows the truth table of `not consent or urgent`."""
    state = {**STATE, "consent": consent, "urgent": urgent}

    assert _value("consent -> urgent", state) is implied
    assert _value("consent implies urgent", state) is implied


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("consent and not urgent", True),
        ("urgent or not consent", False),
        ("tier in {cin, cp}", True),
        ("tier not in {cin, cp}", False),
        ("owner == front_door", False),
        ("tier != previous_tier", True),
        ("referrals >= 2 and visits < 0", True),
        ("referrals + visits - 1", 0),
        ("-visits", 1),
        ("referrals + 10", 12),
        ("held(tam)", True),
        ("held(three_way)", False),
    ],
)
def test_expression_evaluates_to_its_value_in_a_state(text, value):
    """Examples of each operator in one fixed state where `held(tam)` holds."""
    result = _value(text, facts={("held", "tam")})

    assert (type(result), result) == (type(value), value)


def test_enum_values_evaluate_to_their_ids():
    """An enum literal's value is its string id."""
    result = _value("front_door", expected=OWNER)

    assert result == "front_door"


def test_effects_of_one_step_read_the_old_state():
    """Assignments are simultaneous: swapping two variables reads both old values."""
    effects = [
        check_assignment("consent", "urgent", AT, SCOPE),
        check_assignment("urgent", "consent", AT, SCOPE),
        check_assignment("referrals", "referrals + 1", AT, SCOPE),
    ]

    updates = apply_assignments(effects, Valuation(values=STATE))

    assert updates == {"consent": False, "urgent": True, "referrals": 3}


def test_assigning_one_variable_twice_in_a_step_is_an_internal_error():
    """Duplicate targets should have been rejected by the loader."""
    effect = check_assignment("consent", True, AT, SCOPE)

    with pytest.raises(InternalError, match="assigned twice"):
        apply_assignments([effect, effect], Valuation(values=STATE))


def test_environment_value_of_the_wrong_type_is_an_internal_error():
    """A state holding an int for a bool variable is a bug in whoever built it."""
    state = {**STATE, "consent": 1}

    with pytest.raises(InternalError, match="'consent'"):
        _value("consent", state)


def test_doctests_in_evaluate_pass():
    """The examples in the docstrings of `evaluate` hold."""
    # The package re-exports the function `evaluate`, which hides the submodule attribute.
    result = doctest.testmod(importlib.import_module("stepcheck.spec.expr.evaluate"))

    assert result.failed == 0
