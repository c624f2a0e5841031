"""Where the vector engine's CPU time goes on a log already written, part by part.

Usage: python -m benchmarks.replay_vector_parts AUTHORITY LOG.csv

Reads the canonical CSV log with the column reader (`read_csv_columns`), replays it
with the vector engine, then writes the text and the JSON report, each timed in CPU
time of this process (`time.process_time`, which counts pyarrow's reading threads
too); pyarrow is warmed on a tiny log first. Prints one line of seconds and rows/s.
Uses only functions the vector engine has had since it was merged, so it measures a
before and an after on the same file.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_formats import render_json
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.oracle.replay_write import render_text
from stepcheck.spec.loader import load_spec

__all__ = ["main"]


def main(argv: list[str]) -> None:
    name, log = argv[0], Path(argv[1])
    spec = load_spec(AUTHORITIES / f"{name}.yaml")
    mapping = parse_mapping(["status=status,owner=owner"])
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.csv"
        tiny.write_text("case,time,event\nc,2026-01-05T09:00,x\n", encoding="utf-8")
        read_csv_columns([tiny], mapping)
    started = time.process_time()
    columns = read_csv_columns([log], mapping)
    read_at = time.process_time()
    if columns is None:
        raise SystemExit(f"{log}: the column reader left it to the rows")
    report = replay_vector(spec, columns)
    replayed_at = time.process_time()
    render_text(report)
    text_at = time.process_time()
    render_json(report)
    json_at = time.process_time()
    rows = columns.size
    print(
        f"{name} rows={rows:,} read={read_at - started:.2f} replay={replayed_at - read_at:.2f} "
        f"text={text_at - replayed_at:.2f} json={json_at - text_at:.2f} "
        f"read+replay+text={rows / (text_at - started):,.0f} rows/s "
        f"replay+text={rows / (text_at - read_at):,.0f} rows/s",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
