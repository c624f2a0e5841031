"""The compiled half of the byte scanner (`replay_scan`): the scan and every Numba
function it calls in one module, because Numba's on-disk cache only notices changes to
the file of the function it compiled, so a helper in another file could leave a stale
scan cached.

`scan` walks a block's bytes once, after one pass eight bytes at a time (`_lines`)
that counts the newlines and looks for a byte outside 1-127, a quote or a carriage
return: it splits each line at its commas (eight bytes at a time), only counts the
fields of the unmapped columns, checks the mapped ones, notes where each time is
(`replay_scan_times` reads them after) and leaves where each mapped value is; then,
a few thousand rows at a time, `_names` codes the case ids, events, statuses and
owners in open-addressing hash tables over byte ranges, in order of first appearance.
A block has tens of thousands of case ids, so their slots are megabytes and each was a
cache miss: `_names` hashes a row's values several rows before it looks them up, and
asks for the case id's slot then. Nothing here indexes outside the block whatever its
bytes, and every loop ends.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_columns import Ints
from stepcheck.oracle.replay_prefetch import prefetch

__all__ = ["FIRST_SLOTS", "QUOTES", "RETURNS", "scan", "tables", "zero_bytes"]

_NORMAL, _COMMA, _NEWLINE = 0, 1, 2
"""What ends a field: the end of the block, a comma, a newline."""
_ONES: Final = np.uint64(0x0101010101010101)
_HIGHS: Final = np.uint64(0x8080808080808080)
_COMMAS: Final = np.uint64(0x2C2C2C2C2C2C2C2C)
_NEWLINES: Final = np.uint64(0x0A0A0A0A0A0A0A0A)
RETURNS: Final = np.uint64(0x0D0D0D0D0D0D0D0D)
QUOTES: Final = np.uint64(0x2222222222222222)
_LOWS: Final = np.uint64(0x7F7F7F7F7F7F7F7F)
_BYTE_OF: Final = np.uint64(0x0001020304050607)
"""Times a word's lowest set byte k (1 << 8k), its top byte is k."""
_LONGEST: Final = 1 << 16
"""Longer lines are left to pyarrow (none is in a real log; a slot packs a name's
length beside its code, and a bound keeps that packing far from overflowing)."""
FIRST_SLOTS: Final = 1024
_PROBES: Final = 64
"""Slots looked at before giving up: never reached unless bytes are made to collide."""
_CHUNK: Final = 4096
"""Rows split before `_names` codes them: their bytes are still in the cache."""
_AHEAD: Final = 16
"""How many rows ahead `_names` hashes a row's values and asks for its case id's slot
(a power of two: the ring that keeps the hashes meanwhile is indexed by a mask)."""
_SPAN: Final = 40
"""`_rows` leaves each mapped value for `_names` as its start plus its length shifted
by this many bits (a block is far below 2**40 bytes, a value below 2**16)."""
_SEED: Final = np.uint64(14695981039346656037)
_PRIME: Final = np.uint64(1099511628211)
"""FNV-1a's offset basis and prime, taken to a word at a time for the coded values."""


@numba.njit(cache=True, nogil=True, inline="always")
def zero_bytes(word: np.uint64) -> np.uint64:
    """The high bit of each byte of `word` that is zero, exactly (no carry between
    bytes: each byte's low seven bits plus 127 stays below 256)."""
    low = (word & _LOWS) + _LOWS
    return ~(low | word | _LOWS)


@numba.njit(cache=True, nogil=True)
def _lines(data: npt.NDArray[np.uint8]) -> int:
    """How many lines at most (the newlines, and one more for a last line without),
    or -1 when a byte is outside 1-127 or is a quote or a carriage return: one pass
    eight bytes at a time, so the scan proper only looks for commas and newlines."""
    size = data.size
    whole = size - size % 8
    count = np.uint64(0)
    bad = np.uint64(0)
    words = data[:whole].view(np.uint64)
    for at in range(words.size):
        word = words[at]
        newlines = zero_bytes(word ^ _NEWLINES)
        count += ((newlines >> np.uint64(7)) * _ONES) >> np.uint64(56)  # their number
        bad |= (word & _HIGHS) | zero_bytes(word) | zero_bytes(word ^ RETURNS)
        bad |= zero_bytes(word ^ QUOTES)
    lines = int(np.int64(count))
    for at in range(whole, size):
        byte = data[at]
        lines += byte == 10
        if byte >= 128 or byte in (0, 13, 34):
            bad = np.uint64(1)
    return -1 if bad else lines + 1


