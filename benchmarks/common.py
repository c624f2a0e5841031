"""What the benchmark sections share: where the authorities are, the machine line, verdicts."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import assert_never

import z3

from stepcheck.checker.results import PropertyResult, Verdict

__all__ = ["AUTHORITIES", "best_of", "machine_line", "verdict_text"]

AUTHORITIES = Path(__file__).resolve().parent.parent / "spec" / "authorities"


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fewest seconds `work` took over `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def machine_line() -> str:
    """One line naming the machine, the interpreter and the solver version."""
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"z3 {z3.get_version_string()}"
    )


def verdict_text(result: PropertyResult) -> str:
    """The verdict with its strength and bound, short enough for a table cell."""
    match result.verdict:
        case Verdict.PROVED:
            strength = result.strength.value if result.strength is not None else "?"
            days = result.bound.working_days if result.bound is not None else None
            depth = result.bound.depth if result.bound is not None else None
            extra = f", ≤ {days} wd" if days is not None else ""
            extra += f", depth {depth}" if depth is not None else ""
            return f"proved ({strength}{extra})"
        case Verdict.VIOLATED:
            return "violated (holds under should)" if result.should_only else "violated"
        case Verdict.UNKNOWN:
            return "unknown"
        case _:
            assert_never(result.verdict)
