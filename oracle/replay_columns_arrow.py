"""Text columns of an Arrow table coded by their distinct values, for the Parquet reader.

The CSV column reader (`replay_columns_csv.plain_columns`) checks every row's text and
then codes the column by `pc.dictionary_encode`. A Parquet column read as a dictionary
(or encoded once) holds each distinct value once, so here the checks run on the
distinct values only and the rows are coded by integer work: the same codes and names,
in the order values are first met, as the CSV reader gives. A column comes in chunks
(row groups or batches) with a dictionary each, in an order that is not the order of
first appearance, with values no row uses and values repeated between chunks; so each
chunk's used values are listed in the order its rows meet them (`_first_seen`, compiled),
the lists are joined in chunk order and encoded once, and each row takes the code of
its value there (`_recode`). A null is read as an empty value, as the row reader does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numba import njit

from stepcheck.oracle.arrow_compute import pc
from stepcheck.oracle.replay_case_table import CaseTable
from stepcheck.oracle.replay_columns import ColumnLog, Ints, file_columns
from stepcheck.oracle.replay_columns_csv import EDGES
from stepcheck.oracle.replay_columns_stamps import stamp_times
from stepcheck.oracle.replay_columns_times import TimesOut
from stepcheck.oracle.replay_rows import REQUIRED, ColumnMap
from stepcheck.oracle.replay_scan_times import text_times

__all__ = ["Coded", "arrow_block", "coded", "named", "optional", "plain_text"]

Coded = tuple[Ints, pa.Array]
"""Each row's code, and the distinct values (nulls read as "") in first-seen order."""

_ERRORS = (pa.ArrowException, OSError, ValueError, TypeError)
_TEXT = (pa.string(), pa.large_string())


@njit(cache=True, nogil=True)
def _first_seen(indices, valid, size):  # type: ignore[no-untyped-def]
    """The dictionary entries the rows use, in the order they are first used (`size`
    stands for a null row), and each entry's rank in that order (-1: unused)."""
    rank = np.full(size + 1, -1, np.int64)
    seen = np.empty(size + 1, np.int64)
    count = 0
    for row in range(len(indices)):
        entry = indices[row] if valid[row] else size
        if rank[entry] < 0:
            rank[entry] = count
            seen[count] = entry
            count += 1
    return rank, seen[:count]


