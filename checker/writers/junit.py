"""The JUnit XML report of `stepcheck verify`, for CI test dashboards.

`checker.results.Report` -> here -> a file CI reads. One `<testsuite>` per authority,
with one `<testcase>` per property (`classname` the authority, `name` the property
id) and one per finding (`classname` `<authority>.findings`, `name` the code and the
element), each with the `file` and `line` of the YAML it is about. A violation is a
`<failure>` whose text is the case story; a finding is a `<failure>` of type
`finding-<severity>`; an unknown result is `<skipped>` with its reason, so a dashboard
never counts it as passed. Against a baseline, an accepted (unchanged) problem is
`<skipped>` saying so, and only new ones fail. A spec that could not be loaded is a
suite of its own whose one test case is an `<error>` listing every problem. No
timestamps or host names.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import PurePath
from typing import Any, assert_never

from stepcheck.checker.results import BaselineState, PropertyResult, Report, Verdict
from stepcheck.checker.triage import of_finding, of_result, spec_of_finding
from stepcheck.checker.writers.run_notes import state_of
from stepcheck.checker.writers.text import story_lines
from stepcheck.checker.writers.wording import (
    VERDICT_LABELS,
    caveats,
    citation_words,
    facts,
    finding_lines,
    group_by_authority,
    property_words,
    reproduce,
    result_citations,
    spec_of,
    story_of,
)
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.model import ProtocolSpec

__all__ = ["render_junit", "render_validation_junit"]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_junit(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as JUnit XML, ending with a newline."""
    root = ET.Element("testsuites", name="stepcheck verify")
    grouped = group_by_authority(report.results)
    for authority, results in grouped:
        findings = _findings_of(report.findings, {result.spec for result in results})
        root.append(_suite(authority, results, findings, specs=specs, start=start, report=report))
    root.extend(_orphan_suites(report, {r.spec for r in report.results}, specs))
    root.extend(_input_suites(report.inputs))
    _set_counts(root)
    ET.indent(root)
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _suite(
    authority: str,
    results: list[PropertyResult],
    findings: list[Diagnostic],
    *,
    specs: Mapping[str, ProtocolSpec],
    start: date,
    report: Report,
) -> ET.Element:
    suite = ET.Element("testsuite", name=authority)
    properties = ET.SubElement(suite, "properties")
    spec = spec_of(results[0], specs)
    _property(properties, "authority.name", spec.authority.name)
    for path in sorted({result.spec for result in results}):
        _property(properties, "spec", path)
    _property(properties, "start-date", start.isoformat())
    for result in results:
        suite.append(_testcase(result, specs, start, report))
    for finding in findings:
        suite.append(_finding_case(finding, authority, specs, report))
    _set_counts(suite)
    return suite


def _testcase(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date, report: Report
) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=result.authority,
        name=result.property,
        time=f"{result.seconds:.3f}",
        **_where(result.spec, result.span),
    )
    accepted = _accepted(report, of_result(result, specs.get(result.spec)).fingerprint)
    match result.verdict:
        case Verdict.VIOLATED if accepted:
            ET.SubElement(case, "skipped", message=f"{_ACCEPTED}: violated: {result.summary}")
        case Verdict.VIOLATED:
            failure = ET.SubElement(case, "failure", message=result.summary, type="violated")
            failure.text = _story_text(result, specs, start)
        case Verdict.UNKNOWN:
            reason = caveats(result)[0]
            ET.SubElement(case, "skipped", message=f"{_ACCEPTED}: {reason}" if accepted else reason)
        case Verdict.PROVED:
            pass
        case _:
            assert_never(result.verdict)
    ET.SubElement(case, "system-out").text = _verdict_text(result, specs)
    return case


_ACCEPTED = "accepted in the baseline"


def _accepted(report: Report, fingerprint: str) -> bool:
    return state_of(report, fingerprint) is BaselineState.UNCHANGED


def _where(path: str, span: SourceSpan | None) -> Any:
    """The `file` and `line` attributes test dashboards link from (a dict of strings,
    typed `Any` because ElementTree's stubs type `**extra` as one dict)."""
    where = {"file": PurePath(span.file if span is not None else path).as_posix()}
    if span is not None and span.line >= 1:
        where["line"] = str(span.line)
    return where


def _finding_case(
    finding: Diagnostic, authority: str, specs: Mapping[str, ProtocolSpec], report: Report
) -> ET.Element:
    triage = of_finding(finding, spec_of_finding(finding, specs))
    case = ET.Element(
        "testcase",
        classname=f"{authority}.findings",
        name=f"{finding.code} {finding.subject or finding.span.path or ''}".strip(),
        time="0.000",
        **_where(finding.span.file, finding.span),
    )
    if _accepted(report, triage.fingerprint):
        ET.SubElement(case, "skipped", message=f"{_ACCEPTED}: {finding.message}")
    else:
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{triage.severity.value}: {finding.message}",
            type=f"finding-{triage.severity.value}",
        )
        failure.text = "\n".join(finding_lines(finding)) + "\n"
    return case


