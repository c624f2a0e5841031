"""Deadlines, escalation ladders, re-referral windows, properties and citations.

The second half of the loader's build stage (see `build`): each function turns one
schema-valid mapping into its model object, reporting bad references as it goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from stepcheck.spec.diagnostics import Diagnostic, did_you_mean
from stepcheck.spec.duration import Duration, parse_duration
from stepcheck.spec.expr import Expr, Scope
from stepcheck.spec.model import (
    NOT_NEEDED,
    PREVIOUS_OWNER,
    UNSPECIFIED,
    Deadline,
    Direction,
    Document,
    Escalation,
    EscalationLevel,
    EventKind,
    OutOfScope,
    Property,
    PropertyKind,
    Rereferral,
    Tier,
    Unspecified,
)
from stepcheck.spec.reader import SpecReader
from stepcheck.spec.yamlread import Path

__all__ = [
    "build_deadline",
    "build_escalation",
    "build_out_of_scope",
    "build_property",
    "build_rereferral",
    "check_citations",
]


def build_deadline(r: SpecReader, deadline_id: str, path: Path, scope: Scope) -> Deadline:
    consequence = r.get(path, "consequence")
    return Deadline(
        id=deadline_id,
        within=r.duration(r.get(path, "within"), (*path, "within")),
        anchor=r.refs(r.get(path, "anchor"), (*path, "anchor"), "events", "statuses", "meetings"),
        obligation=r.refs(r.get(path, "obligation"), (*path, "obligation"), "events", "statuses"),
        consequence=UNSPECIFIED
        if consequence == UNSPECIFIED.value
        else str(r.ref(consequence, (*path, "consequence"), "events", "escalations")),
        direction=Direction(r.get(path, "direction", "after")),
        by_next=r.ref(r.get(path, "by_next"), (*path, "by_next"), "meetings"),
        recurring=bool(r.get(path, "recurring", False)),
        condition=_condition(r, path, "condition", scope),
        modality=r.modality(path),
        external=r.ref(r.get(path, "external"), (*path, "external"), "externals"),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def build_escalation(r: SpecReader, escalation_id: str, path: Path) -> Escalation:
    levels_path: Path = (*path, "levels")
    raw_levels = r.get(path, "levels")
    level_ids = [level["id"] for level in raw_levels]
    levels = tuple(_level(r, (*levels_path, index), level_ids) for index in range(len(raw_levels)))
    final = r.get(path, "final_authority")
    tie_break = r.get(path, "tie_break")
    if final != UNSPECIFIED.value and final not in level_ids:
        r.problem(
            "SPEC109",
            f"final authority '{final}' of '{escalation_id}' is not one of its levels",
            (*path, "final_authority"),
            did_you_mean(final, [*level_ids, UNSPECIFIED.value], what="levels"),
        )
    return Escalation(
        id=escalation_id,
        trigger=r.refs(r.get(path, "trigger"), (*path, "trigger"), "events"),
        resolution=r.refs(r.get(path, "resolution"), (*path, "resolution"), "events"),
        levels=levels,
        within=r.duration(r.get(path, "within", UNSPECIFIED.value), (*path, "within")),
        final_authority=UNSPECIFIED if final == UNSPECIFIED.value else final,
        tie_break=UNSPECIFIED
        if tie_break == UNSPECIFIED.value
        else str(r.ref(tie_break, (*path, "tie_break"), "roles", allow=(NOT_NEEDED,))),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def _level(r: SpecReader, path: Path, level_ids: list[str]) -> EscalationLevel:
    next_level = r.get(path, "next")
    if next_level is not None and next_level not in level_ids:
        r.problem(
            "SPEC109",
            f"next level '{next_level}' is not a level of this ladder",
            (*path, "next"),
            did_you_mean(next_level, level_ids, what="levels"),
        )
    return EscalationLevel(
        id=r.get(path, "id"),
        within=r.duration(r.get(path, "within"), (*path, "within")),
        who=r.refs(r.get(path, "who"), (*path, "who"), "roles", "teams"),
        decides=bool(r.get(path, "decides", False)),
        if_unavailable=r.refs(
            r.get(path, "if_unavailable"), (*path, "if_unavailable"), "roles", "teams"
        ),
        external=r.ref(r.get(path, "external"), (*path, "external"), "externals"),
        next=next_level,
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path),
    )


def build_rereferral(r: SpecReader, rereferral_id: str, path: Path, scope: Scope) -> Rereferral:
    window = r.duration(r.get(path, "window"), (*path, "window"))
    if isinstance(window, Unspecified):
        r.problem(
            "SPEC015",
            f"re-referral '{rereferral_id}' needs a window",
            (*path, "window"),
            "a re-referral rule without a window is not a rule; give e.g. '3 months'",
        )
        window = parse_duration("0 weeks")
    return Rereferral(
        id=rereferral_id,
        window=window,
        anchor=r.refs(r.get(path, "anchor"), (*path, "anchor"), "events"),
        event=str(r.ref(r.get(path, "event"), (*path, "event"), "events")),
        route_to=str(
            r.ref(
                r.get(path, "route_to"),
                (*path, "route_to"),
                "owners",
                allow=(PREVIOUS_OWNER,),
            )
        ),
        condition=_condition(r, path, "condition", scope),
        modality=r.modality(path),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )


def build_property(r: SpecReader, property_id: str, path: Path, scope: Scope) -> Property:
    raw_kind = r.get(path, "kind")
    if raw_kind is None and property_id in {kind.value for kind in PropertyKind}:
        raw_kind = property_id
    if raw_kind is None:
        r.problem(
            "SPEC012",
            f"property '{property_id}' is missing the required key 'kind'",
            path,
            "kind is one of: " + ", ".join(kind.value for kind in PropertyKind),
        )
        raw_kind = PropertyKind.INVARIANT.value
    kind = PropertyKind(raw_kind)
    within = r.get(path, "within")
    duration = None if within is None else r.duration(within, (*path, "within"))
    named = r.refs(r.get(path, "meetings"), (*path, "meetings"), "meetings")
    any_meeting = kind is PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING and "meetings" not in r.at(
        path
    )
    if any_meeting:
        declared = r.data.get("meetings")
        named = tuple(declared) if isinstance(declared, dict) else ()
    prop = Property(
        id=property_id,
        kind=kind,
        tiers=tuple(Tier(t) for t in r.get(path, "tiers") or ()),
        to_tiers=tuple(Tier(t) for t in r.get(path, "to_tiers") or ()),
        kinds=tuple(EventKind(k) for k in r.get(path, "kinds") or ()),
        between_teams=bool(r.get(path, "between_teams")),
        exempt=r.refs(r.get(path, "except"), (*path, "except"), "events"),
        meetings=named,
        any_meeting=any_meeting,
        escalations=r.refs(r.get(path, "escalations"), (*path, "escalations"), "escalations"),
        holds=_condition(r, path, "holds", scope),
        trigger=_condition(r, path, "from", scope),
        goal=_condition(r, path, "to", scope),
        within=duration if isinstance(duration, Duration) else None,
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )
    _check_property_keys(r, prop, path)
    return prop


def _condition(r: SpecReader, path: Path, key: str, scope: Scope) -> Expr | None:
    text = r.get(path, key)
    if text is None:
        return None
    if r.kind_of(text.strip()) == "statuses":
        text = f"status == {text.strip()}"
    return r.expression(text, (*path, key), scope)


def _check_property_keys(r: SpecReader, prop: Property, path: Path) -> None:
    # "all moves between teams" selects steps by owner, so it needs no kinds
    moves = ("meetings",) if prop.between_teams else ("kinds", "meetings")
    needs = {
        PropertyKind.INVARIANT: ("holds",),
        PropertyKind.LEADS_TO: ("from", "to"),
        PropertyKind.REQUIRES_MEETING: moves,
    }.get(prop.kind, ())
    allowed = set(needs) | {"kind", "description", "source"} | _OPTIONAL_PROPERTY_KEYS[prop.kind]
    node = r.at(path)
    for key in needs:
        if key not in node:
            r.problem(
                "SPEC012",
                f"property '{prop.id}' ({prop.kind.value}) is missing the required key '{key}'",
                path,
            )
    for key in node:
        if key not in allowed:
            r.problems.append(
                Diagnostic(
                    code="SPEC011",
                    message=f"key '{key}' does not apply to a property of kind '{prop.kind.value}'",
                    span=r.span((*path, key), key=True, length=len(key)),
                    hint="keys for this kind: " + ", ".join(sorted(allowed)),
                )
            )


def build_out_of_scope(r: SpecReader, documents: tuple[Document, ...]) -> tuple[OutOfScope, ...]:
    r.get((), "out_of_scope")
    if "out_of_scope" not in r.data:
        return ()
    found = []
    for rule, path in r.entries(("out_of_scope",)):
        found.append(
            OutOfScope(
                rule=rule,
                reason=r.get(path, "reason"),
                quote=r.get(path, "quote"),
                span=r.span(path, key=True),
            )
        )
        _check_rule_prefix(r, rule, path, documents, key=True)
    return tuple(found)


def check_citations(r: SpecReader, documents: tuple[Document, ...]) -> None:
    for source_path in _source_paths(r.data):
        rule = r.at(source_path).get("rule")
        if rule is not None:
            _check_rule_prefix(
                r, rule, (*source_path, "rule"), documents, doc=r.at(source_path)["doc"]
            )


def _check_rule_prefix(
    r: SpecReader,
    rule: str,
    path: Path,
    documents: tuple[Document, ...],
    *,
    doc: str | None = None,
    key: bool = False,
) -> None:
    prefixes = {d.id: d.rule_prefix for d in documents if d.rule_prefix}
    wanted = prefixes.get(doc) if doc else None
    prefix = rule.split("-", maxsplit=1)[0]
    if doc is not None and wanted is not None and prefix != wanted:
        r.problem(
            "SPEC112",
            f"rule '{rule}' is cited from document '{doc}', whose rules are {wanted}-nn",
            path,
            "cite the document the rule comes from",
        )
    elif doc is None and prefixes and prefix not in prefixes.values():
        r.problems.append(
            Diagnostic(
                code="SPEC112",
                message=f"rule '{rule}' does not belong to any document of this spec",
                span=r.span(path, key=key, length=len(rule)),
                hint="rule prefixes here: " + ", ".join(sorted(set(prefixes.values()))),
            )
        )


def _source_paths(node: Any, path: Path = ()) -> Iterable[Path]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                if isinstance(value, dict):
                    yield (*path, key)
                elif isinstance(value, list):
                    yield from ((*path, key, index) for index in range(len(value)))
            else:
                yield from _source_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _source_paths(value, (*path, index))


_OPTIONAL_PROPERTY_KEYS: Final = {
    PropertyKind.ESCALATION_TERMINATES: {"escalations"},
    PropertyKind.NO_UNOWNED_CASE: set(),
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING: {"tiers", "to_tiers", "meetings"},
    PropertyKind.REQUIRES_MEETING: {"tiers", "kinds", "between_teams", "except"},
    PropertyKind.INVARIANT: set(),
    PropertyKind.LEADS_TO: {"within"},
}
