"""Structural findings: what the status graph and the spec's gaps show without a solver.

`spec.graph.to_digraph` -> here -> the verify report. Every finding here is sound as
stated: the graph ignores guards and time, so it over-approximates what can happen,
and a status it cannot reach is unreachable in every reading. The solver-based
checks of the catalogue (guards, deadlines, bounds) live beside this module.
"""

from __future__ import annotations

import networkx as nx
from attrs import evolve

from stepcheck.checker.conflicts import check_conflicts
from stepcheck.checker.documents import document_findings
from stepcheck.checker.externals import outside_of
from stepcheck.checker.guards import check_guards
from stepcheck.checker.ordering import check_ordering
from stepcheck.checker.precedence import check_precedence
from stepcheck.checker.references import check_references
from stepcheck.checker.restated import check_restated
from stepcheck.checker.retabling import check_retabling
from stepcheck.checker.structure_common import finding
from stepcheck.checker.tiers import in_every_reading
from stepcheck.checker.urgent import check_urgent_routes
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.graph import to_digraph
from stepcheck.spec.model import (
    NOT_NEEDED,
    UNSPECIFIED,
    Deadline,
    Escalation,
    EscalationLevel,
    Event,
    ProtocolSpec,
    Source,
)
from stepcheck.spec.readings import tier_readings

__all__ = ["check_structure", "holding_cause"]


def check_structure(spec: ProtocolSpec, graph: nx.MultiDiGraph | None = None) -> list[Diagnostic]:
    """Every structural finding in `spec`, sorted by location; where the document leaves
    tiers open or documents apply conditionally, the findings of every reading
    (`checker/tiers.py`), and what each such document's rules are (`documents.py`)."""
    readings = tier_readings(spec)
    documents = document_findings(spec)
    if readings:
        found = in_every_reading(spec, readings, _check_closed)
        return sorted([*found, *documents], key=Diagnostic.sort_key)
    if documents:  # documents --assume decided: only then, so other specs cost nothing
        return sorted([*_check_closed(spec, graph), *documents], key=Diagnostic.sort_key)
    return _check_closed(spec, graph)


def _check_closed(spec: ProtocolSpec, graph: nx.MultiDiGraph | None = None) -> list[Diagnostic]:
    graph = to_digraph(spec) if graph is None else graph
    reachable = _reachable(spec, graph)
    findings = [
        *_unreachable_statuses(spec, reachable),
        *_dead_ends(spec, graph, reachable),
        *_no_way_to_a_final_status(spec, graph, reachable),
        *_events_that_never_fire(spec, reachable),
        *_unbounded_holding(spec),
        *_deadline_gaps(spec),
        *_escalation_gaps(spec),
        *_unstated_units(spec),
        *check_conflicts(spec),
        *check_references(spec, reachable),
        *check_guards(spec, graph),
        *check_urgent_routes(spec, reachable),
        *check_precedence(spec, reachable),
        *check_retabling(spec),
        *check_ordering(spec),
        *check_restated(spec),
    ]
    return sorted((_outside(spec, f) for f in findings), key=Diagnostic.sort_key)


def _outside(spec: ProtocolSpec, found: Diagnostic) -> Diagnostic:
    """A finding about an element that follows an external document says so."""
    title = outside_of(spec, found.subject)
    if title is None:
        return found
    return evolve(
        found,
        message=f"{found.message} (it follows '{title}', which the spec "
        "does not hold, so this depends on that document)",
    )


def _reachable(spec: ProtocolSpec, graph: nx.MultiDiGraph) -> set[str]:
    found: set[str] = set()
    for status in spec.initial_statuses:
        found |= {status.id} | nx.descendants(graph, status.id)
    return found


def _unreachable_statuses(spec: ProtocolSpec, reachable: set[str]) -> list[Diagnostic]:
    return [
        finding(
            "SPEC202",
            f"status '{status.id}' cannot be reached from any initial status",
            status.span,
            status.sources,
            "add the event that leads here, or mark the status 'initial: true' if cases start here",
            subject=f"status:{status.id}",
        )
        for status in spec.statuses
        if status.id not in reachable
    ]


def _dead_ends(spec: ProtocolSpec, graph: nx.MultiDiGraph, reachable: set[str]) -> list[Diagnostic]:
    return [
        finding(
            "SPEC203",
            f"status '{status.id}' is a dead end: no event leads out of it",
            status.span,
            status.sources,
            "add the event that moves a case on, or mark the status 'final: true'",
            subject=f"status:{status.id}",
        )
        for status in spec.statuses
        if status.id in reachable and not status.final and not _leaves(graph, status.id)
    ]


