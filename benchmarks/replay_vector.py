"""Compiled against vector replay on a long log: one simulated log copied under new ids.

Usage: python -m benchmarks.replay_vector AUTHORITY CASES COPIES [--pm4py | --parts]

A long log is made as in `replay_copies`: `CASES` clean simulated cases of a shipped
authority (seed 1), written `COPIES` times with their case ids suffixed. Copies repeat
the same states at the same moments, so after the first copy both engines find their
table filled: the rates are those of a warm table (a log of distinct cases pays the
executor for each new entry, in both engines alike). Timed in CPU time of this process
(`time.process_time`, which counts pyarrow's reading threads too): the row reader
(`read_logs`) and the compiled engine, then the column reader (`read_csv_columns`)
and the vector engine; the two JSON reports must be equal and clean. With `--pm4py`,
PM4Py's token-based replay of the same log in the same run (`replay_peers`). Prints
one markdown row. With `--parts`, instead, where the vector engine's CPU time goes
(sorting out, lockstep, reports), the log played twice on one table: cold, then warm.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import AUTHORITIES
from benchmarks.replay_copies import copied_log
from benchmarks.replay_peers import pm4py_seconds
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_compiled import CompiledSpec, replay_compiled
from stepcheck.oracle.replay_engine import rule_index
from stepcheck.oracle.replay_formats import render_json
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.oracle.replay_vector import Lockstep
from stepcheck.oracle.replay_vector_report import _played, replay_vector
from stepcheck.oracle.replay_vector_sort import sort_columns
from stepcheck.oracle.replay_vector_table import VectorTable
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

__all__ = ["HEADER", "main", "vector_parts", "vector_row"]

HEADER = (
    "| authority | rows | row reader rows/s | compiled CPU rows/s | column reader rows/s "
    "| vector CPU rows/s | vector / compiled | read + vector rows/s "
    "| PM4Py token replay events/s | vector / PM4Py |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def vector_row(name: str, cases: int, copies: int, *, pm4py: bool) -> str:
    """One markdown row of the table for `name`'s copied log."""
    spec = load_spec(AUTHORITIES / f"{name}.yaml")
    mapping = parse_mapping(["status=status,owner=owner"])
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / f"{name}.csv"
        text = copied_log(render_log(simulate(spec, cases=cases, seed=1)), copies)
        log.write_text(text, encoding="utf-8")
        started = time.process_time()
        read = read_logs([log], mapping)
        read_seconds = time.process_time() - started
        started = time.process_time()
        compiled = replay_compiled(spec, read)
        compiled_seconds = time.process_time() - started
        del read
        started = time.process_time()
        columns = read_csv_columns([log], mapping)
        columns_seconds = time.process_time() - started
        if columns is None:
            raise SystemExit(f"{name}: the column reader left a simulated log to the rows")
        started = time.process_time()
        vector = replay_vector(spec, columns)
        vector_seconds = time.process_time() - started
        if not vector.clean or render_json(vector) != render_json(compiled):
            raise SystemExit(f"{name}: the engines disagree or the log is not clean")
        peer = ratio = "—"
        rows = vector.totals.rows
        if pm4py:
            events, seconds = pm4py_seconds(log, 1)
            peer = f"{events / seconds:,.0f}"
            ratio = f"{(rows / vector_seconds) / (events / seconds):.1f}"
    return (
        f"| {name} | {rows:,} | {rows / read_seconds:,.0f} | {rows / compiled_seconds:,.0f} "
        f"| {rows / columns_seconds:,.0f} | {rows / vector_seconds:,.0f} "
        f"| {compiled_seconds / vector_seconds:.1f}x "
        f"| {rows / (columns_seconds + vector_seconds):,.0f} | {peer} | {ratio} |"
    )


def vector_parts(name: str, cases: int, copies: int) -> str:
    """Where the vector engine's CPU time goes on `name`'s copied log, played twice on
    one table (cold, then warm): sorting out, the lockstep, the reports."""
    spec = load_spec(AUTHORITIES / f"{name}.yaml")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / f"{name}.csv"
        text = copied_log(render_log(simulate(spec, cases=cases, seed=1)), copies)
        log.write_text(text, encoding="utf-8")
        columns = read_csv_columns([log], parse_mapping(["status=status,owner=owner"]))
    assert columns is not None, "a simulated log is plain CSV"
    table = VectorTable(CompiledSpec(rule_index(spec, Reading.SHOULD)))
    lines = []
    for run in ("cold", "warm"):
        gc.disable()  # as replay_vector does while it plays
        started = time.process_time()
        cases_sorted = sort_columns(table.compiled.rules, columns, None)
        sorted_at = time.process_time()
        lockstep = Lockstep(table, columns, cases_sorted)
        lockstep.run()
        stepped_at = time.process_time()
        played, _clean = _played(lockstep, cases_sorted.end)
        done_at = time.process_time()
        gc.enable()
        if played.findings:
            raise SystemExit(f"{name}: a simulated clean log has findings")
        rows = columns.size
        lines.append(
            f"| {name} | {run} | {rows:,} | {sorted_at - started:.2f} "
            f"| {stepped_at - sorted_at:.2f} ({rows / (stepped_at - sorted_at):,.0f} rows/s) "
            f"| {done_at - stepped_at:.2f} | {rows / (done_at - started):,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    name, cases, copies = argv[0], int(argv[1]), int(argv[2])
    if "--parts" in argv[3:]:
        print(vector_parts(name, cases, copies), flush=True)
        return
    print(vector_row(name, cases, copies, pm4py="--pm4py" in argv[3:]), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
