"""Plain CSV bytes to columns by one compiled scan, before pyarrow is tried.

`scan_block` takes the lines of a CSV file after its header, as
`replay_columns_csv.csv_block` does, and gives the very `ColumnLog` that pyarrow's
reading of them gives, about five times faster (issue 15: reading was most of the
vector engine's time). A Numba function walks the bytes once, after one count of the
newlines: it splits each line at its commas, counts the fields of the columns that
are not mapped and reads the mapped ones, checks them as the pyarrow path does, reads
the times with the same integer arithmetic (`replay_scan_times`) and codes case ids,
events, statuses and owners in a hash table over byte ranges, in order of first
appearance as pyarrow's `dictionary_encode` does. The distinct names come back as one
byte array joined by newlines and become Python strings in one split; pseudonyms and
`--event-map` then apply to them as on the pyarrow path.

It is stricter than pyarrow's path, never looser: any byte outside 1-127, any quote
or carriage return, a blank line, a line longer than `_LONGEST` bytes, a wrong number
of fields, an empty required value, a mapped value whose first or last byte is not
printable ASCII other than a space, or any time that `parse_times` would refuse
makes it answer None, and the block then goes to pyarrow (which may still take it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_columns import ColumnLog, Ints
from stepcheck.oracle.replay_read import LogFile
from stepcheck.oracle.replay_rows import ColumnMap
from stepcheck.oracle.replay_scan_times import bst_table, scan_time

__all__ = ["scan_block"]

_READ: Final = ("case", "time", "event", "status", "owner")
"""The canonical columns the scan reads, in the order of its `wanted` array."""
_CODED: Final = (0, 2, 3, 4)
"""Which of `_READ` are coded; their dictionaries are 0-3 in this order."""
_LONGEST: Final = 1 << 16
"""Longer lines are left to pyarrow (which refuses lines longer than its block)."""
_NORMAL, _COMMA, _NEWLINE = 0, 1, 2
"""What ends a field: the end of the block, a comma, a newline."""
_STARTS, _ENDS = bst_table()
_FIRST_SLOTS: Final = 1024


def scan_block(
    data: bytes,
    names: list[str],
    mapping: ColumnMap,
    case_id: Callable[[str], str],
    *,
    name: str,
    first_row: int,
) -> ColumnLog | None:
    """`csv_block`'s columns of these whole lines, or None when the scan is not sure."""
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
    size, codes, instant, local, _, spans, counts = _scan(
        bytes_, len(names), wanted, checked, _STARTS, _ENDS
    )
    if size <= 0:
        return None
    joined = _joined(bytes_, spans, counts).tobytes().decode("ascii").split("\n")
    found: list[tuple[str, ...]] = []
    for dictionary in range(4):
        first = int(counts[:dictionary].sum())
        found.append(tuple(joined[first : first + int(counts[dictionary])]))
    cases, case_names = _renamed(codes[0, :size], found[0], case_id)
    events, event_names = _renamed(
        codes[1, :size], found[1], lambda value: mapping.events.get(value, value)
    )
    rows = np.arange(first_row, first_row + size, dtype=np.int64)
    return ColumnLog(
        files=(LogFile(name=name, rows=size),),
        file_names=(name,),
        file_of=np.zeros(size, np.int64),
        row=rows,
        line=rows + 1,
        readable=np.ones(size, np.bool_),
        malformed={},
        case=cases,
        case_names=case_names,
        instant=instant[:size].copy(),
        local=local[:size].copy(),
        event=events,
        event_names=event_names,
        status=codes[2, :size].copy(),
        status_names=found[2],
        owner=codes[3, :size].copy(),
        owner_names=found[3],
        has_facts=False,
    )


def _renamed(
    codes: Ints, names: tuple[str, ...], rename: Callable[[str], str]
) -> tuple[Ints, tuple[str, ...]]:
    """Codes into the distinct renamed names (renaming may merge two), as `_coded`."""
    if rename is str:
        return codes.copy(), names
    renamed = [rename(value) for value in names]
    shared = {value: code for code, value in enumerate(dict.fromkeys(renamed))}
    if len(shared) == len(names) and all(map(str.__eq__, shared, names)):
        return codes.copy(), names
    table = np.array([shared[value] for value in renamed], np.int64)
    return table[codes], tuple(shared)


@numba.njit(cache=True, nogil=True)
def _lines(data: npt.NDArray[np.uint8]) -> int:
    """How many lines at most (the newlines, and one more for a last line without),
    or -1 when a byte is outside 1-127 or is a quote or a carriage return: one pass
    the compiler vectorises, so the scan proper only looks for commas and newlines."""
    count = 0
    bad = 0
    for position in range(data.size):
        byte = data[position]
        count += byte == 10
        bad |= (byte >= 128) | (byte == 0) | (byte == 13) | (byte == 34)
    return -1 if bad else count + 1


@numba.njit(cache=True, nogil=True)
def _hash(data: npt.NDArray[np.uint8], start: int, end: int) -> np.uint64:
    """A hash of the bytes `start:end`, eight bytes (one word) at a time."""
    value = np.uint64(end - start) * np.uint64(0x9E3779B97F4A7C15)
    for word_start in range(start, end, 8):
        word = np.uint64(0)
        for position in range(word_start, min(word_start + 8, end)):
            word = (word << np.uint64(8)) | np.uint64(data[position])
        value = (value ^ word) * np.uint64(0xBF58476D1CE4E5B9)
    value ^= value >> np.uint64(31)
    value *= np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(29))


