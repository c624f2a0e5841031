"""Working days, limits and meeting days, the way the Somerset service counts them.

The service keeps its own calendar (England bank holidays from the `holidays` package)
and its own date arithmetic rather than borrowing stepcheck's or the casework
example's, so a slip on either side shows up as a disagreement.
"""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, timedelta
from functools import cache

import holidays

__all__ = [
    "add_months",
    "add_working_days",
    "is_working_day",
    "monday_meeting_sits",
    "run_out",
]


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself never counts)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def add_months(start: datetime, count: int) -> date:
    """The same day `count` months on, or that month's last day when it is shorter
    (31 August + 1 month is 30 September)."""
    index = start.month - 1 + count
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, months.monthrange(year, month)[1]))


def run_out(due: date, now: datetime, *, at_midnight: bool = False) -> bool:
    """Whether something due on `due` is past at `now`: a working day after `due` has
    begun (due on a Friday, it is still in time over the weekend). With `at_midnight`
    (a planted bug), any day after `due` will do."""
    if at_midnight:
        return now.date() > due
    day = due + timedelta(days=1)
    while day <= now.date():
        if is_working_day(day):
            return True
        day += timedelta(days=1)
    return False


def monday_meeting_sits(day: date, *, skip_bank_holidays: bool = True) -> bool:
    """A weekly meeting held on Mondays, or on the next working day of the week after a
    bank-holiday Monday (the planted bug `tam_sits_on_bank_holidays` turns this off)."""
    sitting = day - timedelta(days=day.weekday())
    while skip_bank_holidays and not is_working_day(sitting):
        sitting += timedelta(days=1)
    return day == sitting
