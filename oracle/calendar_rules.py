"""The oracle's concrete calendar: when a periodic meeting sits, and when a limit falls due.

The checker abstracts time to working days (`spec.timing`); the executor needs real
dates. This module fixes the concrete rules (spec/SEMANTICS.md, "The oracle's
calendar") so that the checker's intervals and meeting periods stay a sound picture
of them: every due date lies `[lo, hi]` working days after its start, and two
consecutive sittings are at most `P` working days apart.

- A limit of duration `D` started at `t` ends at `add_duration(t, D)`; its due date
  (`by`) is that moment's date. It is overdue once a working day after `by` begins,
  so a due date on a weekend or bank holiday carries over it, and a deadline due on
  a Friday is not overdue on the Saturday (the Saturday still belongs to Friday's
  working day, as in `working_days_between`).
- A periodic meeting sits on the first working day on or after its day in each
  period: the spec's weekday, or else the anchor date's weekday (weekly,
  fortnightly) or day of the month (monthly, clamped to the month's length). When
  the spec gives a time of day (`cadence.time`), it sits from that time on its
  sitting days; the checker's day-level phase cannot see the time.
"""

from __future__ import annotations

import bisect
import calendar
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Final

from attrs import evolve, frozen

from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import Cadence, CadenceKind
from stepcheck.spec.workdays import add_duration, is_working_day, working_days_between

__all__ = [
    "DEFAULT_FORTNIGHT_START",
    "Limit",
    "Sittings",
    "countdown",
    "limit_from",
    "passed",
    "sittings_of",
]

DEFAULT_FORTNIGHT_START: Final = date(1999, 12, 27)
"""The Monday that starts the first fortnight when no anchor date says otherwise."""

_FIRST_YEAR: Final = 1999
_LAST_YEAR: Final = 2111


@frozen(kw_only=True)
class Limit:
    """A running time limit: the moment it ends and its due date (the end's date)."""

    started: datetime
    ends: datetime
    by: date


def limit_from(start: datetime, duration: Duration, *, unstated_days_as: Unit) -> Limit:
    """The limit of `duration` started at `start`; bare "days" are read as `unstated_days_as`."""
    ends = add_duration(start, duration, unstated_days_as=unstated_days_as)
    return Limit(started=start, ends=ends, by=ends.date())


def passed(by: date, now: datetime | date) -> bool:
    """Whether a limit due on `by` has run out at `now`: a working day after `by` has begun.

    >>> passed(date(2026, 12, 4), date(2026, 12, 6))  # due Friday, now Sunday
    False
    >>> passed(date(2026, 12, 4), date(2026, 12, 7))
    True
    """
    return working_days_between(by, _day(now)) >= 1


def countdown(by: date, now: datetime | date) -> int:
    """The checker's countdown for a limit due on `by`: working days left, -1 once passed.

    >>> countdown(date(2026, 12, 30), datetime(2026, 12, 24, 9))  # Christmas in between
    2
    """
    day = _day(now)
    if passed(by, day):
        return -1
    return working_days_between(day, by)


