"""The JUnit XML report of `stepcheck verify`, for CI test dashboards.

`checker.results.Report` -> here -> a file CI reads. One `<testsuite>` per authority
and one `<testcase>` per property (`classname` the authority, `name` the property
id). A violation is a `<failure>` whose text is the case story; an unknown result is
`<skipped>` with its reason, so a dashboard never counts it as passed. Findings are
warnings about the spec, not tests: they go to the suite's `<system-out>` so they are
shown without changing the pass and failure counts. No timestamps or host names.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import date
from typing import assert_never

from stepcheck.checker.results import PropertyResult, Report, Verdict
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
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import ProtocolSpec

__all__ = ["render_junit"]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_junit(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """The whole report as JUnit XML, ending with a newline."""
    root = ET.Element("testsuites", name="stepcheck verify")
    grouped = group_by_authority(report.results)
    for authority, results in grouped:
        findings = _findings_of(report.findings, {result.spec for result in results})
        root.append(_suite(authority, results, findings, specs, start))
    root.extend(_orphan_suites(report.findings, {r.spec for r in report.results}))
    _set_counts(root, report.results)
    ET.indent(root)
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _suite(
    authority: str,
    results: list[PropertyResult],
    findings: list[Diagnostic],
    specs: Mapping[str, ProtocolSpec],
    start: date,
) -> ET.Element:
    suite = ET.Element("testsuite", name=authority)
    properties = ET.SubElement(suite, "properties")
    spec = spec_of(results[0], specs)
    _property(properties, "authority.name", spec.authority.name)
    for path in sorted({result.spec for result in results}):
        _property(properties, "spec", path)
    _property(properties, "start-date", start.isoformat())
    for result in results:
        suite.append(_testcase(result, specs, start))
    if findings:
        ET.SubElement(suite, "system-out").text = _findings_text(findings)
    _set_counts(suite, results)
    return suite


def _testcase(result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=result.authority,
        name=result.property,
        time=f"{result.seconds:.3f}",
    )
    match result.verdict:
        case Verdict.VIOLATED:
            failure = ET.SubElement(case, "failure", message=result.summary, type="violated")
            failure.text = _story_text(result, specs, start)
        case Verdict.UNKNOWN:
            ET.SubElement(case, "skipped", message=caveats(result)[0])
        case Verdict.PROVED:
            pass
        case _:
            assert_never(result.verdict)
    ET.SubElement(case, "system-out").text = _verdict_text(result, specs)
    return case


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


def _orphan_suites(findings: Iterable[Diagnostic], paths: set[str]) -> list[ET.Element]:
    """A suite without tests for each spec that has findings but no results."""
    orphans: dict[str, list[Diagnostic]] = {}
    for finding in sorted(findings, key=Diagnostic.sort_key):
        if finding.span.file not in paths:
            orphans.setdefault(finding.span.file, []).append(finding)
    suites = []
    for path, found in sorted(orphans.items()):
        suite = ET.Element("testsuite", name=path)
        ET.SubElement(suite, "system-out").text = _findings_text(found)
        _set_counts(suite, [])
        suites.append(suite)
    return suites


def _findings_text(findings: list[Diagnostic]) -> str:
    lines = [f"findings ({len(findings)}):"]
    for finding in findings:
        lines += finding_lines(finding)
    return "\n".join(lines) + "\n"


def _property(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "property", name=name, value=value)


def _set_counts(element: ET.Element, results: Iterable[PropertyResult]) -> None:
    """The counts JUnit readers expect, on a suite or on the whole report."""
    results = list(results)
    verdicts = [result.verdict for result in results]
    seconds = sum(result.seconds for result in results)
    element.set("tests", str(len(verdicts)))
    element.set("failures", str(verdicts.count(Verdict.VIOLATED)))
    element.set("errors", "0")
    if element.tag == "testsuite":
        element.set("skipped", str(verdicts.count(Verdict.UNKNOWN)))
    element.set("time", f"{seconds:.3f}")
