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
def _unquoted(  # noqa: PLR0912 - one loop, written out
    data: npt.NDArray[np.uint8], out: npt.NDArray[np.uint8]
) -> int:
    """Copy `data` into `out` without its quotes and the carriage returns of its CRLFs;
    the bytes copied, or -1 when a quote or carriage return is anything else. The
    stretches between them are looked through eight bytes at a time where aligned."""
    size = data.size
    words = data[: size - size % 8].view(np.uint64)
    copied = 0
    at = 0
    while True:
        plain = at  # the next quote or carriage return, a word at a time where aligned
        while plain < size:
            if plain % 8 == 0 and plain + 8 <= size:
                word = words[plain // 8]
                if not (zero_bytes(word ^ QUOTES) | zero_bytes(word ^ RETURNS)):
                    plain += 8
                    continue
            if data[plain] == _QUOTE or data[plain] == _RETURN:
                break
            plain += 1
        for position in range(at, plain):  # a loop: a slice is an array made and counted
            out[copied] = data[position]
            copied += 1
        at = plain
        if at == size:
            return copied
        if data[at] == _RETURN:  # only as the first byte of a CRLF
            if at + 1 == size or data[at + 1] != _NEWLINE:
                return -1
            at += 1
            continue
        if at > 0 and data[at - 1] != _COMMA and data[at - 1] != _NEWLINE:
            return -1  # a quote inside an unquoted field
        close = at + 1  # the closing quote, with no separator before it
        while close < size and data[close] != _QUOTE:
            if data[close] == _COMMA or data[close] == _NEWLINE or data[close] == _RETURN:
                return -1  # a separator inside: left to the row reader
            out[copied + close - at - 1] = data[close]
            close += 1
        if close == size:
            return -1  # never closed
        after = close + 1
        alone = at == 0 or data[at - 1] == _NEWLINE
        alone = alone and (after == size or data[after] == _NEWLINE or data[after] == _RETURN)
        if close == at + 1 and alone:
            return -1  # a line of one empty field would become a blank line
        copied += close - at - 1
        at = after
        if at < size and data[at] == _RETURN:
            if at + 1 == size or data[at + 1] != _NEWLINE:
                return -1
            at += 1
        if at < size and data[at] != _COMMA and data[at] != _NEWLINE:
            return -1  # a doubled quote, or text after the closing one


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
    return bool(found != 0)


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
