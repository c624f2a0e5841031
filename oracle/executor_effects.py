"""What a step does to a case: spec/SEMANTICS.md, "What an event does" and "Disputes".

Everything is computed from the case before the step (a simultaneous update). The
conditions of deadlines and re-referral windows read the new state, except
`overdue` and `in_window`, which read the old one ("Fine points").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import evolve

from stepcheck.oracle.calendar_rules import Limit, limit_from
from stepcheck.oracle.executor_case import Case, DeadlineClock, DisputeClock, WindowClock
from stepcheck.oracle.executor_index import CaseEnvironment, SpecIndex
from stepcheck.oracle.executor_rules import escalation_target
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import Value
from stepcheck.spec.model import PREVIOUS_OWNER, Escalation, Event, Unspecified

__all__ = ["decided", "escalated", "fired"]


def fired(
    index: SpecIndex, event: Event, case: Case, env: CaseEnvironment, updates: Mapping[str, Value]
) -> Case:
    """The case after `event` happens at `case.now` (the caller has checked it can)."""
    status = event.target or case.status
    owner = _new_owner(index, event, case, status)
    tier_changes = index.statuses[status].tier is not index.statuses[case.status].tier
    held = set() if tier_changes else set(case.held)
    if event.at is not None:
        held.add(event.at)
    # One new Case, built directly: `attrs.evolve` costs several times a constructor,
    # and this runs on every step of every replayed row.
    variables = tuple((name, updates.get(name, value)) for name, value in case.variables)
    co_owner = event.co_owner or case.co_owner
    disputes = _disputes(index, event, case)
    held_now = tuple(sorted(held))
    new_env = CaseEnvironment(
        index=env.index,
        status=status,
        owner=owner,
        co_owner=co_owner,
        values=dict(variables),
        held=frozenset(held_now),
        overdue=env.overdue,
        in_window=env.in_window,
        escalating=frozenset(dispute.ladder for dispute in disputes),
    )
    return Case(
        status=status,
        owner=owner,
        co_owner=co_owner,
        previous_owner=case.owner if owner != case.owner else case.previous_owner,
        variables=variables,
        held=held_now,
        deadlines=_deadlines(index, event, case, status, new_env),
        disputes=disputes,
        windows=_windows(index, event, case, new_env),
        now=case.now,
        started=case.started,
        view=case.view,
        due=case.due,
    )


def escalated(index: SpecIndex, ladder: Escalation, case: Case) -> Case:
    """The case after the dispute on `ladder` moves up a level (the caller has checked it can)."""
    dispute = case.dispute(ladder.id)
    assert dispute is not None, "escalate needs an open dispute"
    target = escalation_target(ladder, ladder.level_by_id(dispute.level))
    assert target is not None, "escalate needs a level to go to"
    moved = evolve(
        dispute,
        level=target,
        level_started=case.now,
        level_limit=_limit(index, ladder.level_by_id(target).within, case.now),
    )
    return evolve(
        case, disputes=tuple(moved if d.ladder == ladder.id else d for d in case.disputes)
    )


def decided(ladder: Escalation, case: Case) -> Case:
    """The case after the dispute on `ladder` is decided, which closes it."""
    return evolve(case, disputes=tuple(d for d in case.disputes if d.ladder != ladder.id))


def _new_owner(index: SpecIndex, event: Event, case: Case, status: str) -> str:
    """Re-referral routing first, then the event's owner, then the entered status's.

    A rule routes when the reading enforces it, or when it is one the people follow in
    this run (`SpecIndex.followed`: a should-rule under the must reading, a may-rule)."""
    for rule in index.spec.rereferrals:
        window = case.window(rule.id)
        follows = index.reading.enforces(rule.modality) or rule.id in index.followed
        if rule.event == event.id and window is not None and follows:
            return window.owner if rule.route_to == PREVIOUS_OWNER else rule.route_to
    if event.owner is not None:
        return case.previous_owner if event.owner == PREVIOUS_OWNER else event.owner
    declared = index.statuses[status].owner
    if status != case.status and declared is not None:
        return declared
    return case.owner


def _disputes(index: SpecIndex, event: Event, case: Case) -> tuple[DisputeClock, ...]:
    """A resolution closes a dispute; a trigger opens a closed one (resolution wins)."""
    disputes = []
    for ladder in index.spec.escalations:
        open_now = case.dispute(ladder.id)
        if event.id in ladder.resolution:
            continue
        if event.id in ladder.trigger and open_now is None:
            first = ladder.levels[0]
            disputes.append(
                DisputeClock(
                    ladder=ladder.id,
                    level=first.id,
                    level_started=case.now,
                    opened=case.now,
                    level_limit=_limit(index, first.within, case.now),
                    dispute_limit=_limit(index, ladder.within, case.now),
                )
            )
        elif open_now is not None:
            disputes.append(open_now)
    return tuple(disputes)


def _windows(
    index: SpecIndex, event: Event, case: Case, new_env: CaseEnvironment
) -> tuple[WindowClock, ...]:
    """An anchor whose condition holds (re)opens a window, recording the owner before."""
    windows = []
    for rule in index.spec.rereferrals:
        window = case.window(rule.id)
        if event.id in rule.anchor and (rule.condition is None or new_env.holds(rule.condition)):
            limit = limit_from(case.now, rule.window, unstated_days_as=index.unstated_days_as)
            windows.append(WindowClock(rule=rule.id, limit=limit, owner=case.owner))
        elif window is not None:
            windows.append(window)
    return tuple(windows)


def _deadlines(
    index: SpecIndex, event: Event, case: Case, status: str, new_env: CaseEnvironment
) -> tuple[DeadlineClock, ...]:
    """Per timed deadline, in this order: start, met, left, unchanged."""
    entered = status if status != case.status else None
    happened = {event.id, entered} - {None}
    clocks = []
    for deadline in index.timed:
        clock = case.clock(deadline.id)
        assert isinstance(deadline.within, Duration), "timed deadlines have a duration"
        anchors = set(deadline.anchor)
        if not anchors.isdisjoint({*happened, event.at}) and (
            deadline.condition is None or new_env.holds(deadline.condition)
        ):
            clocks.append(_restart(index, deadline.id, deadline.within, case.now))
        elif clock is not None and not happened.isdisjoint(deadline.obligation):
            if deadline.recurring:
                clocks.append(_restart(index, deadline.id, deadline.within, case.now))
        elif clock is not None and case.status in anchors and status not in anchors:
            continue
        elif clock is not None:
            clocks.append(clock)
    return tuple(clocks)


def _restart(index: SpecIndex, deadline: str, within: Duration, now: datetime) -> DeadlineClock:
    """The clock of `deadline` started afresh at `now` (made only when it is used)."""
    limit = limit_from(now, within, unstated_days_as=index.unstated_days_as)
    return DeadlineClock(deadline=deadline, limit=limit)


def _limit(index: SpecIndex, within: Duration | Unspecified, start: datetime) -> Limit | None:
    if not isinstance(within, Duration):
        return None
    return limit_from(start, within, unstated_days_as=index.unstated_days_as)
