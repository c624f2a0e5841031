"""Tests for `spec.expr.typecheck`: name resolution, interval types and SPEC12x codes."""

import doctest

import pytest

from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr import (
    BOOL,
    Arith,
    ArithOperator,
    BoolLit,
    Call,
    Compare,
    CompareOperator,
    EnumLit,
    EnumType,
    ExpressionInvalid,
    IntLit,
    IntType,
    Member,
    Neg,
    Scope,
    Var,
    check_assignment,
    check_expression,
    names,
    predicates_used,
    to_text,
)
from stepcheck.spec.expr import typecheck as typecheck_module
from stepcheck.spec.expr import types as types_module

AT = SourceSpan(file="northshire.yaml", line=9, column=12, path="events.refer.guard")
STATUS = EnumType(name="status", values=("referred", "tam_listed", "cin", "cp", "closed"))
TIER = EnumType(name="tier", values=("early_help", "cin", "cp"))
OWNER = EnumType(name="owner", values=("fis_tray", "front_door", "mash"))
REFERRALS = IntType(lo=0, hi=3)
VISITS = IntType(lo=-2, hi=2)
SCOPE = Scope(
    variables={
        "consent": BOOL,
        "urgent_cp": BOOL,
        "urgent": BOOL,
        "referrals": REFERRALS,
        "visits": VISITS,
        "status": STATUS,
        "tier": TIER,
        "owner": OWNER,
        "co_owner": OWNER,
    },
    predicates={"held": ("tam", "three_way"), "overdue": ("step_in_deadline",)},
    assignable=frozenset({"consent", "urgent_cp", "urgent", "referrals", "visits"}),
)


def _check(text, **options):
    return check_expression(text, AT, SCOPE, **options)


def _problems(text, **options):
    with pytest.raises(ExpressionInvalid) as caught:
        _check(text, **options)
    return caught.value.diagnostics


def _assignment_problems(target, value):
    with pytest.raises(ExpressionInvalid) as caught:
        check_assignment(target, value, AT, SCOPE)
    return caught.value.diagnostics


def test_bare_name_next_to_enum_variable_is_a_value_of_that_enum():
    """In `tier == cp`, `cp` resolves to the tier value, typed with the tier enum."""
    expr = _check("tier == cp")

    assert expr == Compare(
        op=CompareOperator.EQ,
        left=Var(name="tier", type=TIER, span=AT),
        right=EnumLit(value="cp", type=TIER, span=AT),
        span=AT,
    )


def test_enum_value_may_come_before_the_variable():
    """`cp == status` resolves `cp` against the enum of the other side."""
    expr = _check("cp == status")

    assert isinstance(expr, Compare)
    assert expr.left == EnumLit(value="cp", type=STATUS, span=AT)


def test_set_members_take_the_enum_of_the_operand():
    """Every bare member of `status in {cp, cin}` is a status value."""
    expr = _check("status in {cp, cin}")

    assert isinstance(expr, Member)
    assert expr.values == (
        EnumLit(value="cp", type=STATUS, span=AT),
        EnumLit(value="cin", type=STATUS, span=AT),
    )


def test_expected_enum_type_lets_a_value_stand_alone():
    """An effect value such as `front_door` is an owner value when an owner is expected."""
    expr = _check("front_door", expected=OWNER)

    assert expr == EnumLit(value="front_door", type=OWNER, span=AT)


def test_predicate_application_resolves_to_call():
    """`held(three_way)` is a bool call of a known predicate on an id it accepts."""
    expr = _check("held(three_way)")

    assert expr == Call(predicate="held", argument="three_way", span=AT)


def test_names_and_predicates_used_list_what_an_expression_reads():
    """The queries report variables read and predicate applications, not enum values."""
    expr = _check("status in {cp, cin} and held(three_way) or overdue(step_in_deadline)")

    assert names(expr) == {"status"}
    assert predicates_used(expr) == {("held", "three_way"), ("overdue", "step_in_deadline")}


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("3", IntType(lo=3, hi=3)),
        ("-3", IntType(lo=-3, hi=-3)),
        ("referrals", REFERRALS),
        ("referrals + visits", IntType(lo=-2, hi=5)),
        ("referrals - visits", IntType(lo=-2, hi=5)),
        ("visits - referrals", IntType(lo=-5, hi=2)),
        ("-referrals", IntType(lo=-3, hi=0)),
        ("referrals + 1", IntType(lo=1, hi=4)),
        ("-(referrals - 10)", IntType(lo=7, hi=10)),
    ],
)
def test_integer_expressions_carry_interval_types(text, interval):
    """Sums, differences and negations are typed by interval arithmetic on their operands."""
    expr = _check(text, expected=None)

    assert expr.type == interval


