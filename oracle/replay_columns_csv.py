"""Canonical CSV logs read by pyarrow into columns, when nothing in them is unusual.

The row reader (`replay_read`) is the definition of how a row is read; this module
only takes the files whose every row it can read the same way without looking at
rows one by one, and answers None for any other file, which then goes to the row
reader. A file is taken when it has no quote, carriage return, NUL, byte-order mark
or blank line (so a record is a line, and line = row + 1), is valid UTF-8, has every
mapped column in its header and the same number of fields on every line, and every
mapped value is either empty or begins and ends with a printable ASCII character (so
stripping changes nothing). Its required values must be non-empty and every time must
be `YYYY-MM-DD[T ]HH:MM[:SS]` with an optional `Z` or `+HH:MM` offset, a real date in
2000-2100 and not in the hour the clocks skip. Times are then computed with integer
arithmetic on the Europe/London rules (`bst_bounds`), which the tests compare with
`replay_rows.parse_time`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from stepcheck.oracle.replay_columns import ColumnLog, Ints, concatenated
from stepcheck.oracle.replay_read import LogFile, format_of
from stepcheck.oracle.replay_rows import REQUIRED, ColumnMap

__all__ = [
    "EDGES",
    "TimesOut",
    "bst_bounds",
    "csv_block",
    "csv_header",
    "kept_by_strip",
    "parse_times",
    "plain_columns",
    "read_csv_columns",
]

_TIME: Final = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$"
EDGES: Final = r"^([!-~](.*[!-~])?)?$"
_UNUSUAL: Final = (b'"', b"\r", b"\x00")
"""Bytes that end the fast path (a blank line, two newlines in a row, is found apart)."""
_STRIPPABLE: Final = (9, 11, 12, 28, 29, 30, 31)
"""In an ASCII file, what `str.strip` could remove from a value besides a space beside a
comma or a line's end (the rest never is)."""
_FIRST_YEAR: Final = 1999
_LAST_YEAR: Final = 2101
_HOUR: Final = 3600
_DAY: Final = 86400
_MICRO: Final = 1_000_000

TimesOut = tuple[Ints, Ints]


def read_csv_columns(
    paths: Sequence[Path],
    mapping: ColumnMap,
    *,
    log_format: str | None = None,
    case_id: Callable[[str], str] = str,
) -> ColumnLog | None:
    """Every log as columns, or None when any of them needs the row reader."""
    if any(name.startswith("fact.") for name in mapping.columns):
        return None
    parts = []
    for path in paths:
        if format_of(path, log_format) != "csv" or not path.is_file():
            return None
        part = _csv_part(path, mapping, case_id)
        if part is None:
            return None
        parts.append(part)
    return concatenated(parts) if parts else None


def _csv_part(path: Path, mapping: ColumnMap, case_id: Callable[[str], str]) -> ColumnLog | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    end = data.find(b"\n")
    names = csv_header(data[: end + 1]) if end > 0 else None
    if names is None:
        return None
    return csv_block(data[end + 1 :], names, mapping, case_id, name=str(path), first_row=1)


def csv_header(line: bytes) -> list[str] | None:
    """The column names of a plain CSV file's first line (with its newline), or None."""
    if line.startswith(b"\xef\xbb\xbf") or _unusual(line):
        return None
    try:
        return [name.strip() for name in line[:-1].decode("utf-8").split(",")]
    except UnicodeDecodeError:
        return None


def csv_block(
    data: bytes,
    names: list[str],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
) -> ColumnLog | None:
    """Whole lines of a plain CSV file after its header, from row `first_row`, as
    columns; None when they need the row reader (or there are none)."""
    if not data or data.startswith(b"\n") or _unusual(data):
        return None
    positions = {}
    for canonical, column in mapping.wanted:
        if column not in names:
            return None
        positions[canonical] = f"c{names.index(column)}"
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(names))]),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(names))},
                include_columns=sorted(set(positions.values())),
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    columns = {
        name: table.column(position).combine_chunks() for name, position in positions.items()
    }
    stripped = data.isascii() and not _strippable(data)
    if not stripped and not all(map(kept_by_strip, columns.values())):
        return None
    return plain_columns(name, columns, mapping, case_id, first_row=first_row, header_lines=1)


