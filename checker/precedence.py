"""Does a stated precedence hold? Where it can never apply, and where it lapses.

A precedence (`precedence:`, SEMANTICS.md "Precedence") makes the events of `over`
give way while an event of `route` can happen. Every engine and the executor apply it;
this module says, from the statuses, meetings and deadlines alone (no solver), where
the rule as written does not give the route precedence:

- SPEC242 (never applies): no reachable status is one both a route event and an
  `over` event can happen from, so the rule never makes anything give way; the
  statement the document makes is not attached to the steps it is about.
- SPEC243 (lapses while the route waits): a route event is taken only at a periodic
  meeting, or is held back by an enforced `not_before` deadline, and an `over` event
  that does not wait for the same thing can happen from a status they share. On the
  days the route cannot happen the rule binds nothing, so the step it should pre-empt
  may go ahead first: the route is delayed, and may be blocked, by what it should
  pre-empt.

Both are sound as stated whatever the guards say: they speak of when the rule can
bind, never of a run. A precedence with neither finding binds from every shared
status on every day its route can happen; the verdicts of every property are then
decided with it applied.
"""

from __future__ import annotations

from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Verdict
from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.graph import event_sources
from stepcheck.spec.model import Direction, Event, Modality, Precedence, ProtocolSpec
from stepcheck.spec.timing import Timing, timing

__all__ = ["binding_rules", "check_precedence", "relied_on"]


def check_precedence(
    spec: ProtocolSpec, reachable: set[str], times: Timing | None = None
) -> list[Diagnostic]:
    """SPEC242 and SPEC243 for every precedence rule; `reachable` are the statuses the
    status graph reaches from a start."""
    if not spec.precedence:
        return []
    times = times if times is not None else timing(spec)
    found: list[Diagnostic] = []
    for rule in spec.precedence:
        shared = _shared(spec, rule, reachable)
        if not shared:
            found.append(_never_applies(rule))
            continue
        for route_id in rule.route:
            route = spec.event_by_id(route_id)
            waits = _waits_for(spec, route, times)
            if waits is None:
                continue
            overtaking = sorted(
                (over_id, status)
                for (first, over_id), statuses in shared.items()
                if first == route_id and _waits_for(spec, spec.event_by_id(over_id), times) != waits
                for status in statuses
            )
            if overtaking:
                found.append(_lapses(rule, route, waits, overtaking))
    return found


def _shared(
    spec: ProtocolSpec, rule: Precedence, reachable: set[str]
) -> dict[tuple[str, str], list[str]]:
    """Per (route, over) pair, the reachable statuses both can happen from, in spec order."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for route_id in rule.route:
        first = set(event_sources(spec, spec.event_by_id(route_id)))
        for over_id in rule.over:
            then = set(event_sources(spec, spec.event_by_id(over_id)))
            statuses = [s.id for s in spec.statuses if s.id in first & then & reachable]
            if statuses:
                pairs[(route_id, over_id)] = statuses
    return pairs


def _waits_for(spec: ProtocolSpec, event: Event, times: Timing) -> str | None:
    """What makes `event` wait on some days: its periodic meeting, or the first enforced
    `not_before` deadline among whose obligations it is; None when nothing does."""
    if event.at is not None and event.at in times.meetings:
        meeting = spec.meeting_by_id(event.at)
        return f"'{event.at}' ({meeting.cadence}) to sit"
    for deadline in spec.deadlines:
        if (
            deadline.direction is Direction.NOT_BEFORE
            and deadline.id in times.deadlines
            and event.id in deadline.obligation
        ):
            return f"'{deadline.id}' ({deadline.within}) to pass"
    return None


def _never_applies(rule: Precedence) -> Diagnostic:
    route, over = _ids(rule.route), _ids(rule.over)
    return finding(
        "SPEC242",
        f"precedence '{rule.id}' never applies: no reachable status is one both {route} "
        f"and {over} can happen from",
        rule.span,
        rule.sources,
        "name the steps the document says give way where the case can be when the route "
        "is needed (e.g. the statuses of a pending step-down)",
        subject=f"precedence:{rule.id}",
    )


def _lapses(
    rule: Precedence, route: Event, waits: str, overtaking: list[tuple[str, str]]
) -> Diagnostic:
    steps = ", ".join(f"'{over}' from '{status}'" for over, status in overtaking[:4])
    more = f" and {len(overtaking) - 4} more" if len(overtaking) > 4 else ""
    return finding(
        "SPEC243",
        f"precedence '{rule.id}' lapses while '{route.id}' waits for {waits}: on those days "
        f"{steps}{more} can go ahead first",
        rule.span,
        rule.sources,
        f"if the document lets '{route.id}' happen at once, drop its wait; otherwise the "
        "route is delayed by the steps it should pre-empt, which is the finding",
        subject=f"precedence:{rule.id}",
    )


def binding_rules(spec: ProtocolSpec) -> tuple[Precedence, ...]:
    """The precedence rules the must reading enforces (every verdict is decided there)."""
    return tuple(rule for rule in spec.precedence if rule.modality is Modality.MUST)


def relied_on(spec: ProtocolSpec, unordered: Outcome | None) -> tuple[str, ...]:
    """What a proof says about the precedence rules it was decided with, given the
    outcome of the same question without them: it holds only because of them (cited),
    or whether it would hold without them was not decided. Nothing when it holds
    without them too, or when no rule binds."""
    rules = binding_rules(spec)
    if unordered is None or not rules or unordered.verdict is Verdict.PROVED:
        return ()
    named = "; ".join(_rule_words(rule) for rule in rules)
    if unordered.verdict is Verdict.VIOLATED:
        return (
            f"Holds only because the document gives some routes precedence ({named}); "
            "without that, it fails.",
        )
    return (
        f"Decided with the precedence the document states ({named}); whether it holds "
        f"without it was not decided ({unordered.reason}).",
    )


def _rule_words(rule: Precedence) -> str:
    quote = next((source.quote for source in rule.sources if source.quote), None)
    said = f': "{quote}"' if quote else ""
    first = " or ".join(f"'{item}'" for item in rule.route)
    then = " and ".join(f"'{item}'" for item in rule.over)
    return f"{first} comes before {then}, '{rule.id}'{said}"


def _ids(ids: tuple[str, ...]) -> str:
    return " or ".join(f"'{item}'" for item in ids)
