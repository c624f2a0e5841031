"""The times of a block the byte scan split (`replay_scan_bytes.scan`), read from
their bytes: the layouts, checks and integer arithmetic of
`replay_columns_times.parse_times`, a row at a time, compiled by Numba.

A time is read from three words: its first sixteen bytes "YYYY-MM-DDTHH:MM" (T or a
space), checked eight digits at a time (`_date_and_clock`), and its last eight, which
hold its seconds and zone in every layout (`_instant`). The date's day number and
that year's summer time are worked out only when the date is not the row before's
(`_date`): a log's rows mostly share it. A function called for every row takes no
array, since Numba counts an array argument's references at each call, two atomic
operations per array: when one function taking four read each time, that was a
quarter of the scan's time. Every Numba function here calls only functions of this
file, for the on-disk cache (see `replay_scan_bytes`).
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from stepcheck.oracle.replay_columns import Ints
from stepcheck.oracle.replay_columns_times import TimesOut, bst_bounds

__all__ = ["FIRST_YEAR", "LAST_YEAR", "read_times", "text_times", "times_of"]

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
_HOUR: Final = 3600
_DAY: Final = 86400
_MICRO: Final = 1_000_000
_ZERO: Final = 48
_DASH: Final = 45
_PLUS: Final = 43
_COLON: Final = 58
_ZULU: Final = 90
_SHORTEST: Final = 16


def _bst_table() -> tuple[Ints, Ints]:
    """British Summer Time's start and end (UTC seconds) for each year from 2000 on."""
    return bst_bounds(np.arange(FIRST_YEAR, LAST_YEAR + 1, dtype=np.int64))


_STARTS, _ENDS = _bst_table()


def times_of(data: npt.NDArray[np.uint8], times: Ints, rows: int) -> bool:
    """`read_times` on this year table: the first `rows` rows' times, in place."""
    return bool(read_times(data, times, rows, _STARTS, _ENDS))


def text_times(column: pa.Array) -> TimesOut | None:
    """`parse_times` of an Arrow string column with no nulls, read from its buffers by
    `read_times` (a Parquet log's times as text: ten million rows in about a second,
    not twelve). Any byte may be in the text: a byte at or past 128 fails the digit
    check of its own byte, so what it would carry into the next never decides."""
    if column.type not in (pa.string(), pa.large_string()) or column.null_count:
        return None
    _, offsets_buffer, data_buffer = column.buffers()
    width = np.int64 if column.type == pa.large_string() else np.int32
    offsets = np.frombuffer(offsets_buffer, width)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(data_buffer, np.uint8) if data_buffer else np.zeros(1, np.uint8)
    times = np.stack((offsets[:-1], offsets[1:])).astype(np.int64)
    if not times_of(data, times, len(column)):
        return None
    return times[0], times[1]


def _pattern(text: bytes) -> np.uint64:
    """Eight bytes as one word, the first lowest (as `_word` reads them)."""
    return np.uint64(int.from_bytes(text, "little"))


_ZEROS: Final = _pattern(b"00000000")
_SIXES: Final = _pattern(b"\x06" * 8)
_TOPS: Final = _pattern(b"\xf0" * 8)
_DATE_DIGITS: Final = _pattern(b"\xff\xff\xff\xff\0\xff\xff\0")
_DATE_MARKS: Final = _pattern(b"\0\0\0\0\xff\0\0\xff")
_DATE_DASHES: Final = _pattern(b"\0\0\0\0-\0\0-")
"""A time's first word, "YYYY-MM-": where its digits are, where its dashes."""
_CLOCK_DIGITS: Final = _pattern(b"\xff\xff\0\xff\xff\0\xff\xff")
_CLOCK_MARK: Final = _pattern(b"\0\0\0\0\0\xff\0\0")
_CLOCK_COLON: Final = _pattern(b"\0\0\0\0\0:\0\0")
"""Its second, "DDTHH:MM", and a zone's last eight bytes, "SS+HH:MM" or "MM+HH:MM":
their digits and colon (the byte between is checked alone)."""
_SECONDS_DIGITS: Final = (_pattern(b"\0" * 6 + b"\xff\xff"), _pattern(b"\0" * 5 + b"\xff\xff\0"))
"""Where a time's last eight bytes hold its seconds: "HH:MM:SS", "H:MM:SSZ"."""
_DAY_BYTES: Final = np.uint64(0xFFFF)


@numba.njit(cache=True, nogil=True, inline="always")
def _byte(word: np.uint64, at: int) -> int:
    """Byte `at` of a word (np.int64, not int: Numba's int() of a uint64 goes through
    a float)."""
    return int(np.int64((word >> np.uint64(8 * at)) & np.uint64(255)))


@numba.njit(cache=True, nogil=True, inline="always")
def _all_digits(word: np.uint64, where: np.uint64) -> bool:
    """Whether every byte of `word` under `where` is a decimal digit (every byte is
    below 128, so adding six to one never carries into the next)."""
    tops = _TOPS & where
    zeros = _ZEROS & where
    return bool((word & tops) == zeros and ((word + (_SIXES & where)) & tops) == zeros)


@numba.njit(cache=True, nogil=True, inline="always")
def _two(word: np.uint64, at: int) -> int:
    """The two digits at bytes `at` and `at + 1` of a word (checked) as a number."""
    return (_byte(word, at) - _ZERO) * 10 + _byte(word, at + 1) - _ZERO


