"""Schema-valid plain data -> `ProtocolSpec`: the loader's third stage.

It trusts the shapes the schema guaranteed and checks what a schema cannot: unique
ids, references between sections, expressions and initial values. Teams, owners,
statuses, variables, meetings and events are built here; deadlines, escalations,
re-referrals and properties in `build_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from math import prod
from typing import Any, Final, TypeVar

from attrs import evolve

from stepcheck.spec.build_documents import (
    check_document_readings,
    check_documents,
    document_condition,
)
from stepcheck.spec.build_precedence import build_precedence, check_precedence
from stepcheck.spec.build_rules import (
    build_deadline,
    build_escalation,
    build_out_of_scope,
    build_property,
    build_rereferral,
    check_citations,
)
from stepcheck.spec.build_tiers import check_readings, open_tiers
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan, did_you_mean
from stepcheck.spec.expr import (
    BOOL,
    Assignment,
    EnumType,
    ExpressionInvalid,
    IntType,
    Scope,
    Type,
    check_assignment,
)
from stepcheck.spec.model import (
    ANY_STATUS,
    BUILTIN_OWNERS,
    NO_OWNER,
    PREVIOUS_OWNER,
    UNSPECIFIED,
    Authority,
    Cadence,
    CadenceKind,
    DecisionRule,
    Document,
    Event,
    EventKind,
    External,
    Guard,
    Meeting,
    Owner,
    OwnerKind,
    ProtocolSpec,
    Role,
    Status,
    Team,
    Term,
    Tier,
    Unspecified,
    Variable,
)
from stepcheck.spec.reader import SpecReader
from stepcheck.spec.readings import MAX_READINGS
from stepcheck.spec.yamlread import Document as YamlDocument
from stepcheck.spec.yamlread import Path

__all__ = ["build_spec"]

_T = TypeVar("_T")

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday")
_CADENCE_EVERY: Final = {
    "week": CadenceKind.WEEKLY,
    "fortnight": CadenceKind.FORTNIGHTLY,
    "month": CadenceKind.MONTHLY,
}


def build_spec(document: YamlDocument) -> tuple[ProtocolSpec | None, list[Diagnostic]]:
    """Build the model from a schema-valid document, or report every problem found."""
    reader = SpecReader(document)
    spec = _build(reader)
    if reader.problems:
        return None, reader.problems
    return spec, []


def _build(r: SpecReader) -> ProtocolSpec | None:
    r.get((), "stepcheck")
    r.register_ids()
    documents = _many(r, "documents", partial(_document, r))
    teams = _many(r, "teams", partial(_team, r))
    roles = _many(r, "roles", partial(_role, r))
    owners = BUILTIN_OWNERS + _many(r, "owners", partial(_owner, r))
    meetings = _many(r, "meetings", partial(_meeting, r))
    externals = _many(r, "externals", partial(_external, r))
    glossary = _many(r, "glossary", partial(_term, r))
    statuses = _many(r, "statuses", partial(_status, r))
    variables = _many(r, "variables", partial(_variable, r))
    scope = _scope(r, statuses, owners, variables, meetings)
    every_event = _many(r, "events", lambda i, p: _event(r, i, p, scope))
    events = tuple(event for event in every_event if not event.undefined)
    undefined_routes = tuple(event for event in every_event if event.undefined)
    precedence = _many(r, "precedence", partial(build_precedence, r))
    check_precedence(r, precedence, frozenset(event.id for event in undefined_routes))
    deadlines = _many(r, "deadlines", lambda i, p: build_deadline(r, i, p, scope))
    escalations = _many(r, "escalations", partial(build_escalation, r))
    rereferrals = _many(r, "rereferrals", lambda i, p: build_rereferral(r, i, p, scope))
    properties = _many(r, "properties", lambda i, p: build_property(r, i, p, scope))
    out_of_scope = build_out_of_scope(r, documents)
    _check_initial(r, statuses)
    check_readings(r, statuses)
    check_citations(r, documents)
    check_documents(r, documents)
    tiers = prod(len(status.tier_open) for status in statuses if status.tier_open)
    if tiers <= MAX_READINGS:
        check_document_readings(r, documents, tiers)
    spec = ProtocolSpec(
        authority=_authority(r),
        documents=documents,
        teams=teams,
        roles=roles,
        owners=owners,
        statuses=statuses,
        variables=variables,
        meetings=meetings,
        externals=externals,
        events=events,
        deadlines=deadlines,
        escalations=escalations,
        rereferrals=rereferrals,
        properties=properties,
        out_of_scope=out_of_scope,
        path=r.doc.locations.file,
        glossary=glossary,
        undefined_routes=undefined_routes,
        precedence=precedence,
    )
    _check_undefined_routes_unused(r, spec)
    r.check_everything_read(r.data, ())
    return spec


def _check_undefined_routes_unused(r: SpecReader, spec: ProtocolSpec) -> None:
    """An undefined route is taken by no engine, so nothing may start, meet or answer a
    deadline or a ladder with it."""
    routes = {route.id for route in spec.undefined_routes}
    if not routes:
        return
    uses = [
        (route, ("deadlines", deadline.id, key))
        for deadline in spec.deadlines
        for key, named in (
            ("anchor", deadline.anchor),
            ("obligation", deadline.obligation),
            ("consequence", (deadline.consequence,)),
        )
        for route in named
        if route in routes
    ]
    uses += [
        (route, ("escalations", ladder.id, "trigger"))
        for ladder in spec.escalations
        for route in ladder.trigger
        if route in routes
    ]
    for route, place in uses:
        r.problem(
            "SPEC118",
            f"'{route}' is a route the document admits but does not define (its `to` or "
            "`guard` is unspecified), so it cannot start, meet or answer anything",
            place,
            "define the route, or leave it out of this deadline or ladder",
        )


def _many(r: SpecReader, section: str, make: Callable[[str, Path], _T]) -> tuple[_T, ...]:
    r.get((), section)
    if section not in r.data:
        return ()
    return tuple(make(item_id, path) for item_id, path in r.entries((section,)))


def _authority(r: SpecReader) -> Authority:
    path: Path = ("authority",)
    r.get((), "authority")
    return Authority(
        id=r.get(path, "id"),
        name=r.get(path, "name"),
        description=r.get(path, "description"),
    )


def _document(r: SpecReader, doc_id: str, path: Path) -> Document:
    return Document(
        id=doc_id,
        title=r.get(path, "title"),
        file=r.get(path, "file"),
        rule_prefix=r.get(path, "rule_prefix"),
        version=r.get(path, "version"),
        date=r.get(path, "date"),
        description=r.get(path, "description"),
        condition=document_condition(r, doc_id, path),
        superseded_by=r.get(path, "superseded_by"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _team(r: SpecReader, team_id: str, path: Path) -> Team:
    return Team(
        id=team_id,
        name=r.get(path, "name"),
        service=r.get(path, "service"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _role(r: SpecReader, role_id: str, path: Path) -> Role:
    return Role(
        id=role_id,
        name=r.get(path, "name"),
        team=r.ref(r.get(path, "team"), (*path, "team"), "teams"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _owner(r: SpecReader, owner_id: str, path: Path) -> Owner:
    kind = OwnerKind(r.get(path, "kind"))
    team = r.ref(r.get(path, "team"), (*path, "team"), "teams")
    meeting = r.ref(r.get(path, "meeting"), (*path, "meeting"), "meetings")
    if kind in (OwnerKind.ALLOCATED, OwnerKind.TEAM_TRAY, OwnerKind.WAITING_LIST) and not team:
        r.problem(
            "SPEC117",
            f"owner '{owner_id}' of kind '{kind.value}' names no team",
            path,
            "add 'team: <team id>'",
        )
    if kind is OwnerKind.MEETING_QUEUE and not meeting:
        r.problem(
            "SPEC117",
            f"owner '{owner_id}' of kind '{kind.value}' names no meeting",
            path,
            "add 'meeting: <meeting id>'",
        )
    responsible = r.get(path, "responsible")
    return Owner(
        id=owner_id,
        kind=kind,
        team=team,
        meeting=meeting,
        responsible=kind.responsible_by_default if responsible is None else responsible,
        name=r.get(path, "name"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _status(r: SpecReader, status_id: str, path: Path) -> Status:
    raw_tier = r.get(path, "tier")
    sources = r.sources(path)
    tier_open = open_tiers(r, status_id, path, raw_tier, sources)
    return Status(
        id=status_id,
        tier=tier_open[0] if tier_open else Tier(raw_tier),
        tier_open=tier_open,
        tier_unspecified=raw_tier == UNSPECIFIED.value,
        owner=r.ref(
            r.get(path, "owner"),
            (*path, "owner"),
            "owners",
            allow=(NO_OWNER, UNSPECIFIED.value),
        ),
        initial=bool(r.get(path, "initial", False)),
        final=bool(r.get(path, "final", False)),
        holding=bool(r.get(path, "holding", False)),
        external=r.ref(r.get(path, "external"), (*path, "external"), "externals"),
        description=r.get(path, "description"),
        sources=sources,
        span=r.span(path, key=True),
    )


def _variable(r: SpecReader, var_id: str, path: Path) -> Variable:
    kind = r.get(path, "type")
    initial = r.get(path, "initial")
    low, high, values = r.get(path, "min"), r.get(path, "max"), r.get(path, "values")
    var_type: Type = BOOL
    if kind == "int":
        var_type = _int_type(r, var_id, path, low, high)
    elif kind == "enum":
        if values is None:
            r.problem(
                "SPEC114",
                f"enum variable '{var_id}' has no 'values'",
                path,
                "list the values, e.g. 'values: [front_door, direct]'",
            )
            values = ["_"]
        var_type = EnumType(name=var_id, values=tuple(values))
    if kind != "int" and (low is not None or high is not None):
        r.problem("SPEC114", f"variable '{var_id}' has 'min'/'max' but is not an int", path)
    if kind != "enum" and values is not None:
        r.problem("SPEC114", f"variable '{var_id}' has 'values' but is not an enum", path)
    return Variable(
        id=var_id,
        type=var_type,
        initial=_initial(r, var_id, path, var_type, initial),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _int_type(r: SpecReader, var_id: str, path: Path, low: int | None, high: int | None) -> IntType:
    if low is None or high is None:
        r.problem(
            "SPEC114",
            f"int variable '{var_id}' needs both 'min' and 'max'",
            path,
            "counters are bounded so that the checker can explore them, e.g. 'min: 0, max: 3'",
        )
        return IntType(lo=0, hi=0)
    if low > high:
        r.problem("SPEC115", f"int variable '{var_id}' has min {low} above max {high}", path)
        return IntType(lo=high, hi=low)
    return IntType(lo=low, hi=high)


def _initial(
    r: SpecReader, var_id: str, path: Path, var_type: Type, initial: Any
) -> bool | int | str:
    where: Path = (*path, "initial")
    match var_type:
        case IntType(lo=lo, hi=hi):
            value = lo if initial is None else initial
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                r.problem(
                    "SPEC114",
                    f"initial value of '{var_id}' must be a whole number from {lo} to {hi}",
                    where,
                )
                return lo
            return value
        case EnumType(values=values):
            value = values[0] if initial is None else initial
            if value not in values:
                r.problem(
                    "SPEC114",
                    f"initial value {value!r} of '{var_id}' is not one of its values",
                    where,
                    did_you_mean(str(value), values, what="values"),
                )
                return values[0]
            return str(value)
        case _:
            value = False if initial is None else initial
            if not isinstance(value, bool):
                r.problem(
                    "SPEC114",
                    f"initial value of bool variable '{var_id}' must be true or false",
                    where,
                )
                return False
            return value


def _meeting(r: SpecReader, meeting_id: str, path: Path) -> Meeting:
    return Meeting(
        id=meeting_id,
        cadence=_cadence(r, path),
        name=r.get(path, "name"),
        chair=_chair(r, path),
        decision_rule=_decision_rule(r.get(path, "decision_rule")),
        quorum=_quorum(r.get(path, "quorum")),
        attendees=r.refs(r.get(path, "attendees"), (*path, "attendees"), "roles", "teams"),
        external=r.ref(r.get(path, "external"), (*path, "external"), "externals"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _chair(r: SpecReader, path: Path) -> str | Unspecified | None:
    chair = r.get(path, "chair")
    if chair == UNSPECIFIED.value:
        return UNSPECIFIED
    return r.ref(chair, (*path, "chair"), "roles")


def _decision_rule(raw: str | None) -> DecisionRule | None:
    return None if raw is None else DecisionRule(raw)


def _quorum(raw: int | str | None) -> int | Unspecified | None:
    return UNSPECIFIED if raw == UNSPECIFIED.value else raw if isinstance(raw, int) else None


def _cadence(r: SpecReader, path: Path) -> Cadence:
    raw = r.get(path, "cadence")
    if isinstance(raw, str):
        return Cadence(kind=CadenceKind(raw))
    cadence_path: Path = (*path, "cadence")
    day = r.get(cadence_path, "day")
    return Cadence(
        kind=_CADENCE_EVERY[r.get(cadence_path, "every")],
        weekday=None if day is None else _WEEKDAYS.index(day),
        time=r.get(cadence_path, "time"),
    )


_TERM_USERS: Final = (
    "events",
    "deadlines",
    "statuses",
    "variables",
    "meetings",
    "owners",
    "escalations",
    "roles",
    "teams",
)


def _term(r: SpecReader, term_id: str, path: Path) -> Term:
    definition = r.get(path, "definition")
    return Term(
        id=term_id,
        term=r.get(path, "term"),
        definition=UNSPECIFIED if definition == UNSPECIFIED.value else definition,
        aliases=tuple(r.get(path, "aliases") or ()),
        used_by=r.refs(r.get(path, "used_by"), (*path, "used_by"), *_TERM_USERS),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _external(r: SpecReader, external_id: str, path: Path) -> External:
    return External(
        id=external_id,
        title=r.get(path, "title"),
        kind=r.get(path, "kind"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _event(r: SpecReader, event_id: str, path: Path, scope: Scope) -> Event:
    raw_from = r.get(path, "from")
    sources_from = () if raw_from == ANY_STATUS else r.refs(raw_from, (*path, "from"), "statuses")
    raw_to, raw_guard = r.get(path, "to"), r.get(path, "guard")
    undefined = tuple(
        part for part, raw in (("to", raw_to), ("guard", raw_guard)) if raw == UNSPECIFIED.value
    )
    return Event(
        id=event_id,
        kind=EventKind(r.get(path, "kind")),
        sources_from=sources_from,
        target=None if "to" in undefined else r.ref(raw_to, (*path, "to"), "statuses"),
        at=r.ref(r.get(path, "at"), (*path, "at"), "meetings"),
        guards=() if "guard" in undefined else _guards(r, path, scope),
        undefined=undefined,
        effects=_effects(r, path, scope),
        owner=r.ref(
            r.get(path, "owner"),
            (*path, "owner"),
            "owners",
            allow=(NO_OWNER, UNSPECIFIED.value, PREVIOUS_OWNER),
        ),
        co_owner=r.ref(r.get(path, "co_owner"), (*path, "co_owner"), "owners", allow=(NO_OWNER,)),
        modality=r.modality(path),
        external=r.ref(r.get(path, "external"), (*path, "external"), "externals"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _guards(r: SpecReader, path: Path, scope: Scope) -> tuple[Guard, ...]:
    raw = r.get(path, "guard")
    if raw is None:
        return ()
    base: Path = (*path, "guard")
    items = (
        [(item, (*base, index)) for index, item in enumerate(raw)]
        if isinstance(raw, list)
        else [(raw, base)]
    )
    guards = []
    for item, item_path in items:
        if isinstance(item, str):
            expr = r.expression(item, item_path, scope)
            guards.append(Guard(condition=expr, text=item, span=r.span(item_path)))
            continue
        text = r.get(item_path, "condition")
        expr = r.expression(text, (*item_path, "condition"), scope)
        guards.append(
            Guard(
                condition=expr,
                text=text,
                modality=r.modality(item_path),
                description=r.get(item_path, "description"),
                sources=r.sources(item_path),
                span=r.span(item_path),
            )
        )
    return tuple(guards)


def _effects(r: SpecReader, path: Path, scope: Scope) -> tuple[Assignment, ...]:
    effects = []
    if r.get(path, "effect") is None:
        return ()
    for target, target_path in r.entries((*path, "effect")):
        value = r.at(target_path)
        try:
            effects.append(check_assignment(target, value, r.span(target_path), scope))
        except ExpressionInvalid as invalid:
            key = r.span(target_path, key=True, length=len(target))
            r.problems.extend(
                _at_target(_in_value(r, target_path, d, value), target, key)
                for d in invalid.diagnostics
            )
    return tuple(effects)


def _in_value(r: SpecReader, path: Path, diagnostic: Diagnostic, value: object) -> Diagnostic:
    """A problem in an effect's value written as a block scalar (`|`, `>`), moved to
    the line and column it is on inside the block."""
    if not isinstance(value, str):
        return diagnostic
    return evolve(diagnostic, span=r.doc.locations.in_block(path, diagnostic.span, value))


def _at_target(diagnostic: Diagnostic, target: str, key: SourceSpan) -> Diagnostic:
    """Move a problem with an effect's target from its value to its key.

    `check_assignment` has one span, the value's, for both; a reader looks for an
    unknown or read-only variable where its name is written.
    """
    if diagnostic.code not in ("SPEC120", "SPEC123") or diagnostic.message.startswith("value"):
        return diagnostic
    if f"'{target}'" not in diagnostic.message:
        return diagnostic
    return evolve(diagnostic, span=key)


def _scope(
    r: SpecReader,
    statuses: tuple[Status, ...],
    owners: tuple[Owner, ...],
    variables: tuple[Variable, ...],
    meetings: tuple[Meeting, ...],
) -> Scope:
    owner_type = EnumType(name="owner", values=tuple(owner.id for owner in owners))
    builtins: dict[str, Type] = {
        "status": EnumType(name="status", values=tuple(s.id for s in statuses) or ("_",)),
        "tier": EnumType(name="tier", values=tuple(tier.value for tier in Tier)),
        "owner": owner_type,
        "co_owner": owner_type,
        "allocated": BOOL,
        "owned": BOOL,
    }
    return Scope(
        variables={**builtins, **{v.id: v.type for v in variables}},
        predicates={
            "held": tuple(m.id for m in meetings),
            "overdue": tuple(r.data.get("deadlines") or ()),
            "escalating": tuple(r.data.get("escalations") or ()),
            "in_window": tuple(r.data.get("rereferrals") or ()),
        },
        assignable=frozenset(v.id for v in variables),
    )


def _check_initial(r: SpecReader, statuses: tuple[Status, ...]) -> None:
    if statuses and not any(status.initial for status in statuses):
        r.problem(
            "SPEC201",
            "no status is marked 'initial: true'",
            ("statuses",),
            "mark the status where a case starts, e.g. 'early_help_open: {tier: "
            "early_help, initial: true}'",
        )
