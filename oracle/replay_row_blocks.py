"""The row reader's records as blocks of columns, for a long log read in bounded memory.

`replay_stream` reads a long log a block at a time. Where the column readers are not
sure of a block (a quote, a carriage return, a blank line, a bad time, a row with a
field missing: anything unusual), or for a format they do not read (JSON Lines,
XES), its records are read by the row reader itself (`replay_read.canonical`, the
definition of how a row is read, malformed or not) and turned into the same columns
(`replay_columns.from_read`), `ROWS` at a time, so a log streams whatever is in it
and a row is never classified two ways. Case ids are numbered in the long log's
table; a malformed row has no case number (-1): it is listed, not replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final

import numpy as np
from attrs import evolve

from stepcheck.oracle.replay_case_table import CaseTable, numbered
from stepcheck.oracle.replay_columns import ColumnLog, from_read
from stepcheck.oracle.replay_read import LogFile, LogRead, Record, canonical
from stepcheck.oracle.replay_rows import LogRow, Malformed, RowPlace

__all__ = ["ROWS", "row_blocks"]

ROWS: Final = 65_536
"""Rows of a block read by the row reader (some tens of MB of Python objects at most)."""


def row_blocks(  # noqa: PLR0917 - the rows' file, numbering and naming
    records: Iterable[Record],
    name: str,
    first_row: int,
    case_id: Callable[[str], str],
    events: Mapping[str, str],
    cases: CaseTable,
) -> Iterator[ColumnLog]:
    """The rows of `records` (of the file `name`, numbered from `first_row`), as
    columns, `ROWS` at a time."""
    rows: list[LogRow | Malformed] = []
    number = first_row
    for line, record in records:
        place = RowPlace(file=name, row=number, line=line)
        rows.append(canonical(place, len(rows), record, case_id, events))
        number += 1
        if len(rows) == ROWS:
            yield _block(rows, name, cases)
            rows = []
    if rows:
        yield _block(rows, name, cases)


def _block(rows: list[LogRow | Malformed], name: str, cases: CaseTable) -> ColumnLog:
    """The rows' columns, case ids numbered in `cases`; the rows themselves not kept."""
    block = from_read(LogRead(rows=tuple(rows), files=(LogFile(name=name, rows=len(rows)),)))
    case = np.where(block.readable, block.case, -1)
    return numbered(evolve(block, case=case, source=None), cases)