@frozen(kw_only=True)
class Sittings:
    """The days one periodic meeting sits, as sorted ordinals, and questions about them.

    `sits_from` is the time of day it sits from on those days, when the spec gives one;
    None when it sits the whole day.
    """

    ordinals: tuple[int, ...]
    sits_from: time | None = None

    def sits(self, day: date) -> bool:
        """Whether the meeting sits on `day` (at some time of it)."""
        index = bisect.bisect_left(self.ordinals, day.toordinal())
        return index < len(self.ordinals) and self.ordinals[index] == day.toordinal()

    def sits_at(self, moment: datetime) -> bool:
        """Whether a step at the meeting may happen at `moment`: a sitting day, at or after
        the meeting's time of day.

        >>> ctm = sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2, time="14:00"))
        >>> ctm.sits_at(datetime(2026, 12, 23, 13, 59)), ctm.sits_at(datetime(2026, 12, 23, 14))
        (False, True)
        """
        return self.sits(moment.date()) and not self.too_early(moment)

    def too_early(self, moment: datetime) -> bool:
        """Whether `moment` is before the meeting's time of day (never without a time)."""
        return self.sits_from is not None and moment.time() < self.sits_from

    def earliest(self, moment: datetime) -> datetime:
        """`moment`, or the meeting's time on the same day if that is later.

        >>> ctm = sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2, time="14:00"))
        >>> ctm.earliest(datetime(2026, 12, 23, 9)), ctm.earliest(datetime(2026, 12, 23, 15))
        (datetime.datetime(2026, 12, 23, 14, 0), datetime.datetime(2026, 12, 23, 15, 0))
        """
        if not self.too_early(moment):
            return moment
        assert self.sits_from is not None
        return datetime.combine(moment.date(), self.sits_from)

    def next_on_or_after(self, day: date) -> date | None:
        """The first sitting on or after `day`; None past the calendar's end."""
        index = bisect.bisect_left(self.ordinals, day.toordinal())
        return date.fromordinal(self.ordinals[index]) if index < len(self.ordinals) else None

    def last_on_or_before(self, day: date) -> date | None:
        """The last sitting on or before `day`; None before the calendar's start."""
        index = bisect.bisect_right(self.ordinals, day.toordinal())
        return date.fromordinal(self.ordinals[index - 1]) if index else None

    def phase(self, now: datetime | date) -> int:
        """The checker's meeting phase: working days since the meeting last sat."""
        day = _day(now)
        last = self.last_on_or_before(day)
        if last is None:
            raise ValueError(f"no sitting known before {day}")
        return working_days_between(last, day)


def sittings_of(cadence: Cadence, anchor: date | None = None) -> Sittings | None:
    """Every sitting of a meeting with `cadence` from 1999 to 2111; None if it sits any day.

    `anchor` is a day the meeting sits: it fixes the weekday (or day of the month)
    when the cadence gives none, and which weeks a fortnightly meeting sits in.

    Raises:
        ValueError: the meeting does not sit on `anchor` under these rules.
    """
    if cadence.kind in (CadenceKind.ON_DEMAND, CadenceKind.UNSPECIFIED):
        return None
    found = _sittings(cadence.kind, cadence.weekday, anchor)
    if anchor is not None and not found.sits(anchor):
        raise ValueError(
            f"a {cadence} meeting cannot sit on {anchor.isoformat()}: it sits on the first "
            "working day on or after its day in each period"
        )
    if cadence.time is None:
        return found
    return evolve(found, sits_from=time.fromisoformat(cadence.time))


@cache
def _sittings(kind: CadenceKind, weekday: int | None, anchor: date | None) -> Sittings:
    days: list[date]
    if kind is CadenceKind.MONTHLY:
        days = [
            _first_working_on_or_after(_monthly_day(year, month, weekday, anchor))
            for year in range(_FIRST_YEAR, _LAST_YEAR + 1)
            for month in range(1, 13)
        ]
    else:
        days = [
            _first_working_on_or_after(start + timedelta(days=_weekday_of(weekday, anchor)))
            for start in _period_starts(kind, anchor)
        ]
    return Sittings(ordinals=tuple(sorted({day.toordinal() for day in days})))


def _period_starts(kind: CadenceKind, anchor: date | None) -> list[date]:
    """The Mondays that start each week or fortnight."""
    step = 7 if kind is CadenceKind.WEEKLY else 14
    base = DEFAULT_FORTNIGHT_START if anchor is None else anchor - timedelta(anchor.weekday())
    first, last = date(_FIRST_YEAR, 1, 1), date(_LAST_YEAR, 12, 31)
    start = base - timedelta(days=step * ((base - first).days // step + 1))
    starts = []
    while start <= last:
        starts.append(start)
        start += timedelta(days=step)
    return starts


def _weekday_of(weekday: int | None, anchor: date | None) -> int:
    if weekday is not None:
        return weekday
    return 0 if anchor is None else anchor.weekday()


def _monthly_day(year: int, month: int, weekday: int | None, anchor: date | None) -> date:
    first = date(year, month, 1)
    if weekday is not None:
        return first + timedelta(days=(weekday - first.weekday()) % 7)
    wanted = 1 if anchor is None else anchor.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def _first_working_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
