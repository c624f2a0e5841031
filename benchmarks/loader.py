"""Time loading the shipped authorities and the working-day calendar (best of N each)."""

from __future__ import annotations

from datetime import date, timedelta

from benchmarks.common import AUTHORITIES, best_of
from stepcheck.spec import workdays
from stepcheck.spec.loader import load_spec

__all__ = ["run_loader"]


def run_loader(repeat: int) -> None:
    """Print one markdown table: loading each authority, and calendar arithmetic."""
    rows: list[tuple[str, float]] = []
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        rows.append((f"load_spec {path.name}", best_of(repeat, lambda p=path: load_spec(p))))
    rows.append(("add_working_days x 10,000", best_of(repeat, _add_working_days_10k)))
    # The worst-case scans are cached after their first call: time that first call once.
    rows.append(("max_calendar_days_spanned n=1..30, first call", best_of(1, _worst_case_spans)))
    rows.append(("max_calendar_days_spanned n=1..30, cached", best_of(repeat, _worst_case_spans)))
    print(f"### loader and calendar (best of {repeat})")
    print()
    print("| benchmark | seconds |")
    print("|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.4f} |")
    print()


def _add_working_days_10k() -> None:
    start = date(2026, 1, 1)
    for offset in range(10_000):
        workdays.add_working_days(start + timedelta(days=offset % 3650), offset % 40)


def _worst_case_spans() -> None:
    for n in range(1, 31):
        workdays.max_calendar_days_spanned(n)
