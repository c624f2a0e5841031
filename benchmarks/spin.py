"""Time SPIN beside stepcheck's checker on safety properties: the shipped authorities,
then the family benchmark (one case holding K = 1..6 children, `benchmarks/family.py`).

For each safety property (must reading, people comply): SPIN on the exported Promela
(generation, compilation of `pan.c`, the search, the states it stored) and
`verify_property` (stepcheck's whole decision, both readings where it needs them),
one run each, in one table with SPIN's total over stepcheck's. SPIN's total includes
shortening its trail, since stepcheck's traces are short too. A property SPIN does
not finish within the limits is timed to the limit, and says which one it hit.
"""

from __future__ import annotations

import shutil
import time

from benchmarks.common import AUTHORITIES, verdict_text
from benchmarks.family import generate_family_spec
from stepcheck.checker.promela import SAFETY_KINDS
from stepcheck.checker.spin import SpinLimits, SpinOutcome, SpinResult, check_with_spin
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec, load_spec_text

__all__ = ["run_spin"]


def run_spin(limits: SpinLimits) -> None:
    """Print one markdown row per safety property, then the totals."""
    print(
        f"### SPIN beside stepcheck: each shipped authority, each safety property "
        f"(must reading; one run each; gcc {limits.optimise}, pan -m{limits.depth:,}, "
        f"{limits.memory_mb:,} MB, {limits.seconds:.0f} s)"
    )
    print()
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        print("SPIN or gcc is not installed: skipped (scripts/system-deps.sh installs spin)")
        print()
        return
    print(
        "| authority | property | stepcheck | seconds | SPIN | states stored | "
        "generate s | compile s | run s | shorten s | SPIN total s | SPIN / stepcheck |"
    )
    print("|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = [0.0, 0.0]
    shipped = [load_spec(path) for path in sorted(AUTHORITIES.glob("*.yaml"))]
    families = [
        load_spec_text(generate_family_spec(children=k), f"family_{k}.yaml") for k in range(1, 7)
    ]
    for spec in [*shipped, *families]:
        for prop in spec.properties:
            if prop.kind not in SAFETY_KINDS:
                continue
            started = time.perf_counter()
            verdict = verify_property(spec, prop)
            ours = time.perf_counter() - started
            theirs = check_with_spin(spec, prop, limits=limits)
            spent = sum(theirs.seconds.values())
            totals[0] += ours
            totals[1] += spent
            seconds = theirs.seconds
            print(
                f"| {spec.authority.id} | {prop.id} | {verdict_text(verdict)} | {ours:.2f} | "
                f"{_answer(theirs)} | {_count(theirs.states)} | {seconds['generate']:.2f} | "
                f"{seconds['compile']:.2f} | {seconds['run']:.2f} | "
                f"{seconds.get('shorten', 0.0):.2f} | {spent:.2f} | "
                f"{spent / ours:.1f} |",
                flush=True,
            )
    print(
        f"| all | | | {totals[0]:.2f} | | | | | | {totals[1]:.2f} | {totals[1] / totals[0]:.1f} |"
    )
    print()


def _answer(result: SpinResult) -> str:
    match result.outcome:
        case SpinOutcome.VIOLATED:
            steps = len(result.trace.steps) if result.trace is not None else 0
            return f"violated ({steps:,}-step trail)"
        case SpinOutcome.NO_ERRORS:
            return "no errors" if result.complete else f"no errors (incomplete: {result.limit})"
        case SpinOutcome.DID_NOT_FINISH:
            return f"did not finish ({result.limit})"
    return result.outcome.value


def _count(states: int | None) -> str:
    return "—" if states is None else f"{states:,}"