@numba.njit(cache=True, nogil=True, inline="always")
def _date_and_clock(head: np.uint64, clock: np.uint64) -> bool:
    """Whether a time's first 16 bytes are laid out "YYYY-MM-DDTHH:MM" (T or a
    space), with digits where digits go."""
    separator = _byte(clock, 2)
    return (
        (head & _DATE_MARKS) == _DATE_DASHES
        and (clock & _CLOCK_MARK) == _CLOCK_COLON
        and separator in (84, 32)  # T or a space
        and _all_digits(head, _DATE_DIGITS)
        and _all_digits(clock, _CLOCK_DIGITS)
    )


@numba.njit(cache=True, nogil=True)
def _date(head: np.uint64, clock: np.uint64, starts: Ints, ends: Ints) -> tuple[int, int, int]:
    """(day number from 1970-01-01, summer's start and end that year in UTC seconds) of
    the date in a time's first ten bytes (`_date_and_clock`); day -1 if no such day
    from `FIRST_YEAR` to `LAST_YEAR`. Called only when the date is not the row
    before's: it takes arrays, whose references a call counts."""
    year = _two(head, 0) * 100 + _two(head, 2)
    month = _two(head, 5)
    day = _two(clock, 0)
    if year < FIRST_YEAR or year > LAST_YEAR or month < 1 or month > 12:
        return -1, 0, 0
    if day < 1 or day > _month_days(year, month):
        return -1, 0, 0
    return _days(year, month, day), starts[year - FIRST_YEAR], ends[year - FIRST_YEAR]


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
def _tail(width: int, last: np.uint64, after: int) -> tuple[bool, int, int]:
    """(taken, seconds, offset from UTC in seconds) of a time `width` bytes long, from
    its last eight bytes (`last`) and its byte 16 (`after`, 0 if none)."""
    if width in (16, 17):  # no seconds; a Z if aware
        return width == 16 or _byte(last, 7) == _ZULU, 0, 0
    if width in (19, 20):  # "HH:MM:SS" or "H:MM:SSZ"
        taken = after == _COLON and _all_digits(last, _SECONDS_DIGITS[width - 19])
        return taken and (width == 19 or _byte(last, 7) == _ZULU), _two(last, 25 - width), 0
    if width not in (22, 25):
        return False, 0, 0
    sign = _byte(last, 2)  # "MM+HH:MM" or "SS+HH:MM": laid out as the clock
    if (
        (last & _CLOCK_MARK) != _CLOCK_COLON
        or sign not in (_PLUS, _DASH)
        or not _all_digits(last, _CLOCK_DIGITS)
        or (width == 25 and after != _COLON)
    ):
        return False, 0, 0
    hours, minutes = _two(last, 3), _two(last, 6)
    offset = hours * _HOUR + minutes * 60
    seconds = _two(last, 0) if width == 25 else 0
    return hours <= 23 and minutes <= 59, seconds, -offset if sign == _DASH else offset


@numba.njit(cache=True, nogil=True)
def _instant(
    width: int, clock: np.uint64, last: np.uint64, after: int, date: tuple[int, int, int]
) -> tuple[bool, int, int]:
    """(taken, instant, local wall time in microseconds) of a time `width` bytes long
    whose first 16 `_date_and_clock` checked (`clock` its second word), given its last
    eight bytes as a word (`last`), its byte 16 (`after`, 0 if none) and `_date`'s
    answer for its date; not taken if it is unusual. Scalars only: a row's call then
    counts no array's references."""
    days, summer_starts, summer_ends = date
    taken, seconds, offset = _tail(width, last, after)
    hour, minute = _two(clock, 3), _two(clock, 6)
    if not taken or hour > 23 or minute > 59 or seconds > 59:
        return False, 0, 0
    given = days * _DAY + hour * _HOUR + minute * 60 + seconds
    if width not in (16, 19):  # aware
        instant = given - offset
        # an instant in another year than its date's is within a day of New Year, in
        # no year's summer, so that year's bounds answer as the instant's own would
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
def _word(data: npt.NDArray[np.uint8], at: int) -> np.uint64:
    """The eight bytes from `at` (the caller keeps them in `data`) as one word, the
    first lowest: unsigned indices, so the compiler makes it one unaligned load (as
    `replay_scan_bytes` has it: a Numba function here calls none of another file)."""
    base = np.uint64(at)
    word = np.uint64(0)
    for offset in range(7, -1, -1):
        word = (word << np.uint64(8)) | np.uint64(data[base + np.uint64(offset)])
    return word


@numba.njit(cache=True, nogil=True)
def read_times(
    data: npt.NDArray[np.uint8], times: Ints, rows: int, starts: Ints, ends: Ints
) -> bool:
    """The first `rows` rows' times from their bytes `data[times[0, r]:times[1, r]]`,
    in place: a row's instant to `times[0, r]`, its local wall time to `times[1, r]`
    (microseconds); False, leaving the rest, at the first time `parse_times` would
    refuse. `starts` and `ends` are `_bst_table`'s (`times_of` passes them)."""
    known_head, known_day = np.uint64(0), np.uint64(0)  # the last date read: none yet
    date = (0, 0, 0)
    for row in range(rows):
        start, end = times[0, row], times[1, row]
        if end - start < _SHORTEST:
            return False
        head, clock = _word(data, start), _word(data, start + 8)
        if not _date_and_clock(head, clock):
            return False
        if head != known_head or (clock & _DAY_BYTES) != known_day:  # a new date
            date = _date(head, clock, starts, ends)
            if date[0] < 0:
                return False
            known_head, known_day = head, clock & _DAY_BYTES
        after = int(np.int64(data[start + 16])) if end - start > _SHORTEST else 0
        taken, instant, local = _instant(end - start, clock, _word(data, end - 8), after, date)
        if not taken:
            return False
        times[0, row], times[1, row] = instant, local
    return True
