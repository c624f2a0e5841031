"""Times of a column log in integer arithmetic: ISO 8601 text to instants and London
wall times, as `replay_rows.parse_time` reads them, for the column readers.

A time must be `YYYY-MM-DD[T ]HH:MM[:SS]` with an optional `Z` or `+HH:MM` offset, a
real date in 2000-2100 and not in the hour the clocks skip; any other answers None for
the whole column (its file then goes to the row reader). Times of one length are read
as a matrix of characters, position by position; mixed lengths by pyarrow's string
functions. The Europe/London rules are `bst_bounds`, which the tests compare with
`replay_rows.parse_time`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from stepcheck.oracle.arrow_compute import pc
from stepcheck.oracle.replay_columns import Ints

__all__ = ["TimesOut", "bst_bounds", "parse_times"]

_TIME: Final = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$"
_FIRST_YEAR: Final = 1999
_LAST_YEAR: Final = 2101
_HOUR: Final = 3600
_DAY: Final = 86400
_MICRO: Final = 1_000_000

TimesOut = tuple[Ints, Ints]


def _number(column: pa.Array, start: int, stop: int) -> Ints:
    part = pc.utf8_slice_codeunits(column, start, stop)
    return np.asarray(pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False), np.int64)


def bst_bounds(years: Ints) -> tuple[Ints, Ints]:
    """Per year, British Summer Time's start and end as UTC seconds since 1970 (01:00
    UTC on the last Sundays of March and October)."""
    starts: list[int] = []
    ends: list[int] = []
    for year in range(_FIRST_YEAR, _LAST_YEAR + 1):
        for month, found in ((3, starts), (10, ends)):
            last = date(year, month, 31)
            sunday = last - timedelta(days=(last.weekday() + 1) % 7)
            found.append((sunday - date(1970, 1, 1)).days * _DAY + _HOUR)
    index = years - _FIRST_YEAR
    return np.array(starts, np.int64)[index], np.array(ends, np.int64)[index]


def parse_times(column: pa.Array) -> TimesOut | None:
    """(instants, local wall times) in microseconds, or None if any time is unusual."""
    fields = _fixed_fields(column)
    if fields is None:
        fields = _arrow_fields(column)
    if fields is None:
        return None
    year, month, day, hour, minute, seconds, zone, sign, off_hours, off_minutes = fields
    has_offset, zulu = zone == 2, zone == 1
    if not (
        np.all((year >= 2000) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1))
        and np.all((hour <= 23) & (minute <= 59) & (seconds <= 59))
        and np.all((off_hours <= 23) & (off_minutes <= 59))
    ):
        return None
    months = (year - 1970) * 12 + month - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    after = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    if np.any(day > after - first):
        return None
    given = (first + day - 1) * _DAY + hour * _HOUR + minute * 60 + seconds
    aware = has_offset | zulu
    offset = sign * (off_hours * _HOUR + off_minutes * 60)
    # naive: BST from 02:00 local on the March Sunday to 02:00 (the first 01:00-02:00) in October
    starts, ends = bst_bounds(year)
    skipped = ~aware & (given >= starts) & (given < starts + _HOUR)
    if np.any(skipped):
        return None
    summer_wall = (given >= starts + _HOUR) & (given < ends + _HOUR)
    instant = np.where(aware, given - offset, given - _HOUR * summer_wall)
    instant_year = (instant // _DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(
        np.int64
    ) + 1970
    starts_utc, ends_utc = bst_bounds(instant_year)
    summer = (instant >= starts_utc) & (instant < ends_utc)
    local = np.where(aware, instant + _HOUR * summer, given)
    return instant * _MICRO, local * _MICRO


_Fields = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints]
"""year, month, day, hour, minute, second; zone (0 none, 1 Z, 2 offset), sign, hours, minutes."""

_LAYOUTS: Final = {
    len(layout): layout
    for layout in (
        "dddd-dd-ddTdd:dd",
        "dddd-dd-ddTdd:ddZ",
        "dddd-dd-ddTdd:dd:dd",
        "dddd-dd-ddTdd:dd:ddZ",
        "dddd-dd-ddTdd:dd+dd:dd",
        "dddd-dd-ddTdd:dd:dd+dd:dd",
    )
}
"""The time layouts by length; T may be a space, + a minus."""


def _fixed_fields(column: pa.Array) -> _Fields | None:
    """The fields of times that all have one length, read from pyarrow's bytes as a
    matrix of characters; None when the lengths differ (or the layout is not one)."""
    if column.type != pa.string() or column.null_count or not len(column):
        return None
    offsets = np.frombuffer(column.buffers()[1], np.int32, len(column) + 1, column.offset * 4)
    widths = np.diff(offsets)
    width = int(widths[0])
    layout = _LAYOUTS.get(width)
    if layout is None or widths.min() != widths.max():
        return None
    chars = np.frombuffer(column.buffers()[2], np.uint8, len(column) * width, int(offsets[0]))
    chars = chars.reshape(len(column), width)
    if not all(_layout_kept(chars[:, position], wanted) for position, wanted in enumerate(layout)):
        return None

    def number(start: int, stop: int) -> Ints:
        value = np.zeros(len(column), np.int64)
        for position in range(start, stop):
            value *= 10
            value += chars[:, position]
            value -= ord("0")
        return value

    zeros = np.zeros(len(column), np.int64)
    seconds = number(17, 19) if width in (19, 20, 25) else zeros
    zone = 2 if "+" in layout else 1 if layout.endswith("Z") else 0
    tail = layout.find("+")
    sign = np.where(chars[:, tail] == ord("-"), -1, 1) if tail >= 0 else zeros + 1
    return (
        number(0, 4),
        number(5, 7),
        number(8, 10),
        number(11, 13),
        number(14, 16),
        seconds,
        zeros + zone,
        sign,
        number(tail + 1, tail + 3) if tail >= 0 else zeros,
        number(tail + 4, tail + 6) if tail >= 0 else zeros,
    )


def _layout_kept(found: npt.NDArray[np.uint8], wanted: str) -> bool:
    """Every character of one position of the times fits the layout's character there."""
    if wanted == "d":
        return bool(np.all(found - np.uint8(ord("0")) < 10))  # wraps below '0'
    if wanted == "T":
        return bool(np.all((found == ord("T")) | (found == ord(" "))))
    if wanted == "+":
        return bool(np.all((found == ord("+")) | (found == ord("-"))))
    return bool(np.all(found == ord(wanted)))


