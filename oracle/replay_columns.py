"""A log as columns: integer codes and int64 times, for the vector replay engine.

`ColumnLog` holds what `replay_read` would give, one array per canonical column:
case, event, status and owner as codes into lists of the names read (dictionary
encoding), instants (UTC) and local wall times as microseconds since 1970, and each
row's place (file, row, line). It is made either from a `LogRead` (`from_read`: any
format, any oddity, the row reader's own classification) or straight from CSV files
by pyarrow (`replay_columns_csv.read_csv_columns`), which only takes files with
nothing unusual in them and leaves every other file to the row reader, so a row is
never classified differently by the two. Rows that are cases' rows are turned back
into `LogRow`s (`rows_of`) only when the executor must explain a case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt
from attrs import frozen

from stepcheck.oracle.replay_read import LogFile, LogRead
from stepcheck.oracle.replay_rows import LogRow, Malformed, RowPlace

__all__ = [
    "EPOCH_LOCAL",
    "EPOCH_UTC",
    "ColumnLog",
    "Ints",
    "concatenated",
    "file_columns",
    "from_read",
    "local_time",
    "micros",
]

Ints = npt.NDArray[np.int64]
EPOCH_UTC: Final = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_LOCAL: Final = datetime(1970, 1, 1)
_MICRO: Final = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC for an aware `moment`, wall time for a naive one)."""
    epoch = EPOCH_UTC if moment.tzinfo is not None else EPOCH_LOCAL
    return (moment - epoch) // _MICRO


def local_time(value: int) -> datetime:
    """The naive wall time `value` microseconds after 1970."""
    return EPOCH_LOCAL + timedelta(microseconds=int(value))


@frozen(kw_only=True, eq=False)
class ColumnLog:
    """Every row read, as columns; `malformed` holds the rows the reader set apart."""

    files: tuple[LogFile, ...]
    file_names: tuple[str, ...]
    file_of: Ints
    row: Ints
    line: Ints
    readable: npt.NDArray[np.bool_]
    """False for a row malformed when read (its `Malformed` is in `malformed`)."""
    malformed: dict[int, Malformed]
    case: Ints
    case_names: Sequence[str]
    """Case ids by code (a `CaseIds` when a long log is read in blocks)."""
    instant: Ints
    local: Ints
    event: Ints
    event_names: tuple[str, ...]
    status: Ints
    """A code into `status_names`, or -1: not recorded."""
    status_names: tuple[str, ...]
    owner: Ints
    owner_names: tuple[str, ...]
    has_facts: bool
    """Some row records a fact: the vector engine leaves such logs to the compiled one."""
    source: LogRead | None = None
    """The rows these columns were made from, if they were (facts are kept only there)."""

    @property
    def size(self) -> int:
        return len(self.row)

    def place(self, order: int) -> RowPlace:
        return RowPlace(
            file=self.file_names[self.file_of[order]],
            row=int(self.row[order]),
            line=int(self.line[order]),
        )

    def order_of(self, place: RowPlace) -> int:
        """The reading order of the (last) row read at `place`."""
        offsets = np.cumsum([0] + [f.rows for f in self.files])
        found = [
            int(offsets[i]) + place.row - 1
            for i, name in enumerate(self.file_names)
            if name == place.file
        ]
        return found[-1]

    def rows_of(self, orders: Sequence[int]) -> list[LogRow]:
        """The `LogRow`s of readable rows, as the row reader made them."""
        return [self._log_row(int(order)) for order in orders]

    def _log_row(self, order: int) -> LogRow:
        status, owner = int(self.status[order]), int(self.owner[order])
        return LogRow(
            place=self.place(order),
            order=order,
            case=self.case_names[self.case[order]],
            instant=EPOCH_UTC + timedelta(microseconds=int(self.instant[order])),
            local=local_time(self.local[order]),
            event=self.event_names[self.event[order]],
            owner=self.owner_names[owner] if owner >= 0 else None,
            status=self.status_names[status] if status >= 0 else None,
        )

    def to_read(self) -> LogRead:
        """The `LogRead` the row reader would have made (for the compiled engine)."""
        if self.source is not None:
            return self.source
        rows: list[LogRow | Malformed] = [
            self.malformed[order] if order in self.malformed else self._log_row(order)
            for order in range(self.size)
        ]
        return LogRead(rows=tuple(rows), files=self.files)


