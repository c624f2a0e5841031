"""The terminal report of `stepcheck verify`: case stories, findings, then the verdicts.

`checker.results.Report` -> here -> stdout. What a person reads last is what stays on
the screen, so the details come first and the summary last, as pytest does: every
violation as a dated case story with the rules involved and the command that
reproduces it, and the findings per root cause; then one line per property (verdict,
property, strength and bound, caveats, time) with its summary below, per authority;
then the few problems to raise first, by severity, and a line of counts.

`detail` chooses how much: `QUIET` only the summary (verdicts, problems, counts),
`NORMAL` everything, `VERBOSE` also every working day of a story on its own row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import IntEnum

from stepcheck.checker.results import PropertyResult, Report
from stepcheck.checker.story import Scene, Story, long_date
from stepcheck.checker.triage import (
    Problem,
    Severity,
    cause_words,
    findings_by_authority,
    problems,
    top,
)
from stepcheck.checker.writers.run_notes import baseline_lines, input_lines
from stepcheck.checker.writers.wording import (
    VERDICT_LABELS,
    assumption_lines,
    caveats,
    citation_words,
    facts,
    finding_lines,
    group_by_authority,
    missed_story_of,
    property_words,
    reproduce,
    scene_label,
    spec_of,
    story_of,
    summary_line,
)
from stepcheck.spec.citations import Citation
from stepcheck.spec.model import ProtocolSpec

__all__ = ["Detail", "render_text", "story_lines"]

_INDENT = "    "


class Detail(IntEnum):
    """How much the terminal report says (`stepcheck verify -q` / `-v`)."""

    QUIET = -1
    NORMAL = 0
    VERBOSE = 1


def render_text(
    report: Report,
    *,
    specs: Mapping[str, ProtocolSpec],
    start: date,
    detail: Detail = Detail.NORMAL,
) -> str:
    """The whole report for a terminal, ending with a newline."""
    lines = [
        f"stepcheck verify: case stories start on or after {long_date(start)} "
        f"({start.isoformat()}), each on the first date its steps happen on the real calendar"
    ]
    if report.inputs:
        lines += ["", *input_lines(report)]
    grouped = group_by_authority(report.results)
    ranked = problems(report, specs)
    if detail > Detail.QUIET:
        for _, results in grouped:
            lines += _stories_block(results, specs, start, verbose=detail >= Detail.VERBOSE)
        if report.findings:
            lines += ["", *_findings_block(ranked)]
    if grouped:
        lines += ["", "verdicts"]
    for authority, results in grouped:
        lines += _verdicts_block(authority, results, specs)
    if ranked:
        lines += ["", *_top_block(ranked)]
    if report.baseline is not None:
        lines += ["", *baseline_lines(report, specs)]
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def story_lines(story: Story) -> list[str]:
    """A story as aligned lines: label, working day, date, what happened, then the case."""
    width = max(len(scene_label(scene)) for scene in story.scenes)
    lines = []
    before: Scene | None = None
    quoted: set[Citation] = set()
    for index, scene in enumerate(story.scenes):
        if index == story.loop_start:
            lines.append("from here the case repeats for ever:")
        lines += _scene_lines(scene, width, before, quoted)
        before = scene
    if story.loop_start is not None:
        back = story.scenes[story.loop_start]
        lines.append(f"then back to {scene_label(back)}: the case repeats for ever")
    return lines


def _verdicts_block(
    authority: str, results: list[PropertyResult], specs: Mapping[str, ProtocolSpec]
) -> list[str]:
    """One authority's verdicts: a line per property with its sentence below."""
    spec = spec_of(results[0], specs)
    paths = sorted({result.spec for result in results})
    lines = [f"{authority}: {spec.authority.name}", *[f"  spec: {path}" for path in paths]]
    width = max(len(result.property) for result in results)
    for result in results:
        lines += _result_lines(result, width)
    return lines


def _stories_block(
    results: list[PropertyResult],
    specs: Mapping[str, ProtocolSpec],
    start: date,
    *,
    verbose: bool,
) -> list[str]:
    """Every violation's story, and every run in which a missed deadline breaks a proof."""
    lines: list[str] = []
    for result in results:
        if result.trace is not None:
            lines += ["", *_violation_block(result, specs, start, verbose=verbose)]
        if result.when_missed is not None:
            lines += ["", *_missed_block(result, specs, start)]
    return lines


def _result_lines(result: PropertyResult, width: int) -> list[str]:
    details = facts(result)
    details.append(f"{result.seconds:.2f} s")
    label = VERDICT_LABELS[result.verdict]
    head = f"  {label:<8}  {result.property:<{width}}  {'; '.join(details)}"
    lines = [head, f"  {'':<8}  {result.summary}"]
    return lines + [f"  {'':<8}  {line}" for line in assumption_lines(result)]


