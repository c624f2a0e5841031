"""The SARIF 2.1.0 report of `stepcheck verify`, for code-scanning tools and editors.

`checker.results.Report` -> here -> a `.sarif` file. One run; the driver's rules are
the property kinds present (`leads_to`, ...) and the finding codes (`SPEC207`, ...),
each with help text. Every property gets a result pointing at its YAML line:

- violated: level `error`, with the rules involved as `relatedLocations` and the
  trace, step by step, as a `codeFlow`;
- unknown: level `warning` (kind `fail`): not proved is a problem to look at, and a
  SARIF consumer must never show it as a pass;
- proved: kind `pass`, level `none`, so the log records what was checked; a proof
  that holds only if should-rules are followed, or vacuously, says so in its message.

Findings are results of their own rule, at a level from the mission's severity (high
`error`, medium `warning`, low `note`). Every result carries that severity, its category
and root cause in `properties`, a `rank` (90 high, 60 medium, 30 low, 0 none) and a
`stepcheck/v1` partial fingerprint that survives moved lines and reordered YAML.
URIs are relative to the working folder, with forward slashes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, Final, assert_never

import stepcheck
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.story import Scene, Story, long_date
from stepcheck.checker.triage import Severity, Triage, of_finding, of_result, spec_of_finding
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
from stepcheck.spec.model import PropertyKind, ProtocolSpec
from stepcheck.spec.trace import StepKind

__all__ = ["SARIF_SCHEMA", "render_sarif"]

SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
)

Json = dict[str, Any]

_PROPERTY_HELP: Final = {
    PropertyKind.ESCALATION_TERMINATES: (
        "every dispute ends with a final decision",
        "Every escalation ladder (or those named) reaches a final decision in a bounded "
        "number of steps and working days; the result states the bound.",
    ),
    PropertyKind.NO_UNOWNED_CASE: (
        "someone is always responsible for an open case",
        "In every reachable state, a case that is not in a final status is held by an "
        "owner someone answers for (not 'none', 'unspecified', a meeting queue or a "
        "system tray).",
    ),
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING: (
        "stepping down from child protection needs a meeting first",
        "Every event that takes a case out of the protected tiers (default: child "
        "protection) to a lower tier happens only after one of the named meetings has "
        "been held since the case entered its tier.",
    ),
    PropertyKind.REQUIRES_MEETING: (
        "every move of the named kinds goes through one of the named meetings",
        "Every event of the named kinds (from the named tiers, when given) happens at one "
        "of the named meetings, or after one of them has been held since the case "
        "entered its tier.",
    ),
    PropertyKind.INVARIANT: (
        "a stated condition always holds",
        "The property's 'holds' expression is true in every reachable state.",
    ),
    PropertyKind.LEADS_TO: (
        "a case in one situation always reaches another",
        "Whenever 'from' holds, 'to' holds later: within the stated time if one is given, "
        "otherwise eventually.",
    ),
}
_FINDING_HELP: Final = {
    "SPEC202": "a status cannot be reached from any initial status",
    "SPEC203": "a status is a dead end: no event leads out of it",
    "SPEC204": "an event can never happen: none of its statuses can be reached",
    "SPEC205": "from a status, no final status can be reached",
    "SPEC206": "a holding status (tray, waiting list) has no deadline bounding the wait",
    "SPEC207": "a deadline has no stated consequence when missed",
    "SPEC208": "a deadline has no duration",
    "SPEC209": "an escalation depends on an external document",
    "SPEC210": "an escalation has no final authority",
    "SPEC211": "an escalation ends with several peers and no tie-break",
    "SPEC212": "a duration says bare 'days' (working or calendar not stated)",
    "SPEC213": "a deadline is met only at a meeting that may not sit in time",
    "SPEC214": "two limits on one milestone differ",
    "SPEC215": "a minimum wait as long as the limit: a window of zero width",
    "SPEC216": "the protocol refers to a document no rule of the spec depends on",
    "SPEC217": "a fact is recorded but no rule depends on it",
    "SPEC218": "one trigger starts two escalation ladders that differ",
    "SPEC219": "a deadline never starts: its starting point never happens",
    "SPEC220": "a step waits for a fact that only it, a later step, or no step sets",
    "SPEC221": "an urgent case waits for a weekly, fortnightly or monthly meeting",
    "SPEC222": "a status below statutory services has no urgent route out",
    "SPEC223": "a meeting can send a case back to itself with no limit on how many times",
    "SPEC224": "a deadline can fall due before the step it depends on is due",
}


def render_sarif(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as one SARIF 2.1.0 log, indented, keys sorted, ending with a newline."""
    rules = _rules(report)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    ordered = [result for _, group in group_by_authority(report.results) for result in group]
    results = [_property_result(r, index, specs, start) for r in ordered]
    results += [
        _finding_result(d, index, of_finding(d, spec_of_finding(d, specs)))
        for d in sorted(report.findings, key=Diagnostic.sort_key)
    ]
    driver: Json = {"name": "stepcheck", "rules": rules}
    # The root package is always loaded before this one; no import cycle, no new layer.
    version = getattr(stepcheck, "__version__", None)
    if version:
        driver["version"] = version
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"startDate": start.isoformat(), "exitCode": report.exit_code},
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _rules(report: Report) -> list[Json]:
    kinds = sorted({result.kind for result in report.results}, key=lambda kind: kind.value)
    codes = sorted({finding.code for finding in report.findings})
    return [_property_rule(kind) for kind in kinds] + [_finding_rule(code) for code in codes]


def _property_rule(kind: PropertyKind) -> Json:
    short, full = _PROPERTY_HELP[kind]
    return {
        "id": kind.value,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full} A violation comes with a dated case story (the code flow) and "
            "the command that reproduces it; an unknown result is not a pass."
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["stepcheck", "property"]},
    }


def _finding_rule(code: str) -> Json:
    short = _FINDING_HELP.get(code, "a finding about the spec")
    return {
        "id": code,
        "shortDescription": {"text": short},
        "help": {"text": f"{short}. Each result names the element and gives a hint."},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["stepcheck", "finding"]},
    }


def _property_result(
    result: PropertyResult, index: Mapping[str, int], specs: Mapping[str, ProtocolSpec], start: date
) -> Json:
    rule = result.kind.value
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
            found["kind"], found["level"] = "pass", "none"
        case _:
            assert_never(result.verdict)
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


def _finding_result(diagnostic: Diagnostic, index: Mapping[str, int], triage: Triage) -> Json:
    text = diagnostic.message
    if diagnostic.rule:
        text += f" (rule: {diagnostic.rule})"
    if diagnostic.hint:
        text += f"; hint: {diagnostic.hint}"
    error = diagnostic.severity is DiagnosticSeverity.ERROR
    return {
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
