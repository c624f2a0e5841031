"""Why a step cannot happen: every reason, each with the rule's citations.

spec/SEMANTICS.md, "When an event can happen" (five conditions) and "Disputes"
(escalate, decide). The executor asks here first and only fires a step with no
refusal, so a rejection always lists everything that stands in the way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from stepcheck.oracle.executor_case import Case, DeadlineClock
from stepcheck.oracle.executor_index import CaseEnvironment, SpecIndex
from stepcheck.oracle.types import Refusal
from stepcheck.spec.citations import Citation, citations_of, long_date
from stepcheck.spec.expr import IntType, Value, apply_assignments
from stepcheck.spec.model import (
    NOT_NEEDED,
    Deadline,
    Direction,
    Escalation,
    EscalationLevel,
    Event,
)
from stepcheck.spec.precedence import rules_over
from stepcheck.spec.workdays import is_working_day, previous_working_day, working_days_between

__all__ = ["can_decide", "dispute_refusals", "escalation_target", "event_refusals"]


def event_refusals(
    index: SpecIndex,
    event: Event,
    case: Case,
    env: CaseEnvironment,
    updates: Mapping[str, Value],
) -> list[Refusal]:
    """Every reason `event` cannot happen in `case` at `case.now`; empty when it can."""
    refusals = _own_refusals(index, event, case, env, updates)
    return refusals + _gives_way(index, event, case, env)


def _own_refusals(
    index: SpecIndex,
    event: Event,
    case: Case,
    env: CaseEnvironment,
    updates: Mapping[str, Value],
) -> list[Refusal]:
    """Conditions 1-5 of "When an event can happen": the event's own rules."""
    spec = index.spec
    refusals: list[Refusal] = []
    if event.sources_from and case.status not in event.sources_from:
        refusals.append(
            Refusal(
                kind="from",
                reason=f"'{event.id}' happens only from {_ids(event.sources_from)}; "
                f"the case is in '{case.status}'",
                citations=citations_of(spec, event.sources),
            )
        )
    for guard in event.guards:
        if index.reading.enforces(guard.modality) and not env.holds(guard.condition):
            refusals.append(
                Refusal(
                    kind="guard",
                    reason=f"{guard.modality.value} guard '{guard.text}' does not hold",
                    citations=citations_of(spec, guard.sources or event.sources),
                )
            )
    refusals += _meeting_refusals(index, event, case.now)
    refusals += _range_refusals(index, updates)
    refusals += _held_back(index, event, case)
    return refusals


def _gives_way(index: SpecIndex, event: Event, case: Case, env: CaseEnvironment) -> list[Refusal]:
    """An enforced precedence whose route can happen on this working day by its own
    rules (SEMANTICS, "Precedence"): `event` gives way to it."""
    refusals = []
    for rule in rules_over(index.spec, event.id):
        if not index.reading.enforces(rule.modality):
            continue
        for route_id in rule.route:
            if _possible_today(index, index.events[route_id], case, env):
                refusals.append(
                    Refusal(
                        kind="precedence",
                        reason=f"'{event.id}' gives way to '{route_id}', which can happen "
                        f"now ({rule.modality.value} precedence '{rule.id}')",
                        citations=citations_of(index.spec, rule.sources),
                    )
                )
                break
    return refusals


def _possible_today(index: SpecIndex, event: Event, case: Case, env: CaseEnvironment) -> bool:
    """`event` can happen by its own rules on the working day `case.now` belongs to, as
    the checker counts: a meeting that sits on that working day, or a `not_before` due
    date no working day away, does not stop it even where the calendar is stricter (a
    Saturday after the Friday sitting, the morning before a 14:00 sitting, a due date on
    a Sunday). So the step that gives way to it gives way exactly where the checker's
    model says it does."""
    updates = apply_assignments(event.effects, env)
    today = case.now.date()
    working_day = today if is_working_day(today) else previous_working_day(today)
    for refusal in _own_refusals(index, event, case, env, updates):
        sittings = index.sittings.get(event.at) if event.at is not None else None
        if refusal.kind == "meeting" and sittings is not None and sittings.sits(working_day):
            continue
        if refusal.kind == "not_before" and _due_this_working_day(index, event, case):
            continue
        return False
    return True


def _due_this_working_day(index: SpecIndex, event: Event, case: Case) -> bool:
    """Every enforced `not_before` limit on `event` that runs ends no working day from now."""
    return all(
        working_days_between(case.now.date(), clock.limit.by) <= 0
        for _, clock in _minimum_waits(index, event, case)
    )


