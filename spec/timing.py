"""The numbers of the checker's finite model: every duration as a working-day interval.

`spec/SEMANTICS.md` ("The checker's finite model") says how they are used. The Z3
encoding and the explicit explorer both read a `Timing`, so they cannot disagree on
a constant; each computes the model's steps itself.

>>> from stepcheck.spec.model import Cadence, CadenceKind
>>> meeting_period(Cadence(kind=CadenceKind.WEEKLY, weekday=2))
5
>>> meeting_period(Cadence(kind=CadenceKind.WEEKLY))
9
>>> meeting_period(Cadence(kind=CadenceKind.ON_DEMAND)) is None
True
>>> meeting_least_gap(Cadence(kind=CadenceKind.WEEKLY, weekday=2))
3
>>> meeting_least_gap(Cadence(kind=CadenceKind.WEEKLY))
1
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from itertools import pairwise
from typing import Final, TypeAlias

from attrs import frozen

from stepcheck.spec.duration import Duration
from stepcheck.spec.model import (
    Cadence,
    CadenceKind,
    Direction,
    ProtocolSpec,
    Unspecified,
)
from stepcheck.spec.workdays import (
    SCAN_YEARS,
    is_working_day,
    working_days_between,
    working_days_bound,
)

__all__ = ["Interval", "Timing", "interval", "meeting_least_gap", "meeting_period", "timing"]

Interval: TypeAlias = tuple[int, int]
"""The fewest and most working days a duration can mean, over every start date."""

_PERIOD_DAYS: Final = {CadenceKind.WEEKLY: 7, CadenceKind.FORTNIGHTLY: 14}


def interval(duration: Duration | Unspecified | None) -> Interval | None:
    """A duration's working-day interval; None when the document gives no duration."""
    if duration is None or isinstance(duration, Unspecified):
        return None
    return working_days_bound(duration)


def meeting_period(cadence: Cadence) -> int | None:
    """The most working days between consecutive sittings; None if it may sit any day.

    A meeting with a weekday sits on the first working day on or after that weekday
    in each period (the oracle's rule). Without a weekday it may sit on any working
    day of each period, so two sittings can be up to two periods apart less a day.
    Scanned over every period in `SCAN_YEARS`.
    """
    if cadence.kind in (CadenceKind.ON_DEMAND, CadenceKind.UNSPECIFIED):
        return None
    return _period(cadence.kind, cadence.weekday)


def meeting_least_gap(cadence: Cadence) -> int | None:
    """The fewest working days between consecutive sittings; None if it may sit any day.

    Bank holidays move a sitting to the next working day, which can bring two sittings
    closer than a period; a meeting with no weekday may sit on the last working day of
    one period and the first of the next. Scanned like `meeting_period`.
    """
    if cadence.kind in (CadenceKind.ON_DEMAND, CadenceKind.UNSPECIFIED):
        return None
    return _least(cadence.kind, cadence.weekday)


@frozen(kw_only=True)
class Timing:
    """Every interval and meeting period of one spec, keyed by the element's id.

    `deadlines` holds only deadlines the finite model times (a duration, not
    `before`); `levels` is keyed by (escalation id, level id); `meetings` only
    periodic meetings, with their largest gap, and `least_gaps` their smallest.
    """

    deadlines: dict[str, Interval]
    levels: dict[tuple[str, str], Interval]
    disputes: dict[str, Interval]
    windows: dict[str, Interval]
    meetings: dict[str, int]
    within: dict[str, Interval]
    least_gaps: dict[str, int]

    @property
    def longest(self) -> int:
        """The largest `hi` of any timer and the largest meeting period (0 if none)."""
        his = [
            hi
            for table in (self.deadlines, self.levels, self.disputes, self.windows)
            for _, hi in table.values()
        ]
        return max([0, *his, *self.meetings.values()])


def timing(spec: ProtocolSpec) -> Timing:
    """Compute the finite model's constants for `spec`."""
    deadlines = {
        deadline.id: found
        for deadline in spec.deadlines
        if deadline.direction is not Direction.BEFORE
        and (found := interval(deadline.within)) is not None
    }
    levels = {
        (ladder.id, level.id): found
        for ladder in spec.escalations
        for level in ladder.levels
        if (found := interval(level.within)) is not None
    }
    disputes = {
        ladder.id: found
        for ladder in spec.escalations
        if (found := interval(ladder.within)) is not None
    }
    windows = {rule.id: working_days_bound(rule.window) for rule in spec.rereferrals}
    meetings = {
        meeting.id: period
        for meeting in spec.meetings
        if (period := meeting_period(meeting.cadence)) is not None
    }
    within = {
        prop.id: found for prop in spec.properties if (found := interval(prop.within)) is not None
    }
    least_gaps = {
        meeting.id: least
        for meeting in spec.meetings
        if (least := meeting_least_gap(meeting.cadence)) is not None
    }
    return Timing(
        deadlines=deadlines,
        levels=levels,
        disputes=disputes,
        windows=windows,
        meetings=meetings,
        within=within,
        least_gaps=least_gaps,
    )


@cache
def _period(kind: CadenceKind, weekday: int | None) -> int:
    return max(max(_gaps(periods, weekday, widest=True)) for periods in _phases(kind))


@cache
def _least(kind: CadenceKind, weekday: int | None) -> int:
    return min(min(_gaps(periods, weekday, widest=False)) for periods in _phases(kind))


def _gaps(periods: list[tuple[date, date]], weekday: int | None, *, widest: bool) -> list[int]:
    """Working days between consecutive sittings: the widest or narrowest they can be."""
    if weekday is None:
        firsts = [_first_working_on_or_after(start) for start, _ in periods]
        lasts = [_last_working_day(start, end) for start, end in periods]
        pairs: list[tuple[date, date]] = list(
            zip(firsts, lasts[1:], strict=False) if widest else zip(lasts, firsts[1:], strict=False)
        )
    else:
        sittings = [_first_working_on_or_after(_weekday_in(start, weekday)) for start, _ in periods]
        pairs = list(pairwise(sittings))
    return [working_days_between(a, b) for a, b in pairs]


def _phases(kind: CadenceKind) -> list[list[tuple[date, date]]]:
    """Each way of cutting `SCAN_YEARS` into consecutive periods (first day, day after)."""
    first, last = date(SCAN_YEARS.start, 1, 1), date(SCAN_YEARS.stop, 1, 1)
    if kind is CadenceKind.MONTHLY:
        months = [date(year, month, 1) for year in SCAN_YEARS for month in range(1, 13)]
        return [list(zip(months, [*months[1:], last], strict=True))]
    step = timedelta(days=_PERIOD_DAYS[kind])
    phases = []
    # A fortnight's phase is not given: scan both.
    for shift in range(0, _PERIOD_DAYS[kind], 7):
        start = first - timedelta(days=first.weekday()) + timedelta(days=shift)
        periods = []
        while start < last:
            periods.append((start, start + step))
            start += step
        phases.append(periods)
    return phases


def _weekday_in(start: date, weekday: int) -> date:
    """The first `weekday` (Monday 0) on or after the period's first day."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _first_working_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _last_working_day(start: date, end: date) -> date:
    day = end - timedelta(days=1)
    while not is_working_day(day) and day > start:
        day -= timedelta(days=1)
    return day
