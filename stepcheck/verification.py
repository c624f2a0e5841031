"""The `verify` command's work: run the checker, showing progress on a terminal, and date
every counterexample on the real calendar."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date

from attrs import evolve

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Report
from stepcheck.checker.verify import verify
from stepcheck.dating import date_counterexamples
from stepcheck.spec.model import Property, ProtocolSpec

__all__ = ["run_verify", "without_timings"]


def run_verify(
    specs: Sequence[ProtocolSpec],
    *,
    properties: Sequence[str],
    limits: Limits,
    progress: bool,
    start: date,
) -> Report:
    """Verify `specs`; with `progress`, name each property on stderr as it starts.

    Every counterexample is then replayed by the oracle's executor and dated on the
    real calendar from `start` on (`dating.py`); one it cannot replay becomes `unknown`.
    """
    total = sum(
        1 for spec in specs for prop in spec.properties if not properties or prop.id in properties
    )
    done = 0

    def show(spec: ProtocolSpec, prop: Property) -> None:
        nonlocal done
        done += 1
        sys.stderr.write(f"\r\x1b[K[{done}/{total}] {spec.authority.id}: {prop.id}")
        sys.stderr.flush()

    report = verify(
        specs, properties=properties, limits=limits, progress=show if progress else None
    )
    if progress and total:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    return date_counterexamples(report, specs, start)


def without_timings(report: Report) -> Report:
    """The same report with every `seconds` set to 0, so that output is reproducible."""
    return evolve(report, results=tuple(evolve(result, seconds=0.0) for result in report.results))
