"""Working days as one integer list: the count of working days up to each day.

The compiled replay engine (`replay_compiled`) asks two questions of the calendar on
every row: how many working days lie between two dates, and has a due date passed.
Both are one subtraction in a list of running counts over 1999-2102 built once per
process from `spec/workdays` (England and Wales bank holidays); dates outside it are
counted by `working_days_between` itself, so the answers are always that function's.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import accumulate
from typing import Final

from stepcheck.spec.workdays import working_days_between, working_flags

__all__ = ["WorkingCalendar", "working_calendar"]

_FIRST: Final = date(1999, 1, 1).toordinal()
_LAST: Final = date(2102, 12, 31).toordinal()


class WorkingCalendar:
    """Working days counted up to each day, as one integer list over 1999-2102."""

    def __init__(self) -> None:
        flags = working_flags(date.fromordinal(_FIRST), date.fromordinal(_LAST))
        self._counts = list(accumulate(map(int, flags)))

    def between(self, start: date, end: date) -> int:
        """`working_days_between(start, end)`: working days d with start < d <= end."""
        first, last = start.toordinal(), end.toordinal()
        if _FIRST <= first <= _LAST and _FIRST <= last <= _LAST:
            return max(0, self._counts[last - _FIRST] - self._counts[first - _FIRST])
        return working_days_between(start, end)

    def passed(self, by: date, now: datetime) -> bool:
        """`calendar_rules.passed`: a working day after `by` has begun at `now`."""
        return self.between(by, now.date()) >= 1


_CALENDAR: WorkingCalendar | None = None


def working_calendar() -> WorkingCalendar:
    global _CALENDAR  # noqa: PLW0603 - built once per process, on first use
    if _CALENDAR is None:
        _CALENDAR = WorkingCalendar()
    return _CALENDAR
