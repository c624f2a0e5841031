"""`stepcheck replay` end to end on a log already written, beside PM4Py in the same run.

Usage: python -m benchmarks.replay_scale AUTHORITY LOG.csv [--engine E] [--pm4py]

Runs the command a user runs, `stepcheck replay spec/authorities/AUTHORITY.yaml LOG
--engine vector` (text report to /dev/null), as a child process, and reads its CPU
time (user + system) and peak resident memory from the kernel (`getrusage` of the
children), so the rate is per core whatever else the machine is doing. The same
command on the log's first row alone gives the fixed cost (Python, imports, the spec,
Numba's cached code), so two rates are printed: end to end, and per row after the
fixed cost. With `--pm4py`, PM4Py's token-based replay of the same log in the same run
(`replay_peers.pm4py_seconds`: a net its inductive miner discovers, replay timed from
the event log in memory). Prints one markdown row.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from benchmarks.replay_peers import pm4py_seconds, pm4py_status

__all__ = ["HEADER", "main", "measured"]

HEADER = (
    "| authority | rows | engine | CPU s | rows/s per core | fixed CPU s "
    "| rows/s per core after the fixed cost | wall s | peak MB | PM4Py events/s "
    "| stepcheck / PM4Py |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def measured(spec: Path, log: Path, engine: str) -> tuple[float, float, float]:
    """CPU seconds (user + system), wall seconds and peak resident MB of one replay."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stepcheck", "replay", str(spec), str(log), "--engine", engine],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{log}: stepcheck replay exited {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024


def _rows(log: Path) -> int:
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
        first = Path(folder) / "first.csv"
        with log.open("rb") as handle:
            first.write_bytes(handle.readline() + handle.readline())
        measured(spec, first, engine)  # Numba's cache and the page cache, warmed
        fixed, _wall, _peak = measured(spec, first, engine)
    cpu, wall, peak = measured(spec, log, engine)
    peer = ratio = "—"
    if "--pm4py" in argv:
        status = pm4py_status()
        if status is None:
            events, seconds = pm4py_seconds(log, 1)
            peer = f"{events / seconds:,.0f}"
            ratio = f"{(rows / cpu) / (events / seconds):.1f}"
        else:
            print(status)
    print(
        f"| {name} | {rows:,} | {engine} | {cpu:.1f} | {rows / cpu:,.0f} | {fixed:.1f} "
        f"| {rows / max(cpu - fixed, 1e-9):,.0f} | {wall:.1f} | {peak:,.0f} | {peer} | {ratio} |",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
