"""The verdicts alone, as Markdown tables: what a README or a pull request summary shows.

Only what the checker proved or refuted (verdict, strength, bound, caveats), never the
trace's length or dates, so the table is the same whichever shortest counterexample
the solver happens to return.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.writers.wording import group_by_authority
from stepcheck.spec.model import ProtocolSpec

__all__ = ["render_summary"]


def render_summary(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """One table per authority: property, kind, verdict, strength, bound, caveats."""
    del specs, start
    lines: list[str] = []
    for authority, results in group_by_authority(report.results):
        lines += [
            f"### {authority}",
            "",
            "| property | kind | verdict | strength | bound | caveat |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_row(result) for result in results]
        lines.append("")
    counts = {verdict: sum(r.verdict is verdict for r in report.results) for verdict in Verdict}
    lines.append(
        f"{len(report.results)} properties: {counts[Verdict.PROVED]} proved, "
        f"{counts[Verdict.VIOLATED]} violated, {counts[Verdict.UNKNOWN]} unknown (not proved)."
    )
    return "\n".join(lines) + "\n"


def _row(result: PropertyResult) -> str:
    bound = result.bound.working_days if result.bound is not None else None
    depth = result.bound.depth if result.bound is not None else None
    if bound is not None:
        bound_text = f"{bound} working day{'' if bound == 1 else 's'}"
    else:
        bound_text = f"depth {depth}" if depth else "-"
    caveats = []
    if result.should_only:
        caveats.append("holds only if should-rules are followed")
    if result.vacuous:
        caveats.append("vacuous")
    if (
        result.verdict is Verdict.VIOLATED
        and result.trace is not None
        and result.trace.loop_start is not None
    ):
        caveats.append("never ends (a loop)")
    if result.verdict is Verdict.UNKNOWN:
        reason = result.reason or ""
        depends = reason.split(":", 1)[0] if reason.startswith("depends on ") else ""
        caveats.append(depends or "not decided")
    verdict = f"**{result.verdict.value}**" if result.verdict is not Verdict.PROVED else "proved"
    strength = result.strength.value if result.strength is not None else "-"
    return (
        f"| `{result.property}` | {result.kind.value} | {verdict} | {strength} | {bound_text} "
        f"| {'; '.join(caveats) or '-'} |"
    )
