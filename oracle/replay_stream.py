"""A long log replayed by the vector engine in bounded memory: read in blocks, its
cases spilled to disk in shares by their number, each share replayed alone.

`--engine vector` on logs larger than `STREAM_ABOVE` bytes (oracle/REPLAY.md,
"Bounded memory"). Cases never interact, so a log's report is the merge of its
shares' reports, as `--engine dask` merges its partitions'. The first pass reads
each CSV file in blocks (`replay_stream_csv`: the column readers where they are
sure, the row reader where they are not), each Parquet file in batches
(`replay_columns_arrow.arrow_block`, or the row reader for a batch it is not sure
of), and JSON Lines and XES by the row reader (`replay_row_blocks`), and appends
every block's rows to the file of the share that holds each case (`replay_spill`:
case ids are numbered once for the whole log, in the order first read, and case n
goes to share n modulo the shares, so no hash seed shows); it also
keeps the end of the log (`--as-of`, else the last time of a row with known names:
a duplicate has the time of the row it repeats). The second pass replays the shares
one at a time on one compiled table, to that end, and merges their findings,
malformed and out-of-order rows (in reading order) and cases (by id). Held at once:
one block, one share's columns and lockstep, and the report. A file that cannot be
read at all (a header that is not CSV or lacks a mapped column, a Parquet file
pyarrow cannot open) answers None, and the caller's row reader says why.
"""

from __future__ import annotations

import resource
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
from attrs import evolve

from stepcheck.oracle.replay_case_table import CaseTable
from stepcheck.oracle.replay_cases import CaseReports
from stepcheck.oracle.replay_columns import ColumnLog, local_time
from stepcheck.oracle.replay_columns_arrow import arrow_block
from stepcheck.oracle.replay_columns_parquet import text_columns
from stepcheck.oracle.replay_compiled import CompiledSpec
from stepcheck.oracle.replay_engine import CasesPlayed, RowsSorted, assemble_with, rule_index
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_parquet import batch_records
from stepcheck.oracle.replay_read import LogFile, format_of, records_of
from stepcheck.oracle.replay_row_blocks import row_blocks
from stepcheck.oracle.replay_rows import ColumnMap, Malformed, RowPlace
from stepcheck.oracle.replay_scan import BlockState
from stepcheck.oracle.replay_size import log_bytes
from stepcheck.oracle.replay_spill import HELD, Spill
from stepcheck.oracle.replay_stream_csv import csv_blocks
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.oracle.replay_vector_table import VectorTable
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["BLOCK_BYTES", "SHARE_BYTES", "STREAM_ABOVE", "openable", "replay_streamed"]

STREAM_ABOVE: Final = 256 * 2**20
"""Logs larger than this in all (`log_bytes`) are replayed in shares."""
BLOCK_BYTES: Final = 32 * 2**20
"""About how much of a file is read at once (a Parquet batch: this over 64 bytes rows)."""
SHARE_BYTES: Final = 64 * 2**20
"""About how much of the logs goes to one share (one share per this many bytes)."""
_MOST_FILES: Final = 65_536
"""The most open files asked for (a 4 TB log's shares)."""
_SPARE_FILES: Final = 64
"""Open files left to the rest of the process: the logs, Python's, pyarrow's."""


