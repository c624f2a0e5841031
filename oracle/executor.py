"""The reference executor: a spec's case, stepped at explicit datetimes on the real calendar.

It implements spec/SEMANTICS.md with datetimes where the checker has working days
(see "The oracle's calendar" there, and `calendar_rules`). Each step is an event id,
or `escalate:<ladder>` / `decide:<ladder>`; it is accepted, with the next case and the
obligations now running, or rejected with every reason and its citations. Time never
blocks here: a deadline that is missed becomes overdue (the checker's blocked ticks
are an assumption that people comply, not a rule to enforce).

>>> from stepcheck.spec.loader import load_spec
>>> executor = Executor(load_spec("tests/fixtures/specs/valid/example.yaml"))
>>> case = executor.start(at=datetime(2026, 12, 21, 9, 0))
>>> executor.apply(case, "request_step_up", at=datetime(2026, 12, 22, 10, 0)).view.status
'awaiting_tam'
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from datetime import date, datetime

from attrs import evolve

from stepcheck.oracle.calendar_rules import passed, sittings_of
from stepcheck.oracle.executor_case import Case
from stepcheck.oracle.executor_effects import decided, escalated, fired
from stepcheck.oracle.executor_index import SpecIndex, environment_of
from stepcheck.oracle.executor_rules import dispute_refusals, event_refusals
from stepcheck.oracle.types import Accepted, CaseView, Due, Lateness, Rejected, StepResult
from stepcheck.spec.citations import citations_of
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.expr import apply_assignments
from stepcheck.spec.model import (
    NO_OWNER,
    UNSPECIFIED,
    Direction,
    ProtocolSpec,
    Reading,
    Status,
)
from stepcheck.spec.readings import require_closed

__all__ = ["Case", "Executor"]

_DISPUTE_KINDS = ("escalate", "decide")


class Executor:
    """The reference executor of one spec under one reading.

    Args:
        spec: the protocol.
        reading: which modalities are enforced (`may` never is).
        meetings: a day on which each periodic meeting sits. It fixes the weekday
            (weekly, fortnightly) or day of the month (monthly) when the spec gives
            none, and which weeks a fortnightly meeting sits in. By default a meeting
            without a weekday sits on Mondays (weekly, fortnightly) or the 1st
            (monthly), moved on to the next working day, and fortnights count from
            Monday 27 December 1999.
        unstated_days_as: how to read a bare "days" (`Unit.WORKING_DAYS` or
            `Unit.CALENDAR_DAYS`); working days by default.

    Raises:
        ValueError: `meetings` names an unknown meeting or a day it cannot sit.
    """

    def __init__(
        self,
        spec: ProtocolSpec,
        reading: Reading = Reading.MUST,
        meetings: Mapping[str, date] | None = None,
        *,
        unstated_days_as: Unit = Unit.WORKING_DAYS,
    ) -> None:
        require_closed(spec, "the executor")
        self.spec = spec
        self.reading = reading
        self.index = SpecIndex.of(spec, reading, meetings, unstated_days_as)
        self._steps = (
            *(event.id for event in spec.events),
            *(f"{kind}:{ladder.id}" for ladder in spec.escalations for kind in _DISPUTE_KINDS),
        )
        self._known = frozenset(self._steps)
        self._possible_in: dict[str, tuple[str, ...]] = {}

    def following(self, rules: Collection[str]) -> Executor:
        """This executor, but with the people following these re-referral rules even where
        the reading does not enforce them (a should-rule under the must reading, a may-rule).

        Raises:
            ValueError: a rule id is unknown.
        """
        known = {rule.id for rule in self.spec.rereferrals}
        unknown = sorted(set(rules) - known)
        if unknown:
            raise ValueError(f"unknown re-referral rule(s) {', '.join(map(repr, unknown))}")
        other = copy.copy(self)
        other.index = evolve(self.index, followed=frozenset(rules))
        return other

    def with_meetings(self, meetings: Mapping[str, date]) -> Executor:
        """This executor, but with the given meetings sitting from the given days (see `meetings`).

        The other meetings keep their sittings, so a caller can try another day for one
        meeting without knowing the days the others were given.

        Raises:
            ValueError: `meetings` names an unknown meeting or a day it cannot sit.
        """
        cadences = {meeting.id: meeting.cadence for meeting in self.spec.meetings}
        unknown = sorted(set(meetings) - set(cadences))
        if unknown:
            raise ValueError(f"unknown meeting(s) {', '.join(map(repr, unknown))}")
        sittings = dict(self.index.sittings)
        for meeting_id, anchor in meetings.items():
            found = sittings_of(cadences[meeting_id], anchor)
            if found is not None:
                sittings[meeting_id] = found
        other = copy.copy(self)
        other.index = evolve(self.index, sittings=sittings)
        return other

    @property
    def steps(self) -> tuple[str, ...]:
        """Every step name: event ids, then `escalate:`/`decide:` per ladder."""
        return self._steps

    def start(self, *, at: datetime, status: str | None = None) -> Case:
        """A new case at `at` in an initial status (default: the spec's first).

        Raises:
            ValueError: `status` is unknown or not initial.
        """
        initial = [s for s in self.spec.statuses if s.initial]
        if status is None:
            chosen = initial[0]
        else:
            found = [s for s in initial if s.id == status]
            if not found:
                what = "not an initial status" if status in self.index.statuses else "unknown"
                raise ValueError(f"status '{status}' is {what}; initial: {_names(initial)}")
            chosen = found[0]
        return self._made(
            status=chosen.id,
            owner=chosen.owner or UNSPECIFIED.value,
            co_owner=NO_OWNER,
            previous_owner=NO_OWNER,
            variables=tuple((v.id, v.initial) for v in self.spec.variables),
            held=(),
            deadlines=(),
            disputes=(),
            windows=(),
            now=at,
            started=at,
        )

    def apply(self, case: Case, step: str, *, at: datetime) -> StepResult:
        """Take `step` in `case` at `at`: accepted with the next case, or rejected with reasons.

        Raises:
            ValueError: `step` is not one of `steps`, or `at` is before `case.now`.
        """
        if step not in self._known:
            raise ValueError(f"unknown step '{step}'; steps are: {', '.join(self._steps)}")
        moved = self.advance(case, at)
        kind, _, ladder_id = step.partition(":")
        if ladder_id and kind in _DISPUTE_KINDS:
            ladder = self.index.ladders[ladder_id]
            refusals = dispute_refusals(self.index, kind, ladder, moved)
            after = None
            if not refusals and kind == "escalate":
                after = escalated(self.index, ladder, moved)
            elif not refusals:
                after = decided(ladder, moved)
        else:
            event = self.index.events[step]
            env = environment_of(self.index, moved)
            updates = apply_assignments(event.effects, env)
            refusals = event_refusals(self.index, event, moved, env, updates)
            after = None if refusals else fired(self.index, event, moved, env, updates)
        if after is None:
            return Rejected(step=step, at=at, view=moved.view, refusals=tuple(refusals), case=moved)
        made = self._remade(after)
        late = _met_late(self.index, step, moved, made, at)
        return Accepted(step=step, at=at, view=made.view, due=made.due, case=made, late=late)

    def force(self, case: Case, step: str, *, at: datetime) -> Case | None:
        """The case after event `step` at `at` even where the spec forbids it.

        An audit log records what happened, rules or not (`oracle/replay_engine.py`): the
        case follows the log, with the event's own effects, target and clocks, so one
        breach is reported once instead of every later row being judged from a status
        the case no longer has. None for a dispute step (`escalate:`/`decide:`), which
        has nothing to do when it is refused.

        Raises:
            ValueError: `step` is not one of `steps`, or `at` is before `case.now`.
        """
        if step not in self._known:
            raise ValueError(f"unknown step '{step}'; steps are: {', '.join(self._steps)}")
        event = self.index.events.get(step)
        if event is None:
            return None
        moved = self.advance(case, at)
        env = environment_of(self.index, moved)
        updates = apply_assignments(event.effects, env)
        return self._remade(fired(self.index, event, moved, env, updates))

    def enabled(self, case: Case, at: datetime | None = None) -> tuple[str, ...]:
        """The steps that would be accepted at `at` (default `case.now`), sorted."""
        when = case.now if at is None else at
        return tuple(
            sorted(
                step
                for step in self._possible(case.status)
                if self.apply(case, step, at=when).accepted
            )
        )

    def _possible(self, status: str) -> tuple[str, ...]:
        """The steps not refused in `status` by their `from` alone (dispute steps
        included): the only ones `enabled` needs to try, kept per status."""
        found = self._possible_in.get(status)
        if found is None:
            found = tuple(
                step
                for step in self._steps
                if (event := self.index.events.get(step)) is None
                or not event.sources_from
                or status in event.sources_from
            )
            self._possible_in[status] = found
        return found

    def advance(self, case: Case, at: datetime) -> Case:
        """`case` moved on to `at`: nothing happens but time; windows whose time ran out close.

        Raises:
            ValueError: `at` is before `case.now`.
        """
        if at < case.now:
            raise ValueError(f"cannot step back in time: {at} is before {case.now}")
        if at == case.now:
            return case
        windows = tuple(w for w in case.windows if not passed(w.limit.by, at))
        return self._remade(case, now=at, windows=windows)

    def _remade(self, case: Case, **changes: object) -> Case:
        """`case` with `changes` to its stored parts, its view and obligations derived anew."""
        return self._made(**({name: getattr(case, name) for name in _STORED} | changes))

    def _made(self, **parts: object) -> Case:
        """A `Case` from its stored parts, with its view and obligations derived."""
        draft = Case(**parts, view=_EMPTY_VIEW, due=())  # type: ignore[arg-type]
        due = self._due(draft)
        view = CaseView(
            status=draft.status,
            owner=draft.owner,
            co_owner=draft.co_owner,
            allocated=self.index.owners[draft.owner].allocated,
            due={d.deadline: d.by for d in due},
            disputes={d.ladder: d.level for d in draft.disputes},
        )
        return Case(**parts, view=view, due=due)  # type: ignore[arg-type]

    def _due(self, case: Case) -> tuple[Due, ...]:
        """The running `after` deadlines, with due dates and whether they are overdue."""
        found = []
        for deadline in self.index.timed:
            clock = case.clock(deadline.id)
            if clock is None or deadline.direction is not Direction.AFTER:
                continue
            found.append(
                Due(
                    deadline=deadline.id,
                    by=clock.limit.by,
                    obligation=deadline.obligation,
                    overdue=passed(clock.limit.by, case.now),
                    citations=citations_of(self.spec, deadline.sources),
                    ends=clock.limit.ends if _in_hours(deadline.within) else None,
                    late=_in_hours(deadline.within) and case.now > clock.limit.ends,
                )
            )
        return tuple(found)


_STORED = (
    "status",
    "owner",
    "co_owner",
    "previous_owner",
    "variables",
    "held",
    "deadlines",
    "disputes",
    "windows",
    "now",
    "started",
)
_EMPTY_VIEW = CaseView(status="", owner="")


def _in_hours(within: object) -> bool:
    return isinstance(within, Duration) and within.unit is Unit.HOURS


def _met_late(
    index: SpecIndex, step: str, before: Case, after: Case, at: datetime
) -> tuple[Lateness, ...]:
    """The deadlines in clock hours that `step` met after their exact end."""
    event = index.events.get(step)
    if event is None:
        return ()
    entered = after.status if after.status != before.status else None
    found = []
    for deadline in index.timed:
        clock = before.clock(deadline.id)
        if clock is None or not _in_hours(deadline.within):
            continue
        if {event.id, entered}.isdisjoint(deadline.obligation):
            continue
        if at > clock.limit.ends:
            found.append(Lateness(deadline=deadline.id, ends=clock.limit.ends, at=at))
    return tuple(found)


def _names(statuses: list[Status]) -> str:
    return ", ".join(f"'{status.id}'" for status in statuses)
