"""Odd copies of a canonical CSV log, to measure what unusual rows cost the replay.

Usage: python -m benchmarks.replay_odd LOG.csv OUT.csv export|odd [COUNT]

`export` writes the log as many exports do: every field quoted, CRLF line ends (read
by the byte scan after `replay_scan_quotes` drops the quotes). `odd` spreads COUNT
odd lines (default 15) evenly over the log: two in three get a time no reader takes
(`31/02/2026`, a malformed row), the others every field quoted (the column readers
take the block; the scan refuses it as it is). The copy is made a line at a time, so
a 10-million-row log costs no memory; the same input gives the same bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["export_lines", "main", "odd_lines"]


def export_lines(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Every line's fields quoted, its line end CRLF."""
    for line in lines:
        fields = line.rstrip(b"\n").split(b",")
        yield b",".join(b'"' + field + b'"' for field in fields) + b"\r\n"


def odd_lines(lines: Iterator[bytes], total: int, count: int) -> Iterator[bytes]:
    """The header, then the data lines with `count` of them made odd, evenly spread
    over `total` data lines."""
    yield next(lines)
    every = max(1, total // (count + 1))
    made = 0
    for number, line in enumerate(lines, start=1):
        if number % every or made == count:
            yield line
            continue
        made += 1
        fields = line.rstrip(b"\n").split(b",")
        if made % 3:
            fields[1] = b"31/02/2026"
            yield b",".join(fields) + b"\n"
        else:
            yield b",".join(b'"' + field + b'"' for field in fields) + b"\n"


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    yield from handle


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4) or argv[2] not in ("export", "odd"):
        print(__doc__, file=sys.stderr)
        return 2
    source, target, kind = Path(argv[0]), Path(argv[1]), argv[2]
    count = int(argv[3]) if len(argv) == 4 else 15
    with source.open("rb") as handle:
        total = sum(1 for _ in handle) - 1
    with source.open("rb") as handle, target.open("wb") as out:
        lines = _lines(handle)
        made = export_lines(lines) if kind == "export" else odd_lines(lines, total, count)
        for line in made:
            out.write(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
