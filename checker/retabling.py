"""Re-tabling with no cap: a meeting's outcome that sends the case back to the same meeting.

SPEC223: a case waiting in status Q for a weekly, fortnightly or monthly meeting M can
be sent round by M itself: a step at M takes it to X, and procedural steps (no fresh
request, referral or escalation by anyone, no other periodic meeting) bring it from X
back to Q, all within Q's tier, so the case is tabled at M again without having moved
on ("any Step-In should come back into the next TAM"; "the case must return to the
next allocations meeting"). The finding is reported when nothing on that cycle caps
it: no fact a step of the cycle records is read by a condition of the cycle (a count
of returns, or a flag that stops a second round). That test ignores what the facts
say, so a cycle with any such fact is left alone: a cap it does not see is never
claimed missing, and a cycle it reports has no condition that could count the rounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Final

import networkx as nx

from stepcheck.checker.structure_common import finding, rules_of
from stepcheck.checker.words import words_of
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.expr.ast import names
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import Event, EventKind, ProtocolSpec
from stepcheck.spec.timing import Timing, timing

__all__ = ["check_retabling"]

_FRESH: Final = frozenset(
    {
        EventKind.STEP_UP,
        EventKind.URGENT_STEP_UP,
        EventKind.REFER,
        EventKind.RE_REFERRAL,
        EventKind.ESCALATE,
    }
)
"""Steps someone chooses to take afresh: a case they bring back is a new request."""


def check_retabling(spec: ProtocolSpec, times: Timing | None = None) -> list[Diagnostic]:
    """Every (status, meeting) whose meeting can send the case back to it, uncapped."""
    times = times if times is not None else timing(spec)
    procedural = _procedural_graph(spec, times)
    cycles: dict[tuple[str, str], list[list[Event]]] = {}
    for meeting_step in sorted(spec.events, key=lambda event: event.id):
        if meeting_step.at not in times.meetings or meeting_step.target is None:
            continue
        for queue in event_sources(spec, meeting_step):
            cycle = _back(spec, procedural, meeting_step, queue)
            if cycle is not None and not _capped(cycle):
                cycles.setdefault((queue, str(meeting_step.at)), []).append(cycle)
    return [
        _finding(spec, queue, meeting, found, times)
        for (queue, meeting), found in sorted(cycles.items())
    ]


def _procedural_graph(spec: ProtocolSpec, times: Timing) -> nx.MultiDiGraph:
    """Status changes by steps that are not fresh requests nor periodic meetings."""
    graph = nx.MultiDiGraph()
    for event in sorted(spec.events, key=lambda event: event.id):
        if event.kind in _FRESH or event.at in times.meetings or event.target is None:
            continue
        for source in event_sources(spec, event):
            if source != event.target:
                graph.add_edge(source, event.target, key=event.id, event=event)
    return graph


def _back(
    spec: ProtocolSpec, procedural: nx.MultiDiGraph, meeting_step: Event, queue: str
) -> list[Event] | None:
    """The meeting's step and the shortest procedural way back to `queue` within its
    tier, or None."""
    target = str(meeting_step.target)
    tier = spec.status_by_id(queue).tier
    same_tier = [s.id for s in spec.statuses if s.tier is tier and s.id in procedural]
    if target == queue or target not in same_tier or queue not in same_tier:
        return None
    try:
        path = nx.shortest_path(procedural.subgraph(same_tier), target, queue)
    except nx.NetworkXNoPath:
        return None
    steps = [
        min((data["event"] for data in procedural.get_edge_data(a, b).values()), key=_id)
        for a, b in itertools.pairwise(path)
    ]
    return [meeting_step, *steps]


def _id(event: Event) -> str:
    return event.id


def _capped(cycle: Iterable[Event]) -> bool:
    """Whether a fact one step of the cycle records is read by a condition on it."""
    steps = list(cycle)
    written = {assignment.target for step in steps for assignment in step.effects}
    read = {name for step in steps for guard in step.guards for name in names(guard.condition)}
    return bool(written & read)


def _finding(
    spec: ProtocolSpec, queue: str, meeting_id: str, cycles: list[list[Event]], times: Timing
) -> Diagnostic:
    meeting = spec.meeting_by_id(meeting_id)
    rounds = "; or ".join(", then ".join(f"'{step.id}'" for step in cycle) for cycle in cycles)
    returns = [rules_of(step) for cycle in cycles for step in cycle[1:]]
    return finding(
        "SPEC223",
        f"a case in '{queue}' can be sent back to meeting '{meeting.id}' "
        f"({meeting.cadence.kind.value}) again and again: {rounds} bring it back to the "
        f"next meeting, and nothing limits how many times (each round can take up to "
        f"{times.meetings[meeting.id]} working days)",
        cycles[0][0].span,
        rules_of(cycles[0][0]) or meeting.sources,
        f"the document should say how many times a case in '{words_of(spec, queue)}' may "
        f"come back to the {words_of(spec, meeting.id)}, and who decides when that is "
        "reached",
        subject=f"status:{queue}",
        against=next((found for found in returns if found), ()),
    )
