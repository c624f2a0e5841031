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
from hypothesis import strategies as st
from lark import Lark, Tree

from stepcheck.spec.diagnostics import InternalError, SourceSpan
from stepcheck.spec.expr import (
    BOOL,
    Arith,
    ArithOperator,
    BoolLit,
    BoolOp,
    BoolOperator,
    BoolType,
    Call,
    Compare,
    CompareOperator,
    EnumLit,
    EnumType,
    IntLit,
    IntType,
    Member,
    Neg,
    Not,
    Scope,
    Valuation,
    Var,
    apply_assignments,
    check_assignment,
    check_expression,
    evaluate,
    to_text,
)

AT = SourceSpan(file="northshire.yaml", line=3, column=7, path="properties.p.condition")
TIER = EnumType(name="tier", values=("early_help", "cin", "cp"))
OWNER = EnumType(name="owner", values=("fis_tray", "front_door", "mash"))
VARIABLES = {
    "consent": BOOL,
    "urgent": BOOL,
    "referrals": IntType(lo=0, hi=3),
    "visits": IntType(lo=-2, hi=2),
    "tier": TIER,
    "previous_tier": TIER,
    "owner": OWNER,
}
PREDICATES = {"held": ("tam", "three_way"), "overdue": ("step_in_deadline",)}
SCOPE = Scope(
    variables=VARIABLES,
    predicates=PREDICATES,
    assignable=frozenset({"consent", "urgent", "referrals", "visits"}),
)
STATE = {
    "consent": True,
    "urgent": False,
    "referrals": 2,
    "visits": -1,
    "tier": "cp",
    "previous_tier": "cin",
    "owner": "mash",
}


# -- strategies: well-typed trees over SCOPE ------------------------------------------


def _var(name):
    return Var(name=name, type=VARIABLES[name], span=AT)


BOOL_VARS = [_var(name) for name, kind in VARIABLES.items() if kind == BOOL]
INT_VARS = [_var(name) for name, kind in VARIABLES.items() if isinstance(kind, IntType)]
ENUM_VARS = {
    enum: [_var(n) for n, kind in VARIABLES.items() if kind == enum] for enum in (TIER, OWNER)
}
CALLS = [Call(predicate=p, argument=a, span=AT) for p, ids in PREDICATES.items() for a in ids]
EQUALITIES = [CompareOperator.EQ, CompareOperator.NE]

bool_leaves = st.one_of(
    st.builds(BoolLit, value=st.booleans(), span=st.just(AT)),
    st.sampled_from(BOOL_VARS + CALLS),
)
int_leaves = st.one_of(
    st.builds(IntLit, value=st.integers(-5, 5), span=st.just(AT)),
    st.sampled_from(INT_VARS),
)


def enum_values(enum):
    literals = [EnumLit(value=value, type=enum, span=AT) for value in enum.values]
    return st.sampled_from(literals + ENUM_VARS[enum])


def _arith(op, left, right):
    return Arith(op=op, left=left, right=right, span=AT)


def _compare(op, left, right):
    return Compare(op=op, left=left, right=right, span=AT)


def _member(operand, values, negated):
    return Member(operand=operand, values=tuple(values), negated=negated, span=AT)


def _bool_op(op, left, right):
    return BoolOp(op=op, left=left, right=right, span=AT)


def int_exprs(depth):
    if depth == 0:
        return int_leaves
    smaller = int_exprs(depth - 1)
    return st.one_of(
        int_leaves,
        st.builds(_arith, st.sampled_from(ArithOperator), smaller, smaller),
        smaller.filter(lambda e: not isinstance(e, IntLit)).map(lambda e: Neg(operand=e, span=AT)),
    )


@st.composite
def enum_conditions(draw):
    """A comparison or membership over one enum, with a variable somewhere in it."""
    enum = draw(st.sampled_from([TIER, OWNER]))
    variable = draw(st.sampled_from(ENUM_VARS[enum]))
    others = draw(st.lists(enum_values(enum), min_size=1, max_size=3))
    others.insert(draw(st.integers(0, len(others))), variable)
    if len(others) == 2 and draw(st.booleans()):
        return _compare(draw(st.sampled_from(EQUALITIES)), *others)
    return _member(others[0], others[1:], draw(st.booleans()))


def bool_exprs(depth):
    if depth == 0:
        return bool_leaves
    smaller, ints = bool_exprs(depth - 1), int_exprs(depth - 1)
    return st.one_of(
        bool_leaves,
        smaller.map(lambda e: Not(operand=e, span=AT)),
        st.builds(_bool_op, st.sampled_from(BoolOperator), smaller, smaller),
        st.builds(_compare, st.sampled_from(CompareOperator), ints, ints),
        st.builds(_compare, st.sampled_from(EQUALITIES), smaller, smaller),
        enum_conditions(),
        st.builds(_member, ints, st.lists(ints, min_size=1, max_size=3), st.booleans()),
        st.builds(_member, smaller, st.lists(smaller, min_size=1, max_size=2), st.booleans()),
    )


def _values_of(kind):
    match kind:
        case BoolType():
            return st.booleans()
        case IntType():
            return st.integers(kind.lo, kind.hi)
        case EnumType():
            return st.sampled_from(kind.values)


states = st.fixed_dictionaries({name: _values_of(kind) for name, kind in VARIABLES.items()})
facts = st.frozensets(st.sampled_from([(c.predicate, c.argument) for c in CALLS]))
any_exprs = st.one_of(bool_exprs(3), int_exprs(3))


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