def _minimum_waits(
    index: SpecIndex, event: Event, case: Case
) -> Iterator[tuple[Deadline, DeadlineClock]]:
    """The enforced `not_before` deadlines running for `case` with `event` among their
    obligations, with their clocks."""
    for deadline in index.timed:
        clock = case.clock(deadline.id)
        if (
            deadline.direction is Direction.NOT_BEFORE
            and index.reading.enforces(deadline.modality)
            and event.id in deadline.obligation
            and clock is not None
        ):
            yield deadline, clock


def dispute_refusals(index: SpecIndex, kind: str, ladder: Escalation, case: Case) -> list[Refusal]:
    """Every reason `escalate` or `decide` (`kind`) cannot happen on `ladder` now."""
    citations = citations_of(index.spec, ladder.sources)
    dispute = case.dispute(ladder.id)
    if dispute is None:
        return [_dispute(f"no dispute is open on '{ladder.id}'", citations)]
    level = ladder.level_by_id(dispute.level)
    citations = citations_of(index.spec, (*level.sources, *ladder.sources))
    reasons: list[str] = []
    if level.external is not None:
        reasons.append(
            f"level '{level.id}' hands the dispute to '{level.external}', which is not encoded"
        )
    if kind == "escalate":
        if level.external is None and escalation_target(ladder, level) is None:
            reasons.append(f"'{level.id}' is the last level of '{ladder.id}'")
    else:
        if not level.decides:
            reasons.append(f"level '{level.id}' does not decide")
        if len(level.who) > 1 and not _names_a_role(ladder):
            reasons.append(
                f"{_ids(level.who)} decide together at '{level.id}' and "
                f"'{ladder.id}' names no tie-break"
            )
    return [_dispute(reason, citations) for reason in reasons]


def escalation_target(ladder: Escalation, level: EscalationLevel) -> str | None:
    """The level `escalate` moves to: `next`, else the following one; None if none or external."""
    if level.external is not None:
        return None
    if level.next is not None:
        return level.next
    position = ladder.levels.index(level)
    return ladder.levels[position + 1].id if position + 1 < len(ladder.levels) else None


def can_decide(ladder: Escalation, level: EscalationLevel) -> bool:
    """A deciding, internal level decides when one person decides or a tie-break is named."""
    if not level.decides or level.external is not None:
        return False
    return len(level.who) <= 1 or _names_a_role(ladder)


def _names_a_role(ladder: Escalation) -> bool:
    return isinstance(ladder.tie_break, str) and ladder.tie_break != NOT_NEEDED


def _meeting_refusals(index: SpecIndex, event: Event, now: datetime) -> list[Refusal]:
    """The meeting `event` is `at` does not sit on `now`'s day, or not yet at its time."""
    sittings = index.sittings.get(event.at) if event.at is not None else None
    if event.at is None or sittings is None or sittings.sits_at(now):
        return []
    meeting = index.spec.meeting_by_id(event.at)
    citations = citations_of(index.spec, meeting.sources)
    if sittings.sits(now.date()):
        return [
            Refusal(
                kind="meeting",
                reason=f"'{event.at}' sits at {sittings.sits_from:%H:%M} on "
                f"{long_date(now.date())}; the step was at {now:%H:%M}",
                citations=citations,
            )
        ]
    following = sittings.next_on_or_after(now.date())
    when = f"; it next sits on {long_date(following)}" if following is not None else ""
    return [
        Refusal(
            kind="meeting",
            reason=f"'{event.at}' ({meeting.cadence}) does not sit on {long_date(now.date())}"
            + when,
            citations=citations,
        )
    ]


def _range_refusals(index: SpecIndex, updates: Mapping[str, Value]) -> list[Refusal]:
    refusals = []
    for variable in index.spec.variables:
        value = updates.get(variable.id)
        if not isinstance(variable.type, IntType) or value is None:
            continue
        if not (isinstance(value, int) and variable.type.contains(value)):
            refusals.append(
                Refusal(
                    kind="range",
                    reason=f"'{variable.id}' would become {value!r}, outside "
                    f"{variable.type.lo}..{variable.type.hi}",
                    citations=citations_of(index.spec, variable.sources),
                )
            )
    return refusals


def _held_back(index: SpecIndex, event: Event, case: Case) -> list[Refusal]:
    """Enforced `not_before` deadlines with `event` among their obligations, not yet reached."""
    refusals = []
    for deadline, clock in _minimum_waits(index, event, case):
        if case.now.date() < clock.limit.by:
            refusals.append(
                Refusal(
                    kind="not_before",
                    reason=f"held back by '{deadline.id}' ({deadline.within} from "
                    f"{long_date(clock.limit.started.date())}) until {long_date(clock.limit.by)}",
                    citations=citations_of(index.spec, deadline.sources),
                )
            )
    return refusals


def _dispute(reason: str, citations: tuple[Citation, ...]) -> Refusal:
    return Refusal(kind="dispute", reason=reason, citations=citations)


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(f"'{item}'" for item in ids)
