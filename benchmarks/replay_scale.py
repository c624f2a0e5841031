"""`stepcheck replay` end to end on a log already written, beside PM4Py in the same run.

Usage: python -m benchmarks.replay_scale AUTHORITY LOG.csv|LOG.parquet [--engine E] [--repeat N]
[--pm4py]

Runs the command a user runs, `stepcheck replay spec/authorities/AUTHORITY.yaml LOG
--engine vector` (text report to /dev/null), as a child process, and reads its CPU
time (user + system) and peak resident memory from the kernel (`getrusage` of the
children), so the rate is per core whatever else the machine is doing. The same
command on the log's first row alone (in the log's format) gives the fixed cost
(Python, imports, the spec, Numba's cached code; the least of three runs), so two
rates are printed: end to end, and per row after the fixed cost. A Parquet log's
rows are counted from its metadata, a CSV log's by its newlines. The log is
replayed `--repeat` times (default 1) and the least CPU time kept: a shared machine
only ever adds time. With `--pm4py`, the same log in the same run two more ways,
each in CPU time of this process:
stepcheck's replay alone (`replay_vector` and the text report, from columns already
read), and PM4Py (`replay_peers.pm4py_parts`): reading the CSV into its event log,
then token-based replay on a net its inductive miner discovers (not timed). Two
ratios: end to end (stepcheck's command against PM4Py's read and replay) and replay
alone. Token replay checks only the order of activities (no times, deadlines, owners
or guards) and replays each distinct trace once. Prints one markdown row.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import pyarrow.parquet as pq

from benchmarks.common import AUTHORITIES
from benchmarks.replay_peers import pm4py_parts, pm4py_status
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_pages import ordinary_pages
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.oracle.replay_write import render_text
from stepcheck.spec.loader import load_spec

__all__ = ["HEADER", "main", "measured"]

HEADER = (
    "| authority | rows | engine | CPU s | rows/s per core | fixed CPU s "
    "| rows/s per core after the fixed cost | wall s | peak MB | replay alone rows/s "
    "| PM4Py read + replay events/s | PM4Py replay alone events/s "
    "| stepcheck / PM4Py, end to end | stepcheck / PM4Py, replay alone |\n"
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


_BYTECODE: Final = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The child's environment, bytecode written and read as an installed package has it (a
shell that forbids it would make every run compile every module again)."""


def measured(spec: Path, log: Path, engine: str) -> tuple[float, float, float]:
    """CPU seconds (user + system), wall seconds and peak resident MB of one replay."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stepcheck", "replay", str(spec), str(log), "--engine", engine],
        stdout=subprocess.DEVNULL,
        check=False,
        env=_BYTECODE,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{log}: stepcheck replay exited {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024


def _rows(log: Path) -> int:
    """The log's rows: a Parquet file's from its metadata, a CSV file's by its newlines."""
    if log.suffix == ".parquet":
        return pq.ParquetFile(log).metadata.num_rows
    lines = 0
    with log.open("rb") as handle:
        while chunk := handle.read(2**24):
            lines += chunk.count(b"\n")
    return lines - 1


def main(argv: list[str]) -> None:
    name, log = argv[0], Path(argv[1])
    engine = argv[argv.index("--engine") + 1] if "--engine" in argv else "vector"
    spec = AUTHORITIES / f"{name}.yaml"
    rows = _rows(log)
    with tempfile.TemporaryDirectory() as folder:
        first = _first_row(log, Path(folder))
        measured(spec, first, engine)  # Numba's cache and the page cache, warmed
        fixed = min(measured(spec, first, engine)[0] for _ in range(3))
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    cpu, wall, peak = min(measured(spec, log, engine) for _ in range(repeat))
    peers = "| — | — | — | — | — |"
    if "--pm4py" in argv:
        status = pm4py_status()
        if status is not None:
            print(status)
        else:
            alone = _replay_alone(spec, log)
            events, read, replayed = pm4py_parts(log)
            peers = (
                f"| {rows / alone:,.0f} | {events / (read + replayed):,.0f} "
                f"| {events / replayed:,.0f} | {(read + replayed) / cpu:.1f} "
                f"| {replayed / alone:.1f} |"
            )
    print(
        f"| {name} | {rows:,} | {engine} | {cpu:.1f} | {rows / cpu:,.0f} | {fixed:.1f} "
        f"| {rows / max(cpu - fixed, 1e-9):,.0f} | {wall:.1f} | {peak:,.0f} {peers}",
        flush=True,
    )


def _first_row(log: Path, folder: Path) -> Path:
    """The log's first row alone, in the log's own format (for the fixed cost)."""
    if log.suffix == ".parquet":
        first = folder / "first.parquet"
        with pq.ParquetFile(log) as found:
            pq.write_table(found.read_row_group(0).slice(0, 1), first)
        return first
    first = folder / "first.csv"
    with log.open("rb") as handle:
        first.write_bytes(handle.readline() + handle.readline())
    return first


def _replay_alone(spec: Path, log: Path) -> float:
    """CPU seconds of `replay_vector` and the text report on columns already read."""
    columns = read_csv_columns([log], parse_mapping(["status=status,owner=owner"]))
    if columns is None:
        raise SystemExit(f"{log}: not read as columns")
    loaded = load_spec(spec)
    started = time.process_time()
    with ordinary_pages():  # as the command runs it
        render_text(replay_vector(loaded, columns))
    return time.process_time() - started


if __name__ == "__main__":
    main(sys.argv[1:])