def plain_columns(
    name: str,
    columns: dict[str, pa.Array],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    first_row: int = 1,
    header_lines: int,
) -> ColumnLog | None:
    """Rows of one file from `first_row` on, from its mapped string columns (no nulls,
    no value that stripping would change), or None when a required value is empty, a
    time is unusual or there is no row; row r is on line `r + header_lines`."""
    for canonical, column in columns.items():
        if canonical in REQUIRED and pc.any(pc.equal(pc.utf8_length(column), 0)).as_py():
            return None
    size = len(columns["case"])
    if size == 0:
        return None
    times = parse_times(columns["time"])
    if times is None:
        return None
    cases, case_names = _coded(columns["case"], case_id)
    events, event_names = _coded(columns["event"], lambda n: mapping.events.get(n, n))
    status, status_names = _optional(columns.get("status"), size)
    owner, owner_names = _optional(columns.get("owner"), size)
    rows = np.arange(first_row, first_row + size, dtype=np.int64)
    return ColumnLog(
        files=(LogFile(name=name, rows=size),),
        file_names=(name,),
        file_of=np.zeros(size, np.int64),
        row=rows,
        line=rows + header_lines,
        readable=np.ones(size, np.bool_),
        malformed={},
        case=cases,
        case_names=case_names,
        instant=times[0],
        local=times[1],
        event=events,
        event_names=event_names,
        status=status,
        status_names=status_names,
        owner=owner,
        owner_names=owner_names,
        has_facts=False,
    )


def kept_by_strip(column: pa.Array) -> bool:
    """Every value is empty or begins and ends with a printable ASCII character."""
    return bool(pc.all(pc.match_substring_regex(column, EDGES)).as_py())


def _unusual(data: bytes) -> bool:
    """A quote, carriage return, NUL or blank line anywhere (single bytes by `memchr`,
    blank lines from the newlines' positions: a two-byte search is slow)."""
    if any(byte in data for byte in _UNUSUAL):
        return True
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n"))
    return bool(len(newlines) > 1 and np.any(np.diff(newlines) == 1))


def _strippable(data: bytes) -> bool:
    """Whether `str.strip` could change a value of this ASCII file: a control byte it
    strips, or a space at a field's or the file's edge."""
    if any(bytes([code]) in data for code in _STRIPPABLE):
        return True
    if b" " not in data:
        return False
    chars = np.frombuffer(data, np.uint8)
    spaces = np.flatnonzero(chars == ord(" "))
    before = chars[np.maximum(spaces - 1, 0)]
    after = chars[np.minimum(spaces + 1, len(chars) - 1)]
    edge = (before == ord(",")) | (before == ord("\n")) | (after == ord(",")) | (after == ord("\n"))
    return bool(edge.any() or spaces[0] == 0 or spaces[-1] == len(chars) - 1)


def _coded(column: pa.Array, rename: Callable[[str], str]) -> tuple[Ints, tuple[str, ...]]:
    """Codes into the distinct renamed values (renaming may merge two values)."""
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    if rename is str:  # no pseudonyms: the distinct values are the names
        return codes, tuple(encoded.dictionary.to_pylist())
    renamed = [rename(name) for name in encoded.dictionary.to_pylist()]
    shared = {name: code for code, name in enumerate(dict.fromkeys(renamed))}
    return np.array([shared[name] for name in renamed], np.int64)[codes], tuple(shared)


def _optional(column: pa.Array | None, size: int) -> tuple[Ints, tuple[str, ...]]:
    """Codes of an optional column, -1 where empty (not recorded)."""
    if column is None:
        return np.full(size, -1, np.int64), ()
    encoded = pc.dictionary_encode(column)
    names = encoded.dictionary.to_pylist()
    table = np.array([-1 if not n else c for c, n in enumerate(names)] + [-1], np.int64)
    kept = tuple(n if n else "" for n in names)
    return table[encoded.indices.to_numpy(zero_copy_only=False)], kept


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
