"""England & Wales working days, the way the service counts them.

The service keeps its own calendar (from the `holidays` package) rather than
borrowing stepcheck's, so that a calendar slip on either side shows up as a
disagreement.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

__all__ = ["add_working_days", "is_working_day"]


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    table = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(table)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day strictly after `start`."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
