"""Words and orderings every writer shares, so the five formats say the same thing.

`checker.results.Report` -> here -> `checker.writers.<format>`. Nothing here knows a
format: it names verdicts, qualifies them (strength, bound, should-only, vacuous,
why unknown), orders results and findings, and tells each violation as a story.
An unknown result is always worded as "not proved", never as a pass.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path, PurePath
from typing import Final

from stepcheck.checker.derived_urgent import asked_spec
from stepcheck.checker.results import PropertyResult, Report, Strength, Verdict
from stepcheck.checker.story import Scene, Story, tell
from stepcheck.spec.citations import Citation, citations_of
from stepcheck.spec.diagnostics import Diagnostic, InternalError
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = [
    "VERDICT_LABELS",
    "bound_words",
    "caveats",
    "citation_words",
    "evidence_words",
    "facts",
    "finding_lines",
    "group_by_authority",
    "limit_words",
    "property_words",
    "relative_uri",
    "reproduce",
    "result_citations",
    "scene_label",
    "spec_of",
    "story_of",
    "strength_words",
    "summary_line",
]

VERDICT_LABELS: Final = {
    Verdict.PROVED: "PROVED",
    Verdict.VIOLATED: "VIOLATED",
    Verdict.UNKNOWN: "UNKNOWN",
}
"""The verdict as one upper-case word, for tables and the terminal."""


def group_by_authority(
    results: Iterable[PropertyResult],
) -> list[tuple[str, list[PropertyResult]]]:
    """Results per authority, authorities sorted, each in spec order (file, then line)."""
    groups: dict[str, list[PropertyResult]] = {}
    for result in sorted(results, key=_spec_order):
        groups.setdefault(result.authority, []).append(result)
    return sorted(groups.items())


def bound_words(result: PropertyResult) -> str:
    """How strong a proof is and what it bounds, or "-" when there is no proof.

    An unbounded proof states the worst case it found, if any; a bounded one states
    the depth it reached, because beyond that nothing was checked.
    """
    strength, limit = strength_words(result), limit_words(result)
    if limit == "-":
        return strength
    return f"{strength}; {limit}" if strength == "unbounded" else f"{strength}: {limit}"


def strength_words(result: PropertyResult) -> str:
    """`unbounded` or `bounded` for a proof, "-" otherwise."""
    if result.verdict is not Verdict.PROVED or result.strength is None:
        return "-"
    return result.strength.value


def limit_words(result: PropertyResult) -> str:
    """The proved worst case ("at most 3 working days"), or the depth of a bounded check."""
    bound = result.bound
    if result.verdict is not Verdict.PROVED or bound is None:
        return "-"
    if result.strength is Strength.BOUNDED:
        return (
            f"no violation in runs of up to {_count(bound.depth, 'step')}" if bound.depth else "-"
        )
    worst = []
    if bound.working_days is not None:
        worst.append(_count(bound.working_days, "working day"))
    if bound.steps is not None:
        worst.append(_count(bound.steps, "step"))
    return f"at most {' and '.join(worst)}" if worst else "-"


def caveats(result: PropertyResult) -> list[str]:
    """What a reader must know besides the verdict: should-only, vacuous, why unknown."""
    found = []
    if result.verdict is Verdict.UNKNOWN:
        found.append(f"not proved, not a pass: {result.reason or 'no reason given'}")
    if result.should_only:
        found.append("holds only if should-rules are followed")
    elif result.reading is Reading.SHOULD:
        found.append("under the should reading (must- and should-rules enforced)")
    if result.vacuous:
        found.append("vacuous: what it is about can never happen")
    if result.when_missed is not None:
        found.append("holds only while deadlines are met")
    return found


def assumption_lines(result: PropertyResult) -> list[str]:
    """What the verdict assumed, one sentence each, for every writer."""
    return list(result.assumptions)


def facts(result: PropertyResult) -> list[str]:
    """Everything said about a verdict besides its summary: bound, counterexample, caveats."""
    found = [] if bound_words(result) == "-" else [bound_words(result)]
    evidence = evidence_words(result)
    if evidence is not None:
        found.append(evidence)
    return found + caveats(result)


def evidence_words(result: PropertyResult) -> str | None:
    """How long a counterexample is, and where a lasso starts repeating; None without one."""
    trace = result.trace
    if trace is None:
        return None
    if not trace.steps:
        return "counterexample: the case as it starts"
    text = f"counterexample: {_count(len(trace.steps), 'step')} over "
    text += _count(trace.days, "working day")
    if trace.loop_start is not None:
        text += f", repeating for ever from step {trace.loop_start + 1}"
    return text


def property_words(result: PropertyResult) -> str:
    """The property id, with its kind when the id does not already say it.

    >>> from stepcheck.spec.model import PropertyKind
    >>> property_words(PropertyResult(authority="a", spec="s", property="soon",
    ...     kind=PropertyKind.LEADS_TO, verdict=Verdict.PROVED, summary=""))
    'soon (leads_to)'
    """
    if result.property == result.kind.value:
        return result.property
    return f"{result.property} ({result.kind.value})"


def reproduce(result: PropertyResult, start: date) -> str:
    """The command that checks this one property again, from the same start date and
    with the same non-default options (limits, depth), so it gives the same verdict."""
    words = [
        "stepcheck verify",
        shlex.quote(PurePath(result.spec).as_posix()),
        f"--property {shlex.quote(result.property)}",
        f"--start-date {start.isoformat()}",
        *result.options,
    ]
    return " ".join(words)


def story_of(
    result: PropertyResult,
    specs: Mapping[str, ProtocolSpec],
    start: date,
    *,
    collapse_ticks: bool = True,
) -> Story | None:
    """The violation of `result` as a dated case story, or None when it has no trace."""
    if result.trace is None:
        return None
    first = result.dated_from or start
    spec = asked_spec(spec_of(result, specs), result.property)
    return tell(spec, result.trace, start=first, collapse_ticks=collapse_ticks)


def missed_story_of(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date
) -> Story | None:
    """The run in which a missed deadline makes a proved property fail, as a story."""
    if result.when_missed is None:
        return None
    first = result.when_missed_from or start
    return tell(
        asked_spec(spec_of(result, specs), result.property), result.when_missed, start=first
    )


def spec_of(result: PropertyResult, specs: Mapping[str, ProtocolSpec]) -> ProtocolSpec:
    """The loaded spec a result is about; the caller must have passed it."""
    try:
        return specs[result.spec]
    except KeyError:
        raise InternalError(
            f"no loaded spec for '{result.spec}' was passed to the writer"
        ) from None


def result_citations(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec]
) -> tuple[Citation, ...]:
    """The citations of a result, with document titles when its spec is known."""
    spec = specs.get(result.spec)
    if spec is not None:
        return citations_of(spec, result.citations)
    return tuple(
        Citation(doc=s.doc, title=s.doc, section=s.section, rule=s.rule, quote=s.quote)
        for s in result.citations
    )


def citation_words(citation: Citation) -> str:
    """A citation as one line a reviewer can look up.

    >>> citation_words(Citation(doc="ev", title="Protocol", section="3", rule="EV-07", quote="x"))
    'Protocol, section 3 (EV-07): "x"'
    """
    text = citation.title
    if citation.section:
        section = citation.section
        text += f", section {section}" if section[0].isdigit() else f", {section}"
    if citation.rule:
        text += f" ({citation.rule})"
    if citation.quote:
        text += f': "{citation.quote}"'
    return text


def scene_label(scene: Scene) -> str:
    """Which steps a scene tells, as people count them (from 1).

    >>> from stepcheck.checker.story import Holder
    >>> from stepcheck.spec.model import OwnerKind
    >>> holder = Holder(id="none", name="nobody", kind=OwnerKind.NONE, responsible=False)
    >>> scene_label(Scene(first_step=2, last_step=4, kind=None, name=None, day=0,
    ...     date=date(2026, 1, 5), what="", status="s", holder=holder))
    'steps 3-5'
    """
    if scene.first_step is None or scene.last_step is None:
        return "start"
    if scene.first_step == scene.last_step:
        return f"step {scene.first_step + 1}"
    return f"steps {scene.first_step + 1}-{scene.last_step + 1}"


def summary_line(report: Report) -> str:
    """Counts of verdicts and findings, unknowns called out as not passes."""
    results = report.results
    proved = [r for r in results if r.verdict is Verdict.PROVED]
    violated = sum(r.verdict is Verdict.VIOLATED for r in results)
    unknown = sum(r.verdict is Verdict.UNKNOWN for r in results)
    qualified = [
        f"{sum(r.should_only for r in proved)} only if should-rules are followed",
        f"{sum(r.vacuous for r in proved)} vacuous",
    ]
    qualified = [part for part in qualified if not part.startswith("0 ")]
    proved_words = f"{len(proved)} proved" + (f" ({', '.join(qualified)})" if qualified else "")
    parts = [proved_words, f"{violated} violated", f"{unknown} unknown (not proved)"]
    findings = _count(len(report.findings), "finding")
    line = f"{_count(len(results), 'property', 'properties')}: {', '.join(parts)}; {findings}"
    if report.baseline is not None:
        new = report.new_violations + report.new_unknowns + report.new_findings
        line += f"; {new} new against the baseline"
    if report.inputs:
        files = len({d.span.file for d in report.inputs})
        line += f"; {_count(files, 'spec')} could not be loaded"
    return line


def relative_uri(path: str) -> str:
    """A spec path as a URI with forward slashes, relative to the working folder if inside it.

    A path outside the working folder stays absolute, as a `file:` URI.

    >>> relative_uri("spec\\\\authorities\\\\devon.yaml")
    'spec/authorities/devon.yaml'
    """
    pure = Path(path.replace("\\", "/"))
    if pure.is_absolute():
        try:
            pure = pure.relative_to(Path.cwd())
        except ValueError:
            return pure.as_uri()
    return pure.as_posix()


def _spec_order(result: PropertyResult) -> tuple[str, str, float, str]:
    line = result.span.line if result.span is not None else math.inf
    return (result.authority, result.spec, line, result.property)


def _count(n: int, word: str, plural: str | None = None) -> str:
    """
    >>> _count(1, "working day"), _count(3, "step")
    ('1 working day', '3 steps')
    """
    return f"{n} {word if n == 1 else plural or word + 's'}"


def finding_lines(finding: Diagnostic, indent: str = "") -> list[str]:
    """A finding as plain lines: `file:line:col: severity[code]: message`, its rule, its hint."""
    lines = [f"{indent}{finding.span}: {finding.severity.value}[{finding.code}]: {finding.message}"]
    if finding.rule:
        lines.append(f"{indent}  rule: {finding.rule}")
    if finding.hint:
        lines.append(f"{indent}  hint: {finding.hint}")
    return lines
