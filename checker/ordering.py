"""Deadlines out of order: one that can fall due before the step it needs can happen.

SPEC224: two must/should time limits run from the same starting point; the first can
be met only after the second's step has happened (in the status graph, every way
from where the case is after the start to a step that meets the first passes through
a step that meets the second), and the second allows longer than the first. A case
whose second step comes at its last allowed moment then misses the first although
everyone kept the second ("allocate on the day of the ICPC" but "send the transfer
within 24 hours of the ICPC"). The graph ignores guards, so when it finds no way
round the second step there is none in any run; the finding is sound as stated.
"""

from __future__ import annotations

from itertools import permutations

import networkx as nx

from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import Deadline, Direction, Event, Modality, ProtocolSpec
from stepcheck.spec.timing import Timing, timing

__all__ = ["check_ordering"]


def check_ordering(spec: ProtocolSpec, times: Timing | None = None) -> list[Diagnostic]:
    """Every pair of limits on one start where the shorter needs the longer's step."""
    times = times if times is not None else timing(spec)
    limits = [
        deadline
        for deadline in sorted(spec.deadlines, key=lambda deadline: deadline.id)
        if deadline.direction is Direction.AFTER
        and deadline.modality is not Modality.MAY
        and deadline.id in times.deadlines
    ]
    found = []
    for first, needed in permutations(limits, 2):
        if not set(first.anchor) & set(needed.anchor):
            continue
        if times.deadlines[needed.id][1] <= times.deadlines[first.id][1]:
            continue
        meets_first, meets_needed = _meeting(spec, first), _meeting(spec, needed)
        if not meets_first or not meets_needed:
            continue
        if {e.id for e in meets_first} & {e.id for e in meets_needed}:
            continue  # one milestone with two limits: SPEC214
        if _only_after(spec, first, meets_first, meets_needed):
            found.append(_finding(first, needed, meets_first, meets_needed, times))
    return found


def _meeting(spec: ProtocolSpec, deadline: Deadline) -> list[Event]:
    """The events that meet a deadline: named in its obligation, or entering a status
    named there."""
    return [
        event
        for event in spec.events
        if event.id in deadline.obligation
        or (event.target is not None and event.target in deadline.obligation)
    ]


def _only_after(
    spec: ProtocolSpec, first: Deadline, meets_first: list[Event], meets_needed: list[Event]
) -> bool:
    """Whether, from where the case is after `first`'s start, every step meeting
    `first` needs a step meeting the other first."""
    if any(not event.sources_from for event in meets_first):
        return False  # possible in any status: nothing has to come first
    start = _after_start(spec, first)
    if not start:
        return False
    skipped = {event.id for event in meets_needed}
    graph = nx.DiGraph()
    graph.add_nodes_from(status.id for status in spec.statuses)
    for event in spec.events:
        if event.id not in skipped:
            graph.add_edges_from(
                (source, event.target or source) for source in event_sources(spec, event)
            )
    reach = set(start)
    for status in start:
        reach |= nx.descendants(graph, status)
    return not any(set(event.sources_from) & reach for event in meets_first)


def _after_start(spec: ProtocolSpec, deadline: Deadline) -> set[str]:
    """Where a case can be just after the deadline starts: the status it names, where
    the event it names leaves the case, or where an event at the meeting it names does."""
    statuses = {status.id for status in spec.statuses}
    meetings = {meeting.id for meeting in spec.meetings}
    found: set[str] = set()
    for anchor in deadline.anchor:
        if anchor in statuses:
            found.add(anchor)
            continue
        events = (
            [event for event in spec.events if event.at == anchor]
            if anchor in meetings
            else [spec.event_by_id(anchor)]
        )
        for event in events:
            found |= {event.target} if event.target else set(event_sources(spec, event))
    return found


def _finding(
    first: Deadline,
    needed: Deadline,
    meets_first: list[Event],
    meets_needed: list[Event],
    times: Timing,
) -> Diagnostic:
    start = ", ".join(f"'{item}'" for item in sorted(set(first.anchor) & set(needed.anchor)))
    steps = " or ".join(f"'{event.id}'" for event in meets_first)
    before = " or ".join(f"'{event.id}'" for event in meets_needed)
    return finding(
        "SPEC224",
        f"deadline '{first.id}' ({first.within} after {start}) can fall due before the "
        f"step it needs: {steps} can happen only after {before}, which deadline "
        f"'{needed.id}' allows until {needed.within} after {start} "
        f"(up to {_days(times.deadlines[needed.id][1])}, against "
        f"{_days(times.deadlines[first.id][1])})",
        first.span,
        first.sources,
        f"the document should put these in order: either give '{first.id}' until after "
        f"{before} is due, or require {before} sooner",
        subject=f"deadline:{first.id}",
        against=needed.sources,
    )


def _days(days: int) -> str:
    return f"{days} working day{'' if days == 1 else 's'}"