def replay_streamed(
    spec: ProtocolSpec,
    paths: Sequence[Path],
    mapping: ColumnMap,
    *,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
    case_id: Callable[[str], str] = str,
    log_format: str | None = None,
    block_bytes: int = BLOCK_BYTES,
    shares: int | None = None,
    held: int = HELD,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport | None:
    """`replay_vector`'s report of `paths`, in bounded memory; None when a file cannot
    be read in blocks (the row reader then says why). `shares` defaults to one per
    `SHARE_BYTES` of the logs; up to `held` bytes of their records stay in memory
    (`replay_spill.Spill`); `progress` is told the rows read so far after each block."""
    if any(name.startswith("fact.") for name in mapping.columns):
        return None
    if not all(path.is_file() for path in paths):
        return None
    try:
        return _streamed(
            spec, paths, mapping, reading, as_of, case_id, log_format, block_bytes, shares, held,
            progress,
        )  # fmt: skip
    except OSError:  # a log unreadable part way, or no room for the shares: read it whole
        return None


def _streamed(  # noqa: PLR0917 - `replay_streamed`'s options
    spec: ProtocolSpec,
    paths: Sequence[Path],
    mapping: ColumnMap,
    reading: Reading,
    as_of: datetime | None,
    case_id: Callable[[str], str],
    log_format: str | None,
    block_bytes: int,
    shares: int | None,
    held: int,
    progress: Callable[[int], None] | None,
) -> ReplayReport | None:
    count = shares or openable(max(1, -(-log_bytes(paths, log_format) // SHARE_BYTES)))
    rules = rule_index(spec, reading)
    with tempfile.TemporaryDirectory(prefix="stepcheck-replay-") as folder:
        state = BlockState()
        spill = Spill(Path(folder), count, rules, state.cases, held=held)
        files: list[LogFile] = []
        for number, path in enumerate(paths):
            rows = _spilled(
                path, number, mapping, case_id, log_format, block_bytes, spill, state, progress
            )
            if rows is None:
                return None
            files.append(LogFile(name=str(path), rows=rows))
        spill.close()
        end = as_of
        if end is None and spill.last is not None:
            end = local_time(spill.last)
        table = VectorTable(CompiledSpec(rules))
        reports = [
            replay_vector(spec, log, reading=reading, as_of=end, table=table)
            for log in spill.shares(tuple(files))
        ]
    return _merged(spec, tuple(files), reading, end, reports, read_malformed=spill.malformed)


def openable(wanted: int) -> int:
    """How many of `wanted` shares' files this process may hold open at once, beside
    its others: within the soft limit on open files, raised towards the hard one only
    when `wanted` needs it (a log of 64 GB makes a thousand shares; a typical soft
    limit is 1,024). Past it, shares grow larger rather than the log being read whole."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if wanted + _SPARE_FILES > soft and (hard == resource.RLIM_INFINITY or hard > soft):
        raised = min(wanted + _SPARE_FILES, _MOST_FILES)
        if hard != resource.RLIM_INFINITY:
            raised = min(raised, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):  # not allowed here: the limit as it is
            pass
    return max(1, min(wanted, soft - _SPARE_FILES))


def _spilled(  # noqa: PLR0917 - one file of `replay_streamed`
    path: Path,
    number: int,
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    log_format: str | None,
    block_bytes: int,
    spill: Spill,
    state: BlockState,
    progress: Callable[[int], None] | None,
) -> int | None:
    """Spill every block of the file at `path`; its number of rows, or None."""
    if not path.is_file():
        return None
    blocks: Iterable[ColumnLog | None]
    match log_format := format_of(path, log_format):
        case "csv":
            blocks = csv_blocks(path, mapping, case_id, block_bytes, state)
        case "parquet":
            blocks = _parquet_blocks(path, mapping, case_id, block_bytes, state.cases)
        case _:  # JSON Lines, XES: the row reader's own records
            records = records_of(path, log_format, mapping)
            blocks = row_blocks(records, str(path), 1, case_id, mapping.events, state.cases)
    rows = 0
    for block in blocks:
        if block is None:
            return None
        if not spill.add(block, number):
            return None
        rows += block.size
        if progress is not None:
            progress(spill.read)
    return rows


def _parquet_blocks(
    path: Path, mapping: ColumnMap, case_id: Callable[[str], str], size: int, cases: CaseTable
) -> Iterator[ColumnLog | None]:
    """A Parquet file's rows, a batch at a time (None: the file needs the row reader,
    which says why): text columns read as dictionaries, case ids numbered in `cases`
    from Arrow's buffers; a batch the column reader is not sure of, by the row reader."""
    # imported here: pyarrow.parquet loads pyarrow.fs and ssl (about 60 ms), which a CSV
    # log never needs
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        found = pq.ParquetFile(path)
        if any(column not in found.schema_arrow.names for _, column in mapping.wanted):
            yield None
            return
        wanted = sorted({column for _, column in mapping.wanted})
        coded = text_columns(found.schema_arrow, mapping)
        if coded:
            found = pq.ParquetFile(path, read_dictionary=coded)
        first = 1
        for batch in found.iter_batches(batch_size=max(1, size // 64), columns=wanted):
            block = arrow_block(
                batch, mapping, case_id, name=str(path), first_row=first,
                dictionaries=frozenset(coded), cases=cases,
            )  # fmt: skip
            if block is None:  # something unusual in it: the row reader's rows
                records = batch_records(batch, mapping, first - 1)
                yield from row_blocks(records, str(path), first, case_id, mapping.events, cases)
            else:
                yield block
            first += batch.num_rows
    except (pa.ArrowException, OSError, KeyError):  # KeyError: a column name twice
        yield None


def _merged(
    spec: ProtocolSpec,
    files: tuple[LogFile, ...],
    reading: Reading,
    end: datetime | None,
    reports: list[ReplayReport],
    *,
    read_malformed: list[Malformed],
) -> ReplayReport:
    """The shares' reports as one, with the rows the reader found malformed: rows in
    reading order, cases by id."""
    offsets = np.cumsum([0] + [f.rows for f in files]).tolist()
    starts = {f.name: offsets[i] for i, f in enumerate(files)}  # the last file of a name

    def order(place: RowPlace) -> int:
        return int(starts[place.file]) + place.row - 1

    malformed = tuple(
        evolve(row, order=order(row.place))
        for row in [*read_malformed, *(row for report in reports for row in report.malformed)]
    )
    played = CasesPlayed(
        findings=tuple(f for report in reports for f in report.findings),
        out_of_order=tuple(o for report in reports for o in report.out_of_order),
        cases=(),
    )
    sorted_rows = RowsSorted(malformed=malformed, cases={}, end=end)
    total = sum(f.rows for f in files)
    merged = assemble_with(spec, files, total, reading, sorted_rows, [played], order)
    return evolve(merged, cases=CaseReports.merged([report.cases for report in reports]))
