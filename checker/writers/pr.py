"""The pull-request comment and CI job summary of `stepcheck verify`: Markdown that fits.

A pull-request comment holds at most 65,536 characters, and a reviewer reads the top
of it. So this writer leads with the counts (and what is new against a baseline),
then the most serious problems, a line of verdicts per authority, and then folds each
case story and each authority's findings into `<details>`, most serious first, as long
as they fit in `BUDGET` characters; what does not fit is counted, with the command
that writes everything (`--format markdown`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from stepcheck.checker.results import BaselineState, PropertyResult, Report, Verdict
from stepcheck.checker.triage import (
    Problem,
    Severity,
    findings_by_authority,
    of_result,
    problems,
    top,
)
from stepcheck.checker.writers.markdown import cell
from stepcheck.checker.writers.run_notes import baseline_lines, input_lines, state_of
from stepcheck.checker.writers.text import story_lines
from stepcheck.checker.writers.wording import (
    caveats,
    citation_words,
    group_by_authority,
    property_words,
    reproduce,
    result_citations,
    story_of,
    summary_line,
)
from stepcheck.spec.model import ProtocolSpec

__all__ = ["BUDGET", "render_pr"]

BUDGET: Final = 60_000
"""Characters the comment may take: under GitHub's 65,536, with room for a heading a
workflow adds."""


def render_pr(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The report as a pull-request comment of at most `BUDGET` characters."""
    ranked = problems(report, specs)
    head = _head(report, specs, ranked)
    tail = [
        "",
        f"<sub>Case stories start on or after {start.isoformat()}. Everything, in full: "
        "`stepcheck verify --format markdown`.</sub>",
    ]
    folds = _story_folds(report, specs, start) + _finding_folds(ranked, report)
    room = BUDGET - _size(head) - _size(tail) - 200
    kept: list[list[str]] = []
    left_out = 0
    for fold in folds:
        if _size(fold) <= room:
            kept.append(fold)
            room -= _size(fold)
        else:
            left_out += 1
    body = [line for fold in kept for line in fold]
    if left_out:
        body += [
            "",
            f"*{left_out} more section{'' if left_out == 1 else 's'} did not fit in a comment: "
            "see `--format markdown`.*",
        ]
    return "\n".join(head + body + tail) + "\n"


def _head(report: Report, specs: Mapping[str, ProtocolSpec], ranked: list[Problem]) -> list[str]:
    lines = ["## stepcheck verify", "", f"**{cell(summary_line(report))}**"]
    if report.inputs:
        lines += ["", "### Specs that could not be checked", ""]
        lines += [f"- `{line.strip()}`" for line in input_lines(report)[1:]]
    if report.baseline is not None:
        first, *items = baseline_lines(report, specs)
        lines += ["", f"**{cell(first)}**", ""]
        lines += [f"- {cell(item.strip())}" for item in items[:20]]
        if len(items) > 20:
            lines.append(f"- and {len(items) - 20} more")
    serious = top(ranked)
    if serious:
        lines += ["", "### Most serious problems", "", "| severity | authority | problem |"]
        lines.append("|---|---|---|")
        lines += [
            f"| **{p.severity.value}** | {cell(p.authority)} | {cell(p.headline)} |"
            for p in serious
        ]
    grouped = group_by_authority(report.results)
    if grouped:
        lines += ["", "### Verdicts", "", "| authority | proved | violated | unknown | findings |"]
        lines.append("|---|---:|---:|---:|---|")
        for authority, results in grouped:
            lines.append(_verdict_row(authority, results, ranked))
    return lines


def _verdict_row(authority: str, results: list[PropertyResult], ranked: list[Problem]) -> str:
    counts = [sum(r.verdict is verdict for r in results) for verdict in Verdict]
    found = [p for p in ranked if p.authority == authority and p.findings]
    levels = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    by_level = ", ".join(
        f"{sum(len(p.findings) for p in found if p.severity is level)} {level.value}"
        for level in levels
    )
    return f"| {cell(authority)} | {counts[0]} | {counts[1]} | {counts[2]} | {by_level} |"


def _story_folds(report: Report, specs: Mapping[str, ProtocolSpec], start: date) -> list[list[str]]:
    """Each violation as a folded section: new ones first, then by severity."""
    violated = [r for _, group in group_by_authority(report.results) for r in group]
    violated = [r for r in violated if r.verdict is Verdict.VIOLATED]
    triaged = [(r, of_result(r, specs.get(r.spec))) for r in violated]
    triaged.sort(key=lambda pair: (_accepted(report, pair[1].fingerprint), pair[1].severity.rank))
    folds = []
    for index, (result, triage) in enumerate(triaged):
        mark = " · accepted in the baseline" if _accepted(report, triage.fingerprint) else ""
        title = f"{triage.severity.value} · {result.authority}: {property_words(result)}{mark}"
        fold = ["", "<details>" if index else "<details open>"]
        fold += [f"<summary>{_html(title)}</summary>", "", cell(result.summary)]
        notes = [f"- {cell(caveat)}" for caveat in caveats(result)]
        notes += [f"- rule: {cell(citation_words(c))}" for c in result_citations(result, specs)]
        fold += ["", *notes] if notes else []
        story = story_of(result, specs, start)
        if story is not None:
            fold += ["", "```text", *story_lines(story), "```"]
        fold += ["", f"Reproduce: `{reproduce(result, start)}`", "", "</details>"]
        folds.append(fold)
    return folds


def _finding_folds(ranked: list[Problem], report: Report) -> list[list[str]]:
    """Each authority's findings as one folded section, one line per root cause."""
    folds = []
    for authority, found in findings_by_authority(ranked):
        count = sum(len(p.findings) for p in found)
        fold = ["", "<details>", f"<summary>{_html(authority)}: {count} findings</summary>", ""]
        for problem in found:
            for finding, fingerprint in zip(problem.findings, problem.finding_prints, strict=True):
                mark = " (accepted)" if _accepted(report, fingerprint) else ""
                fold.append(
                    f"- **{problem.severity.value}**{mark} `{finding.span}` {finding.code}: "
                    f"{cell(finding.message)}"
                )
        fold += ["", "</details>"]
        folds.append(fold)
    return folds


def _accepted(report: Report, fingerprint: str) -> bool:
    return state_of(report, fingerprint) is BaselineState.UNCHANGED


def _html(text: str) -> str:
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
