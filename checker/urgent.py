"""Urgent routes: can a case with urgent concerns be made to wait for a periodic meeting?

Two findings, from the status graph and the meetings' cadences (no solver):

- SPEC221 (an urgent case waits for a periodic meeting): an urgent step-up that is
  itself taken only at a weekly, fortnightly or monthly meeting; or a status on an
  urgent route (where an urgent step-up leads, before statutory services) whose only
  ways on are taken at such a meeting; or a status below statutory services with no
  urgent way out at all whose every way out is at such a meeting.
- SPEC222 (no urgent route): a status below statutory services (and not closed),
  reachable, where no
  step takes a case urgently on: no urgent step-up, no step into statutory services
  and no step onto an urgent route, unless it waits for a periodic meeting.

"Urgent way out" of a status: a step that leaves it, is not taken at a periodic
meeting, and is an urgent step-up, enters a statutory tier (assessment and above), or
enters an urgent route. The graph ignores guards, so a finding is sound as stated:
when the graph has no urgent way out, no run has one. A status on an urgent route is
one an urgent step-up enters below statutory services, or one a referral, step-up,
re-referral or transfer leads to from such a status (the route goes on until it
reaches statutory services). Meetings whose cadence the document leaves unstated or
"as needed" count as not periodic, so nothing is claimed about them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import networkx as nx

from stepcheck.checker.structure_common import finding, rules_of
from stepcheck.checker.words import words_of
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import Event, EventKind, ProtocolSpec, Source, Status, Tier
from stepcheck.spec.timing import Timing, timing

__all__ = ["check_urgent_routes", "exits_of", "is_onward", "urgent_route"]

_ONWARD: Final = frozenset(
    {
        EventKind.URGENT_STEP_UP,
        EventKind.STEP_UP,
        EventKind.REFER,
        EventKind.RE_REFERRAL,
        EventKind.TRANSFER,
    }
)
"""The kinds of step that carry an urgent case on along its route."""


def check_urgent_routes(
    spec: ProtocolSpec, reachable: set[str], times: Timing | None = None
) -> list[Diagnostic]:
    """Where an urgent case waits for a periodic meeting, and where no urgent route is
    stated; `reachable` are the statuses the status graph reaches from a start."""
    times = times if times is not None else timing(spec)
    route = urgent_route(spec)
    found = list(_urgent_steps_at_meetings(spec, times))
    for status in spec.statuses:
        if status.tier.statutory or status.tier is Tier.CLOSED or status.final:
            continue
        if status.id not in reachable:
            continue
        exits = exits_of(spec, status)
        if not exits:
            continue  # a dead end: SPEC203 says so
        if status.id in route:
            onward = [event for event in exits if is_onward(spec, event, route)]
            if onward and all(event.at in times.meetings for event in onward):
                found.append(_waits_on_route(spec, status, onward, times))
        elif not any(_urgent_exit(spec, event, route, times) for event in exits) and not any(
            event.kind is EventKind.URGENT_STEP_UP
            for event in exits  # else SPEC221 above
        ):
            found.append(_no_route(spec, status, exits, times))
    return found


def urgent_route(spec: ProtocolSpec) -> set[str]:
    """Statuses below statutory services an urgent case passes through."""
    by_id = {status.id: status for status in spec.statuses}
    graph = nx.DiGraph()
    starts = set()
    for event in spec.events:
        if event.target is None or by_id[event.target].tier.statutory:
            continue
        if event.kind is EventKind.URGENT_STEP_UP:
            starts.add(event.target)
        if event.kind in _ONWARD:
            graph.add_edges_from((source, event.target) for source in event_sources(spec, event))
    route = set(starts)
    for start in starts:
        if start in graph:
            route |= nx.descendants(graph, start)
    return route


def exits_of(spec: ProtocolSpec, status: Status) -> list[Event]:
    """The steps that take a case out of `status`, by id."""
    return sorted(
        (
            event
            for event in spec.events
            if event.target not in (None, status.id) and status.id in event_sources(spec, event)
        ),
        key=lambda event: event.id,
    )


def is_onward(spec: ProtocolSpec, event: Event, route: set[str]) -> bool:
    target = spec.status_by_id(str(event.target))
    return target.tier.statutory or target.id in route or event.kind is EventKind.URGENT_STEP_UP


def _urgent_exit(spec: ProtocolSpec, event: Event, route: set[str], times: Timing) -> bool:
    return event.at not in times.meetings and is_onward(spec, event, route)


def _urgent_steps_at_meetings(spec: ProtocolSpec, times: Timing) -> Iterable[Diagnostic]:
    for event in sorted(spec.events, key=lambda event: event.id):
        if event.kind is not EventKind.URGENT_STEP_UP or event.at not in times.meetings:
            continue
        meeting = spec.meeting_by_id(event.at)
        yield finding(
            "SPEC221",
            f"the urgent step '{event.id}' is taken only at meeting '{meeting.id}' "
            f"({meeting.cadence.kind.value}), so an urgent case waits for it: up to "
            f"{times.meetings[meeting.id]} working days",
            event.span,
            event.sources,
            f"the document should say how an urgent case reaches {_who(spec, event)} "
            f"without waiting for the {_meeting_words(spec, meeting.id)}",
            subject=f"event:{event.id}",
            against=meeting.sources,
        )


def _waits_on_route(
    spec: ProtocolSpec, status: Status, onward: list[Event], times: Timing
) -> Diagnostic:
    meetings = sorted({str(event.at) for event in onward})
    longest = max(times.meetings[meeting] for meeting in meetings)
    return finding(
        "SPEC221",
        f"an urgent case in '{status.id}' can move on only at "
        f"{_meeting_list(spec, meetings)}: it waits up to {longest} working days "
        f"({', '.join(event.id for event in onward)})",
        status.span,
        _cited(spec, status, onward),
        f"the document should say how an urgent case in '{words_of(spec, status.id)}' "
        f"moves on without waiting for the {_meeting_words(spec, meetings[0])}",
        subject=f"status:{status.id}",
        against=onward[0].sources,
    )


def _no_route(spec: ProtocolSpec, status: Status, exits: list[Event], times: Timing) -> Diagnostic:
    hint = (
        f"the document should say how urgent concerns about a case in "
        f"'{words_of(spec, status.id)}' reach social care at once (for example, straight "
        "to the Front Door)"
    )
    if all(event.at in times.meetings for event in exits):
        meetings = sorted({str(event.at) for event in exits})
        longest = max(times.meetings[meeting] for meeting in meetings)
        return finding(
            "SPEC221",
            f"a case in '{status.id}' has no urgent route out: every way out is at "
            f"{_meeting_list(spec, meetings)}, so urgent concerns wait up to {longest} "
            "working days",
            status.span,
            _cited(spec, status, exits),
            hint,
            subject=f"status:{status.id}",
            against=exits[0].sources,
        )
    ways = ", ".join(
        f"'{event.id}'" + (f" (at meeting '{event.at}')" if event.at in times.meetings else "")
        for event in exits
    )
    return finding(
        "SPEC222",
        f"a case in '{status.id}' has no urgent route out: no urgent step-up, and no step "
        "to statutory services that does not wait for a periodic meeting, is stated there; "
        f"it leaves only by {ways}",
        status.span,
        _cited(spec, status, exits),
        hint,
        subject=f"status:{status.id}",
    )


def _cited(spec: ProtocolSpec, status: Status, exits: list[Event]) -> tuple[Source, ...]:
    """What a finding about `status` quotes: the status's own rule, else the first rule
    of a way out of it, else of a way into it (each step's own rule, else its
    conditions')."""
    into = [event for event in spec.events if event.target == status.id]
    for sources in (
        status.sources,
        *(rules_of(event) for event in exits),
        *(rules_of(event) for event in sorted(into, key=lambda event: event.id)),
    ):
        if sources:
            return sources
    return ()


def _meeting_list(spec: ProtocolSpec, meetings: list[str]) -> str:
    return " or ".join(
        f"meeting '{meeting}' ({spec.meeting_by_id(meeting).cadence.kind.value})"
        for meeting in meetings
    )


def _meeting_words(spec: ProtocolSpec, meeting: str) -> str:
    found = spec.meeting_by_id(meeting)
    return f"{found.cadence.kind.value} {found.name or words_of(spec, found.id, capital=False)}"


def _who(spec: ProtocolSpec, event: Event) -> str:
    return f"'{words_of(spec, str(event.target))}'"
