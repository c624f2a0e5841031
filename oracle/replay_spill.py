"""The shares of a long log on disk: each block's rows appended to the file of the
share that holds each case, then read back share by share (`replay_stream`).

Case ids are numbered once for the whole log as blocks are read (`CaseTable`: the
report lists every case anyway, so this grows with the cases, not the rows); case n
goes to share n modulo the number of shares, so the files hold integers only. A row
is one record: its case's number within the share (n // shares), its event, status
and owner codes (numbered for the whole log, -1 where not recorded), its place in
reading order over all the files (from which its file and row follow; its line is
its row plus an offset that changes only where a record spans lines or blank lines
are skipped, kept as a list of where it changes), its instant and its local time. A
row the reader found malformed is not a case's row: it is kept aside, as the report
lists it. One compiled pass (`_by_share`, a counting sort) lays a block's records out
share after share, so each share's part is written with one call; a share is read
back with one.

A record is 24 bytes (`COMPACT`) while the log allows: codes below 2**15, places below
2**31, and the local time the instant or an hour after it (Europe/London's rule, so
a flag); from the first block that does not, and for the rest of the log, 40 bytes
(`RECORD`), which hold anything. Memory is what the shares cost most: every page of
it is new to the process, and on the machine BENCHMARKS.md was measured on, the
kernel's clearing of a new page costs more than the bytes written to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

import numba
import numpy as np
import numpy.typing as npt
from attrs import evolve

from stepcheck.oracle.replay_case_table import CaseIds, CaseTable
from stepcheck.oracle.replay_columns import ColumnLog, Ints
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_read import LogFile
from stepcheck.oracle.replay_rows import Malformed
from stepcheck.oracle.replay_vector_sort import last_replayable

__all__ = ["HELD", "RECORD", "Spill"]

RECORD: Final = np.dtype(
    [
        ("case", "<i4"),
        ("event", "<i4"),
        ("status", "<i4"),
        ("owner", "<i4"),
        ("order", "<i8"),
        ("instant", "<i8"),
        ("local", "<i8"),
    ]
)
"""One row in a share, whatever the log: codes in 32 bits, places and times in 64."""
COMPACT: Final = np.dtype(
    [
        ("case", "<i4"),
        ("order", "<i4"),
        ("instant", "<i8"),
        ("event", "<i2"),
        ("status", "<i2"),
        ("owner", "<i2"),
        ("summer", "<i2"),
    ]
)
"""One row in a share while the log allows (`Spill.add`): names' codes in 16 bits, its
place in 32, and its local time as 1 when it is its instant plus an hour, else 0."""
_HOUR: Final = 3_600_000_000
"""An hour in microseconds: a local time is its instant, or this after it."""
_MOST_CODES: Final = 2**15 - 1
_MOST_PLACES: Final = 2**31 - 1
_FIELDS: Final = ("case", "event", "status", "owner", "order", "instant", "local")


HELD: Final = 512 * 2**20
"""Records held in memory before the shares go to disk: 22 million compact rows."""


@numba.njit(cache=True, nogil=True)
def _bounds(case: Ints, count: int) -> Ints:
    """Where each share's rows begin in a block's records (`case[i] % count` is row i's
    share), and the end."""
    bounds = np.zeros(count + 1, np.int64)
    for i in range(case.size):
        bounds[case[i] % count + 1] += 1
    for share in range(count):
        bounds[share + 1] += bounds[share]
    return bounds


@numba.njit(cache=True, nogil=True)
def _by_share(  # noqa: PLR0917 - a block's columns
    case: Ints,
    count: int,
    order: Ints,
    event: Ints,
    status: Ints,
    owner: Ints,
    instant: Ints,
    local: Ints,
    records: npt.NDArray[np.void],
) -> Ints:
    """Fill `records` (`RECORD`) with the block's rows share after share (each share's
    in reading order, row i's place in reading order `order[i]`); where each share's
    rows begin, and the end."""
    bounds = _bounds(case, count)
    at = bounds[:-1].copy()
    for i in range(case.size):
        share = case[i] % count
        record = records[at[share]]
        at[share] += 1
        record.case = case[i] // count
        record.event = event[i]
        record.status = status[i]
        record.owner = owner[i]
        record.order = order[i]
        record.instant = instant[i]
        record.local = local[i]
    return bounds


@numba.njit(cache=True, nogil=True)
def _by_share_compact(  # noqa: PLR0917 - a block's columns
    case: Ints,
    count: int,
    order: Ints,
    event: Ints,
    status: Ints,
    owner: Ints,
    instant: Ints,
    local: Ints,
    records: npt.NDArray[np.void],
) -> Ints:
    """`_by_share` into `COMPACT` records (the caller checked that codes and places fit);
    no bounds (an empty array) when a row's local time is neither its instant nor an
    hour after it."""
    bounds = _bounds(case, count)
    at = bounds[:-1].copy()
    for i in range(case.size):
        summer = local[i] - instant[i]
        if summer not in (0, _HOUR):
            return np.zeros(0, np.int64)
        share = case[i] % count
        record = records[at[share]]
        at[share] += 1
        record.case = case[i] // count
        record.event = event[i]
        record.status = status[i]
        record.owner = owner[i]
        record.order = order[i]
        record.instant = instant[i]
        record.summer = summer != 0
    return bounds


class Spill:
    """The shares, a block's records appended at a time (`add`: its case ids numbered in
    `cases`), read back as one log's columns each (`shares`). They are kept in memory
    up to `held` bytes of records in all; past that, every share goes to its file in
    `folder` (what was held first), so memory stays bounded whatever the log's size.
    Held, a share's records are not written and read back: on a machine that reclaims
    idle pages (as the one BENCHMARKS.md was measured on does), reading them back can
    wait for the disk."""

    def __init__(
        self, folder: Path, count: int, rules: RuleIndex, cases: CaseTable, *, held: int = HELD
    ) -> None:
        self.folder, self.count, self.rules, self.cases = folder, count, rules, cases
        self.held = held
        self.chunks: list[list[npt.NDArray[np.void]]] | None = [[] for _ in range(count)]
        """Per share, its records still in memory (None once they went to files)."""
        self.bytes = 0
        """The records' bytes so far."""
        self.compact = True
        """The records are `COMPACT` (until a block needs `RECORD`s, for the rest)."""
        self.handles: list[BinaryIO] = []
        self.events: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.owners: dict[str, int] = {}
        self.last: int | None = None
        """The latest local time of a row with known names (`last_replayable`)."""
        self.read = 0
        """Rows read so far, over every file."""
        self.starts: list[int] = []
        """Per file, the reading order of its first row."""
        self.shifts: list[tuple[int, int]] = []
        """(reading order, line less row) from that row on, where that difference changes."""
        self.malformed: list[Malformed] = []
        """The rows the reader found malformed, their `order` in reading order."""

    def add(self, block: ColumnLog, file_number: int) -> bool:
        """Append the block's rows (the next of file `file_number`, its case ids
        numbered in `cases`) to the shares of their cases, and keep its malformed
        rows; False if its rows do not follow the file's last (never from a reader)."""
        while len(self.starts) <= file_number:  # a new file (or one with no rows)
            self.starts.append(self.read)
        if block.size == 0:
            return True
        start = self.starts[file_number]
        expected = np.arange(self.read - start + 1, self.read - start + 1 + block.size)
        if not np.array_equal(block.row, expected):
            return False
        self._shift(block.line - block.row)
        found = last_replayable(self.rules, block)
        if found is not None:
            self.last = found if self.last is None else max(self.last, found)
        kept = self._kept(block)
        columns = [block.case, block.event, block.status, block.owner, block.instant, block.local]
        if kept is not None:
            columns = [column[kept] for column in columns]
        order = self.read + (np.arange(block.size) if kept is None else kept)
        columns[1:4] = (
            _recoded(columns[1], block.event_names, self.events),
            _recoded(columns[2], block.status_names, self.statuses),
            _recoded(columns[3], block.owner_names, self.owners),
        )
        records, bounds = self._records(columns, order)
        self.bytes += records.nbytes
        if self.chunks is not None and self.bytes > self.held:
            self._to_files()
        for number in range(self.count):
            if bounds[number + 1] > bounds[number]:
                part = records[bounds[number] : bounds[number + 1]]
                if self.chunks is None:
                    part.tofile(self.handles[number])
                else:
                    # a copy, so that the block's records go now and each share's
                    # once it is replayed: a view would hold the whole block until
                    # the last share (Hertfordshire's 10M rows: peak 1.29 -> 1.10 GB)
                    self.chunks[number].append(part.copy())
        self.read += block.size
        return True

    def _records(self, columns: list[Ints], order: Ints) -> tuple[npt.NDArray[np.void], list[int]]:
        """A block's records (`columns`: case, event, status and owner codes, instant and
        local time), share after share, and where each share's begin (and the end):
        `COMPACT` while they fit, else (and from then on) `RECORD`."""
        case, event, status, owner, instant, local = columns
        names = (self.events, self.statuses, self.owners)
        last = int(order[-1]) if len(order) else 0
        if self.compact and (max(map(len, names)) > _MOST_CODES or last > _MOST_PLACES):
            self._widen()
        if self.compact:
            records = np.empty(len(order), COMPACT)
            bounds = _by_share_compact(
                case, self.count, order, event, status, owner, instant, local, records
            )
            if len(bounds):
                return records, bounds.tolist()
            self._widen()
        records = np.empty(len(order), RECORD)
        bounds = _by_share(case, self.count, order, event, status, owner, instant, local, records)
        return records, bounds.tolist()

    def _widen(self) -> None:
        """`RECORD`s from now on; shares on disk go on in files of their own."""
        self.compact = False
        if self.chunks is None:
            for handle in self.handles:
                handle.close()
            self.handles = [self._path(i, RECORD).open("wb") for i in range(self.count)]

    def _path(self, number: int, kind: np.dtype[np.void]) -> Path:
        """Share `number`'s file of records of `kind`."""
        return self.folder / (f"{number}.bin" if kind == COMPACT else f"{number}.wide.bin")

    def _shift(self, shifts: Ints) -> None:
        """Note where a block's lines less its rows differ from the row before's."""
        changes = np.flatnonzero(np.diff(shifts)) + 1
        for at in [0, *changes.tolist()]:
            if not self.shifts or self.shifts[-1][1] != shifts[at]:
                self.shifts.append((self.read + at, int(shifts[at])))

    def _kept(self, block: ColumnLog) -> Ints | None:
        """The block's readable rows (None: all of them); its malformed ones kept aside."""
        if not block.malformed:
            return None
        for at, row in sorted(block.malformed.items()):
            self.malformed.append(evolve(row, order=self.read + at))
        return np.flatnonzero(block.readable)

    def _to_files(self) -> None:
        """From now on the shares go to files, with what was held first."""
        assert self.chunks is not None, "the shares are still held"
        compact: list[BinaryIO] = [self._path(i, COMPACT).open("wb") for i in range(self.count)]
        for handle, parts in zip(compact, self.chunks, strict=True):
            for part in parts:
                if part.dtype == COMPACT:
                    part.tofile(handle)
        if self.compact:
            self.handles = compact
        else:  # the held records of each kind to their own files, the rest wide
            for done in compact:
                done.close()
            self.handles = [self._path(i, RECORD).open("wb") for i in range(self.count)]
            for wide, parts in zip(self.handles, self.chunks, strict=True):
                for part in parts:
                    if part.dtype == RECORD:
                        part.tofile(wide)
        self.chunks = None

    def close(self) -> None:
        for handle in self.handles:
            handle.close()

    def shares(self, files: tuple[LogFile, ...]) -> Iterator[ColumnLog]:
        """Each share with rows, read back as one log's columns (global row places)."""
        names = self.cases.names()
        for number in range(self.count):
            if self.chunks is not None:
                parts, self.chunks[number] = self.chunks[number], []
            else:  # compact records first: a log's blocks widen once, never back
                parts = []
                for kind in (COMPACT, RECORD):
                    path = self._path(number, kind)
                    if path.exists():
                        parts.append(np.fromfile(path, kind))
                        path.unlink()
            if any(len(part) for part in parts):
                yield self._log(_fields(parts), number, names, files)

    def _log(
        self, fields: dict[str, Ints], number: int, names: CaseIds, files: tuple[LogFile, ...]
    ) -> ColumnLog:
        """Share `number`'s rows. Its cases are those whose number is `number` modulo
        the shares, numbered in the order first read, so the share's own number is
        n // shares."""
        order = fields["order"]
        starts = np.array(self.starts, np.int64)
        if len(starts) == 1:
            file_of = np.zeros(len(order), np.int64)
        else:
            file_of = np.searchsorted(starts, order, side="right") - 1
        row = order - starts[file_of] + 1
        at, shift = (np.array(column, np.int64) for column in zip(*self.shifts, strict=True))
        if len(shift) == 1:
            line = row + shift[0]
        else:
            line = row + shift[np.searchsorted(at, order, side="right") - 1]
        return ColumnLog(
            files=files,
            file_names=tuple(f.name for f in files),
            file_of=file_of,
            row=row,
            line=line,
            readable=np.ones(len(order), np.bool_),
            malformed={},
            case=fields["case"],
            case_names=names[number :: self.count],
            instant=fields["instant"],
            local=fields["local"],
            event=fields["event"],
            event_names=tuple(self.events),
            status=fields["status"],
            status_names=tuple(self.statuses),
            owner=fields["owner"],
            owner_names=tuple(self.owners),
            has_facts=False,
        )


def _fields(parts: list[npt.NDArray[np.void]]) -> dict[str, Ints]:
    """Each field of the records in `parts` (one after the other, `COMPACT` or `RECORD`)
    as one 64-bit column. Part by part, a field at a time: a part (a block's rows of the
    share) stays in cache while its fields are copied, where concatenating the parts and
    then taking each field would copy every record once more and read them all once per
    field."""
    size = sum(len(part) for part in parts)
    fields = {name: np.empty(size, np.int64) for name in _FIELDS}
    at = 0
    for part in parts:
        end = at + len(part)
        for name, column in fields.items():
            if name != "local" or part.dtype == RECORD:
                column[at:end] = part[name]
        if part.dtype == COMPACT:  # the instant, or an hour after it
            local = fields["local"][at:end]
            np.multiply(part["summer"], np.int64(_HOUR), out=local)
            local += fields["instant"][at:end]
        at = end
    return fields


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
