"""Can a case on an urgent route be made to wait? A question asked of every spec.

The structural check (`checker/urgent.py`, SPEC221) reads the status graph: it sees an
urgent route that runs through a periodic meeting's `at:`, but not one held back by a
guard (`held(ctm)`: "all transfers must be confirmed via the CTM"), a `not_before`
limit or a fact only another step sets. This question asks the engines instead, for
every status an urgent case passes through below statutory services (the route of
`urgent_route`) that has a way on (`is_onward`):

    urgent:<status>   "a case in <status> on the urgent route moves on the day it arrives"

It is the derived deadline question (`checker/derived.py`) of a clock the question
adds to its own copy of the spec (`question_spec`): a must limit of 0 working days,
anchored on entering the status (so it stops when the case leaves it by any step),
met by any way on, kept at the first chance. People who comply then take a way on as
soon as one can happen, and the clock becomes overdue exactly when a working day
begins with the case still there and no way on possible: it waited for a meeting
that did not sit, a guard, or a step that had to come first. A violation is that run,
dated and replayed like any other; the summary says what held the case back. A proof
says no such wait exists on any run. The clock lives only in the question's own copy,
so no other property's model changes.

Nothing here claims a limit the document states: 0 working days is the question
("does it wait at all?"), not a deadline the protocol sets.
"""

from __future__ import annotations

from attrs import evolve

from stepcheck.checker.derived_margin import worst_case
from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.urgent import exits_of, is_onward, urgent_route
from stepcheck.checker.words import words_of
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.expr import Call, Not, predicates_used
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import (
    UNSPECIFIED,
    Deadline,
    Event,
    EventKind,
    Modality,
    Property,
    PropertyKind,
    ProtocolSpec,
    Reading,
    Source,
    Tier,
)
from stepcheck.spec.timing import timing

__all__ = [
    "URGENT_PREFIX",
    "asked_spec",
    "longest_wait",
    "question_spec",
    "reached_by_own_steps",
    "sittings_taken_up",
    "urgent_properties",
    "ways_on",
]

URGENT_PREFIX = "urgent:"
"""Derived urgent-route questions are named `urgent:<status id>`."""

_NOW = Duration(quantity=0, unit=Unit.WORKING_DAYS)


def urgent_properties(spec: ProtocolSpec) -> tuple[Property, ...]:
    """One "moves on the day it arrives" question per status on an urgent route that
    has a way on, in the spec's order of statuses."""
    route = urgent_route(spec)
    found = []
    for status in spec.statuses:
        if status.id not in route or status.tier.statutory or status.tier is Tier.CLOSED:
            continue
        if status.final or not ways_on(spec, status.id, route):
            continue  # no way on at all: the structural findings say so
        span = status.span
        clock = f"{URGENT_PREFIX}{status.id}"
        found.append(
            Property(
                id=clock,
                kind=PropertyKind.INVARIANT,
                holds=Not(operand=Call(predicate="overdue", argument=clock, span=span), span=span),
                description=(
                    f"a case on the urgent route in '{words_of(spec, status.id)}' moves on the "
                    "day it arrives, without waiting for a periodic meeting or another step"
                ),
                sources=_cited(spec, status.id, route),
                span=span,
                deadline=clock,
                urgent=status.id,
            )
        )
    return tuple(found)


def ways_on(spec: ProtocolSpec, status: str, route: set[str] | None = None) -> list[Event]:
    """The steps that carry an urgent case on from `status`: on along the route, into
    statutory services, or an urgent step-up."""
    route = route if route is not None else urgent_route(spec)
    return [
        event
        for event in exits_of(spec, spec.status_by_id(status))
        if is_onward(spec, event, route)
    ]


def question_spec(spec: ProtocolSpec, prop: Property) -> ProtocolSpec:
    """The spec `prop` is decided, replayed and dated in: for an urgent-route question,
    `spec` with that question's clock; for every other property, `spec` itself."""
    if prop.urgent is None or prop.deadline is None:
        return spec
    if any(deadline.id == prop.deadline for deadline in spec.deadlines):
        return spec
    status = spec.status_by_id(prop.urgent)
    clock = Deadline(
        id=prop.deadline,
        within=_NOW,
        anchor=(status.id,),
        obligation=_taken_up(spec, status.id),
        consequence=UNSPECIFIED,
        modality=Modality.MUST,
        description=f"an urgent case moves on from '{words_of(spec, status.id)}' at once",
        sources=prop.sources,
        span=prop.span,
        route=status.id,
    )
    return evolve(spec, deadlines=(*spec.deadlines, clock))