def _leaves(graph: nx.MultiDiGraph, status_id: str) -> bool:
    return any(target != status_id for _, target in graph.out_edges(status_id))


def _no_way_to_a_final_status(
    spec: ProtocolSpec, graph: nx.MultiDiGraph, reachable: set[str]
) -> list[Diagnostic]:
    finals = {status.id for status in spec.statuses if status.final}
    if not finals:
        return []
    return [
        finding(
            "SPEC205",
            f"from status '{status.id}' no final status can be reached",
            status.span,
            status.sources,
            "a case here can never close or leave the protocol; "
            f"final statuses: {', '.join(sorted(finals))}",
            subject=f"status:{status.id}",
        )
        for status in spec.statuses
        if status.id in reachable
        and not status.final
        and _leaves(graph, status.id)
        and not (nx.descendants(graph, status.id) & finals)
    ]


def _events_that_never_fire(spec: ProtocolSpec, reachable: set[str]) -> list[Diagnostic]:
    return [
        finding(
            "SPEC204",
            f"event '{event.id}' can never happen: none of its statuses can be reached",
            event.span,
            event.sources,
            f"its statuses: {', '.join(event.sources_from)}",
            subject=f"event:{event.id}",
        )
        for event in spec.events
        if event.sources_from and not set(event.sources_from) & reachable
    ]


def _unbounded_holding(spec: ProtocolSpec) -> list[Diagnostic]:
    bounded = {status_id for deadline in spec.deadlines for status_id in _bounds(spec, deadline)}
    causes = _holding_causes(spec)
    return [
        finding(
            "SPEC206",
            f"holding status '{status.id}' has no time limit: no deadline bounds the wait there",
            status.span,
            _holding_sources(spec, status.id, status.sources, causes.get(status.id)),
            f"the document should set how long a case may wait in '{status.id}', and who acts "
            "when that time is up (no deadline with a duration starts when a case enters it "
            "and is met by leaving it)",
            subject=f"status:{status.id}",
            cause=causes.get(status.id),
        )
        for status in spec.statuses
        if status.holding and status.id not in bounded
    ]


def _holding_sources(
    spec: ProtocolSpec, status_id: str, own: tuple[Source, ...], cause: str | None
) -> tuple[Source, ...]:
    """The status's own citation; failing that, the deadline meant to bound the wait; failing
    that, the rules that put a case there."""
    if own:
        return own
    if cause is not None:
        deadline = spec.deadline_by_id(cause.removeprefix("deadline:"))
        if deadline.sources:
            return deadline.sources
    entering = [source for e in spec.events if e.target == status_id for source in e.sources]
    leaving = [source for e in spec.events if status_id in e.sources_from for source in e.sources]
    return tuple(entering or leaving)


def holding_cause(spec: ProtocolSpec, status_id: str) -> str:
    """What to fix so the wait in a holding status is bounded, as `kind:id`: the deadline
    meant to bound it when the document gives that deadline no duration, else the status."""
    return _holding_causes(spec).get(status_id, f"status:{status_id}")


def _holding_causes(spec: ProtocolSpec) -> dict[str, str]:
    return {
        status_id: f"deadline:{deadline.id}"
        for deadline in reversed(spec.deadlines)
        if deadline.within is UNSPECIFIED
        for status_id in _bounds(spec, deadline, any_limit=True)
    }


def _bounds(spec: ProtocolSpec, deadline: Deadline, *, any_limit: bool = False) -> set[str]:
    """Statuses this deadline limits: its clock starts on entering them, leaving meets it.
    `any_limit` counts a deadline the document gives no duration too."""
    if (deadline.within is UNSPECIFIED and not any_limit) or deadline.recurring:
        return set()
    statuses = {status.id for status in spec.statuses}
    events = {event.id: event for event in spec.events}
    entered = {anchor for anchor in deadline.anchor if anchor in statuses}
    for anchor in deadline.anchor:
        target = events[anchor].target if anchor in events else None
        if target is not None:
            entered.add(target)
    return {
        status_id
        for status_id in entered
        if any(_meets_by_leaving(events, status_id, item) for item in deadline.obligation)
    }


def _meets_by_leaving(events: dict[str, Event], status_id: str | None, obligation: str) -> bool:
    event = events.get(obligation)
    if event is None:
        return obligation != status_id
    return status_id in event.sources_from and event.target not in (None, status_id)


