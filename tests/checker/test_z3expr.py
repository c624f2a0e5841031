"""The Z3 back-end of the expression language agrees with the Python evaluator."""

import doctest

import z3
from hypothesis import given
from strategies.expressions import CALLS, VARIABLES, any_exprs, facts, states

from stepcheck.checker import z3expr
from stepcheck.checker.z3expr import enum_index, to_z3
from stepcheck.spec.expr import BoolType, EnumType, IntType, Valuation, evaluate


class _Concrete:
    """Symbols bound to one concrete state: every term simplifies to a literal."""

    def __init__(self, state, facts):
        self.state, self.facts = state, facts

    def var(self, name):
        return _literal(VARIABLES[name], self.state[name])

    def predicate(self, name, argument):
        return z3.BoolVal((name, argument) in self.facts)


class _Symbolic:
    """Symbols as free Z3 constants named `<thing>@0`, as the checker names them."""

    def var(self, name):
        kind = VARIABLES[name]
        return z3.Bool(f"{name}@0") if isinstance(kind, BoolType) else z3.Int(f"{name}@0")

    def predicate(self, name, argument):
        return z3.Bool(f"{name}({argument})@0")


def _literal(kind, value):
    match kind:
        case BoolType():
            return z3.BoolVal(value)
        case IntType():
            return z3.IntVal(value)
        case EnumType():
            return z3.IntVal(enum_index(kind, value))


def _python(term, reference):
    if z3.is_true(term) or z3.is_false(term):
        return z3.is_true(term)
    number = term.as_long()
    return reference if isinstance(reference, str) else number


@given(expr=any_exprs, state=states, facts=facts)
def test_translation_simplifies_to_the_evaluated_value(expr, state, facts):
    """Under a concrete state the Z3 term simplifies to the value `evaluate` computes."""
    expected = evaluate(expr, Valuation(values=state, facts=facts))

    term = z3.simplify(to_z3(expr, _Concrete(state, facts)))

    assert _python(term, expected) == expected


@given(expr=any_exprs, state=states, facts=facts)
def test_solver_model_of_symbolic_translation_matches_evaluation(expr, state, facts):
    """With symbols pinned to a state, the only model gives the term the evaluated value."""
    symbols = _Symbolic()
    solver = z3.Solver()
    for name, kind in VARIABLES.items():
        solver.add(symbols.var(name) == _literal(kind, state[name]))
    for predicate, argument in ((call.predicate, call.argument) for call in CALLS):
        solver.add(symbols.predicate(predicate, argument) == ((predicate, argument) in facts))
    expected = evaluate(expr, Valuation(values=state, facts=facts))
    term = to_z3(expr, symbols)
    wanted = _literal_for(expected, expr)

    assert solver.check(term != wanted) == z3.unsat


def _literal_for(value, expr):
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, str):
        return z3.IntVal(enum_index(expr.type, value))
    return z3.IntVal(value)


def test_doctests_pass():
    """The module's doctests hold."""
    assert doctest.testmod(z3expr).failed == 0
