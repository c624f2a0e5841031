"""Time the checker on every property of every shipped authority, and whole runs.

Each property is decided once (not best of N) with the default limits of `stepcheck
verify`, in one process, each in fresh Z3 contexts; the table gives its seconds and
Z3's resource count, which is the same on every machine and under any load, so it
shows what a change costs even on a busy machine. Then, in one run, the commands as a
user runs them: `stepcheck validate` and `stepcheck verify` on all the authorities
(cold, without the cache, and warm), and the ratio the design targets (verify at most
5x validate).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from benchmarks.common import AUTHORITIES, best_of, verdict_text
from stepcheck.checker.engines import Limits
from stepcheck.checker.results import PropertyResult, Verdict
from stepcheck.checker.verify import Models, decide_property, dress
from stepcheck.spec.loader import load_spec
from stepcheck.spec.timing import timing

__all__ = ["run_checker", "run_commands"]


def run_checker(limits: Limits) -> None:
    """Print a table of per-property times, then a table of per-authority totals."""
    print(
        f"### checker: each shipped authority, each property (one run each; "
        f"rlimit {limits.rlimit:,} per solver call and {limits.total_rlimit:,} per "
        f"property, depth {limits.max_depth}, no wall-clock limit)"
    )
    print()
    print("| authority | property | kind | verdict | Z3 resources | seconds |")
    print("|---|---|---|---|---:|---:|")
    totals: list[tuple[str, list[tuple[PropertyResult, float]]]] = []
    unknowns: list[str] = []
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        spec = load_spec(path)
        timed: list[tuple[PropertyResult, float]] = []
        times, models = timing(spec), Models(spec)
        for prop in spec.properties:
            started = time.perf_counter()
            decision = decide_property(spec, prop, limits=limits, times=times, models=models)
            seconds = time.perf_counter() - started
            result = dress(spec, prop, decision, times=times, seconds=seconds)
            timed.append((result, seconds))
            print(
                f"| {spec.authority.id} | {prop.id} | {prop.kind.value} | "
                f"{verdict_text(result)} | {decision.resources:,} | {seconds:.2f} |",
                flush=True,
            )
            if result.verdict is Verdict.UNKNOWN:
                unknowns.append(f"{spec.authority.id} {prop.id}: {result.reason}")
        totals.append((spec.authority.id, timed))
    print()
    _print_totals(totals)
    if unknowns:
        print("unknown verdicts:")
        for line in unknowns:
            print(f"- {line}")
        print()


def _print_totals(totals: list[tuple[str, list[tuple[PropertyResult, float]]]]) -> None:
    print("| authority | properties | proved | violated | unknown | slowest | total seconds |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for authority, timed in totals:
        count = dict.fromkeys(Verdict, 0)
        for result, _ in timed:
            count[result.verdict] += 1
        slowest, slowest_seconds = max(timed, key=lambda pair: pair[1])
        total = sum(seconds for _, seconds in timed)
        print(
            f"| {authority} | {len(timed)} | {count[Verdict.PROVED]} | "
            f"{count[Verdict.VIOLATED]} | {count[Verdict.UNKNOWN]} | "
            f"{slowest.property} ({slowest_seconds:.1f} s) | {total:.2f} |"
        )
    print()


def run_commands(repeat: int) -> None:
    """`validate` and `verify` on the shipped authorities as processes, in one run."""
    print("### commands: validate and verify on spec/authorities, in one run")
    print()
    folder = str(AUTHORITIES)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "STEPCHECK_CACHE_DIR": cache}
        validate = best_of(repeat, lambda: _command(["validate", folder], env))
        cold = _command(["verify", "--no-cache", "--format", "json", folder], env)
        _command(["verify", "--format", "json", folder], env)
        warm = best_of(repeat, lambda: _command(["verify", "--format", "json", folder], env))
        one_job = _command(["verify", "--no-cache", "-j", "1", "--format", "json", folder], env)
    print("| command | seconds | ratio to validate |")
    print("|---|---:|---:|")
    for name, seconds in (
        (f"stepcheck validate spec/authorities (best of {repeat})", validate),
        ("stepcheck verify spec/authorities --no-cache (cold, default jobs)", cold),
        ("stepcheck verify spec/authorities --no-cache -j 1 (cold, one process)", one_job),
        (f"stepcheck verify spec/authorities (warm cache, best of {repeat})", warm),
    ):
        print(f"| `{name}` | {seconds:.2f} | {seconds / validate:.1f} |")
    print()


def _command(arguments: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "stepcheck", *arguments],
        env=env,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started
