"""The compiled half of the byte scanner (`replay_scan`): every Numba function in one
module, because Numba's on-disk cache only notices changes to the file of the function
it compiled, so a helper in another file could leave a stale scan cached.

`scan` walks a block's bytes once, after one vectorised pass (`_lines`) that counts
the newlines and looks for a byte outside 1-127, a quote or a carriage return: it
splits each line at its commas, only counts the fields of the unmapped columns, checks
the mapped ones, reads the time (`scan_time`: the layouts, checks and integer
arithmetic of `replay_columns_times.parse_times`, a row at a time) and codes case
ids, events, statuses and owners in open-addressing hash tables over byte ranges, in
order of first appearance. `joined` gives the distinct names as one byte array.
Nothing here indexes outside the block whatever its bytes, and every loop ends.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_columns import Ints
from stepcheck.oracle.replay_columns_times import bst_bounds

__all__ = ["bst_table", "joined", "scan", "scan_time"]

_NORMAL, _COMMA, _NEWLINE = 0, 1, 2
"""What ends a field: the end of the block, a comma, a newline."""
_LONGEST: Final = 1 << 16
"""Longer lines are left to pyarrow (which refuses lines longer than its block)."""
_FIRST_SLOTS: Final = 1024
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


@numba.njit(cache=True, nogil=True)
def _lines(data: npt.NDArray[np.uint8]) -> int:
    """How many lines at most (the newlines, and one more for a last line without),
    or -1 when a byte is outside 1-127 or is a quote or a carriage return: one pass
    the compiler vectorises, so the scan proper only looks for commas and newlines."""
    count = 0
    bad = 0
    for position in range(data.size):
        byte = data[position]
        count += byte == 10
        bad |= (byte >= 128) | (byte == 0) | (byte == 13) | (byte == 34)
    return -1 if bad else count + 1


@numba.njit(cache=True, nogil=True)
def _hash(data: npt.NDArray[np.uint8], start: int, end: int) -> np.uint64:
    """A hash of the bytes `start:end`, eight bytes (one word) at a time."""
    value = np.uint64(end - start) * np.uint64(0x9E3779B97F4A7C15)
    for word_start in range(start, end, 8):
        word = np.uint64(0)
        for position in range(word_start, min(word_start + 8, end)):
            word = (word << np.uint64(8)) | np.uint64(data[position])
        value = (value ^ word) * np.uint64(0xBF58476D1CE4E5B9)
    value ^= value >> np.uint64(31)
    value *= np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(29))


@numba.njit(cache=True, nogil=True)
def _same(data: npt.NDArray[np.uint8], start: int, end: int, other: int, other_end: int) -> bool:
    if end - start != other_end - other:
        return False
    for offset in range(end - start):  # noqa: SIM110 - a loop Numba compiles
        if data[start + offset] != data[other + offset]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _code(  # noqa: PLR0917 - a dictionary's arrays, as the scan holds them
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    dictionary: int,
    slots: Ints,
    spans: Ints,
    counts: Ints,
) -> int:
    """The code of the bytes `start:end` in one dictionary, a new one on first sight.
    `slots` (open addressing, -1 empty) is at most half full; `spans` holds each
    code's first bytes and (halved) hash, its stamp."""
    value = _hash(data, start, end)
    mask = slots.shape[1] - 1
    stamp = np.int64(value >> np.uint64(1))  # fits an int64
    slot = stamp & mask
    while True:
        code = slots[dictionary, slot]
        if code < 0:
            code = counts[dictionary]
            slots[dictionary, slot] = code
            spans[dictionary, code, 0] = start
            spans[dictionary, code, 1] = end
            spans[dictionary, code, 2] = stamp
            counts[dictionary] = code + 1
            return code
        if spans[dictionary, code, 2] == stamp and _same(
            data, start, end, spans[dictionary, code, 0], spans[dictionary, code, 1]
        ):
            return code
        slot = (slot + 1) & mask


