"""Conditional and superseded documents: a spec under assumptions about which are present.

    assume(spec, {"annexes": False})   # the spec without the rules only the annexes give
    document_words("annexes", False)   # "'annexes' is absent"

A document may apply only in some cases (`applies: conditional`, "applies only if the
annexes are input") or be replaced by another (`superseded_by:`). The rules citing it
then exist only where it is present, so a spec is checked as a transformation: given
which documents are present, drop what only absent documents say, and every engine, the
executor and the diagrams read the result as an ordinary spec. `spec/readings.py` makes
one reading per choice of each conditional document still undecided (beside the open
tiers), so `verify` decides every verdict both ways; a superseded document is absent
unless assumed present.

What "exists only when its document is present" means (SEMANTICS.md, "Documents that
apply conditionally"):

- an element is dropped when it cites at least one document and every document it
  cites is absent; one cited by any present document is kept (the newer text restating
  a rule keeps it), and one citing nothing is kept;
- rules are dropped, names are not: events (and undefined routes), their guards one by
  one, deadlines, escalation ladders, re-referral windows, precedence rules and
  properties. Statuses, owners, teams, roles, variables, meetings, externals and terms
  stay, since a rule of a present document may name them; a status only an absent
  document led to becomes unreachable, which the structural findings report;
- nothing is left dangling: a dropped event leaves every list that names it (a deadline's
  anchor or obligation, a ladder's trigger or resolution, a precedence's route or over,
  a property's `except`), and an element whose list is left empty, or a re-referral
  window whose event is dropped, goes too, as does a derived question about a dropped
  deadline; a deadline whose consequence is dropped has
  an unspecified consequence; `overdue`, `escalating` and `in_window` of a dropped
  deadline, ladder or window are false (a rule that does not exist never runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from attrs import evolve

from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.expr.ast import (
    Arith,
    Assignment,
    BoolLit,
    BoolOp,
    Call,
    Compare,
    Expr,
    Member,
    Neg,
    Not,
)
from stepcheck.spec.model import (
    UNSPECIFIED,
    Document,
    Event,
    Property,
    ProtocolSpec,
    Source,
)

__all__ = [
    "AssumptionInvalid",
    "absent_documents",
    "assume",
    "assume_all",
    "cited_rules",
    "document_words",
    "dropped_by",
    "parse_assumptions",
    "undecided",
]


class _Cited(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def sources(self) -> tuple[Source, ...]: ...


_T = TypeVar("_T", bound=_Cited)


def document_words(doc_id: str, present: bool) -> str:
    """ "'annexes' is present"."""
    return f"'{doc_id}' is {'present' if present else 'absent'}"


def undecided(spec: ProtocolSpec) -> tuple[Document, ...]:
    """The conditional documents no assumption has decided, in spec order: each gives
    two readings."""
    return tuple(d for d in spec.documents if d.conditional and d.assumed is None)


def absent_documents(spec: ProtocolSpec) -> frozenset[str]:
    """The documents assumed absent (superseded ones are, unless assumed present)."""
    return frozenset(d.id for d in spec.documents if d.assumed is False)


def assume(spec: ProtocolSpec, present: Mapping[str, bool]) -> ProtocolSpec:
    """`spec` with each document of `present` decided (True present, False absent), each
    superseded document not decided taken as absent, and every rule that only absent
    documents give dropped. Ids in `present` must name documents of the spec (the CLI
    checks them first)."""
    documents = tuple(_decided(document, present) for document in spec.documents)
    decided = evolve(spec, documents=documents)
    absent = absent_documents(decided)
    if not absent:
        return decided
    return _without(decided, absent)


class AssumptionInvalid(StepcheckError):
    """An `--assume` the specs cannot follow (exit 2)."""


_VALUES = {"present": True, "absent": False}


def parse_assumptions(texts: Sequence[str], specs: Sequence[ProtocolSpec]) -> dict[str, bool]:
    """`DOC=present|absent` each, checked against the documents of `specs`.

    Raises:
        AssumptionInvalid: not `DOC=VALUE`, a value other than present or absent, a
            document no spec has, or one document assumed both ways.
    """
    known = {document.id: document for spec in specs for document in spec.documents}
    optional = sorted(doc_id for doc_id, document in known.items() if document.optional)
    chosen: dict[str, bool] = {}
    for text in texts:
        doc_id, equals, value = (part.strip() for part in text.partition("="))
        if not equals or value not in _VALUES:
            raise AssumptionInvalid(
                f"--assume {text}: write DOC=present or DOC=absent (e.g. --assume "
                f"{(optional or sorted(known) or ['annexes'])[0]}=absent)"
            )
        if doc_id not in known:
            listed = ", ".join(optional) if optional else "none"
            raise AssumptionInvalid(
                f"--assume {text}: no spec has a document '{doc_id}'; the conditional or "
                f"superseded documents are: {listed} (any document of `documents:` may be "
                "assumed absent)"
            )
        if chosen.get(doc_id, _VALUES[value]) is not _VALUES[value]:
            raise AssumptionInvalid(f"--assume: '{doc_id}' is assumed both present and absent")
        chosen[doc_id] = _VALUES[value]
    return chosen


def assume_all(specs: Sequence[ProtocolSpec], chosen: Mapping[str, bool]) -> list[ProtocolSpec]:
    """Each spec with the assumptions about its own documents recorded (`--assume`).
    The rules stay: they are dropped in each reading (`spec.readings.tier_readings`),
    so the findings can still say which rules an assumption left out."""
    if not chosen:
        return list(specs)
    out = []
    for spec in specs:
        mine = {doc.id: chosen[doc.id] for doc in spec.documents if doc.id in chosen}
        documents = tuple(
            evolve(doc, assumed=mine[doc.id]) if doc.id in mine else doc for doc in spec.documents
        )
        out.append(evolve(spec, documents=documents))
    return out


def dropped_by(spec: ProtocolSpec, doc_id: str) -> tuple[str, ...]:
    """The ids of the rules that leaving `doc_id` out drops, in spec order."""
    kept = _without(spec, frozenset({doc_id}))
    before = _rule_ids(spec)
    after = set(_rule_ids(kept))
    return tuple(rule_id for rule_id in before if rule_id not in after)


def cited_rules(spec: ProtocolSpec) -> list[_Cited]:
    """Every rule of `spec` a document's presence decides, in spec order by kind: events,
    undefined routes, deadlines, ladders, re-referral rules, precedence, properties."""
    groups: tuple[Iterable[_Cited], ...] = (
        spec.events,
        spec.undefined_routes,
        spec.deadlines,
        spec.escalations,
        spec.rereferrals,
        spec.precedence,
        spec.properties,
    )
    return [item for group in groups for item in group]


def _rule_ids(spec: ProtocolSpec) -> list[str]:
    return [str(item.id) for item in cited_rules(spec)]


def _decided(document: Document, present: Mapping[str, bool]) -> Document:
    if document.id in present:
        return evolve(document, assumed=present[document.id])
    if document.superseded_by is not None and document.assumed is None:
        return evolve(document, assumed=False)
    return document


def _without(spec: ProtocolSpec, absent: frozenset[str]) -> ProtocolSpec:
    def gone(sources: tuple[Source, ...]) -> bool:
        return bool(sources) and all(source.doc in absent for source in sources)

    events = _kept(spec.events, gone)
    routes = _kept(spec.undefined_routes, gone)
    lost = {e.id for e in (*spec.events, *spec.undefined_routes)} - {
        e.id for e in (*events, *routes)
    }
    precedence = tuple(
        evolve(rule, route=_less(rule.route, lost), over=_less(rule.over, lost))
        for rule in _kept(spec.precedence, gone)
    )
    precedence = tuple(rule for rule in precedence if rule.route and rule.over)
    escalations = tuple(
        evolve(
            ladder, trigger=_less(ladder.trigger, lost), resolution=_less(ladder.resolution, lost)
        )
        for ladder in _kept(spec.escalations, gone)
    )
    escalations = tuple(ladder for ladder in escalations if ladder.trigger)
    ladders = {ladder.id for ladder in escalations}
    deadlines = tuple(
        evolve(
            deadline,
            anchor=_less(deadline.anchor, lost),
            obligation=_less(deadline.obligation, lost),
            consequence=deadline.consequence
            if deadline.consequence is UNSPECIFIED
            or deadline.consequence not in lost | _ids(spec.escalations) - ladders
            else UNSPECIFIED,
        )
        for deadline in _kept(spec.deadlines, gone)
    )
    deadlines = tuple(d for d in deadlines if d.anchor and d.obligation)
    rereferrals = tuple(
        evolve(window, anchor=_less(window.anchor, lost))
        for window in _kept(spec.rereferrals, gone)
        if window.event not in lost
    )
    rereferrals = tuple(window for window in rereferrals if window.anchor)
    properties = tuple(
        evolve(
            prop,
            exempt=_less(prop.exempt, lost),
            escalations=tuple(ladder for ladder in prop.escalations if ladder in ladders),
        )
        for prop in _kept(spec.properties, gone)
        if (not prop.escalations or set(prop.escalations) & ladders)
        and (prop.deadline is None or prop.deadline in _ids(deadlines))
    )
    false = {
        "overdue": _ids(spec.deadlines) - _ids(deadlines),
        "escalating": _ids(spec.escalations) - ladders,
        "in_window": _ids(spec.rereferrals) - _ids(rereferrals),
    }
    rewrite = _Rewrite(false)
    return evolve(
        spec,
        events=tuple(rewrite.event(event, gone) for event in events),
        undefined_routes=tuple(rewrite.event(event, gone) for event in routes),
        precedence=precedence,
        escalations=escalations,
        deadlines=tuple(
            evolve(d, condition=rewrite.expr(d.condition) if d.condition else None)
            for d in deadlines
        ),
        rereferrals=tuple(
            evolve(w, condition=rewrite.expr(w.condition) if w.condition else None)
            for w in rereferrals
        ),
        properties=tuple(rewrite.prop(prop) for prop in properties),
    )


def _kept(items: tuple[_T, ...], gone: Callable[[tuple[Source, ...]], bool]) -> tuple[_T, ...]:
    return tuple(item for item in items if not gone(item.sources))


def _less(ids: tuple[str, ...], lost: set[str]) -> tuple[str, ...]:
    return tuple(item for item in ids if item not in lost)


def _ids(items: Iterable[_Cited]) -> set[str]:
    return {str(item.id) for item in items}


class _Rewrite:
    """Predicates of dropped rules read false: a rule that does not exist never runs."""

    def __init__(self, false: dict[str, set[str]]) -> None:
        self.false = {name: ids for name, ids in false.items() if ids}

    def event(self, event: Event, gone: Callable[[tuple[Source, ...]], bool]) -> Event:
        guards = tuple(
            evolve(guard, condition=self.expr(guard.condition))
            for guard in event.guards
            if not gone(guard.sources)
        )
        effects = tuple(self.assignment(effect) for effect in event.effects)
        return evolve(event, guards=guards, effects=effects)

    def assignment(self, effect: Assignment) -> Assignment:
        return evolve(effect, value=self.expr(effect.value)) if self.false else effect

    def prop(self, prop: Property) -> Property:
        if not self.false:
            return prop
        return evolve(
            prop,
            holds=self.maybe(prop.holds),
            trigger=self.maybe(prop.trigger),
            goal=self.maybe(prop.goal),
        )

    def maybe(self, expr: Expr | None) -> Expr | None:
        return None if expr is None else self.expr(expr)

    def expr(self, expr: Expr) -> Expr:
        if not self.false:
            return expr
        match expr:
            case Call(predicate=predicate, argument=argument) if argument in self.false.get(
                predicate, ()
            ):
                return BoolLit(value=False, span=expr.span)
            case Not():
                return evolve(expr, operand=self.expr(expr.operand))
            case Neg():
                return evolve(expr, operand=self.expr(expr.operand))
            case BoolOp() | Compare() | Arith():
                return evolve(expr, left=self.expr(expr.left), right=self.expr(expr.right))
            case Member():
                return evolve(
                    expr,
                    operand=self.expr(expr.operand),
                    values=tuple(self.expr(value) for value in expr.values),
                )
            case _:
                return expr