def test_negated_literal_folds_into_a_negative_literal():
    """`-3` becomes `IntLit(-3)`, while `-visits` stays a `Neg`."""
    literal, negation = _check("-3", expected=None), _check("-visits", expected=None)

    assert literal == IntLit(value=-3, span=AT)
    assert negation == Neg(operand=Var(name="visits", type=VISITS, span=AT), span=AT)


def test_comparison_across_integer_ranges_is_allowed():
    """Integers compare whatever their declared ranges."""
    expr = _check("referrals < visits + 7")

    assert isinstance(expr, Compare)
    assert expr.right == Arith(
        op=ArithOperator.ADD,
        left=Var(name="visits", type=VISITS, span=AT),
        right=IntLit(value=7, span=AT),
        span=AT,
    )


def test_unknown_name_is_spec120_with_a_suggestion():
    """A misspelt variable is located at its column and the closest name is suggested."""
    (problem,) = _problems("urgent and consnet")

    assert problem.code == "SPEC120"
    assert problem.message == "unknown name 'consnet' in expression"
    assert problem.span.column == AT.column + 11
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean 'consent'?")


def test_bare_enum_value_without_context_says_how_to_compare_it():
    """A value alone in a guard is unknown, and the hint shows a comparison to write."""
    (problem,) = _problems("front_door")

    assert problem.code == "SPEC120"
    assert problem.hint == (
        "'front_door' is an owner value; compare it with a variable, e.g. 'co_owner == front_door'"
    )


def test_every_problem_in_an_expression_is_reported():
    """Two misspellings and a type error are all reported, sorted by column."""
    problems = _problems("consnet and urgnet or referrals")

    assert [(p.code, p.span.column) for p in problems] == [
        ("SPEC120", AT.column),
        ("SPEC120", AT.column + 12),
        ("SPEC121", AT.column + 22),
    ]


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("referrals and consent", 0, "'and' needs bool operands, got int"),
        ("consent or tier", 11, "'or' needs bool operands, got tier"),
        ("not referrals", 4, "'not' needs a bool operand, got int"),
        ("consent + 1 > 0", 0, "'+' needs int operands, got bool"),
        ("-consent == 0", 1, "'-' needs an int operand, got bool"),
        ("tier < cp", 0, "'<' needs int operands, got tier"),
        ("consent <= urgent", 0, "'<=' needs int operands, got bool"),
        ("tier == status", 0, "'==' needs operands of one type, got tier and status"),
        ("owner != 1", 0, "'!=' needs operands of one type, got owner and int"),
        ("tier in {cp, 2}", 13, "'in' needs values of type tier, got int"),
        ("referrals", 0, "expression must be bool, got int"),
    ],
)
def test_type_mismatch_is_spec121_at_the_offending_operand(text, offset, message):
    """Operands of the wrong type are reported where they are written."""
    problem = _problems(text)[0]

    assert (problem.code, problem.message) == ("SPEC121", message)
    assert problem.span.column == AT.column + offset


def test_variable_shadowing_an_enum_value_is_explained():
    """When a variable's name is also an enum value, the mismatch hint says which one was read."""
    scope = Scope(variables={"tier": TIER, "cin": BOOL}, predicates={}, assignable=frozenset())

    with pytest.raises(ExpressionInvalid) as caught:
        check_expression("tier == cin", AT, scope)

    assert caught.value.diagnostics[0].hint == "'cin' names a variable here, not the tier value"


def test_unknown_predicate_is_spec122():
    """A misspelt predicate is reported with the known predicates."""
    (problem,) = _problems("helt(tam)")

    assert (problem.code, problem.message) == ("SPEC122", "unknown predicate 'helt'")
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean 'held'?")


def test_predicate_applied_to_an_id_it_does_not_accept_is_spec122_at_the_argument():
    """`held(tma)` is located at `tma` and suggests the ids `held` accepts."""
    (problem,) = _problems("consent and held(tma)")

    assert problem.code == "SPEC122"
    assert problem.message == "predicate 'held' cannot be applied to 'tma'"
    assert problem.span.column == AT.column + 17
    assert problem.hint == "did you mean 'tam'? known ids for 'held': tam, three_way"


def test_enum_value_not_in_the_enum_is_spec124():
    """`tier == cpp` names the enum and suggests the closest value."""
    (problem,) = _problems("tier == cpp")

    assert (problem.code, problem.message) == ("SPEC124", "'cpp' is not a tier")
    assert problem.span.column == AT.column + 8
    assert problem.hint == "did you mean 'cp'? known tier values: cin, cp, early_help"


def test_expression_invalid_is_a_value_error():
    """Callers may catch `ValueError` for any invalid expression."""
    with pytest.raises(ValueError, match="unknown name 'nope'"):
        _check("nope")


