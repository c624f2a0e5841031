"""Case ids numbered once for a whole long log, kept as bytes until a report reads one.

A long log is read in blocks (`replay_stream`), and each block's scan
(`replay_scan_bytes.scan`) numbers its own distinct values. Case ids must be numbered
for the whole log, in the order first read, so that every block and every share agree;
a ten-million-row log has more than a million of them, and making each a Python string
and looking it up in a dict cost more than the scan itself (issue 15). `CaseTable`
keeps that numbering in an open-addressing hash table compiled by Numba (`_intern`),
the ids' bytes one after another in an arena, and answers each block's distinct ids
(byte ranges of the block, or strings read by pyarrow) with their numbers for the log.
`CaseIds` is a sequence of the ids that decodes one only when it is read.

The numbering never depends on the hash: a new id takes the next number. A slot is
looked for at most `_PROBES` times; bytes made to collide past that (or more than a
billion ids) switch the table to a Python dict for the rest of the log (slower, same
numbers), so a hostile log cannot make it quadratic. A slot is one word (number and
part of the hash): a table of 2.5 million ids is 64 MB, each new one a cache miss, so
`_intern` asks for a slot's memory a few ids before it looks (`replay_prefetch`), and
for the id's bytes too, spread over a block of tens of megabytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final, TypeVar, overload

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from attrs import evolve

from stepcheck.oracle.replay_columns import ColumnLog, Ints
from stepcheck.oracle.replay_prefetch import prefetch

__all__ = ["CaseIds", "CaseTable", "Numbers", "numbered", "prefix"]

Bytes = npt.NDArray[np.uint8]
Numbers = npt.NDArray[np.int64] | npt.NDArray[np.int32]
"""Integers kept in 32 bits where they fit (a report's codes and counts)."""
_Array = TypeVar("_Array", Ints, Bytes)

_PROBES: Final = 64
_SEED: Final = np.uint64(14695981039346656037)
_PRIME: Final = np.uint64(1099511628211)
"""FNV-1a's offset basis and prime."""
_FIRST: Final = 1 << 12
_AHEAD: Final = 16
"""How many ids ahead `_intern` asks for the memory of the slots it will look at."""
_TAG: Final = 2**31 - 1
_LOW: Final = 2**32 - 1
_MOST_SLOTS: Final = 2**31
"""Past this many slots (a billion ids), the ids are numbered in a Python dict: a
slot's tag holds 31 bits of stamp, which must cover the bits that pick the slot."""
_PREFIX: Final = 8
_ENCODING: Final = "utf-8"
_ERRORS: Final = "surrogatepass"
"""A string that is not UTF-8 (a lone surrogate) still round-trips, byte for byte."""


@numba.njit(cache=True, nogil=True)
def _stamp(data: Bytes, start: int, end: int) -> np.int64:
    """FNV-1a of `data[start:end]`, mixed and halved to fit an int64 (never negative)."""
    value = _SEED
    for position in range(start, end):
        value = (value ^ np.uint64(data[position])) * _PRIME
    value ^= value >> np.uint64(31)
    value *= np.uint64(0x94D049BB133111EB)
    return np.int64((value ^ (value >> np.uint64(29))) >> np.uint64(1))


@numba.njit(cache=True, nogil=True)
def _intern(  # noqa: PLR0917 - the table's arrays, all changed in place
    data: Bytes,
    starts: Ints,
    ends: Ints,
    slots: Ints,
    offsets: Ints,
    arena: Bytes,
    state: Ints,
    codes: Ints,
) -> int:
    """Number the ids `data[starts[i]:ends[i]]` into `codes`, adding the new ones (their
    bytes to `arena` from `state[1]`, their ends to `offsets`, `state[0]` counting
    them); how many were numbered, fewer than all when a slot took too long to find.
    The caller leaves room: the slots at most half full, the arena and offsets large
    enough for every id to be new. A slot is 0 when empty, else an id's number plus
    one in its low 32 bits and the low 31 bits of its stamp above them (`_TAG`): one
    word read tells an empty slot, and almost always another id's, apart."""
    mask = slots.size - 1
    count, used = state[0], state[1]
    done = 0
    tags = np.empty(starts.size, np.int64)  # every stamp first, to ask for slots early
    for i in range(starts.size):
        if i + _AHEAD < starts.size:  # nor are the ids' bytes, spread over a block
            prefetch(data, starts[i + _AHEAD])
        tags[i] = _stamp(data, starts[i], ends[i]) & _TAG
    for i in range(starts.size):
        if i + _AHEAD < starts.size:  # a large table's slots are rarely in the cache
            prefetch(slots, tags[i + _AHEAD] & mask)
            prefetch(data, starts[i + _AHEAD])  # read again to compare or copy
        start, end = starts[i], ends[i]
        length = end - start
        tag = tags[i]
        slot = tag & mask
        code = -1
        for _ in range(_PROBES):
            entry = slots[slot]
            if entry == 0:  # first sight: the next number
                code = count
                count += 1
                slots[slot] = (tag << 32) | (code + 1)
                for position in range(start, end):  # not by slices: each is a view
                    arena[used] = data[position]
                    used += 1
                offsets[code + 1] = used
                break
            found = (entry & _LOW) - 1
            if entry >> 32 == tag and offsets[found + 1] - offsets[found] == length:
                at = offsets[found]
                same = True
                for offset in range(length):
                    if arena[at + offset] != data[start + offset]:
                        same = False
                        break
                if same:
                    code = found
                    break
            slot = (slot + 1) & mask
        if code < 0:
            break
        codes[i] = code
        done += 1
    state[0], state[1] = count, used
    return done


@numba.njit(cache=True, nogil=True)
def _rehashed(slots: Ints, size: int) -> Ints:
    """The slots in a table of `size` (a power of two), each by its tag."""
    grown = np.zeros(size, np.int64)
    mask = size - 1
    for slot in range(slots.size):
        entry = slots[slot]
        if entry != 0:
            at = (entry >> 32) & mask
            while grown[at] != 0:
                at = (at + 1) & mask
            grown[at] = entry
    return grown


class CaseTable:
    """Every case id of a log numbered in the order first read (`add_spans`,
    `add_names`); `names()` is the ids so far."""

    def __init__(self) -> None:
        self._slots = np.zeros(_FIRST, np.int64)
        self._offsets = np.zeros(_FIRST // 2 + 1, np.int64)
        self._arena = np.empty(_FIRST * 16, np.uint8)
        self._state = np.zeros(2, np.int64)
        """How many ids, and how many bytes of the arena they take."""
        self._ascii = True
        self._dict: dict[bytes, int] | None = None
        """Once bytes were made to collide: every id's number, by its bytes."""

    def __len__(self) -> int:
        return int(self._state[0])

    def add_spans(self, data: Bytes, spans: Ints, *, ascii_only: bool) -> Ints:
        """The numbers of the ids `data[start:end]`, a row of `spans` each (`ascii_only`:
        every byte of them is below 128)."""
        starts, ends = np.ascontiguousarray(spans[:, 0]), np.ascontiguousarray(spans[:, 1])
        self._room(len(starts), int((ends - starts).sum()))
        self._ascii = self._ascii and ascii_only
        codes = np.empty(len(starts), np.int64)
        done = 0
        if self._dict is None and 2 * (len(self) + len(starts)) <= _MOST_SLOTS:
            done = _intern(
                data, starts, ends, self._slots, self._offsets, self._arena, self._state, codes
            )
        if done < len(starts):
            self._by_dict(data, starts[done:], ends[done:], codes[done:])
        return codes

    def add_names(self, names: Sequence[str]) -> Ints:
        """The numbers of `names` (ids read as strings: by pyarrow, or pseudonyms)."""
        encoded = [name.encode(_ENCODING, _ERRORS) for name in names]
        lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        ends = np.cumsum(lengths)
        spans = np.stack((ends - lengths, ends), axis=1)
        joined = b"".join(encoded)
        data = np.frombuffer(joined or b"\0", np.uint8)
        return self.add_spans(data, spans, ascii_only=joined.isascii())

    def renumbered(self, codes: Ints, names: Sequence[str]) -> tuple[Ints, CaseIds]:
        """Codes into `names` as this table's numbers (-1 stays -1), and the ids so far."""
        numbers = np.append(self.add_names(names), -1)
        return numbers[codes], self.names()

    def add_arrow(self, values: pa.Array) -> Ints:
        """The numbers of an Arrow string array's values, read from its buffers (no
        Python strings); any other array by `add_names` (a null read as "", as the row
        reader reads it)."""
        if values.type != pa.string() or values.null_count:
            return self.add_names(["" if v is None else str(v) for v in values.to_pylist()])
        _, offsets_buffer, data_buffer = values.buffers()
        offsets = np.frombuffer(offsets_buffer, np.int32)[
            values.offset : values.offset + len(values) + 1
        ].astype(np.int64)
        data = np.frombuffer(data_buffer, np.uint8) if data_buffer else np.zeros(1, np.uint8)
        used = data[offsets[0] : offsets[-1]]
        spans = np.stack((offsets[:-1], offsets[1:]), axis=1)
        return self.add_spans(data, spans, ascii_only=bool(used.max(initial=0) < 128))

    def names(self) -> CaseIds:
        """The ids numbered so far, by number (later ids do not change it)."""
        count = len(self)
        offsets = self._offsets[: count + 1]
        arena = _Arena(self._arena, int(offsets[-1]), self._ascii)
        return CaseIds(arena, offsets[:-1], offsets[1:])

    def _room(self, more: int, size: int) -> None:
        """Room for `more` new ids of `size` bytes in all: the slots at most half full."""
        count, used = int(self._state[0]), int(self._state[1])
        slots = len(self._slots)
        while 2 * (count + more) > slots:
            slots *= 2
        if len(self._slots) < slots <= _MOST_SLOTS and self._dict is None:
            self._slots = _rehashed(self._slots, slots)
        if count + more + 1 > len(self._offsets):
            self._offsets = _grown(self._offsets, count + more + 1)
        if used + size > len(self._arena):
            self._arena = _grown(self._arena, used + size)

    def _by_dict(self, data: Bytes, starts: Ints, ends: Ints, codes: Ints) -> None:
        """Number the rest in a dict, as `_intern` would have (the first time, every id
        so far goes in it)."""
        if self._dict is None:
            names = self.names()
            self._dict = {names.raw(k): k for k in range(len(names))}
        found = self._dict
        count, used = int(self._state[0]), int(self._state[1])
        for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            value = data[start:end].tobytes()
            code = found.get(value)
            if code is None:
                code = found[value] = count
                count += 1
                self._arena[used : used + len(value)] = data[start:end]
                used += len(value)
                self._offsets[count] = used
            codes[i] = code
        self._state[:] = (count, used)


def numbered(block: ColumnLog, cases: CaseTable) -> ColumnLog:
    """`block` with its case ids numbered in `cases` (-1 stays -1)."""
    case, names = cases.renumbered(block.case, block.case_names)
    return evolve(block, case=case, case_names=names)


def _grown(array: _Array, size: int) -> _Array:
    """`array` with room for at least `size` items, at least twice as many."""
    grown = np.empty(max(size, 2 * len(array)), array.dtype)
    grown[: len(array)] = array
    return grown


def prefix(name: str) -> int:
    """`CaseIds.prefixes` of one id given as text: its first eight bytes (UTF-8, as the
    table keeps it) as a big-endian number. UTF-8's byte order is the order of code
    points, so names in Python's order have prefixes in the same order, ties aside."""
    return int.from_bytes(name.encode(_ENCODING, _ERRORS)[:_PREFIX].ljust(_PREFIX, b"\0"))


class _Arena:
    """The ids' bytes (`used` of `array`), decoded in one go the first time a run of
    them is read, when they are all ASCII (so a byte is a character)."""

    def __init__(self, array: Bytes, used: int, ascii_only: bool) -> None:
        self.array, self.used, self.ascii_only = array, used, ascii_only
        self._text: str | None = None

    def text(self) -> str | None:
        if self.ascii_only and self._text is None:
            self._text = self.array[: self.used].tobytes().decode("ascii")
        return self._text


class CaseIds(Sequence[str]):
    """Case ids by number, each decoded when read; a slice (with any step) is another
    `CaseIds` over the same bytes, so a share's ids (`ids[share::shares]`) cost nothing."""

    def __init__(self, arena: _Arena, starts: Ints, ends: Ints) -> None:
        self._arena, self._starts, self._ends = arena, starts, ends

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> CaseIds: ...
    def __getitem__(self, index: int | slice) -> str | CaseIds:
        if isinstance(index, slice):
            return CaseIds(self._arena, self._starts[index], self._ends[index])
        return self.raw(index).decode(_ENCODING, _ERRORS)

    def raw(self, index: int) -> bytes:
        """The bytes of id `index`."""
        start, end = int(self._starts[index]), int(self._ends[index])
        return self._arena.array[start:end].tobytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.take(slice(None)))

    def prefixes(self, numbers: Numbers) -> npt.NDArray[np.uint64]:
        """The first eight bytes of the ids of `numbers` as big-endian words (zero past an
        id's end): one id's word is below another's only when the id is (`prefix`)."""
        starts, ends = self._starts[numbers], self._ends[numbers]
        array = self._arena.array
        words = np.zeros(len(starts), np.uint64)
        for offset in range(_PREFIX):
            at = starts + offset
            inside = at < ends
            byte = np.where(inside, array[np.where(inside, at, 0)], 0)
            words = (words << np.uint64(8)) | byte.astype(np.uint64)
        return words

    def take(self, numbers: Numbers | slice) -> list[str]:
        """The ids of `numbers`, as a list."""
        starts, ends = self._starts[numbers].tolist(), self._ends[numbers].tolist()
        text = self._arena.text()
        if text is not None:
            return [text[start:end] for start, end in zip(starts, ends, strict=True)]
        array = self._arena.array
        return [
            array[start:end].tobytes().decode(_ENCODING, _ERRORS)
            for start, end in zip(starts, ends, strict=True)
        ]
