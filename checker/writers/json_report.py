"""The JSON report of `stepcheck verify`, for CI and other programs.

`checker.results.Report` -> here -> stdout. Shape: `{"format_version": 1, "results":
[...], "findings": [...], "diagnostics": [...], "baseline": {...} | null}` (diagnostics:
specs that could not be loaded; baseline: the comparison with accepted problems),
described by `verify-output.schema.json` beside this module (`output_schema()`).
Keys are sorted and nothing depends on the clock, so the same report always gives
the same bytes. Dates are ISO 8601; trace states keep the state names of
`spec/trace.py`, with tuples as lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import PurePath
from typing import Any, Final

from stepcheck.checker.results import Bound, PropertyResult, Report, Verdict
from stepcheck.checker.story import Clock, Holder, Scene, Story
from stepcheck.checker.triage import (
    Problem,
    Triage,
    of_finding,
    of_result,
    problems,
    spec_of_finding,
)
from stepcheck.checker.writers.run_notes import baseline_counts, state_of
from stepcheck.checker.writers.wording import (
    group_by_authority,
    missed_story_of,
    reproduce,
    result_citations,
    scene_label,
    story_of,
)
from stepcheck.spec.citations import Citation
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import State, Trace, Value

__all__ = ["FORMAT_VERSION", "SCHEMA_FILE", "output_schema", "render_json"]

FORMAT_VERSION: Final = 1
SCHEMA_FILE: Final = "verify-output.schema.json"

Json = dict[str, Any]


def render_json(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as indented JSON with sorted keys, ending with a newline."""
    results = [result for _, group in group_by_authority(report.results) for result in group]
    payload = {
        "format_version": FORMAT_VERSION,
        "start_date": start.isoformat(),
        "exit_code": report.exit_code,
        "counts": _counts(report),
        "problems": [_problem(problem) for problem in problems(report, specs)],
        "results": [_result(result, specs, start, report) for result in results],
        "findings": [
            _finding(d, specs, report) for d in sorted(report.findings, key=Diagnostic.sort_key)
        ],
        "diagnostics": [_diagnostic(d) for d in sorted(report.inputs, key=Diagnostic.sort_key)],
        "baseline": _baseline(report, specs),
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _diagnostic(diagnostic: Diagnostic) -> Json:
    """A diagnostic's code, message, place and hint: a problem that stopped a spec from
    loading as it is, a finding with its triage added."""
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": PurePath(diagnostic.span.file).as_posix(),
        "line": diagnostic.span.line,
        "column": diagnostic.span.column,
        "path": diagnostic.span.path,
        "hint": diagnostic.hint,
    }


def _baseline(report: Report, specs: Mapping[str, ProtocolSpec]) -> Json | None:
    if report.baseline is None:
        return None
    return {
        "file": PurePath(report.baseline.file).as_posix(),
        "counts": baseline_counts(report, specs),
        "absent": [
            {
                "fingerprint": entry.fingerprint,
                "authority": entry.authority,
                "kind": entry.kind,
                "what": entry.what,
                "subject": entry.subject,
                "headline": entry.headline,
            }
            for entry in report.baseline.absent
        ],
    }