@pytest.mark.parametrize(
    ("target", "value", "expected"),
    [
        ("referrals", "referrals + 1", "referrals + 1"),
        ("referrals", 2, "2"),
        ("visits", -2, "-2"),
        ("visits", "-2", "-2"),
        ("consent", False, "false"),
        ("consent", "false", "false"),
        ("urgent", "urgent_cp or tier == cp", "urgent_cp or tier == cp"),
    ],
)
def test_assignment_accepts_yaml_scalars_and_expressions(target, value, expected):
    """An effect value may be a YAML bool or int, or an expression string."""
    assignment = check_assignment(target, value, AT, SCOPE)

    assert assignment.target == target
    assert assignment.target_type == SCOPE.variables[target]
    assert check_expression(expected, AT, SCOPE, expected=None) == assignment.value


def test_assignment_of_yaml_bool_is_a_bool_literal():
    """`consent: true` in YAML assigns the literal `true`."""
    assignment = check_assignment("consent", True, AT, SCOPE)

    assert assignment.value == BoolLit(value=True, span=AT)


def test_assignment_to_a_builtin_is_spec123():
    """Built-ins such as `status` cannot be assigned by an effect."""
    (problem,) = _assignment_problems("status", "cp")

    assert (problem.code, problem.message) == (
        "SPEC123",
        "'status' cannot be assigned in an effect",
    )


def test_assignment_of_an_out_of_range_literal_is_spec123():
    """A literal outside the variable's declared range is rejected with the range."""
    (problem,) = _assignment_problems("referrals", 7)

    assert problem.code == "SPEC123"
    assert problem.message == "value 7 for 'referrals' is outside its range 0..3"


def test_assignment_to_an_unknown_variable_is_spec120():
    """An effect on an undeclared name suggests the assignable variables."""
    (problem,) = _assignment_problems("referals", 1)

    assert (problem.code, problem.message) == ("SPEC120", "unknown variable 'referals' in effect")
    assert (problem.hint or "").startswith("did you mean 'referrals'?")


def test_unknown_target_reports_no_cascade_from_its_value():
    """With an unknown target, the value is only checked for syntax, not for names."""
    quiet, noisy = _assignment_problems("routed", "front_door"), _assignment_problems("routed", "(")

    assert [p.code for p in quiet] == ["SPEC120"]
    assert sorted(p.code for p in noisy) == ["SPEC020", "SPEC120"]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("((consent)) and (urgent or urgent_cp)", "consent and (urgent or urgent_cp)"),
        ("consent implies (urgent -> urgent_cp)", "consent -> urgent -> urgent_cp"),
        ("(consent -> urgent) -> urgent_cp", "(consent -> urgent) -> urgent_cp"),
        ("not (tier==cp)", "not tier == cp"),
        ("referrals-(visits-1) >= -(3)", "referrals - (visits - 1) >= -3"),
        ("(consent == urgent) in {true}", "(consent == urgent) in {true}"),
        ("tier not in {cp,cin}", "tier not in {cp, cin}"),
    ],
)
def test_to_text_prints_the_canonical_spelling(text, canonical):
    """Printing keeps only needed parentheses and spaces operators one way."""
    expr = _check(text)

    assert to_text(expr) == canonical


@pytest.mark.parametrize(
    ("target", "value", "message"),
    [
        ("referrals", True, "value for 'referrals' must be int, got bool"),
        ("consent", "referrals", "value for 'consent' must be bool, got int"),
        ("consent", 1.5, "value for 'consent' must be true, false, a whole number or an "
         "expression, got the decimal 1.5"),
        ("consent", None, "value for 'consent' must be true, false, a whole number or an "
         "expression, got nothing (null)"),
    ],
)  # fmt: skip
def test_assignment_of_the_wrong_type_is_spec121(target, value, message):
    """The value of an effect must have its target's type."""
    (problem,) = _assignment_problems(target, value)

    assert (problem.code, problem.message) == ("SPEC121", message)


def test_assignment_collects_target_and_value_problems():
    """A bad target and a bad value in one effect are both reported."""
    problems = _assignment_problems("status", "cpp")

    assert sorted(p.code for p in problems) == ["SPEC123", "SPEC124"]


def test_assignment_value_syntax_error_is_spec020():
    """A syntax error in an effect's expression is reported like one in a guard."""
    (problem,) = _assignment_problems("referrals", "referrals +")

    assert problem.code == "SPEC020"


def test_doctests_in_types_and_typecheck_pass():
    """The examples in the docstrings of `types` and `typecheck` hold."""
    results = [doctest.testmod(module) for module in (types_module, typecheck_module)]

    assert all(result.failed == 0 for result in results)
