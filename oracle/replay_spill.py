"""The shares of a long log on disk: each block's rows appended to the file of the
share that holds each case, then read back share by share (`replay_stream`).

Case ids are numbered once for the whole log as blocks are read (`CaseTable`: the
report lists every case anyway, so this grows with the cases, not the rows); case n
goes to share n modulo the number of shares, so the files hold integers only. A row
is one 40-byte record (`RECORD`): its case's number within the share (n // shares),
its event, status and owner codes (numbered for the whole log, -1 where not
recorded), its place in reading order over all the files (from which its file, row
and line follow: a column block's rows are consecutive and its lines are its rows
plus the file's header lines), its instant and its local time. One compiled pass
(`_by_share`, a counting sort) lays a block's records out share after share, so each
share's part is written with one call; a share is read back with one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_case_table import CaseIds, CaseTable
from stepcheck.oracle.replay_columns import ColumnLog, Ints
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_read import LogFile
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
"""One row in a share's file: codes in 32 bits (a share holds far fewer than 2**31 cases,
and a log's names are far fewer than 2**31), places and times in 64."""


HELD: Final = 512 * 2**20
"""Records held in memory before the shares go to disk: 13 million rows."""


@numba.njit(cache=True, nogil=True)
def _by_share(  # noqa: PLR0917 - a block's columns
    case: Ints,
    count: int,
    first: int,
    event: Ints,
    status: Ints,
    owner: Ints,
    instant: Ints,
    local: Ints,
    records: npt.NDArray[np.void],
) -> Ints:
    """Fill `records` with the block's rows share after share (each share's in reading
    order, row i's order `first + i`); where each share's rows begin, and the end."""
    bounds = np.zeros(count + 1, np.int64)
    for i in range(case.size):
        bounds[case[i] % count + 1] += 1
    for share in range(count):
        bounds[share + 1] += bounds[share]
    at = bounds[:-1].copy()
    for i in range(case.size):
        share = case[i] % count
        record = records[at[share]]
        at[share] += 1
        record.case = case[i] // count
        record.event = event[i]
        record.status = status[i]
        record.owner = owner[i]
        record.order = first + i
        record.instant = instant[i]
        record.local = local[i]
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
        self.headers: list[int] = []
        """Per file, its line numbers less its row numbers (-1 until a row is read)."""

    def add(self, block: ColumnLog, file_number: int) -> bool:
        """Append the block's rows (the next of file `file_number`, its case ids
        numbered in `cases`) to the shares of their cases; False if its rows are not
        consecutive or its lines not its rows plus one constant (never from a column
        reader)."""
        while len(self.starts) <= file_number:  # a new file (or one with no rows)
            self.starts.append(self.read)
            self.headers.append(-1)
        if block.size == 0:
            return True
        start = self.starts[file_number]
        if self.headers[file_number] < 0:
            self.headers[file_number] = int(block.line[0] - block.row[0])
        expected = np.arange(self.read - start + 1, self.read - start + 1 + block.size)
        lines = block.line - self.headers[file_number]
        if not (np.array_equal(block.row, expected) and np.array_equal(lines, expected)):
            return False
        found = last_replayable(self.rules, block)
        if found is not None:
            self.last = found if self.last is None else max(self.last, found)
        records = np.empty(block.size, RECORD)
        bounds = _by_share(
            block.case, self.count, self.read,
            _recoded(block.event, block.event_names, self.events),
            _recoded(block.status, block.status_names, self.statuses),
            _recoded(block.owner, block.owner_names, self.owners),
            block.instant, block.local, records,
        ).tolist()  # fmt: skip
        if self.chunks is not None and (self.read + block.size) * RECORD.itemsize > self.held:
            self._to_files()
        for number in range(self.count):
            if bounds[number + 1] > bounds[number]:
                part = records[bounds[number] : bounds[number + 1]]
                if self.chunks is None:
                    part.tofile(self.handles[number])
                else:
                    self.chunks[number].append(part)
        self.read += block.size
        return True

    def _to_files(self) -> None:
        """From now on the shares go to files, with what was held first."""
        assert self.chunks is not None, "the shares are still held"
        self.handles = [(self.folder / f"{i}.bin").open("wb") for i in range(self.count)]
        for handle, parts in zip(self.handles, self.chunks, strict=True):
            for part in parts:
                part.tofile(handle)
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
            else:
                path = self.folder / f"{number}.bin"
                parts = [np.fromfile(path, RECORD)]
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
        return ColumnLog(
            files=files,
            file_names=tuple(f.name for f in files),
            file_of=file_of,
            row=row,
            line=row + np.array(self.headers, np.int64)[file_of],
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
    """Each field of the records in `parts` (one after the other) as one 64-bit column.
    Part by part, a field at a time: a part (a block's rows of the share) stays in
    cache while its fields are copied, where concatenating the parts and then taking
    each field would copy every record once more and read them all once per field."""
    size = sum(len(part) for part in parts)
    fields = {name: np.empty(size, np.int64) for name in RECORD.names or ()}
    at = 0
    for part in parts:
        for name, column in fields.items():
            column[at : at + len(part)] = part[name]
        at += len(part)
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