def _violation_block(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date, *, verbose: bool
) -> list[str]:
    story = story_of(result, specs, start, collapse_ticks=not verbose)
    assert story is not None, "only results with a trace get here"
    where = f" at {result.span}" if result.span is not None else ""
    verdict = VERDICT_LABELS[result.verdict]
    lines = [f"  {verdict} {result.authority}: {property_words(result)}{where}"]
    lines.append(f"{_INDENT}{result.summary}")
    if result.formula:
        lines.append(f"{_INDENT}as the spec states it: {result.formula}")
    lines += [f"{_INDENT}{caveat}" for caveat in caveats(result)]
    lines.append(f"{_INDENT}what happens, working day by working day:")
    lines += [f"{_INDENT}  {line}" for line in story_lines(story)]
    lines += _overdue_lines(story)
    lines.append(f"{_INDENT}reproduce: {reproduce(result, start)}")
    return lines


def _overdue_lines(story: Story) -> list[str]:
    """Each deadline the story misses, by its id (what a spec author searches for)."""
    return [
        f"{_INDENT}overdue: '{clock.limit}' at step {clock.step + 1} ({long_date(clock.date)})"
        for clock in story.overdue
    ]


def _missed_block(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date
) -> list[str]:
    story = missed_story_of(result, specs, start)
    assert story is not None, "only results with a missed-deadline run get here"
    lines = [f"  if a deadline is missed: {result.authority}: {property_words(result)}"]
    lines.append(f"{_INDENT}what happens, working day by working day:")
    lines += [f"{_INDENT}  {line}" for line in story_lines(story)]
    lines += _overdue_lines(story)
    return lines


def _scene_lines(
    scene: Scene, width: int, before: Scene | None, quoted: set[Citation]
) -> list[str]:
    """One scene; where the case is and who holds it only when that changed, and each
    rule quoted once in a story (`quoted`: those already quoted), then named."""
    head = f"{scene_label(scene):<{width}}  day {scene.day:>3}  {long_date(scene.date):<15}  "
    pad = " " * len(head)
    lines = [head + scene.what]
    lines += [pad + note for note in scene.notes]
    if before is None or _case_words(before) != _case_words(scene):
        lines.append(pad + _case_words(scene))
    lines += [pad + clock.text for clock in scene.clocks]
    again = [c for c in scene.citations if c in quoted]
    lines += [pad + "rule: " + citation_words(c) for c in scene.citations if c not in quoted]
    if again:
        names = ", ".join(dict.fromkeys(c.rule or c.section or c.title for c in again))
        lines.append(f"{pad}{'rule' if len(again) == 1 else 'rules'} quoted above: {names}")
    quoted.update(scene.citations)
    return lines


def _case_words(scene: Scene) -> str:
    holder = scene.holder
    text = f"now in '{scene.place or scene.status}', held by {holder.words}"
    if holder.unowned:
        text += ": nobody is responsible for the case here"
    return text


def _findings_block(ranked: list[Problem]) -> list[str]:
    """The findings per authority, one group per root cause, the most serious first."""
    lines = ["findings, by root cause (the most serious first)"]
    for authority, found in findings_by_authority(ranked):
        files = sorted({finding.span.file for problem in found for finding in problem.findings})
        lines.append(f"  {authority}: {', '.join(files)}")
        for problem in found:
            count = len(problem.findings)
            lines.append(
                f"    {problem.severity.value.upper():<6}  {cause_words(problem.root_cause)}"
                f"{f': {count} findings' if count > 1 else ''}"
            )
            for finding in problem.findings:
                lines += finding_lines(finding, "      ")
    return lines


def _top_block(ranked: list[Problem]) -> list[str]:
    """The few problems to raise first, last on the screen, each in one sentence."""
    counts = ", ".join(
        f"{sum(p.severity is level for p in ranked)} {level.value}" for level in _LEVELS
    )
    shown = top(ranked)
    lines = [
        f"most serious problems ({counts} root causes; {len(shown)} shown, all in --format json)"
    ]
    width = max((len(problem.authority) for problem in shown), default=0)
    for problem in shown:
        members = [result.property for result in problem.results]
        members += sorted({finding.code for finding in problem.findings})
        lines.append(
            f"  {problem.severity.value.upper():<6}  {problem.authority:<{width}}  "
            f"{problem.headline} [{', '.join(members)}]"
        )
    return lines


_LEVELS = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
