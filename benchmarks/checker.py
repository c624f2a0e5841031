"""Time the checker on every property of every shipped authority (one run each).

A property takes seconds to a minute or more, so each is decided once, not best of N,
with the checker's default limits (those of `stepcheck verify`). Rows are printed as each
property finishes, then a total per authority.
"""

from __future__ import annotations

import time

from benchmarks.common import AUTHORITIES, verdict_text
from stepcheck.checker.engines import Limits
from stepcheck.checker.results import PropertyResult, Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec

__all__ = ["run_checker"]


def run_checker(limits: Limits) -> None:
    """Print a table of per-property times, then a table of per-authority totals."""
    print(
        f"### checker: each shipped authority, each property (one run each; "
        f"timeout {limits.timeout_ms} ms and rlimit {limits.rlimit:,} per solver call, "
        f"BMC depth {limits.max_depth})"
    )
    print()
    print("| authority | property | kind | verdict | seconds |")
    print("|---|---|---|---|---:|")
    totals: list[tuple[str, list[tuple[PropertyResult, float]]]] = []
    unknowns: list[str] = []
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        spec = load_spec(path)
        timed: list[tuple[PropertyResult, float]] = []
        for prop in spec.properties:
            started = time.perf_counter()
            result = verify_property(spec, prop, limits=limits)
            seconds = time.perf_counter() - started
            timed.append((result, seconds))
            print(
                f"| {spec.authority.id} | {prop.id} | {prop.kind.value} | "
                f"{verdict_text(result)} | {seconds:.2f} |",
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
