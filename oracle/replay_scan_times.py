"""One time of a CSV log read straight from its bytes, compiled by Numba, for the
byte scanner (`replay_scan`): the same layouts, checks and integer arithmetic as
`replay_columns_times.parse_times`, a row at a time instead of a column at a time.

A time must be `YYYY-MM-DD[T ]HH:MM[:SS]` with an optional `Z` or `+HH:MM` offset
(a layout of `replay_columns_times._LAYOUTS`, told apart by length), a real date in
2000-2100 and not in the hour the clocks skip; any other is refused, and the scanner
then leaves the whole block to pyarrow. The Europe/London rules are `bst_bounds`,
computed once per year in Python and passed in as arrays (`bst_table`).
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_columns import Ints
from stepcheck.oracle.replay_columns_times import bst_bounds

__all__ = ["FIRST_YEAR", "LAST_YEAR", "bst_table", "scan_time"]

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
_HOUR: Final = 3600
_DAY: Final = 86400
_MICRO: Final = 1_000_000
_ZERO: Final = 48
_DASH: Final = 45
_PLUS: Final = 43
_COLON: Final = 58


def bst_table() -> tuple[Ints, Ints]:
    """British Summer Time's start and end (UTC seconds) for each year from 2000 on."""
    return bst_bounds(np.arange(FIRST_YEAR, LAST_YEAR + 1, dtype=np.int64))


@numba.njit(cache=True, nogil=True)
def _number(data: npt.NDArray[np.uint8], at: int, count: int) -> int:
    """The decimal number of `count` digits at `at`, or -1 if one is not a digit."""
    value = 0
    for position in range(at, at + count):
        digit = np.int64(data[position]) - _ZERO
        if digit < 0 or digit > 9:
            return -1
        value = value * 10 + digit
    return value


@numba.njit(cache=True, nogil=True)
def _days(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar."""
    shifted = year - 1 if month <= 2 else year
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


@numba.njit(cache=True, nogil=True)
def _month_days(year: int, month: int) -> int:
    if month == 2:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@numba.njit(cache=True, nogil=True)
def scan_time(  # noqa: PLR0912 - the checks of `parse_times`, one after another
    data: npt.NDArray[np.uint8], start: int, end: int, starts: Ints, ends: Ints
) -> tuple[bool, int, int]:
    """(taken, instant, local wall time in microseconds) of the time in bytes
    `start:end` (which the caller keeps inside `data`); not taken if it is unusual."""
    width = end - start
    if width not in (16, 17, 19, 20, 22, 25):
        return False, 0, 0
    separator = data[start + 10]
    if (
        data[start + 4] != _DASH
        or data[start + 7] != _DASH
        or separator not in (84, 32)  # T or a space
        or data[start + 13] != _COLON
    ):
        return False, 0, 0
    year = _number(data, start, 4)
    month = _number(data, start + 5, 2)
    day = _number(data, start + 8, 2)
    hour = _number(data, start + 11, 2)
    minute = _number(data, start + 14, 2)
    seconds = 0
    tail = start + 16  # the zone, after the seconds if given
    if width in (19, 20, 25):
        if data[start + 16] != _COLON:
            return False, 0, 0
        seconds = _number(data, start + 17, 2)
        tail = start + 19
    aware = width not in (16, 19)
    offset = 0
    if width in (17, 20):
        if data[tail] != 90:  # Z
            return False, 0, 0
    elif width in (22, 25):
        sign = data[tail]
        if sign not in (_PLUS, _DASH) or data[tail + 3] != _COLON:
            return False, 0, 0
        off_hours = _number(data, tail + 1, 2)
        off_minutes = _number(data, tail + 4, 2)
        if off_hours < 0 or off_hours > 23 or off_minutes < 0 or off_minutes > 59:
            return False, 0, 0
        offset = off_hours * _HOUR + off_minutes * 60
        if sign == _DASH:
            offset = -offset
    if (
        year < FIRST_YEAR
        or year > LAST_YEAR
        or month < 1
        or month > 12
        or day < 1
        or day > _month_days(year, month)
        or hour < 0
        or hour > 23
        or minute < 0
        or minute > 59
        or seconds < 0
        or seconds > 59
    ):
        return False, 0, 0
    given = _days(year, month, day) * _DAY + hour * _HOUR + minute * 60 + seconds
    summer_starts = starts[year - FIRST_YEAR]
    summer_ends = ends[year - FIRST_YEAR]
    if aware:
        instant = given - offset
        # an instant in another year than `year` is within a day of New Year, in no
        # year's summer, so `year`'s bounds answer as the instant's own would
        summer = instant >= summer_starts and instant < summer_ends
        local = instant + _HOUR if summer else instant
    else:
        if given >= summer_starts and given < summer_starts + _HOUR:
            return False, 0, 0  # the hour the clocks skip
        summer_wall = given >= summer_starts + _HOUR and given < summer_ends + _HOUR
        instant = given - _HOUR if summer_wall else given
        local = given
    return True, instant * _MICRO, local * _MICRO
