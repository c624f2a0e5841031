"""Hypothesis strategies for well-typed expression trees over a small fixed scope.

Shared by the tests of the two expression back-ends (the Python evaluator and the Z3
translation), which must agree on every tree drawn here.
"""

from hypothesis import strategies as st

from stepcheck.spec.diagnostics import SourceSpan
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
    Var,
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
