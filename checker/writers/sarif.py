"""The SARIF 2.1.0 report of `stepcheck verify`, for code-scanning tools and editors.

`checker.results.Report` -> here -> a `.sarif` file. One run, with a fixed
`automationDetails.id`; the driver's rules are one per property checked (its id) and
one per finding code (`SPEC207`, ...), each with help as text and Markdown
(`sarif_rules.py`). Results point at the YAML line:

- violated: level `error`, with the rules involved as `relatedLocations` and the
  trace, step by step, as a `codeFlow`;
- unknown: level `warning`: not proved is a problem to look at, and a SARIF consumer
  must never show it as a pass;
- proved: not a result, so never an alert; the run's `properties.proved` lists them.
  A proof with a caveat (only if should-rules are followed, vacuous, only while
  deadlines are met) is a `note`, because the caveat is worth a look;
- a spec that could not be loaded: level `error` at the problem's line, rule its code.

Findings are results of their own rule, at a level from the mission's severity (high
`error`, medium `warning`, low `note`). Every result carries that severity, its category
and root cause in `properties`, a `rank` (90 high, 60 medium, 30 low, 0 none) and a
`stepcheck/v1` partial fingerprint that survives moved lines and reordered YAML; against
a baseline, a `baselineState` (new or unchanged) and, in the run's properties, the
accepted problems now absent. URIs are relative to the working folder, with forward
slashes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, assert_never

import stepcheck
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.story import Scene, Story, long_date
from stepcheck.checker.triage import Severity, Triage, of_finding, of_result, spec_of_finding
from stepcheck.checker.writers.run_notes import baseline_counts, state_of
from stepcheck.checker.writers.sarif_rules import rules
from stepcheck.checker.writers.wording import (
    VERDICT_LABELS,
    facts,
    group_by_authority,
    relative_uri,
    reproduce,
    scene_label,
    spec_of,
    story_of,
)
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.diagnostics import Severity as DiagnosticSeverity
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import StepKind

__all__ = ["AUTOMATION_ID", "SARIF_SCHEMA", "render_sarif", "render_validation_sarif"]

SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
)

Json = dict[str, Any]

AUTOMATION_ID: Final = "stepcheck/verify/"
"""The run's `automationDetails.id`: the category code scanning files the alerts under,
the same on every run so alerts are matched from one run to the next."""


def render_sarif(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as one SARIF 2.1.0 log, indented, keys sorted, ending with a newline."""
    found_rules = rules(report, specs)
    index = {rule["id"]: position for position, rule in enumerate(found_rules)}
    ordered = [result for _, group in group_by_authority(report.results) for result in group]
    results = [
        _property_result(r, index, specs, start, report) for r in ordered if not _plain_pass(r)
    ]
    results += [
        _finding_result(d, index, of_finding(d, spec_of_finding(d, specs)), report)
        for d in sorted(report.findings, key=Diagnostic.sort_key)
    ]
    results += [_input_result(d, index) for d in sorted(report.inputs, key=Diagnostic.sort_key)]
    driver: Json = {"name": "stepcheck", "rules": found_rules}
    # The root package is always loaded before this one; no import cycle, no new layer.
    version = getattr(stepcheck, "__version__", None)
    if version:
        driver["version"] = version
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": AUTOMATION_ID},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": _run_properties(report, ordered, specs, start),
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _plain_pass(result: PropertyResult) -> bool:
    """A proof with nothing to look at: kept out of the results, so no code-scanning
    tool shows it as an alert (GitHub does not document `kind: pass`)."""
    return (
        result.verdict is Verdict.PROVED
        and not result.vacuous
        and not result.should_only
        and result.when_missed is None
    )


def _run_properties(
    report: Report,
    ordered: list[PropertyResult],
    specs: Mapping[str, ProtocolSpec],
    start: date,
) -> Json:
    properties: Json = {
        "startDate": start.isoformat(),
        "exitCode": report.exit_code,
        "proved": [f"{r.authority}/{r.property}" for r in ordered if _plain_pass(r)],
    }
    if report.baseline is not None:
        properties["baseline"] = {
            "file": relative_uri(report.baseline.file),
            "counts": baseline_counts(report, specs),
            "absent": [
                {
                    "fingerprint": entry.fingerprint,
                    "authority": entry.authority,
                    "kind": entry.kind,
                    "what": entry.what,
                    "headline": entry.headline,
                }
                for entry in report.baseline.absent
            ],
        }
    return properties


