"""A CSV file's text lines read from its bytes, counting the bytes they took.

The row reader (`replay_read`) reads a CSV log through
`open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")`, which gives
lines ending at `\\n`, `\\r\\n` or a lone `\\r`, with their endings kept, so that
Python's `csv` module sees quoted line breaks as they are. `ByteLines` gives the very
same lines from a binary file, from wherever its position is, and counts the bytes
they took (`consumed`): after the `csv` reader returns a record, every line it
pulled is a line of that record, so `consumed` is where the next record begins.
That is what lets a long log be read in blocks (`replay_stream_csv`) by the fast
readers where they are sure and by the row reader where they are not, and go back
to the fast readers at a record's end, not at a line's (a quoted field may hold line
breaks). `tests/oracle/test_replay_csv_lines.py` compares it with the text reader on
random bytes.

Each line is decoded alone: a line ends at an ASCII byte, never inside a UTF-8
sequence, so a byte that is not UTF-8 becomes the same escape either way. A
byte-order mark is dropped only at the start of the file (`first`), as `utf-8-sig`
does.
"""

from __future__ import annotations

from typing import BinaryIO, Final

__all__ = ["ByteLines"]

_BOM: Final = b"\xef\xbb\xbf"
_CHUNK: Final = 1 << 20
"""Bytes read from the file at a time."""


class ByteLines:
    """The text lines of `handle` from its position, as the row reader's text file
    gives them; `consumed` counts the bytes of the lines given so far."""

    def __init__(self, handle: BinaryIO, *, first: bool, chunk: int = _CHUNK) -> None:
        self.handle, self.chunk = handle, chunk
        self.first = first
        """The position is the start of the file (a byte-order mark is dropped there)."""
        self.consumed = 0
        self._buffer = b""
        self._at = 0
        self._return = -1
        """Where the next carriage return is, at or after `_at` (-1: none in the buffer)."""
        self._ended = False

    def __iter__(self) -> ByteLines:
        return self

    def __next__(self) -> str:
        while True:
            end = self._end()
            if end == 0 and self._ended and self._at < len(self._buffer):
                end = len(self._buffer)  # the last line, with no line break
            if end > 0:
                line = self._line(end)
                if line:  # empty only when a file holds a byte-order mark and nothing else
                    return line
            elif self._ended:
                raise StopIteration
            else:
                self._fill()

    def _end(self) -> int:
        """Where the line at `_at` ends in the buffer, or 0 when it may go on past it."""
        buffer, at = self._buffer, self._at
        if 0 <= self._return < at:
            self._return = buffer.find(b"\r", at)
        newline = buffer.find(b"\n", at, self._return if self._return >= 0 else len(buffer))
        if newline >= 0:
            return newline + 1
        if self._return < 0:
            return 0
        if self._return + 1 < len(buffer):
            return self._return + (2 if buffer[self._return + 1] == 10 else 1)
        return self._return + 1 if self._ended else 0  # a \n may follow in the next read

    def _fill(self) -> None:
        """More of the file after what is left of the buffer."""
        more = self.handle.read(self.chunk)
        if not more:
            self._ended = True
        self._buffer = self._buffer[self._at :] + more
        self._at = 0
        self._return = self._buffer.find(b"\r")

    def _line(self, end: int) -> str:
        raw = self._buffer[self._at : end]
        self.consumed += end - self._at
        self._at = end
        if self.first:
            self.first = False
            raw = raw.removeprefix(_BOM)
        return raw.decode("utf-8", "surrogateescape")
