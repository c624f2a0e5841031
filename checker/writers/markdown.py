"""The Markdown report of `stepcheck verify`, for a pull request or a reviewers' pack.

`checker.results.Report` -> here -> a comment or a `.md` file. A table per authority
(property, verdict, strength, bound, what to know), then each violation as a dated
case story with the rules involved, then the findings per authority, one item per root
cause. The most serious problems come first, in one table. An unknown result
is written in bold as "unknown: not proved", never as a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import assert_never

from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.story import Scene, Story, long_date
from stepcheck.checker.triage import Problem, cause_words, findings_by_authority, problems, top
from stepcheck.checker.writers.run_notes import baseline_lines, input_lines
from stepcheck.checker.writers.wording import (
    assumption_lines,
    caveats,
    citation_words,
    evidence_words,
    group_by_authority,
    limit_words,
    missed_story_of,
    reproduce,
    result_citations,
    scene_label,
    spec_of,
    story_of,
    strength_words,
    summary_line,
)
from stepcheck.spec.model import ProtocolSpec

__all__ = ["cell", "render_markdown"]


def render_markdown(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as GitHub-flavoured Markdown, ending with a newline."""
    lines = ["# stepcheck verify", "", f"**{summary_line(report)}**", ""]
    lines.append(
        f"Case stories start on or after {long_date(start)} ({start.isoformat()}), "
        "each on the first date from which the oracle's executor replays it."
    )
    if report.inputs:
        lines += ["", "## Specs that could not be checked", ""]
        lines += [f"- `{line.strip()}`" for line in input_lines(report)[1:]]
    if report.baseline is not None:
        head, *items = baseline_lines(report, specs)
        lines += ["", "## Against the baseline", "", cell(head), ""]
        lines += [f"- {cell(item)}" for item in items]
    ranked = problems(report, specs)
    serious = top(ranked)
    if serious:
        lines += ["", "## Most serious problems", "", *_problems_table(serious, len(ranked))]
    grouped = group_by_authority(report.results)
    for authority, results in grouped:
        lines += ["", *_authority_table(authority, results, specs)]
    violations = [r for _, group in grouped for r in group if r.trace is not None]
    if violations:
        lines += ["", "## Violations"]
        for result in violations:
            lines += ["", *_violation(result, specs, start)]
    missed = [r for _, group in grouped for r in group if r.when_missed is not None]
    if missed:
        lines += ["", "## When a deadline is missed"]
        for result in missed:
            lines += ["", *_missed(result, specs, start)]
    if report.findings:
        lines += ["", "## Findings, by root cause", "", *_findings(ranked)]
    return "\n".join(lines) + "\n"


def _authority_table(
    authority: str, results: list[PropertyResult], specs: Mapping[str, ProtocolSpec]
) -> list[str]:
    spec = spec_of(results[0], specs)
    paths = ", ".join(f"`{path}`" for path in sorted({r.spec for r in results}))
    lines = [f"## {cell(authority)}: {cell(spec.authority.name)}", "", f"Spec: {paths}", ""]
    lines += [
        "| property | verdict | strength | bound | what to know |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        cells = [
            f"`{result.property}`",
            _verdict_cell(result),
            strength_words(result),
            limit_words(result),
            "; ".join(_notes(result)) or "-",
        ]
        lines.append("| " + " | ".join(cell(text) for text in cells) + " |")
    return lines


def _notes(result: PropertyResult) -> list[str]:
    evidence = evidence_words(result)
    return ([evidence] if evidence else []) + caveats(result) + assumption_lines(result)


def _verdict_cell(result: PropertyResult) -> str:
    match result.verdict:
        case Verdict.PROVED:
            return "proved"
        case Verdict.VIOLATED:
            return "**violated**"
        case Verdict.UNKNOWN:
            return "**unknown: not proved**"
        case _:
            assert_never(result.verdict)


def _violation(result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date) -> list[str]:
    story = story_of(result, specs, start)
    assert story is not None, "only results with a trace get here"
    where = f" at `{result.span}`" if result.span is not None else ""
    title = f"`{result.authority}` / `{result.property}`"
    if result.property != result.kind.value:
        title += f" ({result.kind.value})"
    lines = [f"### {title}{where}", ""]
    lines.append(cell(result.summary))
    if result.formula:
        lines.append(f"- as the spec states it: `{cell(result.formula)}`")
    lines += [f"- {cell(caveat)}" for caveat in caveats(result)]
    lines += [f"- rule: {cell(citation_words(c))}" for c in result_citations(result, specs)]
    lines += ["", *_story_table(story), ""]
    if story.loop_start is not None:
        back = scene_label(story.scenes[story.loop_start])
        lines += [f"After the last step the case is back at {back} and repeats for ever.", ""]
    lines.append(f"Reproduce: `{reproduce(result, start)}`")
    return lines


def _missed(result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date) -> list[str]:
    story = missed_story_of(result, specs, start)
    assert story is not None, "only results with a missed-deadline run get here"
    lines = [f"### `{result.authority}` / `{result.property}`: proved while deadlines are met", ""]
    lines += [f"- {cell(line)}" for line in assumption_lines(result)]
    lines += ["", *_story_table(story), ""]
    return lines


def _story_table(story: Story) -> list[str]:
    lines = [
        "| step | day | date | what happens | the case after it | rules |",
        "|---|---:|---|---|---|---|",
    ]
    for index, scene in enumerate(story.scenes):
        label = scene_label(scene)
        if index == story.loop_start:
            label += " (from here the case repeats for ever)"
        cells = [
            label,
            str(scene.day),
            long_date(scene.date),
            "<br>".join(cell(text) for text in _happenings(scene)),
            cell(_case_words(scene)),
            "<br>".join(cell(citation_words(c)) for c in scene.citations) or "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _happenings(scene: Scene) -> list[str]:
    return [scene.what, *scene.notes, *(clock.text for clock in scene.clocks)]


def _case_words(scene: Scene) -> str:
    holder = scene.holder
    text = f"'{scene.place or scene.status}', held by {holder.words}"
    if holder.unowned:
        text += ": **nobody is responsible**"
    return text


def _problems_table(serious: list[Problem], total: int) -> list[str]:
    lines = [
        f"The {len(serious)} most serious of {total} root causes; the rest are under "
        "each authority and in the findings.",
        "",
        "| severity | authority | problem | from |",
        "|---|---|---|---|",
    ]
    for problem in serious:
        members = [f"`{result.property}`" for result in problem.results]
        members += sorted({f"{finding.code}" for finding in problem.findings})
        lines.append(
            f"| **{problem.severity.value}** | {cell(problem.authority)} | "
            f"{cell(problem.headline)} | {', '.join(members)} |"
        )
    return lines


def _findings(ranked: list[Problem]) -> list[str]:
    """Per authority, one item per root cause (the most serious first), its findings below."""
    lines = []
    for authority, found in findings_by_authority(ranked):
        lines += [f"### {cell(authority)}", ""]
        for problem in found:
            lines.append(f"- **{problem.severity.value}**: {cause_words(problem.root_cause)}")
            for finding in problem.findings:
                head = f"  - `{finding.span}` {finding.code}: "
                lines.append(head + cell(finding.message))
                if finding.rule:
                    lines.append(f"    - rule: {cell(finding.rule)}")
                if finding.hint:
                    lines.append(f"    - hint: {cell(finding.hint)}")
        lines.append("")
    return lines[:-1]


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped.

    >>> cell("a | b\\nc")
    'a \\\\| b c'
    """
    return " ".join(text.split()).replace("|", "\\|")
