"""Conflicting deadlines: a cadence that cannot keep a deadline; two limits on one milestone.

Solver-free like `checker/structure.py`, whose report includes these findings. The
numbers come from `spec/timing.py`, the same ones the engines use.
"""

from __future__ import annotations

from itertools import combinations

from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import Deadline, Direction, ProtocolSpec
from stepcheck.spec.timing import Timing, timing

__all__ = ["check_conflicts"]


def check_conflicts(spec: ProtocolSpec, times: Timing | None = None) -> list[Diagnostic]:
    """Deadlines a meeting's cadence cannot keep, and milestones with two different limits."""
    times = times if times is not None else timing(spec)
    return [*_cadence_too_slow(spec, times), *_two_limits(spec, times)]


def _meeting_events(spec: ProtocolSpec, deadline: Deadline) -> list[tuple[str, str | None]]:
    """(event id, meeting it happens at) for every event that meets the deadline."""
    events = []
    for event in spec.events:
        enters = event.target is not None and event.target in deadline.obligation
        if event.id in deadline.obligation or enters:
            events.append((event.id, event.at))
    return events


def _cadence_too_slow(spec: ProtocolSpec, times: Timing) -> list[Diagnostic]:
    found = []
    for deadline in spec.deadlines:
        if deadline.direction is not Direction.AFTER or deadline.id not in times.deadlines:
            continue
        hi = times.deadlines[deadline.id][1]
        meeters = _meeting_events(spec, deadline)
        periods = [times.meetings.get(at) if at is not None else None for _, at in meeters]
        if not meeters or any(period is None for period in periods):
            continue
        slowest = max(period for period in periods if period is not None)
        if slowest <= hi:
            continue
        meetings = sorted({str(at) for _, at in meeters})
        found.append(
            finding(
                "SPEC213",
                f"deadline '{deadline.id}' (at most {hi} working days) can be missed even when "
                f"everyone complies: it is met only at {', '.join(meetings)}, which may not sit "
                f"for up to {slowest} working days",
                deadline.span,
                deadline.sources,
                "a meeting's cadence cannot keep a shorter deadline; the document should say "
                "what happens between sittings",
            )
        )
    return found


def _two_limits(spec: ProtocolSpec, times: Timing) -> list[Diagnostic]:
    found = []
    timed = [
        d for d in spec.deadlines if d.id in times.deadlines and d.direction is Direction.AFTER
    ]
    for first, second in combinations(timed, 2):
        shared_anchor = set(first.anchor) & set(second.anchor)
        same_milestone = set(first.obligation) == set(second.obligation) and shared_anchor
        if not same_milestone or times.deadlines[first.id] == times.deadlines[second.id]:
            continue
        found.append(
            finding(
                "SPEC214",
                f"deadlines '{first.id}' ({first.within}) and '{second.id}' ({second.within}) "
                "give different limits for the same milestone",
                second.span,
                second.sources,
                f"both start at {', '.join(sorted(shared_anchor))} and are "
                f"met by {', '.join(first.obligation)}; the stricter one decides in practice",
            )
        )
    return found
