"""What the executor looks up on every step, computed once per spec and reading.

Also the expressions' view of a case (`CaseEnvironment`): built-ins, variables and
the predicates `held`, `overdue`, `escalating` and `in_window`, each given as the set
of ids it holds for, so a step can mix the old and the new state as SEMANTICS asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.calendar_rules import Sittings, passed, sittings_of
from stepcheck.oracle.executor_case import Case
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.expr import Expr, Value, evaluate
from stepcheck.spec.model import (
    Deadline,
    Direction,
    Escalation,
    Event,
    Owner,
    ProtocolSpec,
    Reading,
    Status,
)

__all__ = ["CaseEnvironment", "SpecIndex", "environment_of", "overdue_deadlines"]


@frozen(kw_only=True)
class SpecIndex:
    """One spec under one reading, with its meetings' sitting days, indexed for lookups.

    `timed` holds the deadlines that run clocks: `after` or `not_before`, with a
    duration (the checker's timed deadlines, in spec order).
    """

    spec: ProtocolSpec
    reading: Reading
    unstated_days_as: Unit
    statuses: Mapping[str, Status]
    events: Mapping[str, Event]
    owners: Mapping[str, Owner]
    ladders: Mapping[str, Escalation]
    timed: tuple[Deadline, ...]
    sittings: Mapping[str, Sittings]
    followed: frozenset[str] = frozenset()
    """Re-referral rules the reading does not enforce but the people follow in this run."""

    @classmethod
    def of(
        cls,
        spec: ProtocolSpec,
        reading: Reading,
        meetings: Mapping[str, date] | None,
        unstated_days_as: Unit,
    ) -> SpecIndex:
        """Index `spec`; `meetings` gives a day each periodic meeting sits (see calendar_rules).

        Raises:
            ValueError: `meetings` names an unknown meeting, or a day it cannot sit.
        """
        anchors = dict(meetings or {})
        unknown = sorted(set(anchors) - {meeting.id for meeting in spec.meetings})
        if unknown:
            raise ValueError(f"unknown meeting(s) {', '.join(map(repr, unknown))}")
        sittings = {
            meeting.id: found
            for meeting in spec.meetings
            if (found := sittings_of(meeting.cadence, anchors.get(meeting.id))) is not None
        }
        return cls(
            spec=spec,
            reading=reading,
            unstated_days_as=unstated_days_as,
            statuses={status.id: status for status in spec.statuses},
            events={event.id: event for event in spec.events},
            owners={owner.id: owner for owner in spec.owners},
            ladders={ladder.id: ladder for ladder in spec.escalations},
            timed=tuple(
                deadline
                for deadline in spec.deadlines
                if deadline.direction is not Direction.BEFORE
                and isinstance(deadline.within, Duration)
            ),
            sittings=sittings,
        )


@frozen(kw_only=True)
class CaseEnvironment:
    """A case as expressions see it (`spec.expr.Environment`)."""

    index: SpecIndex
    status: str
    owner: str
    co_owner: str
    values: Mapping[str, Value]
    held: frozenset[str]
    overdue: frozenset[str]
    in_window: frozenset[str]
    escalating: frozenset[str]

    def value(self, name: str) -> Value:
        """A built-in (`status`, `tier`, `owner`, ...) or a variable's value."""
        match name:
            case "status":
                return self.status
            case "owner":
                return self.owner
            case "co_owner":
                return self.co_owner
            case "tier":
                return self.index.statuses[self.status].tier.value
            case "allocated":
                return self.index.owners[self.owner].allocated
            case "owned":
                return self.index.owners[self.owner].responsible
        if name not in self.values:
            raise InternalError(f"no value for variable '{name}'")
        return self.values[name]

    def predicate(self, name: str, argument: str) -> bool:
        """`held`, `overdue`, `escalating` or `in_window` of one id."""
        match name:
            case "held":
                return argument in self.held
            case "overdue":
                return argument in self.overdue
            case "escalating":
                return argument in self.escalating
            case "in_window":
                return argument in self.in_window
        raise InternalError(f"unknown predicate '{name}'")

    def holds(self, expr: Expr) -> bool:
        """Whether the boolean expression `expr` is true here."""
        value = evaluate(expr, self)
        if not isinstance(value, bool):
            raise InternalError(f"condition evaluated to {value!r}")
        return value


def environment_of(index: SpecIndex, case: Case) -> CaseEnvironment:
    """`case` at its `now`, as expressions see it."""
    return CaseEnvironment(
        index=index,
        status=case.status,
        owner=case.owner,
        co_owner=case.co_owner,
        values=dict(case.variables),
        held=frozenset(case.held),
        overdue=overdue_deadlines(index, case, case.now),
        in_window=frozenset(window.rule for window in case.windows),
        escalating=frozenset(dispute.ladder for dispute in case.disputes),
    )


def overdue_deadlines(index: SpecIndex, case: Case, now: datetime) -> frozenset[str]:
    """The running `after` deadlines whose due date has passed at `now`."""
    after = {d.id for d in index.timed if d.direction is Direction.AFTER}
    return frozenset(
        clock.deadline
        for clock in case.deadlines
        if clock.deadline in after and passed(clock.limit.by, now)
    )