@numba.njit(cache=True, nogil=True)
def _same(data: npt.NDArray[np.uint8], start: int, end: int, other: int, other_end: int) -> bool:
    if end - start != other_end - other:
        return False
    for offset in range(end - start):  # noqa: SIM110 - a loop Numba compiles
        if data[start + offset] != data[other + offset]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _code(  # noqa: PLR0917 - a dictionary's arrays, as the scan holds them
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    dictionary: int,
    slots: Ints,
    spans: Ints,
    counts: Ints,
) -> int:
    """The code of the bytes `start:end` in one dictionary, a new one on first sight.
    `slots` (open addressing, -1 empty) is at most half full; `spans` holds each
    code's first bytes and (halved) hash, its stamp."""
    value = _hash(data, start, end)
    mask = slots.shape[1] - 1
    stamp = np.int64(value >> np.uint64(1))  # fits an int64
    slot = stamp & mask
    while True:
        code = slots[dictionary, slot]
        if code < 0:
            code = counts[dictionary]
            slots[dictionary, slot] = code
            spans[dictionary, code, 0] = start
            spans[dictionary, code, 1] = end
            spans[dictionary, code, 2] = stamp
            counts[dictionary] = code + 1
            return code
        if spans[dictionary, code, 2] == stamp and _same(
            data, start, end, spans[dictionary, code, 0], spans[dictionary, code, 1]
        ):
            return code
        slot = (slot + 1) & mask


@numba.njit(cache=True, nogil=True)
def _grown(slots: Ints, spans: Ints, counts: Ints) -> tuple[Ints, Ints]:
    """The dictionaries in twice the slots, every code rehashed from its stamp."""
    size = slots.shape[1] * 2
    grown = np.full((slots.shape[0], size), -1, np.int64)
    wider = np.empty((slots.shape[0], size // 2 + 1, 3), np.int64)
    mask = size - 1
    for dictionary in range(slots.shape[0]):
        for code in range(counts[dictionary]):
            wider[dictionary, code] = spans[dictionary, code]
            slot = spans[dictionary, code, 2] & mask
            while grown[dictionary, slot] >= 0:
                slot = (slot + 1) & mask
            grown[dictionary, slot] = code
    return grown, wider


@numba.njit(cache=True, nogil=True)
def _joined(data: npt.NDArray[np.uint8], spans: Ints, counts: Ints) -> npt.NDArray[np.uint8]:
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


@numba.njit(cache=True, nogil=True)
def _scan(  # noqa: PLR0912, PLR0917 - one pass over the bytes, kept in one loop
    data: npt.NDArray[np.uint8],
    fields: int,
    wanted: Ints,
    checked: npt.NDArray[np.bool_],
    starts: Ints,
    ends: Ints,
) -> tuple[int, Ints, Ints, Ints, Ints, Ints, Ints]:
    """(rows, codes of the four dictionaries by row, instants, local times, slots,
    spans, counts); rows is -1 when a line is not plain. Status and owner codes are
    -1 where empty, or everywhere when not mapped; `_READ` gives `wanted`'s order and
    `checked` marks every mapped field, whose edges must be printable."""
    size = data.size
    lines = max(_lines(data), 0)
    codes = np.empty((4, lines), np.int64)
    instants = np.empty(lines, np.int64)
    locals_ = np.empty(lines, np.int64)
    slots = np.full((4, _FIRST_SLOTS), -1, np.int64)
    spans = np.empty((4, _FIRST_SLOTS // 2 + 1, 3), np.int64)
    counts = np.zeros(4, np.int64)
    begin = np.zeros(5, np.int64)
    finish = np.zeros(5, np.int64)
    row = 0
    at = 0
    if lines == 0:
        return -1, codes, instants, locals_, slots, spans, counts  # an unusual byte
    while at < size:
        line = at
        if data[at] == 10:
            return -1, codes, instants, locals_, slots, spans, counts  # a blank line
        for field in range(fields):
            start = at
            while at < size and data[at] != 44 and data[at] != 10:  # a comma, a newline
                at += 1
            kind = _NORMAL if at == size else _COMMA if data[at] == 44 else _NEWLINE
            if checked[field]:
                if at > start and not (32 < data[start] < 127 and 32 < data[at - 1] < 127):
                    return -1, codes, instants, locals_, slots, spans, counts
                for column in range(5):
                    if wanted[column] == field:
                        begin[column] = start
                        finish[column] = at
            last = field == fields - 1
            if (kind == _COMMA) == last:
                return -1, codes, instants, locals_, slots, spans, counts  # fields miscounted
            at += 1  # past the comma or newline (or the end)
        if at - line > _LONGEST:
            return -1, codes, instants, locals_, slots, spans, counts
        for column in range(3):
            if begin[column] == finish[column]:
                return -1, codes, instants, locals_, slots, spans, counts  # a required value
        taken, instant, local = scan_time(data, begin[1], finish[1], starts, ends)
        if not taken:
            return -1, codes, instants, locals_, slots, spans, counts
        instants[row] = instant
        locals_[row] = local
        if counts.max() * 2 + 2 > slots.shape[1]:
            slots, spans = _grown(slots, spans, counts)
        for dictionary in range(4):
            column = dictionary + 1 if dictionary else 0  # _CODED[dictionary]
            if wanted[column] < 0:
                codes[dictionary, row] = -1
                continue
            code = _code(data, begin[column], finish[column], dictionary, slots, spans, counts)
            if dictionary >= 2 and begin[column] == finish[column]:
                code = -1  # an empty status or owner: not recorded, its name kept
            codes[dictionary, row] = code
        row += 1
    return row, codes, instants, locals_, slots, spans, counts
