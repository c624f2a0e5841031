"""Time `stepcheck replay`'s core on simulated logs: events per second, read and replay.

For each shipped authority, `simulate` writes a clean canonical CSV log of `cases`
cases (seed 1; simulating is not timed), then the log is read (`read_logs`) and
replayed in-process by the compiled engine (`replay_compiled`, the default), by
the executor engine (`replay`) and, read again as columns (`read_csv_columns`), by
the vector engine (`replay_vector`), best of N; the table gives rows per second for
reading and for each engine in CPU time of this process (`time.process_time`, so
other jobs on the machine count less), and end to end (read + compiled, and column
read + vector, wall). A
replay that is not clean, or two engines that disagree, would be a bug, so it stops.
Beside them, in the same run (benchmarks/replay_peers.py): the same read log replayed
with `--engine dask` on a local cluster of `workers` processes, and PM4Py's
token-based replay of the same log, with stepcheck's single-process replay rate over
PM4Py's. Either column is left empty, with a note, when its package is missing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from benchmarks.replay_peers import dask_cluster, dask_seconds, pm4py_seconds, pm4py_status
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_formats import render_json
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.spec.loader import load_spec

__all__ = ["run_replay"]


def run_replay(repeat: int, cases: int, workers: int = 2) -> None:
    """Print one markdown table: rows, and rows per second read, replayed, and both;
    replayed on Dask; PM4Py's token replay, and stepcheck's rate over PM4Py's."""
    print(f"### replay (best of {repeat}; clean simulated logs of {cases:,} cases, seed 1)")
    print()
    missing = pm4py_status()
    with dask_cluster(workers) as scheduler, tempfile.TemporaryDirectory() as folder:
        if missing is not None:
            print(missing)
        print()
        print(
            "| authority | rows | read rows/s | executor CPU rows/s | compiled CPU rows/s "
            "| speed-up | vector CPU rows/s | end to end rows/s | vector end to end rows/s "
            f"| dask ({workers} workers) rows/s | PM4Py token replay events/s "
            "| stepcheck / PM4Py |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        _table(repeat, cases, Path(folder), scheduler, pm4py=missing is None)
    print()


def _table(repeat: int, cases: int, folder: Path, scheduler: str | None, *, pm4py: bool) -> None:
    """One row per shipped authority; Dask when `scheduler` is set, PM4Py when `pm4py`."""
    mapping = parse_mapping(["status=status,owner=owner"])
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        spec = load_spec(path)
        log = folder / f"{path.stem}.csv"
        log.write_text(render_log(simulate(spec, cases=cases, seed=1)), encoding="utf-8")
        best_read = best_replay = best_executor = best_wall = float("inf")
        best_vector = best_vector_wall = float("inf")
        rows = 0
        for _ in range(repeat):
            started = time.perf_counter()
            read = read_logs([log], mapping)
            middle = time.perf_counter()
            cpu = time.process_time()
            report = replay_compiled(spec, read)
            best_replay = min(best_replay, time.process_time() - cpu)
            best_wall = min(best_wall, time.perf_counter() - middle)
            cpu = time.process_time()
            reference = replay(spec, read)
            best_executor = min(best_executor, time.process_time() - cpu)
            if not report.clean:
                raise SystemExit(f"{path.stem}: a simulated clean log did not replay clean")
            if render_json(report) != render_json(reference):
                raise SystemExit(f"{path.stem}: the compiled and executor engines disagree")
            rows = report.totals.rows
            best_read = min(best_read, middle - started)
            started = time.perf_counter()
            columns = read_csv_columns([log], mapping)
            if columns is None:
                raise SystemExit(f"{path.stem}: a simulated log was left to the row reader")
            cpu = time.process_time()
            vector = replay_vector(spec, columns)
            best_vector = min(best_vector, time.process_time() - cpu)
            best_vector_wall = min(best_vector_wall, time.perf_counter() - started)
            if render_json(vector) != render_json(report):
                raise SystemExit(f"{path.stem}: the vector and compiled engines disagree")
        spread = "—"
        if scheduler is not None:
            spread = f"{rows / dask_seconds(spec, read, scheduler, repeat):,.0f}"
        peer = ratio = "—"
        if pm4py:
            events, seconds = pm4py_seconds(log, repeat)
            peer = f"{events / seconds:,.0f}"
            ratio = f"{(rows / best_replay) / (events / seconds):.2f}"
        print(
            f"| {path.stem} | {rows:,} | {rows / best_read:,.0f} | {rows / best_executor:,.0f} "
            f"| {rows / best_replay:,.0f} | {best_executor / best_replay:.1f}x "
            f"| {rows / best_vector:,.0f} | {rows / (best_read + best_wall):,.0f} "
            f"| {rows / best_vector_wall:,.0f} | {spread} | {peer} | {ratio} |",
            flush=True,
        )
