"""Conflicting deadlines: a cadence that cannot keep a deadline; two limits on one
milestone; a minimum wait as long as the limit (a window of zero width).

Solver-free like `checker/structure.py`, whose report includes these findings. The
numbers come from `spec/timing.py`, the same ones the engines use.
"""

from __future__ import annotations

from itertools import combinations

from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import UNSPECIFIED, Deadline, Direction, Modality, ProtocolSpec
from stepcheck.spec.timing import Timing, timing

__all__ = ["check_conflicts"]


def check_conflicts(spec: ProtocolSpec, times: Timing | None = None) -> list[Diagnostic]:
    """Deadlines a meeting's cadence cannot keep, milestones with two different limits,
    and windows a minimum wait closes."""
    times = times if times is not None else timing(spec)
    return [
        *_cadence_too_slow(spec, times),
        *_two_limits(spec, times),
        *_windows_closed(spec, times),
    ]


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
                subject=f"deadline:{deadline.id}",
            )
        )
    return found


def _two_limits(spec: ProtocolSpec, times: Timing) -> list[Diagnostic]:
    """Two must/should limits on one milestone that differ in number or unit, or where
    one has no number at all. One milestone: a shared anchor, and every way of meeting
    one of them meets the other (its obligations are among the other's); deadlines
    that only share some events are two stages ("decision in 1 day, allocation in 2",
    where allocating also settles the decision), not two limits."""
    found = []
    limits = [
        d
        for d in spec.deadlines
        if d.direction is Direction.AFTER and d.modality is not Modality.MAY
    ]
    for one, other in combinations(limits, 2):
        shared_anchor = set(one.anchor) & set(other.anchor)
        shared = [item for item in one.obligation if item in other.obligation]
        if not shared_anchor or one.within == other.within or not _one_within(one, other):
            continue
        first, second = (other, one) if one.within is UNSPECIFIED else (one, other)
        found.append(
            finding(
                "SPEC214",
                f"deadlines '{first.id}' ({_limit(first)}) and '{second.id}' "
                f"({_limit(second)}) set different limits on the same milestone: "
                f"{_names(shared)} after {_names(sorted(shared_anchor))}",
                second.span,
                second.sources,
                _two_limits_hint(first, second, times),
                against=first.sources,
                subject=f"deadlines:{'+'.join(sorted((first.id, second.id)))}",
            )
        )
    return found


def _one_within(one: Deadline, other: Deadline) -> bool:
    first, second = set(one.obligation), set(other.obligation)
    return first <= second or second <= first


def _two_limits_hint(first: Deadline, second: Deadline, times: Timing) -> str:
    if second.within is UNSPECIFIED:
        return (
            f"one rule gives a number and the other none; the document should say whether "
            f"'{first.id}' is the limit for '{second.id}' too"
        )
    if first.id in times.deadlines and times.deadlines[first.id] == times.deadlines[second.id]:
        return "the same number of working days, in different units; say which unit applies"
    return "the stricter one decides in practice; the document should give one limit"


def _windows_closed(spec: ProtocolSpec, times: Timing) -> list[Diagnostic]:
    """A minimum wait (`not_before`) and a limit (`after`) on one milestone that leave
    no day, or only the last one, on which it can happen."""
    found = []
    timed = [d for d in spec.deadlines if d.id in times.deadlines]
    for least in (d for d in timed if d.direction is Direction.NOT_BEFORE):
        for most in (d for d in timed if d.direction is Direction.AFTER):
            shared_anchor = set(least.anchor) & set(most.anchor)
            shared = [item for item in least.obligation if item in most.obligation]
            if not shared_anchor or not shared:
                continue
            width = times.deadlines[most.id][1] - times.deadlines[least.id][0]
            if least.within != most.within and width > 0:
                continue
            size = "no day at all" if width < 0 else "at most the last day"
            found.append(
                finding(
                    "SPEC215",
                    f"'{least.id}' (not before {least.within}) and '{most.id}' (within "
                    f"{most.within}) leave {size} for {_names(shared)} after "
                    f"{_names(sorted(shared_anchor))}",
                    most.span,
                    most.sources,
                    "a minimum wait as long as the limit leaves a window of zero width; the "
                    "document should say which gives way",
                    against=least.sources,
                    subject=f"deadline:{most.id}",
                )
            )
    return found


def _limit(deadline: Deadline) -> str:
    if deadline.within is UNSPECIFIED:
        return "no number given"
    return str(deadline.within)


def _names(ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"'{item}'" for item in ids)
