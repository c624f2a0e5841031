"""What every writer says about the run itself: specs that could not be checked, and
the comparison with a baseline of accepted problems.

A CI job reads these first: a broken spec must be reported in every format, not only
on stderr, and a gate against a baseline must say which problems are new and which
accepted ones have gone.
"""

from __future__ import annotations

from collections.abc import Mapping

from stepcheck.checker.baseline import entries
from stepcheck.checker.results import BaselineEntry, BaselineState, Report
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import ProtocolSpec

__all__ = [
    "baseline_counts",
    "baseline_lines",
    "input_lines",
    "new_problems",
    "state_of",
]


def input_lines(report: Report, indent: str = "  ") -> list[str]:
    """The specs that could not be loaded, each diagnostic as `file:line:col: code: message`
    with its hint; empty when every spec loaded."""
    if not report.inputs:
        return []
    files = sorted({d.span.file for d in report.inputs})
    lines = [
        f"could not check {len(files)} spec{'' if len(files) == 1 else 's'} "
        "(fix these and run again; the other specs were checked):"
    ]
    for diagnostic in sorted(report.inputs, key=Diagnostic.sort_key):
        lines.append(
            f"{indent}{diagnostic.span}: {diagnostic.severity.value}[{diagnostic.code}]: "
            f"{diagnostic.message}"
        )
        if diagnostic.hint:
            lines.append(f"{indent}  hint: {diagnostic.hint}")
    return lines


def state_of(report: Report, fingerprint: str) -> BaselineState | None:
    """A problem's state against the baseline, or None when there is no baseline."""
    return report.baseline.state(fingerprint) if report.baseline is not None else None


def new_problems(report: Report, specs: Mapping[str, ProtocolSpec]) -> list[BaselineEntry]:
    """The run's problems that the baseline does not accept (all, with no baseline)."""
    known = report.baseline.known if report.baseline is not None else frozenset()
    return [entry for entry in entries(report, specs) if entry.fingerprint not in known]


def baseline_counts(report: Report, specs: Mapping[str, ProtocolSpec]) -> dict[str, int]:
    """How many problems are new, unchanged and absent against the baseline."""
    assert report.baseline is not None, "only called with a baseline"
    new = len(new_problems(report, specs))
    return {
        BaselineState.NEW.value: new,
        BaselineState.UNCHANGED.value: len(report.baseline.known),
        BaselineState.ABSENT.value: len(report.baseline.absent),
    }


def baseline_lines(report: Report, specs: Mapping[str, ProtocolSpec]) -> list[str]:
    """The comparison with the baseline in words: counts, then each new problem and each
    absent one by authority and headline; empty when there is no baseline."""
    if report.baseline is None:
        return []
    counts = baseline_counts(report, specs)
    lines = [
        f"against the baseline {report.baseline.file}: {counts['new']} new, "
        f"{counts['unchanged']} unchanged (accepted), {counts['absent']} absent "
        "(fixed, or in a spec not checked this time)"
    ]
    for entry in new_problems(report, specs):
        lines.append(f"  new     {entry.authority}: {_named(entry)}")
    for entry in report.baseline.absent:
        lines.append(f"  absent  {entry.authority}: {_named(entry)}")
    return lines


def _named(entry: BaselineEntry) -> str:
    what = f"{entry.kind} {entry.what}"
    if entry.subject:
        what += f" ({entry.subject})"
    return f"{what}: {entry.headline}"