@numba.njit(cache=True, nogil=True)
def _grown(slots: Ints, spans: Ints, counts: Ints) -> tuple[Ints, Ints]:
    """The dictionaries in twice the slots, every code rehashed from its stamp."""
    size = slots.shape[1] * 2
    grown = np.full((slots.shape[0], size), -1, np.int64)
    wider = np.empty((slots.shape[0], size // 2 + 1, 3), np.int64)
    mask = size - 1
    for dictionary in range(slots.shape[0]):
        for code in range(counts[dictionary]):
            wider[dictionary, code] = spans[dictionary, code]
            slot = spans[dictionary, code, 2] & mask
            while grown[dictionary, slot] >= 0:
                slot = (slot + 1) & mask
            grown[dictionary, slot] = code
    return grown, wider


@numba.njit(cache=True, nogil=True)
def joined(data: npt.NDArray[np.uint8], spans: Ints, counts: Ints) -> npt.NDArray[np.uint8]:
    """Every dictionary's names in code order, one after another, joined by newlines."""
    total = 0
    for dictionary in range(counts.size):
        for code in range(counts[dictionary]):
            total += spans[dictionary, code, 1] - spans[dictionary, code, 0] + 1
    joined = np.empty(max(total - 1, 0), np.uint8)
    at = 0
    for dictionary in range(counts.size):
        for code in range(counts[dictionary]):
            if at > 0:
                joined[at - 1] = 10
            for position in range(spans[dictionary, code, 0], spans[dictionary, code, 1]):
                joined[at] = data[position]
                at += 1
            at += 1
    return joined


@numba.njit(cache=True, nogil=True)
def scan(  # noqa: PLR0912, PLR0917 - one pass over the bytes, kept in one loop
    data: npt.NDArray[np.uint8],
    fields: int,
    wanted: Ints,
    checked: npt.NDArray[np.bool_],
    starts: Ints,
    ends: Ints,
) -> tuple[int, Ints, Ints, Ints, Ints, Ints, Ints]:
    """(rows, codes of the four dictionaries by row, instants, local times, slots,
    spans, counts); rows is -1 when a line is not plain. Status and owner codes are
    -1 where empty, or everywhere when not mapped; `wanted` gives the fields of case,
    time, event, status and owner (-1: not mapped), and
    `checked` marks every mapped field, whose edges must be printable."""
    size = data.size
    lines = max(_lines(data), 0)
    codes = np.empty((4, lines), np.int64)
    instants = np.empty(lines, np.int64)
    locals_ = np.empty(lines, np.int64)
    slots = np.full((4, _FIRST_SLOTS), -1, np.int64)
    spans = np.empty((4, _FIRST_SLOTS // 2 + 1, 3), np.int64)
    counts = np.zeros(4, np.int64)
    begin = np.zeros(5, np.int64)
    finish = np.zeros(5, np.int64)
    row = 0
    at = 0
    if lines == 0:
        return -1, codes, instants, locals_, slots, spans, counts  # an unusual byte
    while at < size:
        line = at
        if data[at] == 10:
            return -1, codes, instants, locals_, slots, spans, counts  # a blank line
        for field in range(fields):
            start = at
            while at < size and data[at] != 44 and data[at] != 10:  # a comma, a newline
                at += 1
            kind = _NORMAL if at == size else _COMMA if data[at] == 44 else _NEWLINE
            if checked[field]:
                if at > start and not (32 < data[start] < 127 and 32 < data[at - 1] < 127):
                    return -1, codes, instants, locals_, slots, spans, counts
                for column in range(5):
                    if wanted[column] == field:
                        begin[column] = start
                        finish[column] = at
            last = field == fields - 1
            if (kind == _COMMA) == last:
                return -1, codes, instants, locals_, slots, spans, counts  # fields miscounted
            at += 1  # past the comma or newline (or the end)
        if at - line > _LONGEST:
            return -1, codes, instants, locals_, slots, spans, counts
        for column in range(3):
            if begin[column] == finish[column]:
                return -1, codes, instants, locals_, slots, spans, counts  # a required value
        taken, instant, local = scan_time(data, begin[1], finish[1], starts, ends)
        if not taken:
            return -1, codes, instants, locals_, slots, spans, counts
        instants[row] = instant
        locals_[row] = local
        if counts.max() * 2 + 2 > slots.shape[1]:
            slots, spans = _grown(slots, spans, counts)
        for dictionary in range(4):
            column = dictionary + 1 if dictionary else 0  # case, event, status, owner
            if wanted[column] < 0:
                codes[dictionary, row] = -1
                continue
            code = _code(data, begin[column], finish[column], dictionary, slots, spans, counts)
            if dictionary >= 2 and begin[column] == finish[column]:
                code = -1  # an empty status or owner: not recorded, its name kept
            codes[dictionary, row] = code
        row += 1
    return row, codes, instants, locals_, slots, spans, counts
