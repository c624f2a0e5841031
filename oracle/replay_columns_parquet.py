"""Parquet logs read by pyarrow straight into columns, when nothing in them is unusual.

As `replay_columns_csv` does for CSV, this takes only the files whose every row the
row reader (`replay_read`, `replay_parquet`) would read the same way, and answers None
for any other, which then goes to the row reader. A file is taken when every mapped
column is text (`string` or `large_string`) or, for `time`, a timestamp in whole seconds;
no required value is null or empty; every value is valid UTF-8 and empty or begins and
ends with a printable ASCII character (so stripping changes nothing); and every time is
one the CSV column reader takes. A timestamp with a time zone means its UTC value, a
naive one a London wall time, which is what the row reader's ISO text of it means.
Only the mapped columns are read; row r is on "line" r, as in the row reader.

The reference (`reference=True`) checks every row's text and writes timestamps as ISO
text for `replay_columns_times.parse_times`. The fast path, the default, reads text
columns as dictionaries, checks each distinct value once and codes rows by integers
(`replay_columns_arrow`), and converts timestamps by arithmetic (`replay_columns_stamps`);
the tests compare the two array by array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa

from stepcheck.oracle.arrow_compute import pc
from stepcheck.oracle.replay_columns import ColumnLog, concatenated
from stepcheck.oracle.replay_columns_arrow import arrow_block
from stepcheck.oracle.replay_columns_csv import kept_by_strip, plain_columns, read_csv_columns
from stepcheck.oracle.replay_read import format_of
from stepcheck.oracle.replay_rows import REQUIRED, ColumnMap

__all__ = ["parquet_block", "read_columns", "read_parquet_columns", "text_columns"]

_ERRORS = (pa.ArrowException, OSError)
_TEXT = (pa.string(), pa.large_string())


def read_columns(
    paths: Sequence[Path],
    mapping: ColumnMap,
    *,
    log_format: str | None = None,
    case_id: Callable[[str], str] = str,
) -> ColumnLog | None:
    """Every log, CSV or Parquet, as columns; None when any of them needs the row reader."""
    parts = []
    for path in paths:
        match format_of(path, log_format) if path.is_file() else None:
            case "csv":
                part = read_csv_columns([path], mapping, log_format="csv", case_id=case_id)
            case "parquet":
                part = read_parquet_columns(path, mapping, case_id)
            case _:
                part = None
        if part is None:
            return None
        parts.append(part)
    return concatenated(parts) if parts else None


def read_parquet_columns(
    path: Path,
    mapping: ColumnMap,
    case_id: Callable[[str], str] = str,
    *,
    reference: bool = False,
) -> ColumnLog | None:
    """The Parquet log at `path` as columns, or None when it needs the row reader
    (`reference=True`: every row's text checked, what the fast path is tested against)."""
    if any(name.startswith("fact.") for name in mapping.columns):
        return None
    # imported here: pyarrow.parquet loads pyarrow.fs and ssl (about 60 ms), which a CSV
    # log never needs
    import pyarrow.parquet as pq  # noqa: PLC0415

    wanted = sorted({column for _, column in mapping.wanted})
    try:
        found = pq.ParquetFile(path)
        schema = found.schema_arrow
        if any(column not in schema.names for column in wanted):
            return None
        if reference:
            table = found.read(columns=wanted)
            return parquet_block(
                table, mapping, case_id, name=str(path), first_row=1, reference=True
            )
        coded = text_columns(schema, mapping)
        if coded:  # text read as dictionaries: each distinct value once
            found = pq.ParquetFile(path, read_dictionary=coded)
        table = found.read(columns=wanted)
    except (*_ERRORS, KeyError):
        return None
    return arrow_block(
        table, mapping, case_id, name=str(path), first_row=1, dictionaries=frozenset(coded)
    )


def text_columns(schema: pa.Schema, mapping: ColumnMap) -> list[str]:
    """The mapped text columns other than the time, to read as dictionaries."""
    times = {column for canonical, column in mapping.wanted if canonical == "time"}
    wanted = sorted({column for _, column in mapping.wanted})
    return [
        column for column in wanted if column not in times and schema.field(column).type in _TEXT
    ]


def parquet_block(
    table: pa.Table | pa.RecordBatch,
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
    reference: bool = False,
) -> ColumnLog | None:
    """Rows of a Parquet file from row `first_row` (its mapped columns read as `table`)
    as columns; None when they need the row reader (or there are none). A column read
    as a dictionary goes to the row reader (`read_parquet_columns` asks for them itself).
    `reference=True`: every row's text checked, what the fast path is tested against."""
    if not reference:
        return arrow_block(table, mapping, case_id, name=name, first_row=first_row)
    columns = {}
    for canonical, column in mapping.wanted:
        found = table.column(column)
        text = _text(
            found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found, canonical
        )
        if text is None:
            return None
        columns[canonical] = text
    return plain_columns(name, columns, mapping, case_id, first_row=first_row, header_lines=0)


def _text(column: pa.Array, canonical: str) -> pa.Array | None:
    """The column as the column reader's text, or None when a row must be read alone."""
    if canonical == "time" and pa.types.is_timestamp(column.type):
        column = _time_text(column)
        if column is None:
            return None
    if pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    if column.type != pa.string():
        return None
    try:
        column.validate(full=True)  # UTF-8
    except _ERRORS:
        return None
    if column.null_count:
        if canonical in REQUIRED:
            return None
        column = pc.fill_null(column, "")  # the row reader takes null as empty
    return column if len(column) == 0 or kept_by_strip(column) else None


def _time_text(column: pa.Array) -> pa.Array | None:
    """A timestamp column as `YYYY-MM-DDTHH:MM:SS[Z]`, or None when a value has a
    fraction of a second (the cast to seconds refuses to drop it)."""
    aware = column.type.tz is not None
    try:
        seconds = column.cast(pa.timestamp("s", tz=column.type.tz))
        naive = seconds.cast(pa.timestamp("s")) if aware else seconds  # UTC values
        return pc.strftime(naive, format="%Y-%m-%dT%H:%M:%S" + ("Z" if aware else ""))
    except _ERRORS:
        return None
