"""The England & Wales working-day calendar, and worst cases over every start date.

A working day is Monday to Friday and not a bank holiday in England and Wales
(which share them), substitute ("observed") days included, as the `holidays`
package lists them; after 2100, where the package stops, its rules carry on.
The oracle adds durations to concrete dates
(`add_working_days`, `add_duration`). The checker has no concrete date, so it
asks for bounds that hold for any start date in 2000–2100 (`SCAN_YEARS`):
`max_calendar_days_spanned`, `working_days_bound` and friends.

Counting convention, used throughout: "n working days after s" is the n-th
working day strictly after s, and the working days elapsed from s to e are the
working days d with s < d <= e (`working_days_between`). A datetime counts by
its date and keeps its time of day.

Hours are clock hours added with Python's datetime arithmetic, which works on
the wall clock: 24 hours after 09:00 is 09:00 the next day, even across a
change to or from British Summer Time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from typing import Final, assert_never, overload

from attrs import frozen
from dateutil.relativedelta import relativedelta

from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.holiday_table import holiday_names

__all__ = [
    "SCAN_YEARS",
    "add_duration",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "max_calendar_days_spanned",
    "max_working_days_within",
    "min_calendar_days_spanned",
    "min_working_days_within",
    "next_working_day",
    "previous_working_day",
    "working_days_between",
    "working_days_bound",
    "working_flags",
]

SCAN_YEARS: Final = range(2000, 2101)
"""Start dates the worst-case functions consider: every day of 2000–2100."""

_FIRST_DAY: Final = date(SCAN_YEARS.start, 1, 1)
_SCANNED_DAYS: Final = (date(SCAN_YEARS.stop - 1, 12, 31) - _FIRST_DAY).days + 1
# The calendar runs on past the scanned years so that spans starting late in
# 2100 still end inside it; longer spans ask for a longer calendar.
_DEFAULT_LAST_YEAR: Final = SCAN_YEARS.stop - 1 + 10
# Every year has more than 200 working days (at most 106 weekend days and a
# dozen bank holidays), which bounds how far n working days can reach.
_MIN_WORKING_DAYS_PER_YEAR: Final = 200
_UNSTATED_READINGS: Final = (Unit.WORKING_DAYS, Unit.CALENDAR_DAYS)


@frozen(kw_only=True)
class _Calendar:
    """Working days from 1 January 2000 to the end of a year, indexed by day offset."""

    first_ordinal: int
    working: tuple[bool, ...]
    before: tuple[int, ...]
    """`before[i]` is the number of working days at offsets below `i`."""
    working_offsets: tuple[int, ...]

    def offset(self, day: date) -> int | None:
        offset = day.toordinal() - self.first_ordinal
        return offset if 0 <= offset < len(self.working) else None

    def day_at(self, offset: int) -> date:
        return date.fromordinal(self.first_ordinal + offset)

    def nth_after(self, offset: int, n: int) -> int | None:
        index = self.before[offset + 1] + n - 1
        return self.working_offsets[index] if index < len(self.working_offsets) else None

    def last_before(self, offset: int) -> int | None:
        count = self.before[offset]
        return self.working_offsets[count - 1] if count else None

    def count_between(self, start: int, end: int) -> int:
        return self.before[end + 1] - self.before[start + 1]


def is_working_day(day: date) -> bool:
    """Whether `day` is Monday to Friday and not an England & Wales bank holiday.

    >>> is_working_day(date(2026, 12, 28))  # substitute for Boxing Day, a Saturday
    False
    """
    day = _as_date(day)
    calendar = _calendar(_DEFAULT_LAST_YEAR)
    offset = calendar.offset(day)
    if offset is not None:
        return calendar.working[offset]
    return day.weekday() < 5 and day not in _holiday_dates(day.year, day.year)


def working_flags(first: date, last: date) -> list[bool]:
    """`is_working_day` of every day from `first` to `last`, both included, in order.

    Inside the precomputed calendar (2000-2110) it is a slice of it, not a call a day.
    """
    calendar = _calendar(_DEFAULT_LAST_YEAR)
    start, stop = _as_date(first).toordinal(), _as_date(last).toordinal() + 1
    inside_start = min(max(start, calendar.first_ordinal), stop)
    inside_stop = max(min(stop, calendar.first_ordinal + len(calendar.working)), inside_start)
    inside = calendar.working[
        inside_start - calendar.first_ordinal : inside_stop - calendar.first_ordinal
    ]
    return [
        *(is_working_day(date.fromordinal(ordinal)) for ordinal in range(start, inside_start)),
        *inside,
        *(is_working_day(date.fromordinal(ordinal)) for ordinal in range(inside_stop, stop)),
    ]


def bank_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """England & Wales bank holidays in `year` with their names, sorted by date.

    A holiday that falls at a weekend is listed as well as its substitute day.
    """
    return _holiday_names(year, year)


@overload
def add_working_days(start: datetime, n: int) -> datetime: ...
@overload
def add_working_days(start: date, n: int) -> date: ...
def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start`, which itself never counts.

    A datetime keeps its time of day; 0 working days returns `start` unchanged.

    >>> add_working_days(date(2026, 12, 24), 2)  # 25, 26-27, 28 Dec are not working days
    datetime.date(2026, 12, 30)
    """
    _require_count(n, "working days")
    if n == 0:
        return start
    return _keeping_time(start, _nth_working_day_after(_as_date(start), n))


