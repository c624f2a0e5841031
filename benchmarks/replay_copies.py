"""Compiled against executor replay on a longer log: one simulated log copied under new ids.

Usage: python -m benchmarks.replay_copies AUTHORITY CASES COPIES

Simulating is the executor's own speed, so a long log is made by simulating `CASES`
clean cases of a shipped authority (seed 1) and writing them `COPIES` times, each copy
with its case ids suffixed (`-0`, `-1`, ...). The log is read once, then replayed by
the compiled engine and by the executor engine, each timed in CPU time of this process
(`time.process_time`); the two JSON reports must be equal and clean. Prints one
markdown row: authority, rows, executor rows/s, compiled rows/s, speed-up.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_formats import render_json
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.spec.loader import load_spec

__all__ = ["copied_log", "main"]


def copied_log(text: str, copies: int) -> str:
    """A canonical CSV log (`case` first) repeated `copies` times under new case ids."""
    header, *lines = text.splitlines()
    rows = [
        f"{case}-{copy},{rest}"
        for copy in range(copies)
        for case, _, rest in (line.partition(",") for line in lines)
    ]
    return "\n".join([header, *rows]) + "\n"


def main(argv: list[str]) -> None:
    name, cases, copies = argv[0], int(argv[1]), int(argv[2])
    spec = load_spec(AUTHORITIES / f"{name}.yaml")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / f"{name}.csv"
        log.write_text(
            copied_log(render_log(simulate(spec, cases=cases, seed=1)), copies), encoding="utf-8"
        )
        read = read_logs([log], parse_mapping(["status=status,owner=owner"]))
    started = time.process_time()
    compiled = replay_compiled(spec, read)
    compiled_seconds = time.process_time() - started
    started = time.process_time()
    reference = replay(spec, read)
    executor_seconds = time.process_time() - started
    if not compiled.clean or render_json(compiled) != render_json(reference):
        raise SystemExit(f"{name}: the engines disagree or the log is not clean")
    rows = compiled.totals.rows
    print(
        f"| {name} | {rows:,} | {rows / executor_seconds:,.0f} | {rows / compiled_seconds:,.0f} "
        f"| {executor_seconds / compiled_seconds:.1f}x |",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
