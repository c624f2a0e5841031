"""A long CSV log a block at a time, for `replay_stream`: by the column readers where
they are sure of a block, by the row reader where they are not, so any CSV streams.

The header is read by the row reader's own `csv` reader. Then the file is mapped in
memory and its lines taken about `size` bytes at a time, cut after the last line break,
and scanned where they lie in the page cache (no copy: about 5% of a 10-million-row
replay), each block's pages let go once read; the column readers
(`replay_columns_csv.csv_block`: the compiled scan, then pyarrow) take such a block only
when nothing in it is unusual, no quote among it, so each of its line breaks ends a
record; or, when its only quotes are fields quoted whole and its only carriage returns
end lines, a copy without them (`replay_scan_quotes`), which reads the same: many
exports quote every field. When they are not sure of one, or a whole block has no line
break (lines that end with a lone carriage return, or one line longer than a block), the
row reader reads on from the block's start (`replay_csv_lines.ByteLines`,
`replay_read.csv_rows`) up to the end of the first record that ends at or past the
block's end, as it would read the whole file, and the column readers take over again
from there. A quoted field holding line breaks, a carriage return, a blank line or a
malformed row costs the row reader's speed for its block only, never memory: the row
reader's records become columns `replay_row_blocks.ROWS` at a time. The file must not be
cut short while it is read: a mapped page past its new end ends the process (SIGBUS),
where reading it would have stopped early.
"""

from __future__ import annotations

import csv
import gc
import mmap
import os
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
from attrs import evolve

from stepcheck.oracle.replay_columns import ColumnLog
from stepcheck.oracle.replay_columns_csv import csv_block
from stepcheck.oracle.replay_csv_lines import ByteLines
from stepcheck.oracle.replay_read import Record, csv_names, csv_positions, csv_rows
from stepcheck.oracle.replay_row_blocks import row_blocks
from stepcheck.oracle.replay_rows import ColumnMap, LogError
from stepcheck.oracle.replay_scan import BlockState
from stepcheck.oracle.replay_scan_quotes import unquoted

__all__ = ["SMALLEST", "csv_blocks"]

_ASCII: Final = 127
SMALLEST: Final = 64 * 2**10
"""The smallest block tried again by the column readers before the row reader reads it."""


class _File:
    """One CSV file being read: where the next row starts, its number and line."""

    def __init__(
        self,
        path: Path,
        handle: BinaryIO,
        mapping: ColumnMap,
        case_id: Callable[[str], str],
        state: BlockState,
    ) -> None:
        self.path, self.handle, self.mapping, self.case_id = path, handle, mapping, case_id
        self.state = state
        self.offset = 0
        """Where the next row's first line starts in the file, in bytes."""
        self.row = 1
        self.line = 1
        """The line the next row starts on."""
        self.names: list[str] = []
        self.positions: dict[str, int] = {}

    def header(self) -> bool:
        """Read the header: False when it is not CSV or lacks a mapped column (the row
        reader then says so); True otherwise, with no `names` for an empty file."""
        lines = ByteLines(self.handle, first=True)
        reader = csv.reader(lines)
        try:
            names = csv_names(self.path, reader)
            if names is None:
                self.offset = lines.consumed
                return True
            self.positions = csv_positions(self.path, names, self.mapping)
        except LogError:  # the row reader says so, reading the whole log
            return False
        self.names, self.offset, self.line = names, lines.consumed, reader.line_num + 1
        return True

    def columns(self, data: bytes | memoryview) -> ColumnLog | None:
        """The column readers' block of these whole lines (the next rows), or None:
        as they are, else with fields quoted whole unquoted and CRLFs made LF
        (`replay_scan_quotes`), which reads the same."""
        block = self._read(data)
        if block is None:
            plain = unquoted(data)
            if plain is not None:
                block = self._read(plain.data)
        if block is None:
            return None
        if self.line != self.row + 1:  # blank lines or records over lines before it
            block = evolve(block, line=block.line + (self.line - self.row - 1))
        self.offset += len(data)
        self.row += block.size
        self.line += block.size
        return block

    def _read(self, data: bytes | memoryview) -> ColumnLog | None:
        """The scanner's columns of these lines, or pyarrow's when the scanner refused
        bytes past ASCII, which it alone reads: what else the scanner refuses,
        pyarrow's path refuses too (a line over 64 KiB or names made to collide aside,
        which the row reader reads), and asking it costs several scans."""
        block = csv_block(
            data, self.names, self.mapping, self.case_id, name=str(self.path),
            first_row=self.row, arrow=False, state=self.state,
        )  # fmt: skip
        if block is None and np.frombuffer(data, np.uint8).max(initial=0) > _ASCII:
            block = csv_block(
                data, self.names, self.mapping, self.case_id, name=str(self.path),
                first_row=self.row, scanner=False, state=self.state,
            )  # fmt: skip
        return block

    def rows(self, size: int) -> Iterator[ColumnLog]:
        """The row reader's rows from `offset` on, up to the end of the first record
        that ends `size` bytes on or later (or the file's end)."""
        self.handle.seek(self.offset)
        lines = ByteLines(self.handle, first=False)
        reader = csv.reader(lines)
        read = 0

        def records() -> Iterator[Record]:
            nonlocal read
            for record in csv_rows(reader, self.positions, self.line - 1):
                read += 1
                yield record
                if lines.consumed >= size:
                    return

        yield from row_blocks(
            records(), str(self.path), self.row, self.case_id, self.mapping.events,
            self.state.cases,
        )  # fmt: skip
        self.offset += lines.consumed
        self.row += read
        self.line += reader.line_num
        self.handle.seek(self.offset)


