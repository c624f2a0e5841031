"""`unquoted` against Python's `csv` reader, which the row reader reads CSV logs with."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_scan_quotes import unquoted

_PIECES = (b"a", b"7", b" ", b",", b'"', b'""', b"\n", b"\r", b"\r\n", "é".encode(), b"\x00")


def _records(data: bytes) -> list[list[str]] | str:
    """The records and their first lines, as the row reader reads them (or its error)."""
    text = io.TextIOWrapper(
        io.BytesIO(data), encoding="utf-8", errors="surrogateescape", newline=""
    )
    reader = csv.reader(text)
    found: list[list[str]] = []
    while True:
        line = reader.line_num + 1
        try:
            found.append([str(line), *next(reader)])
        except StopIteration:
            return found
        except csv.Error as error:
            return str(error)


@settings(deadline=None)  # the first call compiles
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join))
def test_the_copy_reads_as_the_original_does(data: bytes) -> None:
    copy = unquoted(data)
    if copy is None:
        return
    assert b'"' in data or b"\r" in data
    assert b'"' not in copy.tobytes()
    assert b"\r" not in copy.tobytes()
    assert _records(copy.tobytes()) == _records(data)


@settings(deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="ab 7é-:", max_size=5), min_size=1, max_size=4),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
    st.booleans(),
)
def test_fields_quoted_whole_are_always_taken(rows, crlf, last_break) -> None:
    """What an export writes when it quotes every field is always made plain, unless a
    line would become blank (a row of one empty field)."""
    end = "\r\n" if crlf else "\n"
    text = end.join(",".join(f'"{field}"' for field in row) for row in rows)
    data = (text + (end if last_break else "")).encode()
    copy = unquoted(data)
    if any(row == [""] for row in rows):
        assert copy is None
        return
    assert copy is not None
    plain = "\n".join(",".join(row) for row in rows) + ("\n" if last_break else "")
    assert copy.tobytes() == plain.encode()


def test_what_is_not_quoting_whole_fields_is_refused() -> None:
    for data in (
        b'a"b,c\n',
        b'"a""b",c\n',
        b'"a,b",c\n',
        b'"a\nb",c\n',
        b'"a"b,c\n',
        b"a\rb\n",
        b'"a',
    ):
        assert unquoted(data) is None
    assert unquoted(b"a,b\n") is None  # nothing to do
