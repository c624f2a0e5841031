"""What the spec declares against what its rules use: references to documents no rule
depends on, facts recorded that no rule enforces, one trigger answered by two ladders
that disagree, deadlines whose starting point never happens, a step-down meeting required but never
named, a meeting that decides without saying how, and terms the document never defines.

Solver-free like `checker/structure.py`, whose report includes these findings. The
reachable statuses come from the same over-approximating graph, so "never happens" is
sound: no run in any reading makes it happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.expr.ast import names
from stepcheck.spec.model import (
    DecisionRule,
    Escalation,
    Event,
    EventKind,
    ProtocolSpec,
    Source,
)

__all__ = ["check_references"]


def check_references(spec: ProtocolSpec, reachable: set[str]) -> list[Diagnostic]:
    """The findings above, in spec order within each kind."""
    return [
        *_externals_unused(spec),
        *_recorded_never_enforced(spec),
        *_one_trigger_two_ladders(spec),
        *_anchors_never_reached(spec, reachable),
        *_no_meeting_named(spec),
        *_meetings_that_decide_unsaid(spec),
        *_undefined_terms(spec),
        *_undefined_routes(spec),
    ]


def _undefined_routes(spec: ProtocolSpec) -> list[Diagnostic]:
    """A route the document admits ("a CP step-down is in scope"; "if consent is
    refused...") without saying where it leads or when it may happen."""
    found = []
    for route in spec.undefined_routes:
        starts = ", ".join(f"'{status}'" for status in route.sources_from) or "any status"
        missing = []
        if "to" in route.undefined:
            missing.append("where it leads")
        if "guard" in route.undefined:
            missing.append("when it may happen")
        found.append(
            finding(
                "SPEC228",
                f"the document admits '{route.id}' ({route.kind.value.replace('_', ' ')} from "
                f"{starts}) but does not say {' or '.join(missing)}: no check covers it, and "
                "the verdicts it could change say so",
                route.span,
                route.sources,
                "the document should say " + " and ".join(missing) + " for this route",
                subject=f"event:{route.id}",
            )
        )
    return found


def _undefined_terms(spec: ProtocolSpec) -> list[Diagnostic]:
    """A term the document uses but never defines, with the elements whose rule depends
    on it: a guard or a deadline that turns on "exceptional circumstances" or "swift"
    cannot be applied the same way by everyone."""
    found = []
    for term in spec.glossary:
        if not term.undefined:
            continue
        users = [_element_words(spec, element) for element in term.used_by]
        if users:
            message = (
                f"{', '.join(users)} depend{'s' if len(users) == 1 else ''} on "
                f"'{term.term}', which the document never defines"
            )
        else:
            message = f"the document uses '{term.term}' but never defines it"
        found.append(
            finding(
                "SPEC227",
                message,
                term.span,
                term.sources,
                f"the document should say what '{term.term}' means (a number, a test, or who "
                "decides), so that every team applies it the same way",
                subject=f"term:{term.id}",
            )
        )
    return found


def _element_words(spec: ProtocolSpec, element: str) -> str:
    """An element by kind and name: "event 'put on waiting list'"."""
    for kind, items in (
        ("event", spec.events),
        ("deadline", spec.deadlines),
        ("status", spec.statuses),
        ("variable", spec.variables),
        ("meeting", spec.meetings),
        ("owner", spec.owners),
        ("escalation", spec.escalations),
        ("role", spec.roles),
        ("team", spec.teams),
    ):
        if any(item.id == element for item in items):
            return f"{kind} '{element}'"
    return f"'{element}'"


def _meetings_that_decide_unsaid(spec: ProtocolSpec) -> list[Diagnostic]:
    """A meeting where a decision is taken (an event of kind `decide` happens at it)
    with neither a chair nor a decision rule, or whose chair decides but is not named:
    "the panel decides, but nothing says how"."""
    found = []
    for meeting in spec.meetings:
        deciding = [e for e in spec.events if e.at == meeting.id and e.kind is EventKind.DECIDE]
        if not deciding:
            continue
        chair = meeting.chair if isinstance(meeting.chair, str) else None
        rule = meeting.decision_rule
        if rule is DecisionRule.CHAIR_DECIDES and chair is None:
            gap = "its chair decides, but no chair is named"
        elif chair is None and rule in (None, DecisionRule.UNSPECIFIED):
            gap = "neither a chair nor how it decides (consensus, majority, ...) is stated"
        else:
            continue
        steps = ", ".join(f"'{event.id}'" for event in deciding)
        found.append(
            finding(
                "SPEC226",
                f"meeting '{meeting.name or meeting.id}' decides ({steps}), but {gap}",
                meeting.span,
                meeting.sources,
                "the document should say who chairs the meeting and how it decides when "
                "those attending disagree",
                subject=f"meeting:{meeting.id}",
            )
        )
    return found


def _no_meeting_named(spec: ProtocolSpec) -> list[Diagnostic]:
    """A step-down property that names no meeting: read as any meeting of the spec, or,
    with none, as one no step-down can satisfy; either way the document names none."""
    found = []
    for prop in spec.properties:
        if not prop.any_meeting:
            continue
        if prop.meetings:
            read = "read as any of the spec's meetings: " + ", ".join(
                f"'{spec.meeting_by_id(m).name or m}'" for m in prop.meetings
            )
        else:
            read = "and the spec has no meeting at all, so no step-down can follow one"
        found.append(
            finding(
                "SPEC225",
                f"property '{prop.id}' says a step-down needs a meeting but names none; {read}",
                prop.span,
                prop.sources,
                "the document should say which meeting decides a step-down (and who chairs "
                "it); until then the check accepts any meeting",
                subject=f"property:{prop.id}",
            )
        )
    return found


def _externals_unused(spec: ProtocolSpec) -> list[Diagnostic]:
    used = {level.external for ladder in spec.escalations for level in ladder.levels}
    for elements in (spec.events, spec.statuses, spec.deadlines, spec.meetings):
        used |= {element.external for element in elements}
    return [
        finding(
            "SPEC216",
            f"the protocol refers to '{external.title}' ({external.id}), but no rule in the "
            "spec depends on it: what it says is not checked"
            + (f" ({external.description})" if external.description else ""),
            external.span,
            external.sources,
            "if a step depends on it, name it on that step (`external:` on an event, status, "
            "deadline, meeting or escalation level); if the document points to something "
            "that does not exist, ask for it",
            subject=f"external:{external.id}",
        )
        for external in spec.externals
        if external.id not in used
    ]


def _recorded_never_enforced(spec: ProtocolSpec) -> list[Diagnostic]:
    """A variable some step sets that no guard, effect or deadline condition reads."""
    read: set[str] = set()
    writers: dict[str, list[str]] = {}
    for event in spec.events:
        for guard in event.guards:
            read |= names(guard.condition)
        for effect in event.effects:
            read |= names(effect.value)
            writers.setdefault(effect.target, []).append(event.id)
    for deadline in spec.deadlines:
        if deadline.condition is not None:
            read |= names(deadline.condition)
    return [
        finding(
            "SPEC217",
            f"'{variable.id}' is recorded (by {', '.join(writers[variable.id])}) but no rule "
            "depends on it: whatever is recorded, the same steps can happen",
            variable.span,
            variable.sources or _event_sources(spec, writers[variable.id]),
            "say which step it allows or blocks (a guard), or mark it as recorded only",
            subject=f"variable:{variable.id}",
        )
        for variable in spec.variables
        if variable.id in writers and variable.id not in read
    ]


def _one_trigger_two_ladders(spec: ProtocolSpec) -> list[Diagnostic]:
    found = []
    for first, second in combinations(spec.escalations, 2):
        shared = sorted(set(first.trigger) & set(second.trigger))
        differences = _differences(first, second)
        if not shared or not differences:
            continue
        pair = "+".join(sorted((first.id, second.id)))
        found.append(
            finding(
                "SPEC218",
                f"'{_names(shared)}' starts both escalation '{first.id}' and '{second.id}', "
                f"which differ in {' and '.join(differences)}",
                second.span,
                second.sources or second.levels[0].sources,
                "say which ladder a disagreement raised this way follows",
                subject=f"escalations:{pair}",
                against=first.sources or first.levels[0].sources,
            )
        )
    return found


def _differences(first: Escalation, second: Escalation) -> list[str]:
    found = []
    if first.levels[0].who != second.levels[0].who:
        found.append("who is asked first")
    if first.levels[0].within != second.levels[0].within:
        found.append("how long the first level has")
    if _final_deciders(first) != _final_deciders(second):
        found.append("who decides in the end")
    return found


def _final_deciders(ladder: Escalation) -> tuple[str, ...] | None:
    levels = {level.id: level for level in ladder.levels}
    final = levels.get(str(ladder.final_authority))
    return tuple(sorted(final.who)) if final is not None else None


def _anchors_never_reached(spec: ProtocolSpec, reachable: set[str]) -> list[Diagnostic]:
    statuses = {status.id for status in spec.statuses}
    events = {event.id: event for event in spec.events}
    opened = _opened_only(spec)
    found = []
    for deadline in spec.deadlines:
        never = [a for a in deadline.anchor if _never(a, statuses, events, reachable, opened)]
        if not deadline.anchor or len(never) < len(deadline.anchor):
            continue
        first = [a for a in never if a in opened]
        found.append(
            finding(
                "SPEC219",
                f"deadline '{deadline.id}' never starts: its starting point "
                f"({_names(never)}) never happens"
                + (
                    f" (a case is opened in {_names(first)}, which starts no clock, and no "
                    "step enters it)"
                    if first
                    else ""
                ),
                deadline.span,
                deadline.sources,
                "the obligation can never fall due; check the step or status it counts from"
                + (
                    "; every clock starts off when a case is opened (spec/SEMANTICS.md), so "
                    "a limit counted from when a case is opened needs a step that opens it "
                    "(e.g. the contact being received) as its anchor"
                    if first
                    else ""
                ),
                subject=f"deadline:{deadline.id}",
            )
        )
    return found


def _opened_only(spec: ProtocolSpec) -> set[str]:
    """Initial statuses no step enters: a case is only ever opened there, which starts
    no clock, so a deadline anchored on one never runs."""
    entered = {event.target for event in spec.events if event.target is not None}
    return {status.id for status in spec.statuses if status.initial} - entered


def _never(
    anchor: str,
    statuses: set[str],
    events: Mapping[str, Event],
    reachable: set[str],
    opened: set[str],
) -> bool:
    if anchor in statuses:
        return anchor not in reachable or anchor in opened
    event = events.get(anchor)
    if event is None:
        return False  # a meeting: it sits whatever the case does
    return bool(event.sources_from) and not set(event.sources_from) & reachable


def _event_sources(spec: ProtocolSpec, event_ids: list[str]) -> tuple[Source, ...]:
    wanted = set(event_ids)
    return tuple(s for event in spec.events if event.id in wanted for s in event.sources)


def _names(ids: list[str]) -> str:
    return ", ".join(ids)