def _taken_up(spec: ProtocolSpec, status: str) -> tuple[str, ...]:
    """What ends the question's wait on a day: a way on, or the sitting of a meeting a
    way on waits for (`held(m)`), taken up by a step from the status that stays there.
    So on a day the meeting sits, people who act at once have it take the case up; a
    wait is a working day on which neither can happen."""
    ways = ways_on(spec, status)
    needed = {
        argument
        for event in ways
        for guard in event.guards
        for predicate, argument in predicates_used(guard.condition)
        if predicate == "held"
    }
    sittings = [
        event
        for event in spec.events
        if event.at in needed
        and event.target in (None, status)
        and status in event_sources(spec, event)
    ]
    return tuple(dict.fromkeys(event.id for event in (*ways, *sittings)))


def longest_wait(spec: ProtocolSpec, prop: Property, *, max_states: int) -> str | None:
    """How long a case can wait in the question's status, in words, for a question that
    is violated in `spec` (its own copy): the same first-chance model with the clock
    widened to one more working day than the longest gap between sittings of the
    meetings its ways on wait for, whose worst case the explorer reads
    (`derived_margin.worst_case`). "more than N" when the case can wait past that (a
    guard only another step can lift may hold it for ever); None when the model has
    more than `max_states` states."""
    clock = next(d for d in spec.deadlines if d.id == prop.deadline and d.route is not None)
    times = timing(spec)
    waited_for = {
        event.at for event in spec.events if event.id in clock.obligation and event.at
    } | {
        argument
        for event in spec.events
        if event.id in clock.obligation
        for guard in event.guards
        for predicate, argument in predicates_used(guard.condition)
        if predicate == "held"
    }
    horizon = max((times.meetings.get(str(m), 0) for m in waited_for), default=0) + 1
    within = Duration(quantity=horizon, unit=Unit.WORKING_DAYS)
    wide = evolve(
        spec,
        deadlines=tuple(
            evolve(d, within=within, eager=True) if d.id == clock.id else d for d in spec.deadlines
        ),
    )
    worst = worst_case(ExplicitModel(wide, Reading.MUST), clock.id, max_states=max_states)
    if worst is None:
        return None
    if worst > horizon:
        return f"more than {horizon} working days"
    return f"up to {worst} working day{'s' if worst != 1 else ''}"


def reached_by_own_steps(spec: ProtocolSpec, status: str) -> bool:
    """Whether the status graph reaches `status` from a start without a step that
    follows another document (`external:`): when it does not, a question about it that
    such steps break says no case gets there without them."""
    starts = [s.id for s in spec.statuses if s.initial]
    edges = [
        (source, event.target)
        for event in spec.events
        if event.external is None and event.target is not None
        for source in event_sources(spec, event)
    ]
    seen, todo = set(starts), list(starts)
    while todo:
        here = todo.pop()
        for source, target in edges:
            if source == here and target not in seen:
                seen.add(target)
                todo.append(target)
    return status in seen


def sittings_taken_up(spec: ProtocolSpec, status: str) -> tuple[str, ...]:
    """The meetings whose sitting ends the question's wait in `status` (`_taken_up`): a
    proof then says the case is moved on, or taken up at one of them, the day it
    arrives; what the meeting decides after that is not part of the question."""
    ways = set(_taken_up(spec, status))
    return tuple(
        dict.fromkeys(
            str(event.at)
            for event in spec.events
            if event.id in ways and event.at is not None and event.target in (None, status)
        )
    )


def asked_spec(spec: ProtocolSpec, property_id: str) -> ProtocolSpec:
    """The spec a result about `property_id` was decided in, for telling its story when
    only the result is at hand (a writer, a report from saved results): `spec` with the
    urgent-route question's clock when `property_id` names one, else `spec`."""
    if not property_id.startswith(URGENT_PREFIX):
        return spec
    asked = next((prop for prop in urgent_properties(spec) if prop.id == property_id), None)
    return question_spec(spec, asked) if asked is not None else spec


def _cited(spec: ProtocolSpec, status: str, route: set[str]) -> tuple[Source, ...]:
    """What the question quotes: the urgent step-ups that lead into the status (else all
    that start a route), its own rule, then its ways on and what they wait for (their
    conditions and meetings), each once, in that order: so a wait shows both rules."""
    cited: list[Source] = []
    starts = [
        event
        for event in spec.events
        if event.kind is EventKind.URGENT_STEP_UP and event.target in route
    ]
    into = [event for event in starts if event.target == status]
    here = spec.status_by_id(status)
    ways = ways_on(spec, status, route)
    for sources in (
        *(event.sources for event in into or starts),
        here.sources,
        *(event.sources for event in ways),
        *(guard.sources for event in ways for guard in event.guards),
        *(spec.meeting_by_id(event.at).sources for event in ways if event.at is not None),
    ):
        cited.extend(source for source in sources if source not in cited)
    return tuple(cited)