def output_schema() -> Json:
    """The JSON Schema that every `render_json` output satisfies."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: Json = json.loads(text)
    return schema


def _counts(report: Report) -> Json:
    verdicts = [result.verdict for result in report.results]
    counts: Json = {verdict.value: verdicts.count(verdict) for verdict in Verdict}
    counts["findings"] = len(report.findings)
    return counts


def _result(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date, report: Report
) -> Json:
    story = story_of(result, specs, start)
    triage = of_result(result, specs.get(result.spec))
    return {
        "authority": result.authority,
        "spec": PurePath(result.spec).as_posix(),
        "property": result.property,
        "kind": result.kind.value,
        "verdict": result.verdict.value,
        "strength": result.strength.value if result.strength is not None else None,
        "bound": _bound(result.bound),
        "seconds": result.seconds,
        "reading": result.reading.value,
        "summary": result.summary,
        "reason": result.reason,
        "vacuous": result.vacuous,
        "should_only": result.should_only,
        "location": _span(result.span) if result.span is not None else None,
        "rules": [_span(span) for span in result.rules],
        "trace": _trace(result.trace, story) if result.trace is not None else None,
        "story": _story(story) if story is not None else None,
        "assumptions": list(result.assumptions),
        "when_missed": _missed(result, specs, start),
        "citations": [_citation(c) for c in result_citations(result, specs)],
        "reproduce": reproduce(result, start),
        "subject": result.subject,
        "formula": result.formula,
        "triage": _triage(triage),
        "baseline_state": _state_of(report, triage, problem=result.verdict is not Verdict.PROVED),
    }


def _state_of(report: Report, triage: Triage, *, problem: bool = True) -> str | None:
    """New or unchanged against the baseline; None without one, or for a proof."""
    state = state_of(report, triage.fingerprint) if problem else None
    return state.value if state is not None else None


def _triage(triage: Triage) -> Json:
    return {
        "severity": triage.severity.value,
        "category": triage.category.value,
        "fingerprint": triage.fingerprint,
        "root_cause": triage.root_cause,
        "rules": list(triage.rules),
        "why": triage.why,
    }


def _problem(problem: Problem) -> Json:
    return {
        "authority": problem.authority,
        "root_cause": problem.root_cause,
        "severity": problem.severity.value,
        "category": problem.category.value,
        "headline": problem.headline,
        "fingerprint": problem.fingerprint,
        "properties": [result.property for result in problem.results],
        "findings": list(problem.finding_prints),
        "rules": list(problem.rules),
    }


def _missed(result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date) -> Json | None:
    """The run in which a missed deadline makes a proved property fail, with its story."""
    story = missed_story_of(result, specs, start)
    if result.when_missed is None or story is None:
        return None
    return {"trace": _trace(result.when_missed, story), "story": _story(story)}


def _bound(bound: Bound | None) -> Json | None:
    if bound is None:
        return None
    return {"working_days": bound.working_days, "steps": bound.steps, "depth": bound.depth}


def _span(span: SourceSpan) -> Json:
    return {
        "file": PurePath(span.file).as_posix(),
        "line": span.line,
        "column": span.column,
        "path": span.path,
    }


def _trace(trace: Trace, story: Story | None) -> Json:
    steps = []
    for index, step in enumerate(trace.steps):
        when = story.date_of(step.day).isoformat() if story is not None else None
        steps.append(
            {
                "index": index,
                "kind": step.kind.value,
                "name": step.name,
                "day": step.day,
                "date": when,
                "state": _state(step.state),
            }
        )
    return {"loop_start": trace.loop_start, "initial": _state(trace.initial), "steps": steps}


def _state(state: State) -> Json:
    return {name: _value(value) for name, value in state.items()}


def _value(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _story(story: Story) -> Json:
    return {
        "start": story.start.isoformat(),
        "first_day": story.first_day.isoformat(),
        "loop_start": story.loop_start,
        "scenes": [_scene(scene) for scene in story.scenes],
        "overdue": [_clock(clock) for clock in story.overdue],
    }


def _scene(scene: Scene) -> Json:
    return {
        "label": scene_label(scene),
        "first_step": scene.first_step,
        "last_step": scene.last_step,
        "kind": scene.kind.value if scene.kind is not None else None,
        "name": scene.name,
        "day": scene.day,
        "date": scene.date.isoformat(),
        "what": scene.what,
        "status": scene.status,
        "place": scene.place or scene.status,
        "holder": _holder(scene.holder),
        "notes": list(scene.notes),
        "clocks": [_clock(clock) for clock in scene.clocks],
        "citations": [_citation(citation) for citation in scene.citations],
        "holidays": [{"date": day.isoformat(), "name": name} for day, name in scene.holidays],
        "loop_start": scene.loop_start,
    }


def _holder(holder: Holder) -> Json:
    return {
        "id": holder.id,
        "name": holder.name,
        "kind": holder.kind.value,
        "responsible": holder.responsible,
    }


def _clock(clock: Clock) -> Json:
    return {
        "change": clock.change.value,
        "limit": clock.limit,
        "text": clock.text,
        "step": clock.step,
        "day": clock.day,
        "date": clock.date.isoformat(),
        "citations": [_citation(citation) for citation in clock.citations],
    }


def _citation(citation: Citation) -> Json:
    return {
        "doc": citation.doc,
        "title": citation.title,
        "section": citation.section,
        "rule": citation.rule,
        "quote": citation.quote,
    }


def _finding(diagnostic: Diagnostic, specs: Mapping[str, ProtocolSpec], report: Report) -> Json:
    triage = of_finding(diagnostic, spec_of_finding(diagnostic, specs))
    return {
        **_diagnostic(diagnostic),
        "triage": _triage(triage),
        "baseline_state": _state_of(report, triage),
        "rule": diagnostic.rule,
    }