def _input_result(diagnostic: Diagnostic, index: Mapping[str, int]) -> Json:
    """A spec that could not be loaded, at the problem's line."""
    text = f"this spec could not be loaded, so nothing in it was checked: {diagnostic.message}"
    if diagnostic.hint:
        text += f"; hint: {diagnostic.hint}"
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": index[diagnostic.code],
        "level": "error",
        "message": {"text": text},
        "locations": [_location(diagnostic.span.file, diagnostic.span)],
        "properties": {"hint": diagnostic.hint, "invalidSpec": True},
    }


def _property_result(
    result: PropertyResult,
    index: Mapping[str, int],
    specs: Mapping[str, ProtocolSpec],
    start: date,
    report: Report,
) -> Json:
    rule = result.property
    triage = of_result(result, specs.get(result.spec))
    found: Json = {
        "ruleId": rule,
        "ruleIndex": index[rule],
        "message": {"text": _message(result, start)},
        "locations": [_location(result.spec, result.span)],
        "partialFingerprints": {
            "stepcheckProperty/v1": f"{result.authority}/{result.property}",
            "stepcheck/v1": triage.fingerprint,
        },
        "properties": {**_result_properties(result), **_triage_properties(triage)},
        "rank": _RANK[triage.severity],
    }
    match result.verdict:
        case Verdict.VIOLATED:
            found["level"] = "error"
        case Verdict.UNKNOWN:
            found["level"] = "warning"
        case Verdict.PROVED:
            found["level"] = "note"
        case _:
            assert_never(result.verdict)
    state = state_of(report, triage.fingerprint) if result.verdict is not Verdict.PROVED else None
    if state is not None:
        found["baselineState"] = state.value
    if result.rules:
        found["relatedLocations"] = [_related(n, span) for n, span in enumerate(result.rules, 1)]
    story = story_of(result, specs, start, collapse_ticks=False)
    if story is not None:
        found["codeFlows"] = [_code_flow(story, spec_of(result, specs), result.spec)]
    return found


def _message(result: PropertyResult, start: date) -> str:
    verdict = VERDICT_LABELS[result.verdict].lower()
    parts = [f"property '{result.property}' ({result.kind.value}) is {verdict}: {result.summary}"]
    parts += facts(result)
    if result.trace is not None:
        parts.append(f"reproduce: {reproduce(result, start)}")
    return "; ".join(parts)


def _result_properties(result: PropertyResult) -> Json:
    bound = result.bound
    return {
        "authority": result.authority,
        "property": result.property,
        "verdict": result.verdict.value,
        "strength": result.strength.value if result.strength is not None else None,
        "bound": None
        if bound is None
        else {"working_days": bound.working_days, "steps": bound.steps, "depth": bound.depth},
        "reading": result.reading.value,
        "shouldOnly": result.should_only,
        "vacuous": result.vacuous,
        "reason": result.reason,
        "seconds": result.seconds,
        "assumptions": list(result.assumptions),
        "holdsOnlyWhileDeadlinesAreMet": result.when_missed is not None,
    }


def _location(path: str, span: SourceSpan | None) -> Json:
    return {"physicalLocation": _physical(path, span)}


def _physical(path: str, span: SourceSpan | None) -> Json:
    uri = relative_uri(span.file if span is not None else path)
    physical: Json = {"artifactLocation": {"uri": uri}}
    if span is not None and span.line >= 1:
        region: Json = {"startLine": span.line}
        if span.column >= 1:
            region["startColumn"] = span.column
        physical["region"] = region
    return physical


def _related(number: int, span: SourceSpan) -> Json:
    what = f"rule involved: {span.path}" if span.path else "rule involved"
    return {"id": number, "physicalLocation": _physical(span.file, span), "message": {"text": what}}


def _code_flow(story: Story, spec: ProtocolSpec, path: str) -> Json:
    locations = [
        _flow_location(order, scene, story, spec, path) for order, scene in enumerate(story.scenes)
    ]
    summary = (
        f"the case from {long_date(story.first_day)} to {long_date(story.last_day)}, "
        "working day by working day"
    )
    if story.loop_start is not None:
        summary += f"; from {scene_label(story.scenes[story.loop_start])} it repeats for ever"
    return {"message": {"text": summary}, "threadFlows": [{"locations": locations}]}


