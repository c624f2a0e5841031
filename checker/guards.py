"""Guards no case can ever meet: the fact a step needs is set only after it, or never.

"The transfer is confirmed once the receiving team has accepted" is circular when the
only step that records the acceptance can happen only after the transfer is confirmed.
For each guarded event E this asks, without a solver's model of time: could the facts
its guard reads ever hold together before E first happens? Every variable is given
every value it can take before E: its initial value, and the value each other event
that can happen before E assigns (any value, for an assignment that computes one).
"Can happen before E" is the status graph without E's own edges, every other guard
ignored, so it over-approximates every reading: when even that cannot meet the guard,
no run meets it, and E never happens (a sound finding; one that could happen is never
called circular). Z3 decides whether the guard can hold over those values.

A guard met only because E itself, or a step after it, sets the fact is circular; one
that nothing sets at all is simply never met. Both are reported (SPEC220), with the
guard and, for the circular one, the step that sets the fact too late, both quoted.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import z3

from stepcheck.checker.structure_common import finding
from stepcheck.checker.z3expr import enum_index, to_z3
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.expr import BoolLit, EnumLit, EnumType, Expr, IntLit, Var
from stepcheck.spec.expr.ast import names, subexpressions
from stepcheck.spec.expr.types import BoolType
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import Event, Guard, Modality, ProtocolSpec

__all__ = ["check_guards"]

_ANY = None
"""A variable that can hold any value of its type before the event."""

_Values = Mapping[str, frozenset[object] | None]


def check_guards(spec: ProtocolSpec, graph: nx.MultiDiGraph) -> list[Diagnostic]:
    """SPEC220 for each guard of a reachable event that no case can meet before it."""
    found = []
    initial = {status.id for status in spec.initial_statuses}
    every = _values(spec, _reachable_without(graph, initial, ""), without="")
    for event in spec.events:
        if not event.guards:
            continue
        before = _reachable_without(graph, initial, event.id)
        if not set(event_sources(spec, event)) & before:
            continue  # the status graph alone keeps it from happening (SPEC204)
        values = _values(spec, before, without=event.id)
        for guard in event.guards:
            if guard.modality is Modality.MAY or _can_hold(guard.condition, values):
                continue
            later = _setters(spec, guard, values) if _can_hold(guard.condition, every) else []
            found.append(_finding(event, guard, later))
    return found


def _reachable_without(graph: nx.MultiDiGraph, initial: set[str], event_id: str) -> set[str]:
    """The statuses a case can reach from an initial one without taking `event_id`."""
    kept = nx.MultiDiGraph()
    kept.add_nodes_from(graph.nodes)
    kept.add_edges_from((u, v) for u, v, key in graph.edges(keys=True) if key != event_id)
    found = set(initial)
    for status in initial:
        found |= nx.descendants(kept, status)
    return found


def _values(
    spec: ProtocolSpec, before: set[str], *, without: str
) -> dict[str, frozenset[object] | None]:
    """Each variable's possible values before `without` first happens."""
    values: dict[str, set[object] | None] = {v.id: {v.initial} for v in spec.variables}
    for event in spec.events:
        if event.id == without or not set(event_sources(spec, event)) & before:
            continue
        for effect in event.effects:
            known = values.get(effect.target)
            if known is None:
                continue
            literal = _literal(effect.value)
            if literal is _ANY:
                values[effect.target] = _ANY
            else:
                known.add(literal)
    return {name: None if found is None else frozenset(found) for name, found in values.items()}


def _literal(expr: Expr) -> object:
    match expr:
        case BoolLit() | IntLit() | EnumLit():
            return expr.value
    return _ANY


class _Symbols:
    """Each variable a fresh Z3 constant held to its possible values; anything else
    (status, tier, predicates) free, so only the variables can make the guard fail."""

    def __init__(self, expr: Expr, values: _Values, solver: z3.Solver) -> None:
        self.types = {
            node.name: node.type for node in subexpressions(expr) if isinstance(node, Var)
        }
        self.values = values
        self.solver = solver
        self.made: dict[str, z3.ExprRef] = {}

    def var(self, name: str) -> z3.ExprRef:
        if name not in self.made:
            kind = self.types[name]
            term: z3.ExprRef = z3.Bool(name) if isinstance(kind, BoolType) else z3.Int(name)
            allowed = self.values.get(name, _ANY)
            if allowed is not _ANY:
                self.solver.add(z3.Or([term == _z3_value(kind, value) for value in allowed]))
            self.made[name] = term
        return self.made[name]

    def predicate(self, name: str, argument: str) -> z3.BoolRef:
        return z3.Bool(f"{name}({argument})")


def _z3_value(kind: object, value: object) -> z3.ExprRef:
    if isinstance(kind, EnumType):
        return z3.IntVal(enum_index(kind, str(value)))
    if isinstance(value, bool):
        return z3.BoolVal(value)
    assert isinstance(value, int), "variables hold bools, ints or enum values"
    return z3.IntVal(value)


def _can_hold(condition: Expr, values: _Values) -> bool:
    """Whether some combination of the possible values meets `condition`."""
    if not names(condition) & {name for name, found in values.items() if found is not _ANY}:
        return True
    solver = z3.Solver()
    solver.set("rlimit", 2_000_000)
    solver.add(to_z3(condition, _Symbols(condition, values, solver)))
    held: bool = solver.check() != z3.unsat  # unknown counts as "can": never a false finding
    return held


def _setters(spec: ProtocolSpec, guard: Guard, before: _Values) -> list[Event]:
    """The events that give a variable the guard reads a value it cannot have before
    the guarded step: they come too late."""
    read = names(guard.condition)

    def new(target: str, value: Expr) -> bool:
        known = before.get(target, _ANY)
        literal = _literal(value)
        return known is not _ANY and (literal is _ANY or literal not in known)

    return [
        e
        for e in spec.events
        if any(a.target in read and new(a.target, a.value) for a in e.effects)
    ]


def _finding(event: Event, guard: Guard, later: list[Event]) -> Diagnostic:
    facts = ", ".join(sorted(names(guard.condition)))
    never = (
        "no case can ever take this step"
        if guard.modality is Modality.MUST
        else "where the should-rules are followed, no case can ever take this step"
    )
    if later:
        steps = ", ".join(f"'{e.id}'" for e in later)
        message = (
            f"event '{event.id}' needs '{guard.text}', but only {steps} can make it true, "
            f"and {'it comes' if len(later) == 1 else 'they come'} after '{event.id}' or not "
            f"at all: {never}"
        )
        hint = (
            f"the document should say how {facts} can be settled before '{event.id}', or "
            "what happens instead: as written, the step waits for something only it (or a "
            "later step) can bring about"
        )
    else:
        message = (
            f"event '{event.id}' needs '{guard.text}', but no step ever sets {facts} so: {never}"
        )
        hint = f"the document should say which step records {facts}, or drop the condition"
    against = tuple(source for e in later for source in e.sources)[:1]
    return finding(
        "SPEC220",
        message,
        guard.span,
        guard.sources or event.sources,
        hint,
        subject=f"event:{event.id}",
        against=against,
    )