def working_days_between(start: date, end: date) -> int:
    """The number of working days d with `start` < d <= `end`; 0 if `end` <= `start`."""
    first, last = _as_date(start), _as_date(end)
    if last <= first:
        return 0
    calendar = _calendar(_DEFAULT_LAST_YEAR)
    first_offset, last_offset = calendar.offset(first), calendar.offset(last)
    if first_offset is not None and last_offset is not None:
        return calendar.count_between(first_offset, last_offset)
    days = range(first.toordinal() + 1, last.toordinal() + 1)
    return sum(is_working_day(date.fromordinal(ordinal)) for ordinal in days)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day` (a datetime's time is dropped)."""
    return _nth_working_day_after(_as_date(day), 1)


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day` (a datetime's time is dropped)."""
    day = _as_date(day)
    calendar = _calendar(_DEFAULT_LAST_YEAR)
    offset = calendar.offset(day)
    found = None if offset is None else calendar.last_before(offset)
    if found is not None:
        return calendar.day_at(found)
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@overload
def add_duration(
    start: datetime, duration: Duration, *, unstated_days_as: Unit | None = None
) -> datetime: ...
@overload
def add_duration(
    start: date, duration: Duration, *, unstated_days_as: Unit | None = None
) -> date: ...
def add_duration(start: date, duration: Duration, *, unstated_days_as: Unit | None = None) -> date:
    """The moment `duration` after `start`.

    Working days count as in `add_working_days`; calendar days and weeks are
    exact days; hours are clock hours, and turn a date into a datetime at
    midnight; months keep the day of the month, or take the month's last day
    (31 January + 1 month is 28 or 29 February).

    Args:
        start: the date or datetime counted from.
        duration: how long after `start`.
        unstated_days_as: how to read bare "days" (`Unit.DAYS_UNSTATED`):
            `Unit.WORKING_DAYS` or `Unit.CALENDAR_DAYS`. There is no default,
            because the protocol does not say; the caller must choose.

    Raises:
        ValueError: for bare "days" without `unstated_days_as`, or an
            `unstated_days_as` that is neither working nor calendar days.
    """
    if unstated_days_as is not None and unstated_days_as not in _UNSTATED_READINGS:
        raise ValueError(
            f"unstated_days_as must be Unit.WORKING_DAYS or Unit.CALENDAR_DAYS, "
            f"not {unstated_days_as}"
        )
    n = duration.quantity
    match duration.unit:
        case Unit.WORKING_DAYS:
            return add_working_days(start, n)
        case Unit.CALENDAR_DAYS:
            return start + timedelta(days=n)
        case Unit.WEEKS:
            return start + timedelta(weeks=n)
        case Unit.HOURS:
            return _as_datetime(start) + timedelta(hours=n)
        case Unit.MONTHS:
            return start + relativedelta(months=n)
        case Unit.DAYS_UNSTATED:
            if unstated_days_as is None:
                raise ValueError(
                    f"'{duration}' does not say whether it means working or calendar days; "
                    "pass unstated_days_as=Unit.WORKING_DAYS or Unit.CALENDAR_DAYS"
                )
            return add_duration(start, Duration(quantity=n, unit=unstated_days_as))
        case _:
            assert_never(duration.unit)


def max_calendar_days_spanned(n: int) -> int:
    """The most calendar days that `n` working days can span, over any start date in 2000–2100.

    That is the largest `(add_working_days(s, n) - s).days` for a start date `s`
    in `SCAN_YEARS`; the span may end after 2100.

    >>> max_calendar_days_spanned(1)  # Thursday before Easter, to the Tuesday after
    5
    """
    return _calendar_days_spanned(n)[1]


def min_calendar_days_spanned(n: int) -> int:
    """The fewest calendar days that `n` working days can span, over any start date in 2000–2100.

    >>> min_calendar_days_spanned(5)  # Sunday to Friday
    5
    """
    return _calendar_days_spanned(n)[0]


def max_working_days_within(n_calendar_days: int) -> int:
    """The most working days that can pass in `n_calendar_days`, over any start date in 2000–2100.

    That is the largest `working_days_between(s, s + n_calendar_days)` for a
    start date `s` in `SCAN_YEARS`.
    """
    return _working_days_within(n_calendar_days)[1]


def min_working_days_within(n_calendar_days: int) -> int:
    """The fewest working days that can pass in `n_calendar_days`, over any start date in 2000–2100.

    >>> min_working_days_within(4)  # Friday 24 to Tuesday 28 December 2027
    0
    """
    return _working_days_within(n_calendar_days)[0]


def working_days_bound(duration: Duration) -> tuple[int, int]:
    """The fewest and most working days that can pass in `duration`, from any start in 2000–2100.

    For every start `s` (a date, or a datetime at any time of day) in
    `SCAN_YEARS`, `working_days_between(s, add_duration(s, duration))` lies in
    the interval, and both ends are reached by some start date. Working days
    give (n, n). Calendar days, weeks and months are scanned over every start
    date. Hours are clock hours from any time of day, so h hours move the date
    on by h // 24 days or, unless h is a multiple of 24, one day more: 24 hours
    give (0, 1) and 1 hour gives (0, 1), since 23:30 + 1 hour is tomorrow. Bare
    "days" may be read either way, so it gives the union of both readings.
    """
    n = duration.quantity
    match duration.unit:
        case Unit.WORKING_DAYS:
            return (n, n)
        case Unit.CALENDAR_DAYS:
            return _working_days_within(n)
        case Unit.WEEKS:
            return _working_days_within(7 * n)
        case Unit.MONTHS:
            return _working_days_within_months(n)
        case Unit.HOURS:
            fewest_days, most_days = n // 24, -(-n // 24)
            return (_working_days_within(fewest_days)[0], _working_days_within(most_days)[1])
        case Unit.DAYS_UNSTATED:
            fewest, most = _working_days_within(n)
            return (min(fewest, n), max(most, n))
        case _:
            assert_never(duration.unit)


@cache
def _calendar_days_spanned(n: int) -> tuple[int, int]:
    _require_count(n, "working days")
    if n == 0:
        return (0, 0)
    calendar = _calendar(_last_year_needed(n // _MIN_WORKING_DAYS_PER_YEAR))
    before, offsets = calendar.before, calendar.working_offsets
    spans = [offsets[before[start + 1] + n - 1] - start for start in range(_SCANNED_DAYS)]
    return (min(spans), max(spans))


@cache
def _working_days_within(n_calendar_days: int) -> tuple[int, int]:
    _require_count(n_calendar_days, "calendar days")
    calendar = _calendar(_last_year_needed(n_calendar_days // 365))
    before = calendar.before
    ends = before[n_calendar_days + 1 : n_calendar_days + 1 + _SCANNED_DAYS]
    counts = [end - start for start, end in zip(before[1 : 1 + _SCANNED_DAYS], ends, strict=True)]
    return (min(counts), max(counts))


@cache
def _working_days_within_months(n_months: int) -> tuple[int, int]:
    _require_count(n_months, "months")
    calendar = _calendar(_last_year_needed(n_months // 12))
    months = relativedelta(months=n_months)
    counts = []
    for start in range(_SCANNED_DAYS):
        end = calendar.offset(calendar.day_at(start) + months)
        assert end is not None, "the calendar reaches past every end date"
        counts.append(calendar.count_between(start, end))
    return (min(counts), max(counts))


def _last_year_needed(whole_years_spanned: int) -> int:
    """The last year a calendar needs for spans of this many whole years and a bit.

    >>> _last_year_needed(0)
    2110
    """
    return max(_DEFAULT_LAST_YEAR, SCAN_YEARS.stop + whole_years_spanned + 1)


@cache
def _calendar(last_year: int) -> _Calendar:
    holidays = {day.toordinal() for day in _holiday_dates(SCAN_YEARS.start, last_year)}
    days = range(_FIRST_DAY.toordinal(), date(last_year, 12, 31).toordinal() + 1)
    # Monday to Friday: `date.weekday()` is (ordinal + 6) % 7, without making the dates
    working = tuple((ordinal + 6) % 7 < 5 and ordinal not in holidays for ordinal in days)
    return _Calendar(
        first_ordinal=days.start,
        working=working,
        before=tuple(accumulate(map(int, working), initial=0)),
        working_offsets=tuple(offset for offset, is_working in enumerate(working) if is_working),
    )


@cache
def _holiday_names(first_year: int, last_year: int) -> tuple[tuple[date, str], ...]:
    # The package's table, kept on disk between runs (`holiday_table`); past 2100,
    # where the package stops, its rules carry on (`holiday_rules`).
    return holiday_names(first_year, last_year)


@cache
def _holiday_dates(first_year: int, last_year: int) -> frozenset[date]:
    return frozenset(day for day, _name in _holiday_names(first_year, last_year))


def _nth_working_day_after(day: date, n: int) -> date:
    calendar = _calendar(_DEFAULT_LAST_YEAR)
    offset = calendar.offset(day)
    found = None if offset is None else calendar.nth_after(offset, n)
    if found is not None:
        return calendar.day_at(found)
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _require_count(n: int, what: str) -> None:
    if n < 0:
        raise ValueError(f"cannot count a negative number of {what}: {n}")


def _as_date(day: date) -> date:
    """The calendar date of a date or datetime.

    >>> _as_date(datetime(2026, 4, 3, 9, 30))
    datetime.date(2026, 4, 3)
    """
    return day.date() if isinstance(day, datetime) else day


def _as_datetime(start: date) -> datetime:
    return start if isinstance(start, datetime) else datetime.combine(start, time())


def _keeping_time(start: date, day: date) -> date:
    """`day`, at the time of day of `start` if that is a datetime.

    >>> _keeping_time(datetime(2026, 12, 24, 16, 0), date(2026, 12, 30))
    datetime.datetime(2026, 12, 30, 16, 0)
    """
    if isinstance(start, datetime):
        return start + timedelta(days=(day - start.date()).days)
    return day
