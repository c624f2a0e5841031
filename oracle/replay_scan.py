"""Plain CSV bytes to columns by one compiled scan, before pyarrow is tried.

`scan_block` takes the lines of a CSV file after its header, as
`replay_columns_csv.csv_block` does, and gives the very `ColumnLog` that pyarrow's
reading of them gives, several times faster (issue 15: reading was most of the
vector engine's time). A Numba function (`replay_scan_bytes.scan`) walks the bytes
once, after one pass eight bytes at a time: it splits each line at its commas, counts
the fields of the columns that are not mapped and reads the mapped ones, checks them
as the pyarrow path does, and codes case ids, events, statuses and owners in hash
tables over byte ranges, in order of first appearance as pyarrow's
`dictionary_encode` does; then `replay_scan_times` reads the times with the same
integer arithmetic as `parse_times`. The distinct names
come back as one byte array joined by newlines and become Python strings in one
split; pseudonyms and `--event-map` then apply to them as on the pyarrow path.

It is stricter than pyarrow's path, never looser: any byte outside 1-127, any quote
or carriage return, a blank line, a line longer than 64 KiB, a wrong number
of fields, an empty required value, a mapped value whose first or last byte is not
printable ASCII other than a space, or any time that `parse_times` would refuse
makes it answer None, and the block then goes to pyarrow (which may still take it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_case_table import CaseTable
from stepcheck.oracle.replay_columns import ColumnLog, Ints, file_columns
from stepcheck.oracle.replay_rows import ColumnMap
from stepcheck.oracle.replay_scan_bytes import FIRST_SLOTS, scan, tables
from stepcheck.oracle.replay_scan_times import times_of

__all__ = ["BlockState", "scan_block"]

_READ: Final = ("case", "time", "event", "status", "owner")
_SHORTEST_ROW: Final = 16
"""Fewer bytes than any row the scan takes (a date alone is ten, with two more required
values and the commas between them), so a block of n bytes needs at most 2n/16 slots:
a small one (a long log's blocks are smaller after an odd row) gets new small tables
rather than emptying the large ones a long log's blocks grew."""
"""The canonical columns the scan reads, in the order of its `wanted` array."""


@numba.njit(cache=True, nogil=True)  # alone: it calls nothing of another file
def joined(data: npt.NDArray[np.uint8], spans: Ints, counts: Ints) -> npt.NDArray[np.uint8]:
    """Every dictionary's names in code order, one after another, joined by newlines."""
    total = 0
    for dictionary in range(counts.size):
        for code in range(counts[dictionary]):
            total += spans[dictionary, code, 1] - spans[dictionary, code, 0] + 1
    joined = np.empty(max(total - 1, 0), np.uint8)
    at = 0
    for dictionary in range(counts.size):
        for code in range(counts[dictionary]):
            if at > 0:
                joined[at - 1] = 10
            for position in range(spans[dictionary, code, 0], spans[dictionary, code, 1]):
                joined[at] = data[position]
                at += 1
            at += 1
    return joined


class BlockState:
    """What reading a long log block by block keeps from one block to the next: its
    case ids' numbers (`cases`), and the scan's dictionaries (their memory only)."""

    def __init__(self) -> None:
        self.cases = CaseTable()
        self.slots, self.spans = tables()


def scan_block(
    data: bytes | memoryview,
    names: list[str],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
    state: BlockState | None = None,
) -> ColumnLog | None:
    """`csv_block`'s columns of these whole lines, or None when the scan is not sure
    (a memoryview spares copying a file's lines after its header). With `state`, case
    ids are numbered in its table, for a whole log, and never made into strings
    unless `case_id` renames them."""
    if not data or not names:
        return None
    positions: dict[str, int] = {}
    checked = np.zeros(len(names), np.bool_)
    for canonical, column in mapping.wanted:
        if column not in names:
            return None
        positions[canonical] = names.index(column)
        checked[positions[canonical]] = True
    if any(canonical not in positions for canonical in _READ[:3]):
        return None
    wanted = np.array([positions.get(canonical, -1) for canonical in _READ], np.int64)
    bytes_ = np.frombuffer(data, np.uint8)
    slots, spans = tables() if state is None else (state.slots, state.spans)
    most = 1 << (2 * (len(bytes_) // _SHORTEST_ROW + 1)).bit_length()
    if most < slots.shape[1]:  # a small block: new small tables, not a large one emptied
        slots, spans = tables(max(most, FIRST_SLOTS))
    size, codes, times, spans, counts, slots = scan(
        bytes_, len(names), wanted, checked, slots, spans
    )
    if state is not None and slots.shape[1] >= state.slots.shape[1]:  # kept, or grown
        state.slots, state.spans = slots, spans
    cases = None if state is None else state.cases
    if size <= 0 or not times_of(bytes_, times, size):
        return None
    table_only = cases is not None and case_id is str
    if table_only:  # the case ids' bytes go to the table, not into strings
        counts = counts.copy()
        case_spans, counts[0] = spans[0, : counts[0]], 0
    distinct = joined(bytes_, spans, counts).tobytes().decode("ascii").split("\n")
    found: list[tuple[str, ...]] = []
    for dictionary in range(4):
        first = int(counts[:dictionary].sum())
        found.append(tuple(distinct[first : first + int(counts[dictionary])]))
    case: tuple[Ints, Sequence[str]]
    if cases is None:
        case = _renamed(codes[0, :size], found[0], case_id)
    elif table_only:
        numbers = cases.add_spans(bytes_, case_spans, ascii_only=True)
        case = numbers[codes[0, :size]], cases.names()
    else:
        renamed = _renamed(codes[0, :size], found[0], case_id)
        case = cases.renumbered(*renamed)
    coded = {
        "case": case,
        "event": _renamed(
            codes[1, :size], found[1], lambda value: mapping.events.get(value, value)
        ),
        "status": (codes[2, :size], found[2]),
        "owner": (codes[3, :size], found[3]),
    }
    return file_columns(name, first_row, 1, coded, (times[0, :size], times[1, :size]))


def _renamed(
    codes: Ints, names: tuple[str, ...], rename: Callable[[str], str]
) -> tuple[Ints, tuple[str, ...]]:
    """Codes into the distinct renamed names (renaming may merge two), as `_coded`."""
    if rename is str:
        return codes, names
    renamed = [rename(value) for value in names]
    shared = {value: code for code, value in enumerate(dict.fromkeys(renamed))}
    if len(shared) == len(names) and all(map(str.__eq__, shared, names)):
        return codes, names
    table = np.array([shared[value] for value in renamed], np.int64)
    return table[codes], tuple(shared)