def _arrow_fields(column: pa.Array) -> _Fields | None:
    """The fields of times of mixed lengths, by pyarrow's string functions."""
    if not pc.all(pc.match_substring_regex(column, _TIME)).as_py():
        return None
    year, month, day = _number(column, 0, 4), _number(column, 5, 7), _number(column, 8, 10)
    hour, minute = _number(column, 11, 13), _number(column, 14, 16)
    length = np.asarray(pc.utf8_length(column).to_numpy(zero_copy_only=False), np.int64)
    seconds_given = np.asarray(
        pc.equal(pc.utf8_slice_codeunits(column, 16, 17), ":").to_numpy(zero_copy_only=False)
    )
    seconds = np.where(seconds_given, _number(_padded(column, 17, 19), 0, 2), 0)
    tail_at = np.where(seconds_given, 19, 16)
    zone = np.where(length - tail_at == 6, 2, np.where(length - tail_at == 1, 1, 0))
    tail = pc.if_else(
        pa.array(seconds_given),
        pc.utf8_slice_codeunits(column, 19, 25),
        pc.utf8_slice_codeunits(column, 16, 22),
    )
    sign = np.where(
        np.asarray(pc.equal(pc.utf8_slice_codeunits(tail, 0, 1), "-").to_numpy(False)), -1, 1
    )
    off_hours = np.where(zone == 2, _number(_padded(tail, 1, 3), 0, 2), 0)
    off_minutes = np.where(zone == 2, _number(_padded(tail, 4, 6), 0, 2), 0)
    return year, month, day, hour, minute, seconds, zone, sign, off_hours, off_minutes


def _padded(column: pa.Array, start: int, stop: int) -> pa.Array:
    """The slice, or "00" where the text is shorter (an absent part)."""
    part = pc.utf8_slice_codeunits(column, start, stop)
    return pc.if_else(pc.equal(pc.utf8_length(part), stop - start), part, "00")