@numba.njit(cache=True, nogil=True)
def _word(data: npt.NDArray[np.uint8], at: int) -> np.uint64:
    """The eight bytes from `at` (the caller keeps them in `data`) as one word, the
    first lowest: unsigned indices, so the compiler makes it one unaligned load."""
    base = np.uint64(at)
    word = np.uint64(0)
    for offset in range(7, -1, -1):
        word = (word << np.uint64(8)) | np.uint64(data[base + np.uint64(offset)])
    return word


@numba.njit(cache=True, nogil=True, inline="always")
def _stamp(value: np.uint64) -> np.int64:
    """A value's hash mixed, halved to fit an int64."""
    value ^= value >> np.uint64(31)
    value *= np.uint64(0x94D049BB133111EB)
    return np.int64((value ^ (value >> np.uint64(29))) >> np.uint64(1))


def tables(slots: int = FIRST_SLOTS) -> tuple[Ints, Ints]:
    """New dictionaries for `scan` of `slots` slots (a power of two): their slots and
    their values' spans."""
    return np.full((4, slots, 4), -1, np.int64), np.empty((4, slots // 2, 2), np.int64)


@numba.njit(cache=True, nogil=True)
def _grown(slots: Ints, spans: Ints) -> tuple[Ints, Ints]:
    """The dictionaries in twice the slots, every code moved by its stamp."""
    size = slots.shape[1] * 2
    grown = np.full((slots.shape[0], size, slots.shape[2]), -1, np.int64)
    wider = np.empty((slots.shape[0], size // 2, 2), np.int64)
    wider[:, : spans.shape[1]] = spans
    mask = size - 1
    for dictionary in range(slots.shape[0]):
        for slot in range(slots.shape[1]):
            if slots[dictionary, slot, 0] >= 0:
                at = slots[dictionary, slot, 1] & mask
                while grown[dictionary, at, 0] >= 0:
                    at = (at + 1) & mask
                grown[dictionary, at] = slots[dictionary, slot]
    return grown, wider


@numba.njit(cache=True, nogil=True)
def scan(  # noqa: PLR0917 - the block and how to read it
    data: npt.NDArray[np.uint8],
    fields: int,
    wanted: Ints,
    checked: npt.NDArray[np.bool_],
    slots: Ints,
    spans: Ints,
) -> tuple[int, Ints, Ints, Ints, Ints, Ints]:
    """(rows, codes of the four dictionaries by row, the times' bytes by row as
    (start, end), spans, counts, slots); rows is -1 when a line is not plain. Status
    and owner codes are -1 where empty, or everywhere when not mapped. `wanted` gives
    the fields of case, time, event, status and owner (-1: not mapped), `checked`
    marks every mapped field (its values' edges must be printable).
    `slots` and `spans` are `tables()` or the last scan's (emptied here, grown if need
    be: a long log's blocks reuse them rather than fault in new pages each time)."""
    lines = max(_lines(data), 0)
    codes = np.empty((4, lines), np.int64)
    times = np.empty((2, lines), np.int64)
    slots[:, :, 0] = -1
    counts = np.zeros(4, np.int64)
    row, at, named = 0, 0, 0
    while row >= 0:
        if named == row:  # every row split so far is coded: split the next ones
            if lines == 0 or at >= data.size:
                break
            row, at = _rows(data, fields, wanted, checked, codes, times, row, at)
            continue
        named, grow = _names(data, codes, row, slots, spans, counts, named)
        if named < 0:
            row = -1  # bytes made to collide: left to pyarrow
        elif grow:
            slots, spans = _grown(slots, spans)
    return row if lines > 0 else -1, codes, times, spans, counts, slots


@numba.njit(cache=True, nogil=True)
def _rows(  # noqa: PLR0912, PLR0917 - the scan's split, written out
    data: npt.NDArray[np.uint8],
    fields: int,
    wanted: Ints,
    checked: npt.NDArray[np.bool_],
    codes: Ints,
    times: Ints,
    row: int,
    at: int,
) -> tuple[int, int]:
    """(rows split, where the next begins) after splitting up to `_CHUNK` rows from
    byte `at` (row `row`); rows is -1 when a line is not plain. Each mapped value is
    left in `codes` for `_names` as its start plus its length shifted by `_SPAN` bits
    (-1 where its column is not mapped). No array is replaced in the loop, and no
    function inlined by Numba takes one (it would count their references at every
    call)."""
    size = data.size
    begin = np.zeros(5, np.int64)
    finish = np.zeros(5, np.int64)
    bounds = np.zeros((fields, 2), np.int64)  # each checked field's, this row
    stop = row + _CHUNK
    while at < size and row < stop:
        line = at
        if data[at] == 10:
            return -1, at  # a blank line
        for field in range(fields):
            start = at
            while at + 8 <= size:  # a word at a time: its first comma or newline, if any
                word = _word(data, at)
                commas, newlines = word ^ _COMMAS, word ^ _NEWLINES
                # a byte's high bit, where it is zero (exact for the lowest such byte)
                found = ((commas - _ONES) & ~commas | (newlines - _ONES) & ~newlines) & _HIGHS
                if found:
                    lowest = (found & (~found + np.uint64(1))) >> np.uint64(7)
                    at += int((lowest * _BYTE_OF) >> np.uint64(56))  # 0 to 7: exact
                    break
                at += 8
            else:  # the last few bytes of the block, one at a time
                while at < size and data[at] != 44 and data[at] != 10:
                    at += 1
            kind = _NORMAL if at == size else _COMMA if data[at] == 44 else _NEWLINE
            if checked[field]:
                if at > start and not (32 < data[start] < 127 and 32 < data[at - 1] < 127):
                    return -1, at
                bounds[field, 0] = start
                bounds[field, 1] = at
            if (kind == _COMMA) == (field == fields - 1):
                return -1, at  # fields miscounted
            at += 1  # past the comma or newline (or the end)
        if at - line > _LONGEST:
            return -1, at
        for column in range(5):
            if wanted[column] >= 0:
                begin[column] = bounds[wanted[column], 0]
                finish[column] = bounds[wanted[column], 1]
        for column in range(3):
            if begin[column] == finish[column]:
                return -1, at  # a required value
        times[0, row] = begin[1]  # the time's bytes: `replay_scan_times` reads them
        times[1, row] = finish[1]
        for dictionary in range(4):
            column = dictionary + 1 if dictionary else 0  # case, event, status, owner
            if wanted[column] < 0:
                codes[dictionary, row] = -1
            else:
                codes[dictionary, row] = begin[column] + ((finish[column] - begin[column]) << _SPAN)
        row += 1
    return row, at


@numba.njit(cache=True, nogil=True, inline="always")
def _span(packed: int) -> tuple[int, int]:
    """(start, length) of a value as `_rows` leaves it in `codes`."""
    return packed & ((1 << _SPAN) - 1), packed >> _SPAN


@numba.njit(cache=True, nogil=True)
def _names(  # noqa: PLR0912, PLR0915, PLR0917 - the coding loop, written out
    data: npt.NDArray[np.uint8],
    codes: Ints,
    rows: int,
    slots: Ints,
    spans: Ints,
    counts: Ints,
    row: int,
) -> tuple[int, bool]:
    """Code the values `_rows` left in `codes` for rows `row` to `rows`, each in its
    dictionary (-1, a column not mapped, stays -1; an empty value is coded, then
    recorded as -1); (the row reached, whether the dictionaries must grow before the
    rest), the row -1 for bytes made to collide. A row's values are hashed `_AHEAD`
    rows before they are looked up (into `ring`), and its case id's first slot asked
    for then.

    A slot holds a code and its value's length (-1: empty), its stamp (hash) and its
    first 16 bytes as two words (every byte is ASCII, so a word fits an int64): most
    values are told apart or found equal without reading the block again."""
    size = data.size
    full = slots.shape[1] // 2 - 1
    mask = slots.shape[1] - 1
    eight = np.uint64(8)
    flat = slots.reshape(slots.size)  # the case ids' slot s begins at word 4s
    ring = np.empty((_AHEAD, 4, 3), np.int64)  # per row ahead, per value: its hash
    for at in range(row - _AHEAD, rows):
        if at >= row:  # this row, whose values were hashed _AHEAD rows ago
            if counts[0] >= full or counts[1] >= full or counts[2] >= full or counts[3] >= full:
                return at, True
            place = at & (_AHEAD - 1)
            for dictionary in range(4):
                if codes[dictionary, at] < 0:
                    continue
                start, length = _span(codes[dictionary, at])
                end = start + length
                stamp = ring[place, dictionary, 0]
                slot = stamp & mask
                code = -1
                for _ in range(_PROBES):
                    entry = slots[dictionary, slot, 0]
                    if entry < 0:  # first sight: the next code
                        code = counts[dictionary]
                        counts[dictionary] = code + 1
                        slots[dictionary, slot, 0] = code + (length << 40)
                        slots[dictionary, slot, 1] = stamp
                        slots[dictionary, slot, 2] = ring[place, dictionary, 1]
                        slots[dictionary, slot, 3] = ring[place, dictionary, 2]
                        spans[dictionary, code, 0] = start
                        spans[dictionary, code, 1] = end
                        break
                    if (
                        slots[dictionary, slot, 1] == stamp
                        and entry >> 40 == length
                        and slots[dictionary, slot, 2] == ring[place, dictionary, 1]
                        and slots[dictionary, slot, 3] == ring[place, dictionary, 2]
                    ):
                        found = entry - (length << 40)
                        same = True
                        if length > 16:  # the rest a word at a time, the last word overlapping
                            at_other = spans[dictionary, found, 0] - start
                            offset = start + 16
                            while same and offset + 8 < end:
                                same = _word(data, offset) == _word(data, offset + at_other)
                                offset += 8
                            if same:
                                same = _word(data, end - 8) == _word(data, end - 8 + at_other)
                        if same:
                            code = found
                            break
                    slot = (slot + 1) & mask
                if code < 0:
                    return -1, False  # bytes made to collide
                codes[dictionary, at] = -1 if length == 0 else code  # empty: not recorded
        ahead = at + _AHEAD
        if ahead < rows:
            place = ahead & (_AHEAD - 1)
            for dictionary in range(4):
                if codes[dictionary, ahead] < 0:
                    continue
                start, length = _span(codes[dictionary, ahead])
                end = start + length
                # the first 16 bytes as two words, zero past the value's end
                first, second = np.uint64(0), np.uint64(0)
                if start + 16 <= size:  # one load each, past the value's end if need be
                    first, second = _word(data, start), _word(data, start + 8)
                else:  # near the block's end: byte by byte
                    for position in range(min(end, start + 16) - 1, start - 1, -1):
                        second = (second << eight) | (first >> np.uint64(56))
                        first = (first << eight) | np.uint64(data[position])
                if length < 8:
                    first &= (np.uint64(1) << (eight * np.uint64(length))) - np.uint64(1)
                    second = np.uint64(0)
                elif length < 16:
                    second &= (np.uint64(1) << (eight * np.uint64(length - 8))) - np.uint64(1)
                value = (first ^ _SEED) * _PRIME
                value = (value ^ second ^ np.uint64(length)) * _PRIME
                if length > 16:  # and its last eight bytes; the middle only when compared
                    value = (value ^ _word(data, end - 8)) * _PRIME
                ring[place, dictionary, 0] = _stamp(value)
                ring[place, dictionary, 1] = np.int64(first)
                ring[place, dictionary, 2] = np.int64(second)
            prefetch(flat, (ring[place, 0, 0] & mask) * 4)  # a case id is required
    return rows, False
