"""A long log replayed by the vector engine in bounded memory: read in blocks, its
cases spilled to disk in shares by a hash of their id, each share replayed alone.

`--engine vector` on logs larger than `STREAM_ABOVE` bytes (oracle/REPLAY.md,
"Bounded memory"). Cases never interact, so a log's report is the merge of its
shares' reports, as `--engine dask` merges its partitions'. The first pass reads
each plain CSV file in blocks of whole lines (`replay_columns_csv.csv_block`) or
each Parquet file in batches (`replay_columns_parquet.parquet_block`), and appends
every block's integer columns to the file of the share that holds each case (case
ids are numbered once for the whole log, in the order first read, and case n goes
to share n modulo the shares: no hash, so no hash seed shows); it also
keeps the end of the log (`--as-of`, else the last time of a row with known names:
a duplicate has the time of the row it repeats). The second pass replays the shares
one at a time on one compiled table, to that end, and merges their findings,
malformed and out-of-order rows (in reading order) and cases (by id). Held at once:
one block, one share's columns and lockstep, and the report. A file that needs the
row reader anywhere answers None, and the caller reads the whole log as before.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from attrs import evolve

from stepcheck.oracle.replay_case_table import CaseIds, CaseTable, numbered
from stepcheck.oracle.replay_cases import CaseReports
from stepcheck.oracle.replay_columns import ColumnLog, Ints, local_time
from stepcheck.oracle.replay_columns_csv import csv_block, csv_header
from stepcheck.oracle.replay_columns_parquet import parquet_block
from stepcheck.oracle.replay_compiled import CompiledSpec
from stepcheck.oracle.replay_engine import CasesPlayed, RowsSorted, assemble_with, rule_index
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_read import LogFile, format_of
from stepcheck.oracle.replay_rows import ColumnMap, RowPlace
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.oracle.replay_vector_sort import last_replayable
from stepcheck.oracle.replay_vector_table import VectorTable
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["BLOCK_BYTES", "SHARE_BYTES", "STREAM_ABOVE", "replay_streamed"]

STREAM_ABOVE: Final = 256 * 2**20
"""Logs larger than this in all (bytes on disk) are replayed in shares."""
BLOCK_BYTES: Final = 32 * 2**20
"""About how much of a file is read at once (a Parquet batch: this over 64 bytes rows)."""
SHARE_BYTES: Final = 64 * 2**20
"""About how much of the logs goes to one share (one share per this many bytes)."""
_COLUMNS: Final = ("file_of", "row", "line", "instant", "local", "event", "status", "owner")


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
) -> ReplayReport | None:
    """`replay_vector`'s report of `paths`, in bounded memory; None when a file needs
    the row reader. `shares` defaults to one per `SHARE_BYTES` of the logs."""
    if any(name.startswith("fact.") for name in mapping.columns):
        return None
    if not all(path.is_file() for path in paths):
        return None
    try:
        return _streamed(
            spec, paths, mapping, reading, as_of, case_id, log_format, block_bytes, shares
        )
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
) -> ReplayReport | None:
    count = shares or max(1, -(-sum(path.stat().st_size for path in paths) // SHARE_BYTES))
    rules = rule_index(spec, reading)
    with tempfile.TemporaryDirectory(prefix="stepcheck-replay-") as folder:
        spill = _Spill(Path(folder), count, rules)
        files: list[LogFile] = []
        for number, path in enumerate(paths):
            rows = _spilled(path, number, mapping, case_id, log_format, block_bytes, spill)
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
    return _merged(spec, tuple(files), reading, end, reports)


def _spilled(  # noqa: PLR0917 - one file of `replay_streamed`
    path: Path,
    number: int,
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    log_format: str | None,
    block_bytes: int,
    spill: _Spill,
) -> int | None:
    """Spill every block of the file at `path`; its number of rows, or None."""
    if not path.is_file():
        return None
    match format_of(path, log_format):
        case "csv":
            blocks = _csv_blocks(path, mapping, case_id, block_bytes, spill.cases)
        case "parquet":
            blocks = _parquet_blocks(path, mapping, case_id, block_bytes, spill.cases)
        case _:
            return None
    rows = 0
    for block in blocks:
        if block is None:
            return None
        spill.add(block, number)
        rows += block.size
    return rows


def _csv_blocks(
    path: Path, mapping: ColumnMap, case_id: Callable[[str], str], size: int, cases: CaseTable
) -> Iterator[ColumnLog | None]:
    """A plain CSV file's rows, a block of whole lines at a time (None: not plain)."""
    with path.open("rb") as handle:
        names = csv_header(handle.readline())
        if names is None:
            yield None
            return
        first, kept = 1, 0
        buffer = bytearray(size)
        while True:
            if len(buffer) - kept < size:  # a line longer than a block: room for more
                # a new buffer, not resized in place: an array still viewing the old one
                # (until the collector frees it) would make resizing fail
                buffer = buffer + bytes(size)
            with memoryview(buffer) as view:
                read = handle.readinto(view[kept : kept + size])
            filled = kept + read
            if not read:
                rest = bytes(buffer[:kept])
                block = csv_block(
                    rest, names, mapping, case_id, name=str(path), first_row=first, cases=cases
                )
                if rest or first == 1:  # a last line with no newline; or no row at all
                    yield block
                return
            cut = buffer.rfind(b"\n", 0, filled) + 1
            if cut == 0:
                kept = filled
                continue
            with memoryview(buffer) as view:  # the block is scanned where it was read
                block = csv_block(
                    view[:cut], names, mapping, case_id, name=str(path), first_row=first,
                    cases=cases,
                )  # fmt: skip
            yield block
            if block is None:
                return
            first += block.size
            buffer[: filled - cut] = buffer[cut:filled]
            kept = filled - cut