@njit(cache=True, nogil=True)
def _recode(indices, valid, size, table, out, start):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Each row's code: its entry's code in `table` (entry `size` for a null row)."""
    for row in range(len(indices)):
        out[start + row] = table[indices[row] if valid[row] else size]


def plain_text(column: pa.Array) -> pa.Array | None:
    """A string or large_string array as string, None for any other type (or too big)."""
    if column.type not in _TEXT:
        return None
    try:
        return column.cast(pa.string()) if column.type != pa.string() else column
    except _ERRORS:
        return None


def arrow_block(
    table: pa.Table | pa.RecordBatch,
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
    dictionaries: frozenset[str] = frozenset(),
    cases: CaseTable | None = None,
) -> ColumnLog | None:
    """Rows of a Parquet file from row `first_row` (its mapped columns read as `table`)
    as columns, or None when they need the row reader (or there are none). A column
    read as a dictionary is taken only if it is in `dictionaries` (the reader asked for
    it: one stored as a dictionary goes to the row reader, as it always has). With
    `cases` (a long log's), case ids are numbered in it, from the Arrow buffers."""
    size = table.num_rows
    if size == 0:
        return None
    found: dict[str, Coded] = {}
    times: TimesOut | None = None
    for canonical, column in mapping.wanted:
        values = table.column(column)
        if canonical == "time":
            times = _times(values)
            if times is None:
                return None
            continue
        part = coded(values, required=canonical in REQUIRED, dictionaries=column in dictionaries)
        if part is None:
            return None
        found[canonical] = part
    if times is None:
        return None
    none = (np.full(size, -1, np.int64), ())
    case: tuple[Ints, Sequence[str]]
    if cases is None:
        case = named(found["case"], case_id)
    elif case_id is str:  # the ids' bytes straight from Arrow to the table
        case = cases.add_arrow(found["case"][1])[found["case"][0]], cases.names()
    else:
        renamed = named(found["case"], case_id)
        case = cases.renumbered(*renamed)
    codes = {
        "case": case,
        "event": named(found["event"], lambda n: mapping.events.get(n, n)),
        "status": optional(found["status"]) if "status" in found else none,
        "owner": optional(found["owner"]) if "owner" in found else none,
    }
    return file_columns(name, first_row, 0, codes, times)


def _times(column: pa.Array | pa.ChunkedArray) -> TimesOut | None:
    """A time column's instants and wall times: a timestamp's by arithmetic, text as
    `parse_times` reads it, from Arrow's buffers (`replay_scan_times.text_times`; its
    layouts are all printable ASCII, so the strip check holds)."""
    if pa.types.is_timestamp(column.type):
        return stamp_times(column)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if column.null_count or column.type not in _TEXT:
        return None
    try:
        text = pa.chunked_array(chunks, column.type).combine_chunks()
        text = text.cast(pa.string()) if text.type != pa.string() else text
        text.validate(full=True)
    except _ERRORS:
        return None
    return text_times(text)


def coded(
    column: pa.Array | pa.ChunkedArray, *, required: bool, dictionaries: bool
) -> Coded | None:
    """The column's rows coded by first-seen distinct value, or None when a row needs the
    row reader: a type other than text (a dictionary of text only if `dictionaries`), a
    value that is not UTF-8 or that stripping would change, or (`required`) a null or
    empty value."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = []
    for chunk in chunks:
        part = _dictionary(chunk, dictionaries=dictionaries)
        if part is None:
            return None
        parts.append(part)
    lists = []
    for part in parts:
        if not len(part):
            continue
        valid = _valid(part.indices)
        indices = np.asarray(pc.fill_null(part.indices, 0).to_numpy(zero_copy_only=False))
        size = len(part.dictionary)
        rank, seen = _first_seen(indices, valid, size)
        values = pc.take(part.dictionary, pa.array(seen, mask=seen == size))
        lists.append((indices, valid, size, rank, values))
    joined = (
        pa.concat_arrays([values for *_, values in lists]) if lists else pa.array([], pa.string())
    )
    if joined.null_count:
        if required:
            return None
        joined = pc.fill_null(joined, "")
    encoded = pc.dictionary_encode(joined)
    distinct = encoded.dictionary
    if not _kept(distinct, required=required):
        return None
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), np.int64)
    out = np.empty(sum(len(indices) for indices, *_ in lists), np.int64)
    start = used = 0
    for indices, valid, size, rank, values in lists:
        table = np.where(rank >= 0, codes[used + np.maximum(rank, 0)], -1)
        _recode(indices, valid, size, table, out, start)
        start += len(indices)
        used += len(values)
    return out, distinct


def _dictionary(chunk: pa.Array, *, dictionaries: bool) -> pa.DictionaryArray | None:
    """One chunk as a dictionary of string values (text is encoded here)."""
    if pa.types.is_dictionary(chunk.type):
        if not dictionaries:
            return None
        values = plain_text(chunk.dictionary)
        if values is None or not pa.types.is_integer(chunk.indices.type):
            return None
        return pa.DictionaryArray.from_arrays(chunk.indices, values)
    text = plain_text(chunk)
    if text is None:
        return None
    try:
        return pc.dictionary_encode(text)
    except _ERRORS:
        return None


def _valid(indices: pa.Array) -> npt.NDArray[np.bool_]:
    """Which rows are not null."""
    if not indices.null_count:
        return np.ones(len(indices), np.bool_)
    return np.asarray(indices.is_valid().to_numpy(zero_copy_only=False), np.bool_)


def _kept(distinct: pa.Array, *, required: bool) -> bool:
    """Every distinct value is UTF-8 and empty or between printable ASCII characters
    (and, if `required`, not empty)."""
    try:
        distinct.validate(full=True)
    except _ERRORS:
        return False
    if len(distinct) == 0:
        return True
    if required and pc.any(pc.equal(pc.utf8_length(distinct), 0)).as_py():
        return False
    return bool(pc.all(pc.match_substring_regex(distinct, EDGES)).as_py())


def named(found: Coded, rename: Callable[[str], str]) -> tuple[Ints, tuple[str, ...]]:
    """Codes into the distinct renamed values (renaming may merge two values), as
    `replay_columns_csv` codes a required column."""
    codes, distinct = found
    names = distinct.to_pylist()
    if rename is str:  # no pseudonyms: the distinct values are the names
        return codes, tuple(names)
    renamed = [rename(name) for name in names]
    shared = {name: code for code, name in enumerate(dict.fromkeys(renamed))}
    return np.array([shared[name] for name in renamed], np.int64)[codes], tuple(shared)


def optional(found: Coded) -> tuple[Ints, tuple[str, ...]]:
    """Codes of an optional column, -1 where empty (the empty name is kept in the list,
    as `replay_columns_csv` keeps it)."""
    codes, distinct = found
    names = distinct.to_pylist()
    table = np.array([-1 if not name else code for code, name in enumerate(names)], np.int64)
    return table[codes] if len(table) else codes, tuple(names)
