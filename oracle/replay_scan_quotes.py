"""Quoted fields and CRLF line ends made plain, so the byte scan reads such logs too.

Many exports quote every field (`"C001","2026-01-05T09:23:00","refer"`) or end lines
with CRLF. The byte scan (`replay_scan`) refuses any quote or carriage return, so such
a log would be read by the row reader, some forty times slower. `unquoted` copies a
block without them when that changes nothing the row reader would read: every quote
opens a field (at a line's start or after a comma) and closes it just before a comma,
a line break or the end, with no quote, comma, carriage return or line break between
(so no doubled quote and no separator inside), and every carriage return comes just
before a line break (or ends a quoted field that one follows). Python's `csv` reader
gives such a field's text without its quotes and ends a record at CRLF as at LF, so
the copy has the same records, fields and lines. Anything else about quotes or
carriage returns answers None, and the block goes to the row reader as before.
`tests/oracle/test_replay_scan_quotes.py` compares the copy's records with `csv`'s
reading of the original.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_scan_bytes import QUOTES, RETURNS, zero_bytes

__all__ = ["unquoted"]

_QUOTE: Final = 34
_COMMA: Final = 44
_NEWLINE: Final = 10
_RETURN: Final = 13


@numba.njit(cache=True, nogil=True)
def _unquoted(data: npt.NDArray[np.uint8], out: npt.NDArray[np.uint8]) -> int:
    """Copy `data` into `out` without its quotes and the carriage returns of its CRLFs;
    the bytes copied, or -1 when a quote or carriage return is anything else."""
    size = data.size
    copied = 0
    at = 0
    start = True  # at a field's start
    line = True  # at a line's start
    while at < size:
        byte = data[at]
        if byte == _QUOTE:
            if not start:
                return -1  # a quote inside an unquoted field
            before = copied
            at += 1
            while at < size and data[at] != _QUOTE:
                inner = data[at]
                if inner in (_COMMA, _NEWLINE, _RETURN):
                    return -1  # a separator inside: left to the row reader
                out[copied] = inner
                copied += 1
                at += 1
            if at == size:
                return -1  # never closed
            at += 1  # past the closing quote
            if at < size and data[at] == _RETURN:
                at += 1
                if at == size or data[at] != _NEWLINE:
                    return -1
            if at < size and data[at] not in (_COMMA, _NEWLINE):
                return -1  # a doubled quote, or text after the closing one
            if line and copied == before and (at == size or data[at] == _NEWLINE):
                return -1  # a line of one empty field would become a blank line
            start = line = False
            continue
        if byte == _RETURN:
            if at + 1 == size or data[at + 1] != _NEWLINE:
                return -1  # a carriage return that does not end a line
            at += 1
            continue
        out[copied] = byte
        copied += 1
        line = byte == _NEWLINE
        start = line or byte == _COMMA
        at += 1
    return copied


@numba.njit(cache=True, nogil=True)
def _any_quote_or_return(data: npt.NDArray[np.uint8]) -> bool:
    """Whether `data` holds a quote or a carriage return: eight bytes at a time, so a
    block the scan refused for another reason costs a glance, not a copy."""
    whole = data.size - data.size % 8
    found = np.uint64(0)
    words = data[:whole].view(np.uint64)
    for at in range(words.size):
        word = words[at]
        found |= zero_bytes(word ^ QUOTES) | zero_bytes(word ^ RETURNS)
    for at in range(whole, data.size):
        if data[at] in (_QUOTE, _RETURN):
            return True
    return found != 0


def unquoted(data: bytes | memoryview | npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8] | None:
    """The block with its fields quoted whole unquoted and its CRLFs made LF, when
    that reads the same (module docstring); None otherwise, or when it has neither."""
    array = np.frombuffer(data, np.uint8)
    if not _any_quote_or_return(array):
        return None
    out = np.empty(array.size, np.uint8)
    copied = _unquoted(array, out)
    if copied < 0 or copied == array.size:
        return None
    return out[:copied]
