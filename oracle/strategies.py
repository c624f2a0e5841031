"""Hypothesis strategies for driving one case: where it starts, its steps, and time passing.

`from_spec(spec)` gives the strategies a test of a system draws from. Steps come in
three kinds, so that both sides are asked about moves they must refuse as well as
moves they must take: steps the oracle enables now, steps whose `from` matches the
case's status but which are not enabled (a guard fails, a meeting does not sit), and
steps sent in a status their `from` leaves out (about one step in eight, so a
system that accepts a step in the wrong status is caught). Each case also leaves out
a random set of steps altogether (swarm testing): a case that may not withdraw
consent goes further down the paths that need consent.

Time moves forward by jumps a case worker meets: later the same day, the next
working day, over a weekend, to the next sitting of a meeting (at its time of day,
when it has one), into and over Christmas and Easter bank holidays, whole weeks, and
to the last day a running time limit allows or the day after it (where a window that
closes a day early shows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import Enum

from attrs import frozen
from dateutil.easter import easter
from hypothesis import strategies as st

from stepcheck.oracle.calendar_rules import Sittings, sittings_of
from stepcheck.spec.model import ANY_STATUS, ProtocolSpec
from stepcheck.spec.workdays import is_working_day, next_working_day

__all__ = ["Jump", "Moves", "Step", "Wait", "from_spec", "jumped"]

_FIRST_START = date(2026, 1, 5)
_LAST_START = date(2028, 12, 22)


class Jump(Enum):
    """A way time passes between two steps."""

    SAME_DAY = "later the same day"
    NEXT_WORKING_DAY = "the next working day"
    OVER_WEEKEND = "over a weekend"
    NEXT_MEETING = "to the next sitting of a meeting"
    INTO_CHRISTMAS = "into the Christmas bank holidays"
    OVER_CHRISTMAS = "over Christmas to the next working day"
    INTO_EASTER = "into the Easter bank holidays"
    OVER_EASTER = "over Easter to the next working day"
    WEEK = "a week"
    WEEKS = "several weeks"
    LAST_DAY = "to the last day the nearest running time limit allows"
    DAY_AFTER = "to the first working day after the nearest running time limit"


@frozen
class Step:
    """Ask both sides to take a step now."""

    step: str


@frozen
class Wait:
    """Let time pass; `meeting` names the meeting a `NEXT_MEETING` jump waits for."""

    jump: Jump
    meeting: str | None = None
    weeks: int = 1


Action = Step | Wait


@frozen(kw_only=True)
class Moves:
    """The strategies for one spec (see `from_spec`)."""

    initial: tuple[str, ...]
    steps: tuple[str, ...]
    sources: Mapping[str, tuple[str, ...]]
    periodic: tuple[str, ...]

    def starts(self) -> st.SearchStrategy[tuple[str, datetime]]:
        """An initial status and a start moment: a working-day morning in 2026-2028,
        often close to Christmas or Easter."""
        days = st.one_of(
            st.dates(min_value=_FIRST_START, max_value=_LAST_START),
            st.builds(_near_christmas, st.integers(2026, 2028), st.integers(0, 10)),
            st.builds(_near_easter, st.integers(2026, 2028), st.integers(0, 10)),
        ).map(_working_on_or_after)
        hours = st.integers(8, 16).map(lambda hour: time(hour, 0))
        moments = st.builds(datetime.combine, days, hours)
        return st.tuples(st.sampled_from(self.initial), moments)

    def swarm(self) -> st.SearchStrategy[frozenset[str]]:
        """Steps one case leaves out (swarm testing); shrinks towards leaving out none."""
        if not self.steps:
            return st.just(frozenset())
        return st.frozensets(st.sampled_from(self.steps), max_size=max(1, len(self.steps) // 3))

    def actions(
        self,
        status: str,
        enabled: tuple[str, ...],
        taken: frozenset[str] = frozenset(),
        left_out: frozenset[str] = frozenset(),
    ) -> st.SearchStrategy[Action]:
        """The next action for a case in `status` with `enabled` steps.

        Steps not yet `taken` (accepted) in this run come first, so a run moves on
        through the protocol rather than repeating itself, and keeps trying a refused
        step at new moments; it shrinks towards enabled steps. Steps `left_out` of
        this case are not sent while another step can be.
        """
        allowed = tuple(step for step in enabled if step not in left_out) or enabled
        plausible = tuple(
            step
            for step in self.steps
            if step not in enabled and _may_start_in(self.sources.get(step), status)
        )
        wrong = tuple(step for step in self.steps if step not in enabled and step not in plausible)
        fresh = (
            tuple(step for step in allowed if step not in taken),
            tuple(step for step in plausible if step not in taken),
        )
        return st.integers(0, 99).flatmap(
            lambda roll: self._action(roll, fresh, allowed, plausible, wrong)
        )

    def waits(self) -> st.SearchStrategy[Wait]:
        """A time jump."""
        meetings = (
            st.sampled_from(self.periodic).map(lambda name: Wait(Jump.NEXT_MEETING, name))
            if self.periodic
            else st.just(Wait(Jump.NEXT_WORKING_DAY))
        )
        return st.one_of(
            st.just(Wait(Jump.SAME_DAY)),
            meetings,
            st.just(Wait(Jump.NEXT_WORKING_DAY)),
            st.just(Wait(Jump.OVER_WEEKEND)),
            st.just(Wait(Jump.WEEK)),
            st.integers(2, 6).map(lambda weeks: Wait(Jump.WEEKS, weeks=weeks)),
            st.sampled_from(
                (Jump.INTO_CHRISTMAS, Jump.OVER_CHRISTMAS, Jump.INTO_EASTER, Jump.OVER_EASTER)
            ).map(Wait),
            st.sampled_from((Jump.LAST_DAY, Jump.DAY_AFTER)).map(Wait),
        )

    def sequences(self, *, max_steps: int) -> st.SearchStrategy[list[Action]]:
        """Step sequences without looking at the case: any step of the spec, or a jump."""
        any_step = st.sampled_from(self.steps).map(Step)
        return st.lists(st.one_of(any_step, self.waits()), max_size=max_steps)

    def _action(
        self,
        roll: int,
        fresh: tuple[tuple[str, ...], tuple[str, ...]],
        enabled: tuple[str, ...],
        plausible: tuple[str, ...],
        wrong: tuple[str, ...],
    ) -> st.SearchStrategy[Action]:
        if roll < 34 and fresh[0]:
            return st.sampled_from(fresh[0]).map(Step)
        if roll < 46 and fresh[1]:
            return st.sampled_from(fresh[1]).map(Step)
        if roll < 56 and enabled:
            return st.sampled_from(enabled).map(Step)
        if roll < 64 and plausible:
            return st.sampled_from(plausible).map(Step)
        if roll < 79 and wrong:
            return st.sampled_from(wrong).map(Step)
        if roll < 80:
            return st.sampled_from(self.steps).map(Step)
        return self.waits()


def from_spec(spec: ProtocolSpec, *, steps: tuple[str, ...] | None = None) -> Moves:
    """The strategies for cases of `spec`.

    Args:
        spec: the protocol.
        steps: every step name (the executor's `steps`); default the spec's events.
    """
    sources = {
        event.id: (() if ANY_STATUS in event.sources_from else event.sources_from)
        for event in spec.events
    }
    return Moves(
        initial=tuple(status.id for status in spec.statuses if status.initial),
        steps=steps if steps is not None else tuple(event.id for event in spec.events),
        sources=sources,
        periodic=tuple(
            meeting.id for meeting in spec.meetings if sittings_of(meeting.cadence) is not None
        ),
    )


def jumped(
    now: datetime,
    wait: Wait,
    sittings: Callable[[str], Sittings | None],
    limits: Sequence[date] = (),
) -> datetime:
    """The moment after `wait` from `now`; never earlier than `now`.

    `sittings` gives a periodic meeting's sitting days (the executor's meeting anchors);
    `limits` the due dates of the case's running time limits (deadlines, re-referral
    windows, dispute levels), where a limit counted a day short shows.
    """
    morning = time(9, 0)
    today = now.date()
    match wait.jump:
        case Jump.LAST_DAY | Jump.DAY_AFTER:
            ahead = sorted(day for day in limits if day >= today)
            if not ahead:
                return datetime.combine(next_working_day(today), morning)
            if wait.jump is Jump.LAST_DAY:
                return max(now, datetime.combine(ahead[0], morning))
            return datetime.combine(next_working_day(ahead[0]), morning)
        case Jump.SAME_DAY:
            # after 23:59 (seconds count) the day has no later minute: stay put
            return max(now, min(now + timedelta(hours=2), datetime.combine(today, time(23, 59))))
        case Jump.NEXT_WORKING_DAY:
            return datetime.combine(next_working_day(today), morning)
        case Jump.OVER_WEEKEND:
            saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
            return datetime.combine(_working_on_or_after(saturday), morning)
        case Jump.NEXT_MEETING:
            return _next_sitting(now, sittings(wait.meeting or ""))
        case Jump.INTO_CHRISTMAS | Jump.OVER_CHRISTMAS:
            christmas = _next_on_or_after(today, lambda year: date(year, 12, 25))
            if wait.jump is Jump.INTO_CHRISTMAS:
                return max(now, datetime.combine(christmas, morning))
            return datetime.combine(_working_on_or_after(christmas), morning)
        case Jump.INTO_EASTER | Jump.OVER_EASTER:
            good_friday = _next_on_or_after(today, lambda year: easter(year) - timedelta(days=2))
            if wait.jump is Jump.INTO_EASTER:
                return max(now, datetime.combine(good_friday, morning))
            return datetime.combine(_working_on_or_after(good_friday), morning)
        case Jump.WEEK | Jump.WEEKS:
            return now + timedelta(weeks=wait.weeks)


def _next_sitting(now: datetime, found: Sittings | None) -> datetime:
    """The next sitting after `now`, at the meeting's time of day (09:00 without one): later
    today if it sits today from a time not yet come; the next working day if it sits any day."""
    today = now.date()
    if found is None:
        return datetime.combine(next_working_day(today), time(9, 0))
    if found.sits(today) and found.too_early(now):
        return found.earliest(now)
    day = found.next_on_or_after(today + timedelta(days=1)) or next_working_day(today)
    return datetime.combine(day, found.sits_from or time(9, 0))


def _may_start_in(sources: tuple[str, ...] | None, status: str) -> bool:
    return sources is not None and (not sources or status in sources)


def _next_on_or_after(today: date, day_in: Callable[[int], date]) -> date:
    day = day_in(today.year)
    return day if day >= today else day_in(today.year + 1)


def _near_christmas(year: int, days_before: int) -> date:
    return date(year, 12, 24) - timedelta(days=days_before)


def _near_easter(year: int, days_before: int) -> date:
    return easter(year) - timedelta(days=2 + days_before)


def _working_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