def _deadline_gaps(spec: ProtocolSpec) -> list[Diagnostic]:
    findings = []
    for deadline in spec.deadlines:
        if deadline.within is UNSPECIFIED:
            findings.append(
                finding(
                    "SPEC208",
                    f"deadline '{deadline.id}' has no duration: the document gives no time limit",
                    deadline.span,
                    deadline.sources,
                    "the document should give a time limit for it: nothing bounds how long "
                    "the obligation may take",
                    subject=f"deadline:{deadline.id}",
                )
            )
        if deadline.consequence is UNSPECIFIED:
            findings.append(
                finding(
                    "SPEC207",
                    f"deadline '{deadline.id}' has no stated consequence when it is missed",
                    deadline.span,
                    deadline.sources,
                    "the document should say what happens when it is missed: who is told, "
                    "and who acts",
                    subject=f"deadline:{deadline.id}",
                )
            )
    return findings


def _escalation_gaps(spec: ProtocolSpec) -> list[Diagnostic]:
    findings = []
    for ladder in spec.escalations:
        findings.extend(_ladder_gaps(spec, ladder))
        for level in ladder.levels:
            if level.external is not None:
                findings.append(
                    finding(
                        "SPEC209",
                        f"escalation '{ladder.id}' depends on the external document "
                        f"'{level.external}' at level '{level.id}'",
                        level.span,
                        level.sources,
                        "ask for that document, or read what it says: what happens beyond "
                        "this level depends on it and is not checked here",
                        subject=f"escalation:{ladder.id}",
                    )
                )
    return findings


def _ladder_sources(ladder: Escalation, level: EscalationLevel | None) -> tuple[Source, ...]:
    """The level's own citation; failing that, the ladder's; failing that, the nearest
    level below that has one (the rule that leads up to it)."""
    if level is not None and level.sources:
        return level.sources
    if ladder.sources:
        return ladder.sources
    return next((item.sources for item in reversed(ladder.levels) if item.sources), ())


def _ladder_gaps(spec: ProtocolSpec, ladder: Escalation) -> list[Diagnostic]:
    if ladder.final_authority is UNSPECIFIED:
        return [
            finding(
                "SPEC210",
                f"escalation '{ladder.id}' has no final authority",
                ladder.span,
                _ladder_sources(ladder, ladder.levels[-1] if ladder.levels else None),
                "the document should say who makes the final decision when the dispute is "
                "still not resolved at the last level",
                subject=f"escalation:{ladder.id}",
            )
        ]
    final = ladder.level_by_id(str(ladder.final_authority))
    if ladder.tie_break is UNSPECIFIED and len(final.who) > 1:
        return [
            finding(
                "SPEC211",
                f"escalation '{ladder.id}' ends with {len(final.who)} peers at level '{final.id}' "
                "and no tie-break",
                final.span,
                _ladder_sources(ladder, final),
                f"the document should say who decides when {_names(spec, final.who)} "
                "disagree: nothing in it does",
                subject=f"escalation:{ladder.id}",
            )
        ]
    if ladder.tie_break == NOT_NEEDED and len(final.who) > 1:
        return [
            finding(
                "SPEC211",
                f"escalation '{ladder.id}' says no tie-break is needed, but its final level "
                f"'{final.id}' names {len(final.who)} deciders",
                final.span,
                _ladder_sources(ladder, final),
                f"the document should say who decides when {_names(spec, final.who)} "
                "disagree; if it says they decide together, cite where (the spec says no "
                "tie-break is needed), else write the tie-break as 'unspecified'",
                subject=f"escalation:{ladder.id}",
            )
        ]
    return []


def _names(spec: ProtocolSpec, roles: tuple[str, ...]) -> str:
    """Roles by their names, joined as a sentence says them."""
    names = {role.id: role.name for role in spec.roles}
    said = [names.get(role) or role for role in roles]
    return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else "".join(said)


def _unstated_units(spec: ProtocolSpec) -> list[Diagnostic]:
    timed: list[tuple[str, str, Duration | object, SourceSpan, tuple[Source, ...]]] = [
        (f"deadline '{d.id}'", f"deadline:{d.id}", d.within, d.span, d.sources)
        for d in spec.deadlines
    ]
    timed += [
        (
            f"level '{level.id}' of escalation '{ladder.id}'",
            f"escalation:{ladder.id}",
            level.within,
            level.span,
            level.sources,
        )
        for ladder in spec.escalations
        for level in ladder.levels
    ]
    return [
        finding(
            "SPEC212",
            f"{what} says '{duration}': the document does not say working or calendar days",
            span,
            sources,
            "the document should say whether these are working or calendar days (the "
            "checker uses both readings and reports the worse)",
            subject=subject,
        )
        for what, subject, duration, span, sources in timed
        if isinstance(duration, Duration) and duration.unit is Unit.DAYS_UNSTATED
    ]
