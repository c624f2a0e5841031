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
arithmetic on the Europe/London rules (`replay_columns_times`), which the tests compare with
`replay_rows.parse_time`. A compiled scan of the bytes (`replay_scan`) is tried first and
gives the same columns when it is sure of a file; this path stays the reference it is
tested against (`scanner=False`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from stepcheck.oracle.arrow_compute import pc
from stepcheck.oracle.replay_case_table import numbered
from stepcheck.oracle.replay_columns import ColumnLog, Ints, concatenated, file_columns
from stepcheck.oracle.replay_columns_times import parse_times
from stepcheck.oracle.replay_read import format_of
from stepcheck.oracle.replay_rows import REQUIRED, ColumnMap
from stepcheck.oracle.replay_scan import BlockState, scan_block

__all__ = [
    "EDGES",
    "csv_block",
    "csv_header",
    "kept_by_strip",
    "plain_columns",
    "read_csv_columns",
]

EDGES: Final = r"^([!-~](.*[!-~])?)?$"
_UNUSUAL: Final = (b'"', b"\r", b"\x00")
"""Bytes that end the fast path (a blank line, two newlines in a row, is found apart)."""
_STRIPPABLE: Final = (9, 11, 12, 28, 29, 30, 31)
"""In an ASCII file, what `str.strip` could remove from a value besides a space beside a
comma or a line's end (the rest never is)."""


def read_csv_columns(
    paths: Sequence[Path],
    mapping: ColumnMap,
    *,
    log_format: str | None = None,
    case_id: Callable[[str], str] = str,
    scanner: bool = True,
) -> ColumnLog | None:
    """Every log as columns, or None when any of them needs the row reader
    (`scanner=False`: by pyarrow alone, the reference the scanner is tested against)."""
    if any(name.startswith("fact.") for name in mapping.columns):
        return None
    parts = []
    for path in paths:
        if format_of(path, log_format) != "csv" or not path.is_file():
            return None
        part = _csv_part(path, mapping, case_id, scanner=scanner)
        if part is None:
            return None
        parts.append(part)
    return concatenated(parts) if parts else None


def _csv_part(
    path: Path, mapping: ColumnMap, case_id: Callable[[str], str], *, scanner: bool
) -> ColumnLog | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    end = data.find(b"\n")
    names = csv_header(data[: end + 1]) if end > 0 else None
    if names is None:
        return None
    if scanner:  # the lines after the header, not copied
        lines = memoryview(data)[end + 1 :]
        scanned = scan_block(lines, names, mapping, case_id, name=str(path), first_row=1)
        if scanned is not None:
            return scanned
    return csv_block(
        data[end + 1 :], names, mapping, case_id, name=str(path), first_row=1, scanner=False
    )


def csv_header(line: bytes) -> list[str] | None:
    """The column names of a plain CSV file's first line (with its newline), or None."""
    if line.startswith(b"\xef\xbb\xbf") or _unusual(line):
        return None
    try:
        return [name.strip() for name in line[:-1].decode("utf-8").split(",")]
    except UnicodeDecodeError:
        return None


def csv_block(
    data: bytes | memoryview,
    names: list[str],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
    scanner: bool = True,
    arrow: bool = True,
    state: BlockState | None = None,
) -> ColumnLog | None:
    """Whole lines of a plain CSV file after its header, from row `first_row`, as
    columns; None when they need the row reader (or there are none). The compiled
    scan (`replay_scan`) is tried first unless `scanner` is False; pyarrow reads what
    it is not sure of unless `arrow` is False. A memoryview (lines still in a read
    buffer) is scanned in place and copied only for pyarrow. With `state` (a long
    log's), case ids are numbered in its table."""
    if not data:
        return None
    if scanner:
        scanned = scan_block(
            data, names, mapping, case_id, name=name, first_row=first_row, state=state
        )
        if scanned is not None or not arrow:
            return scanned
    block = _arrow_block(bytes(data), names, mapping, case_id, name=name, first_row=first_row)
    return block if block is None or state is None else numbered(block, state.cases)


def _arrow_block(
    data: bytes,
    names: list[str],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
) -> ColumnLog | None:
    """`csv_block` by pyarrow alone."""
    if data.startswith(b"\n") or _unusual(data):
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
    coded = {
        "case": _coded(columns["case"], case_id),
        "event": _coded(columns["event"], lambda n: mapping.events.get(n, n)),
        "status": _optional(columns.get("status"), size),
        "owner": _optional(columns.get("owner"), size),
    }
    return file_columns(name, first_row, header_lines, coded, times)


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