def file_columns(
    name: str,
    first_row: int,
    header_lines: int,
    codes: Mapping[str, tuple[Ints, Sequence[str]]],
    times: tuple[Ints, Ints],
) -> ColumnLog:
    """The columns of one plain file's rows from `first_row` on, every row readable:
    `codes` holds (codes, names) of "case", "event", "status" and "owner", `times` the
    instants and local times; row r is on line `r + header_lines`."""
    size = len(times[0])
    rows = np.arange(first_row, first_row + size, dtype=np.int64)
    return ColumnLog(
        files=(LogFile(name=name, rows=size),),
        file_names=(name,),
        file_of=np.zeros(size, np.int64),
        row=rows,
        line=rows + header_lines,
        readable=np.ones(size, np.bool_),
        malformed={},
        case=codes["case"][0],
        case_names=codes["case"][1],
        instant=times[0],
        local=times[1],
        event=codes["event"][0],
        event_names=tuple(codes["event"][1]),
        status=codes["status"][0],
        status_names=tuple(codes["status"][1]),
        owner=codes["owner"][0],
        owner_names=tuple(codes["owner"][1]),
        has_facts=False,
    )


class _Coder:
    """Names to codes in the order first met (-1 for None)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def __call__(self, name: str | None) -> int:
        if name is None:
            return -1
        found = self.codes.get(name)
        if found is None:
            found = self.codes[name] = len(self.codes)
        return found

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.codes)


def from_read(read: LogRead) -> ColumnLog:
    """The columns of rows already read (any format), malformed rows kept aside."""
    size = len(read.rows)
    file_of = np.repeat(np.arange(len(read.files)), [f.rows for f in read.files]).astype(np.int64)
    row, line = np.zeros(size, np.int64), np.zeros(size, np.int64)
    case, instant, local, event, status, owner = (np.zeros(size, np.int64) for _ in range(6))
    readable = np.ones(size, np.bool_)
    malformed: dict[int, Malformed] = {}
    cases, events, statuses, owners = _Coder(), _Coder(), _Coder(), _Coder()
    facts = False
    for order, item in enumerate(read.rows):
        row[order], line[order] = item.place.row, item.place.line
        if isinstance(item, Malformed):
            readable[order] = False
            malformed[order] = item
            continue
        case[order] = cases(item.case)
        instant[order], local[order] = micros(item.instant), micros(item.local)
        event[order] = events(item.event)
        status[order], owner[order] = statuses(item.status), owners(item.owner)
        facts = facts or bool(item.facts)
    return ColumnLog(
        files=read.files,
        file_names=tuple(f.name for f in read.files),
        file_of=file_of,
        row=row,
        line=line,
        readable=readable,
        malformed=malformed,
        case=case,
        case_names=cases.names,
        instant=instant,
        local=local,
        event=event,
        event_names=events.names,
        status=status,
        status_names=statuses.names,
        owner=owner,
        owner_names=owners.names,
        has_facts=facts,
        source=read,
    )


def concatenated(parts: Sequence[ColumnLog]) -> ColumnLog:
    """One log of several (files in order); codes re-based onto shared name lists."""
    if len(parts) == 1:
        return parts[0]
    names: dict[str, list[str]] = {"case": [], "event": [], "status": [], "owner": []}
    columns: dict[str, list[Ints]] = {key: [] for key in names}
    for part in parts:
        for key, own in (
            ("case", part.case_names),
            ("event", part.event_names),
            ("status", part.status_names),
            ("owner", part.owner_names),
        ):
            shared = names[key]
            index = {name: code for code, name in enumerate(shared)}
            for name in own:
                if name not in index:
                    index[name] = len(shared)
                    shared.append(name)
            table = np.array([index[name] for name in own] + [-1], np.int64)
            columns[key].append(table[getattr(part, key)])
    offsets = np.cumsum([0] + [len(p.file_names) for p in parts[:-1]])
    return ColumnLog(
        files=tuple(f for p in parts for f in p.files),
        file_names=tuple(n for p in parts for n in p.file_names),
        file_of=np.concatenate([p.file_of + o for p, o in zip(parts, offsets, strict=True)]),
        row=np.concatenate([p.row for p in parts]),
        line=np.concatenate([p.line for p in parts]),
        readable=np.concatenate([p.readable for p in parts]),
        malformed={},
        case=np.concatenate(columns["case"]),
        case_names=tuple(names["case"]),
        instant=np.concatenate([p.instant for p in parts]),
        local=np.concatenate([p.local for p in parts]),
        event=np.concatenate(columns["event"]),
        event_names=tuple(names["event"]),
        status=np.concatenate(columns["status"]),
        status_names=tuple(names["status"]),
        owner=np.concatenate(columns["owner"]),
        owner_names=tuple(names["owner"]),
        has_facts=any(p.has_facts for p in parts),
    )
