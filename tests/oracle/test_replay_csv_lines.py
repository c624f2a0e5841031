"""`ByteLines` against the text file the row reader reads a CSV log through."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from stepcheck.oracle.replay_csv_lines import ByteLines

_PIECES = (
    b"a",
    b"7",
    b",",
    b'"',
    b"\r",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xe2\x82",
    b"\xff",
    "é".encode(),
    b"\x00",
    b" ",
)
_BYTES = st.lists(st.sampled_from(_PIECES), max_size=60).map(b"".join)


def _text_lines(data: bytes, *, first: bool) -> list[str]:
    encoding = "utf-8-sig" if first else "utf-8"
    return list(
        io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="surrogateescape", newline="")
    )


@given(_BYTES, st.booleans(), st.integers(1, 9))
def test_the_lines_are_the_text_files_and_their_bytes_are_counted(
    data: bytes, first: bool, chunk: int
) -> None:
    lines = ByteLines(io.BytesIO(data), first=first, chunk=chunk)
    found, ends = [], []
    for line in lines:
        found.append(line)
        ends.append(lines.consumed)
    assert found == _text_lines(data, first=first)
    assert lines.consumed == len(data)
    sizes = [len(line.encode("utf-8", "surrogateescape")) for line in found]
    if found and first and data.startswith(b"\xef\xbb\xbf"):
        sizes[0] += 3
    assert ends == [sum(sizes[: i + 1]) for i in range(len(sizes))]


@given(_BYTES, st.integers(1, 9))
def test_after_each_record_the_count_is_where_the_next_record_starts(
    data: bytes, chunk: int
) -> None:
    """Reading on from `consumed` with a new reader gives the records that are left."""
    try:
        whole = list(
            csv.reader(
                io.TextIOWrapper(
                    io.BytesIO(data), encoding="utf-8-sig", errors="surrogateescape", newline=""
                )
            )
        )
    except csv.Error:
        return  # a NUL: the row reader makes such a line malformed, tested elsewhere
    lines = ByteLines(io.BytesIO(data), first=True, chunk=chunk)
    reader = csv.reader(lines)
    for index in range(len(whole)):
        assert next(reader) == whole[index]
        rest = data[lines.consumed :]
        again = list(
            csv.reader(
                io.TextIOWrapper(
                    io.BytesIO(rest), encoding="utf-8", errors="surrogateescape", newline=""
                )
            )
        )
        assert again == whole[index + 1 :]
