"""Why a deadline fell due with nothing able to meet it: the cause of a derived violation.

A run in which a must deadline becomes overdue while people comply has a day on which
the deadline is due and none of the steps that meet it can happen. This module looks
at that day in the explicit model and says, for each such step, what held it back:
the case was in the wrong status, a guard did not hold, the meeting it happens at did
not sit, a `not_before` limit held it. The sentence goes into the verdict's summary,
so a reviewer reads the conflict, not a formula.
"""

from __future__ import annotations

from attrs import frozen

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.explore_state import ConfigEnvironment
from stepcheck.spec.expr import to_text
from stepcheck.spec.model import Cadence, CadenceKind, Deadline, Direction, Event
from stepcheck.spec.trace import State, StepKind, Trace

__all__ = ["Cause", "why_missed"]


@frozen
class Cause:
    """Why a deadline was missed: `moved` (the case moved on to where it cannot be met),
    `wait` (people had to wait past the limit), or `none` (nothing meets it)."""

    kind: str
    text: str
    detail: str = ""
    """The same without the day it fell due: what held the case back, where."""


def why_missed(model: ExplicitModel, deadline: Deadline, trace: Trace) -> Cause | None:
    """What stood in the way on the day `deadline` fell due in `trace`; None if unclear."""
    key = f"deadline:{deadline.id}"
    started = 0
    for index, step in enumerate(trace.steps):
        before = trace.state_before(index)
        now, then = step.state.get(key), before.get(key)
        if isinstance(now, int) and now >= 0 and (not isinstance(then, int) or now > then):
            started = index
        if step.kind is StepKind.TICK and then == 0 and now == -1:
            return _held_back(model, deadline, trace, started, index)
    return None


def _held_back(
    model: ExplicitModel, deadline: Deadline, trace: Trace, started: int, due: int
) -> Cause:
    spec = model.spec
    state = trace.state_before(due)
    day = f"it fell due on working day {trace.steps[due].day - 1}"
    meeters = [
        event
        for event in spec.events
        if event.id in deadline.obligation
        or (event.target is not None and event.target in deadline.obligation)
    ]
    if not meeters:
        listed = ", ".join(deadline.obligation)
        none = f"no event in the spec meets it ({listed})"
        return Cause("none", f"{day} and {none}", none)
    moved = _moved_away(meeters, trace, started, due)
    if moved is not None:
        return Cause("moved", f"{day}: {moved}", moved)
    here = str(state["status"])
    possible = [event for event in meeters if not event.sources_from or here in event.sources_from]
    if not possible:
        able = sorted({status for event in meeters for status in event.sources_from})
        first = (
            f"in '{here}', from where {_none_of(meeters)}: the case "
            f"first has to move on to {_listed(tuple(able))}"
        )
        return Cause("wait", f"{day}, {first}", first)
    grouped: dict[str, list[str]] = {}
    for event in possible:
        grouped.setdefault(_reason(model, event, state), []).append(event.id)
    said = "; ".join(f"{_listed(tuple(ids), 'and')} {why}" for why, ids in grouped.items())
    return Cause("wait", f"{day}, in '{here}', and {said}", f"in '{here}', {said}")


def _moved_away(meeters: list[Event], trace: Trace, started: int, due: int) -> str | None:
    """The step that took the case, after the deadline started, to a status from which
    none of `meeters` can happen; None if some could still happen from where it is."""
    if any(not event.sources_from for event in meeters):
        return None
    able = {status for event in meeters for status in event.sources_from}
    if str(trace.state_before(due)["status"]) in able:
        return None
    for index in range(due - 1, started - 1, -1):
        step = trace.steps[index]
        came_from = str(trace.state_before(index)["status"])
        if step.kind is StepKind.EVENT and came_from in able:
            names = _events(meeters)
            return (
                f"'{step.name}' took the case from '{came_from}' to '{step.state['status']}' "
                f"on working day {step.day} before {names} had happened, and from there "
                f"{'it cannot' if len(meeters) == 1 else 'none of them can'} happen; nothing "
                f"in the protocol makes '{step.name}' wait for "
                f"{'it' if len(meeters) == 1 else 'them'}"
            )
    return None


def _reason(model: ExplicitModel, event: Event, state: State) -> str:
    """Why `event` could not happen in `state` (the first reason that applies), worded
    to follow the event's name (or names, when several share the reason)."""
    spec = model.spec
    status = str(state["status"])
    if event.sources_from and status not in event.sources_from:
        return f"can only happen from {_listed(event.sources_from)}"
    config = model.layout.from_named(state)
    env = ConfigEnvironment(layout=model.layout, config=config)
    for guard in event.guards:
        if model.reading.enforces(guard.modality) and not model.layout.holds(
            guard.condition, env.config
        ):
            return f"can only happen once '{to_text(guard.condition)}' holds"
    if event.at is not None and state.get(f"phase:{event.at}") not in (None, 0):
        meeting = spec.meeting_by_id(event.at)
        return (
            f"can only happen at the {_cadence(meeting.cadence)} "
            f"'{meeting.name or meeting.id}', which did not sit in time"
        )
    for held in spec.deadlines:
        running = state.get(f"deadline:{held.id}")
        if (
            held.direction is Direction.NOT_BEFORE
            and event.id in held.obligation
            and isinstance(running, int)
            and running > 0
            and model.reading.enforces(held.modality)
        ):
            return f"must wait for '{held.id}' ({held.within}) to pass"
    if event.target is not None and event.target == status:
        return "would not change the status (the case is already there)"
    return "could not happen"


def _cadence(cadence: Cadence) -> str:
    names = {
        CadenceKind.WEEKLY: "weekly",
        CadenceKind.FORTNIGHTLY: "fortnightly",
        CadenceKind.MONTHLY: "monthly",
    }
    return names.get(cadence.kind, "periodic")


def _events(events: list[Event]) -> str:
    """The events that meet a deadline, by name; the first three when there are more."""
    if len(events) <= 3:
        return _listed(tuple(event.id for event in events))
    shown = ", ".join(f"'{event.id}'" for event in events[:3])
    return f"any of the {len(events)} events that meet it ({shown}, ...)"


def _none_of(events: list[Event]) -> str:
    """ "'x' cannot happen", or "none of ... can happen", for the events that meet it."""
    if len(events) == 1:
        return f"'{events[0].id}' cannot happen"
    if len(events) <= 3:
        return f"none of {_listed(tuple(event.id for event in events), 'and')} can happen"
    shown = ", ".join(f"'{event.id}'" for event in events[:3])
    return f"none of the {len(events)} events that meet it ({shown}, ...) can happen"


def _listed(ids: tuple[str, ...], last: str = "or") -> str:
    quoted = [f"'{item}'" for item in ids]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {last} " + quoted[-1]