def _flow_location(order: int, scene: Scene, story: Story, spec: ProtocolSpec, path: str) -> Json:
    happenings = [scene.what, *scene.notes, *(clock.text for clock in scene.clocks)]
    text = f"{scene_label(scene)}, day {scene.day}, {long_date(scene.date)}: "
    text += "; ".join(happenings)
    if order == story.loop_start:
        text += " (from here the case repeats for ever)"
    location: Json = {"message": {"text": text}}
    span = _element_span(scene, spec)
    if span is not None:
        location["physicalLocation"] = _physical(path, span)
    state = {
        "status": {"text": scene.status},
        "owner": {"text": scene.holder.words},
        "date": {"text": scene.date.isoformat()},
    }
    found: Json = {"executionOrder": order, "location": location, "state": state}
    if scene.kind is not None:
        found["kinds"] = [scene.kind.value]
    return found


def _element_span(scene: Scene, spec: ProtocolSpec) -> SourceSpan | None:
    """Where the event or escalation of a step is written in the spec."""
    if scene.name is None:
        return None
    match scene.kind:
        case StepKind.EVENT:
            return spec.event_by_id(scene.name).span
        case StepKind.ESCALATE | StepKind.DECIDE:
            return spec.escalation_by_id(scene.name).span
        case _:
            return None


def _triage_properties(triage: Triage) -> Json:
    return {
        "severity": triage.severity.value,
        "category": triage.category.value,
        "rootCause": triage.root_cause,
        "ruleIds": list(triage.rules),
        "why": triage.why,
    }


_RANK: Final = {Severity.HIGH: 90.0, Severity.MEDIUM: 60.0, Severity.LOW: 30.0, Severity.NONE: 0.0}
"""SARIF's `rank` (0-100, higher matters more), from the mission's severity."""

_FINDING_LEVEL: Final = {
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.NONE: "note",
}


def _finding_result(
    diagnostic: Diagnostic, index: Mapping[str, int], triage: Triage, report: Report
) -> Json:
    text = diagnostic.message
    if diagnostic.rule:
        text += f" (rule: {diagnostic.rule})"
    if diagnostic.hint:
        text += f"; hint: {diagnostic.hint}"
    error = diagnostic.severity is DiagnosticSeverity.ERROR
    found: Json = {
        "ruleId": diagnostic.code,
        "ruleIndex": index[diagnostic.code],
        "level": "error" if error else _FINDING_LEVEL[triage.severity],
        "message": {"text": text},
        "locations": [_location(diagnostic.span.file, diagnostic.span)],
        "partialFingerprints": {"stepcheck/v1": triage.fingerprint},
        "properties": {
            "hint": diagnostic.hint,
            "rule": diagnostic.rule,
            **_triage_properties(triage),
        },
        "rank": _RANK[triage.severity],
    }
    state = state_of(report, triage.fingerprint)
    if state is not None:
        found["baselineState"] = state.value
    return found


def render_validation_sarif(
    diagnostics: Sequence[Diagnostic],
    findings: Sequence[Diagnostic] = (),
    specs: Mapping[str, ProtocolSpec] | None = None,
) -> str:
    """`stepcheck validate`'s SARIF log: an error result per problem that stops a spec
    from loading, at its line, and each structural finding of the specs that load, at
    the level of its severity; the same rules `verify` uses."""
    specs = specs or {}
    report = Report(results=(), inputs=tuple(diagnostics), findings=tuple(findings))
    found_rules = rules(report, specs)
    index = {rule["id"]: position for position, rule in enumerate(found_rules)}
    results = [_input_result(d, index) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    results += [
        _finding_result(d, index, of_finding(d, spec_of_finding(d, specs)), report)
        for d in sorted(findings, key=Diagnostic.sort_key)
    ]
    run = {
        "tool": {"driver": {"name": "stepcheck", "rules": found_rules}},
        "automationDetails": {"id": "stepcheck/validate/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"exitCode": 2 if diagnostics else 0},
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"
