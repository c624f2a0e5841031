"""Reading Parquet logs (pyarrow) as records, one batch at a time.

Only the mapped columns are read from the file at all, so an unmapped column never
leaves the disk. Rows are numbered from 1 in file order; Parquet has no lines, so a
row's `line` is its number. Timestamps and dates are read as ISO 8601 text and go
through the same time rule as every other format (`replay_rows.parse_time`): a
timestamp column with a time zone keeps its offset, a naive one is London time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Final

import pyarrow as pa

from stepcheck.oracle.replay_rows import ColumnMap, LogError

__all__ = ["batch_records", "parquet_records"]

_BATCH: Final = 65_536

Record = tuple[int, dict[str, object] | str]


def parquet_records(path: Path, mapping: ColumnMap) -> Iterator[Record]:
    """(row number, mapped values) for every row of the Parquet file at `path`."""
    # imported here: pyarrow.parquet loads pyarrow.fs and ssl (about 60 ms), which a CSV
    # log never needs (the streamed reading imports this module for `batch_records`)
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        found = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise LogError(f"{path}: not a Parquet file ({_first_line(error)})") from None
    names = found.schema_arrow.names
    for canonical, column in mapping.wanted:
        if column not in names:
            raise LogError(
                f"{path}: no column {column!r} (mapped to {canonical}); "
                f"the file has {len(names)} column(s); use --map {canonical}=COLUMN"
            )
    number = 0
    try:
        wanted = sorted({column for _, column in mapping.wanted})
        for batch in found.iter_batches(batch_size=_BATCH, columns=wanted):
            yield from batch_records(batch, mapping, number)
            number += batch.num_rows
    except (pa.ArrowException, OSError) as error:
        number += 1
        yield number, f"cannot be read as Parquet ({_first_line(error)})"


def batch_records(batch: pa.RecordBatch, mapping: ColumnMap, before: int) -> Iterator[Record]:
    """(row number, mapped values) for every row of a batch of the file's mapped
    columns, whose first row is row `before + 1`."""
    values = {column: batch.column(column).to_pylist() for _, column in mapping.wanted}
    for index in range(batch.num_rows):
        yield (
            before + index + 1,
            {name: _text(values[column][index]) for name, column in mapping.wanted},
        )


def _text(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