def csv_blocks(
    path: Path, mapping: ColumnMap, case_id: Callable[[str], str], size: int, state: BlockState
) -> Iterator[ColumnLog | None]:
    """A CSV file's rows, about `size` bytes at a time (None: its header is not CSV or
    lacks a mapped column, which the row reader says when it reads the whole log).
    A block the column readers refuse is tried again an eighth the size, down to
    `SMALLEST` bytes, and only that is read by the row reader; the blocks then double
    back to `size`, so one odd row costs the row reader's speed for a few hundred rows."""
    with path.open("rb") as handle:
        file = _File(path, handle, mapping, case_id, state)
        if not file.header():
            yield None
            return
        total = os.fstat(handle.fileno()).st_size
        if not file.names or file.offset >= total:
            return
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            yield from _mapped_blocks(file, mapped, total, size)
        finally:
            _unmapped(mapped)


def _unmapped(mapped: mmap.mmap) -> None:
    """Close `mapped`, or leave it to close when its last view goes. A view of a block
    can outlive the block in garbage that only the cycle collector frees, paused while
    the vector engine replays: a Numba compile, on a first run or after an upgrade,
    leaves its call's arguments in such garbage. So collect once and try again; if a
    view is still held, its mapping stays until that view is freed (its pages were
    already let go, as each block was read)."""
    try:
        mapped.close()
    except BufferError:
        gc.collect()
        with suppress(BufferError):
            mapped.close()


def _mapped_blocks(file: _File, mapped: mmap.mmap, total: int, size: int) -> Iterator[ColumnLog]:
    """`csv_blocks` over the file mapped in memory: each block scanned in the page
    cache, with no copy, and its pages let go once read (so the process holds one
    block of the file, not all it has read)."""
    wanted, released = size, 0
    while file.offset < total:
        end = min(total, file.offset + wanted)
        cut = end if end == total else mapped.rfind(b"\n", file.offset, end) + 1
        if cut == 0:  # no line break in a whole block
            yield from file.rows(end - file.offset)
            continue
        start = file.offset
        with memoryview(mapped) as view:
            block = file.columns(view[start:cut])
        if block is None and wanted > SMALLEST and cut - start > SMALLEST:
            wanted = max(SMALLEST, wanted // 8)
            continue
        if block is None:
            yield from file.rows(cut - start)
        else:
            yield block
            wanted = min(size, 2 * wanted)
        done = file.offset - file.offset % mmap.PAGESIZE
        if done > released:
            mapped.madvise(mmap.MADV_DONTNEED, released, done - released)
            released = done
