"""Time `stepcheck replay`'s core on simulated logs: events per second, read and replay.

For each shipped authority, `simulate` writes a clean canonical CSV log of `cases`
cases (seed 1; simulating is not timed), then the log is read (`read_logs`) and
replayed (`replay`) in-process, best of N; the table gives rows per second for
reading, replaying, and both. A replay that is not clean would be a bug, so it stops.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.spec.loader import load_spec

__all__ = ["run_replay"]


def run_replay(repeat: int, cases: int) -> None:
    """Print one markdown table: rows, and rows per second read, replayed, and both."""
    print(f"### replay (best of {repeat}; clean simulated logs of {cases:,} cases, seed 1)")
    print()
    print("| authority | rows | read rows/s | replay rows/s | end to end rows/s |")
    print("|---|---:|---:|---:|---:|")
    mapping = parse_mapping(["status=status,owner=owner"])
    with tempfile.TemporaryDirectory() as folder:
        for path in sorted(AUTHORITIES.glob("*.yaml")):
            spec = load_spec(path)
            log = Path(folder) / f"{path.stem}.csv"
            log.write_text(render_log(simulate(spec, cases=cases, seed=1)), encoding="utf-8")
            best_read = best_replay = float("inf")
            rows = 0
            for _ in range(repeat):
                started = time.perf_counter()
                read = read_logs([log], mapping)
                middle = time.perf_counter()
                report = replay(spec, read)
                ended = time.perf_counter()
                if not report.clean:
                    raise SystemExit(f"{path.stem}: a simulated clean log did not replay clean")
                rows = report.totals.rows
                best_read = min(best_read, middle - started)
                best_replay = min(best_replay, ended - middle)
            print(
                f"| {path.stem} | {rows:,} | {rows / best_read:,.0f} | {rows / best_replay:,.0f} "
                f"| {rows / (best_read + best_replay):,.0f} |",
                flush=True,
            )
    print()