def _input_suites(inputs: Iterable[Diagnostic]) -> list[ET.Element]:
    """A suite for each spec that could not be loaded, with one erroring test case."""
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in sorted(inputs, key=Diagnostic.sort_key):
        by_file.setdefault(diagnostic.span.file, []).append(diagnostic)
    suites = []
    for path, found in sorted(by_file.items()):
        suite = ET.Element("testsuite", name=PurePath(path).as_posix())
        case = ET.SubElement(
            suite,
            "testcase",
            classname=PurePath(path).as_posix(),
            name="load",
            time="0.000",
            **_where(path, found[0].span),
        )
        error = ET.SubElement(
            case,
            "error",
            message=f"the spec could not be loaded: {found[0].message}",
            type=found[0].code,
        )
        error.text = "\n".join(line for d in found for line in finding_lines(d)) + "\n"
        _set_counts(suite)
        suites.append(suite)
    return suites


def _verdict_text(result: PropertyResult, specs: Mapping[str, ProtocolSpec]) -> str:
    lines = [f"{VERDICT_LABELS[result.verdict]} {property_words(result)}", result.summary]
    lines += facts(result)
    lines += [f"rule: {citation_words(c)}" for c in result_citations(result, specs)]
    return "\n".join(lines) + "\n"


def _story_text(result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    story = story_of(result, specs, start)
    lines = [result.summary, *caveats(result)]
    if story is not None:
        lines += ["what happens, working day by working day:"]
        lines += ["  " + line for line in story_lines(story)]
    lines.append(f"reproduce: {reproduce(result, start)}")
    return "\n".join(lines) + "\n"


def _findings_of(findings: Iterable[Diagnostic], paths: set[str]) -> list[Diagnostic]:
    return sorted((f for f in findings if f.span.file in paths), key=Diagnostic.sort_key)


def _orphan_suites(
    report: Report, paths: set[str], specs: Mapping[str, ProtocolSpec]
) -> list[ET.Element]:
    """A suite of findings for each spec that has findings but no results."""
    orphans: dict[str, list[Diagnostic]] = {}
    for finding in sorted(report.findings, key=Diagnostic.sort_key):
        if finding.span.file not in paths:
            orphans.setdefault(finding.span.file, []).append(finding)
    suites = []
    for path, found in sorted(orphans.items()):
        spec = spec_of_finding(found[0], specs)
        authority = spec.authority.id if spec is not None else PurePath(path).stem
        suite = ET.Element("testsuite", name=authority)
        for finding in found:
            suite.append(_finding_case(finding, authority, specs, report))
        _set_counts(suite)
        suites.append(suite)
    return suites


def _property(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "property", name=name, value=value)


def _set_counts(element: ET.Element) -> None:
    """The counts JUnit readers expect, from the test cases below `element`."""
    cases = list(element.iter("testcase"))
    seconds = sum(float(case.get("time", "0")) for case in cases)
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    element.set("errors", str(sum(case.find("error") is not None for case in cases)))
    if element.tag == "testsuite":
        element.set("skipped", str(sum(case.find("skipped") is not None for case in cases)))
    element.set("time", f"{seconds:.3f}")


def render_validation_junit(
    files: Sequence[tuple[str, Sequence[Diagnostic], Sequence[Diagnostic]]],
) -> str:
    """`stepcheck validate`'s JUnit report: a test case per spec file (its problems and
    findings), with an `<error>` listing every problem when it does not load; findings
    of a spec that loads are warnings, in the test case's `<system-out>`."""
    root = ET.Element("testsuites", name="stepcheck validate")
    suite = ET.SubElement(root, "testsuite", name="validate")
    for path, found, findings in files:
        posix = PurePath(path).as_posix()
        span = found[0].span if found else None
        case = ET.SubElement(
            suite, "testcase", classname="validate", name=posix, time="0.000", **_where(path, span)
        )
        if found:
            error = ET.SubElement(
                case, "error", message=f"invalid spec: {found[0].message}", type=found[0].code
            )
            error.text = "\n".join(line for d in found for line in finding_lines(d)) + "\n"
        if findings:
            lines = [f"findings ({len(findings)}):"]
            lines += [
                line for d in sorted(findings, key=Diagnostic.sort_key) for line in finding_lines(d)
            ]
            ET.SubElement(case, "system-out").text = "\n".join(lines) + "\n"
    _set_counts(suite)
    _set_counts(root)
    ET.indent(root)
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