def _parquet_blocks(
    path: Path, mapping: ColumnMap, case_id: Callable[[str], str], size: int, cases: CaseTable
) -> Iterator[ColumnLog | None]:
    """A Parquet file's rows, a batch at a time (None: they need the row reader)."""
    try:
        found = pq.ParquetFile(path)
        if any(column not in found.schema_arrow.names for _, column in mapping.wanted):
            yield None
            return
        wanted = sorted({column for _, column in mapping.wanted})
        first = 1
        for batch in found.iter_batches(batch_size=max(1, size // 64), columns=wanted):
            block = parquet_block(batch, mapping, case_id, name=str(path), first_row=first)
            yield None if block is None else numbered(block, cases)
            if block is None:
                return
            first += block.size
        if first == 1:
            yield None
    except (pa.ArrowException, OSError):
        yield None


class _Spill:
    """The shares' files: each block's integer columns, by share, appended raw.

    Case ids are numbered once for the whole log, as blocks are read (`cases`: the
    report lists every case anyway, so this grows with the cases, not the rows); a
    case's share is its number modulo the number of shares, so the share files hold
    integers only."""

    def __init__(self, folder: Path, count: int, rules: RuleIndex) -> None:
        self.folder, self.count, self.rules = folder, count, rules
        self.handles: list[BinaryIO] = [(folder / f"{i}.bin").open("wb") for i in range(count)]
        self.chunks: list[list[int]] = [[] for _ in range(count)]
        """Per share, the rows each block added (its columns written one after another)."""
        self.cases = CaseTable()
        self.events: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.owners: dict[str, int] = {}
        self.last: int | None = None

    def add(self, block: ColumnLog, file_number: int) -> None:
        """Append the block's rows to the shares of their cases."""
        found = last_replayable(self.rules, block)
        if found is not None:
            self.last = found if self.last is None else max(self.last, found)
        case = block.case  # numbered by the block's reader
        share = case % self.count
        if self.count <= 2**16:  # numpy sorts 16-bit integers stably by radix
            share = share.astype(np.uint16)
        columns = (
            case,
            np.full(block.size, file_number, np.int64),
            block.row,
            block.line,
            block.instant,
            block.local,
            _recoded(block.event, block.event_names, self.events),
            _recoded(block.status, block.status_names, self.statuses),
            _recoded(block.owner, block.owner_names, self.owners),
        )
        order = np.argsort(share, kind="stable")
        bounds = np.searchsorted(share[order], np.arange(self.count + 1)).tolist()
        by_share = [column[order] for column in columns]
        for number in range(self.count):
            lo, hi = bounds[number], bounds[number + 1]
            if hi > lo:
                for column in by_share:
                    column[lo:hi].tofile(self.handles[number])
                self.chunks[number].append(hi - lo)

    def close(self) -> None:
        for handle in self.handles:
            handle.close()

    def shares(self, files: tuple[LogFile, ...]) -> Iterator[ColumnLog]:
        """Each share with rows, read back as one log's columns (global row places)."""
        names = self.cases.names()
        for number in range(self.count):
            path = self.folder / f"{number}.bin"
            flat = np.fromfile(path, np.int64)
            path.unlink()
            parts: list[list[Ints]] = [[] for _ in range(len(_COLUMNS) + 1)]
            at = 0
            for rows in self.chunks[number]:
                for part in parts:
                    part.append(flat[at : at + rows])
                    at += rows
            if at:
                columns = [np.concatenate(part) for part in parts]
                yield self._log(columns, number, names, files)

    def _log(
        self,
        columns: list[Ints],
        number: int,
        names: CaseIds,
        files: tuple[LogFile, ...],
    ) -> ColumnLog:
        """Share `number`'s rows. Its cases are those whose code is `number` modulo the
        shares, coded in the order first read, so the share's own code is code // count."""
        joined = dict(zip(_COLUMNS, columns[1:], strict=True))
        size = len(columns[0])
        return ColumnLog(
            files=files,
            file_names=tuple(f.name for f in files),
            file_of=joined["file_of"],
            row=joined["row"],
            line=joined["line"],
            readable=np.ones(size, np.bool_),
            malformed={},
            case=columns[0] // self.count,
            case_names=names[number :: self.count],
            instant=joined["instant"],
            local=joined["local"],
            event=joined["event"],
            event_names=tuple(self.events),
            status=joined["status"],
            status_names=tuple(self.statuses),
            owner=joined["owner"],
            owner_names=tuple(self.owners),
            has_facts=False,
        )


def _recoded(codes: Ints, names: tuple[str, ...], shared: dict[str, int]) -> Ints:
    """A block's codes into names shared by every block; -1 (not recorded) stays."""
    get = shared.get
    table = np.fromiter((get(name, -1) for name in names), np.int64, len(names))
    new = np.flatnonzero(table < 0)
    if len(new):
        added = [names[i] for i in new.tolist()]
        if len(set(added)) < len(added):  # a name twice in a block's names: one code
            for name in added:
                shared.setdefault(name, len(shared))
            table[new] = [shared[name] for name in added]
        else:
            table[new] = np.arange(len(shared), len(shared) + len(new))
            shared.update(zip(added, table[new].tolist(), strict=True))
    return np.append(table, -1)[codes]


def _merged(
    spec: ProtocolSpec,
    files: tuple[LogFile, ...],
    reading: Reading,
    end: datetime | None,
    reports: list[ReplayReport],
) -> ReplayReport:
    """The shares' reports as one: rows in reading order, cases by id."""
    offsets = np.cumsum([0] + [f.rows for f in files]).tolist()
    starts = {f.name: offsets[i] for i, f in enumerate(files)}  # the last file of a name

    def order(place: RowPlace) -> int:
        return int(starts[place.file]) + place.row - 1

    malformed = tuple(
        evolve(row, order=order(row.place)) for report in reports for row in report.malformed
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
