"""GitHub Actions workflow commands: each problem as an annotation on its YAML line.

`::error file=F,line=L,col=C,title=T::message` lines, which a workflow step prints to
make GitHub show the problem on the pull request's diff. A violated property is an
`error`, an unknown one a `warning`, a finding by its severity (high `error`, medium
`warning`, low `notice`), a spec that could not be loaded an `error` at the problem's
line. Proofs print nothing. Against a baseline, accepted problems are `notice`s and
only new ones are errors or warnings. The last line is the summary, as plain text.
Values are escaped as the runner expects (`%`, CR and LF in the message; also `:` and
`,` in properties), so a quote from a document can never end an annotation early or
inject another workflow command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import PurePath

from stepcheck.checker.results import BaselineState, PropertyResult, Report, Verdict
from stepcheck.checker.triage import Severity, of_finding, of_result, spec_of_finding
from stepcheck.checker.writers.run_notes import state_of
from stepcheck.checker.writers.wording import group_by_authority, property_words, reproduce
from stepcheck.checker.writers.wording import summary_line as counts_line
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.model import ProtocolSpec

__all__ = ["annotation", "render_github", "render_validation_github"]

_LEVELS = {
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.NONE: "notice",
}


def render_github(report: Report, *, specs: Mapping[str, ProtocolSpec], start: date) -> str:
    """Every problem of `report` as a workflow annotation, then the summary line."""
    lines = [_input_line(d) for d in sorted(report.inputs, key=Diagnostic.sort_key)]
    for _, results in group_by_authority(report.results):
        lines += [_result_line(r, specs, start, report) for r in results]
    for finding in sorted(report.findings, key=Diagnostic.sort_key):
        lines.append(_finding_line(finding, specs, report))
    lines = [line for line in lines if line]
    lines.append(f"stepcheck verify: {counts_line(report)}")
    return "\n".join(lines) + "\n"


def annotation(level: str, span: SourceSpan | None, file: str, title: str, message: str) -> str:
    """One workflow command: `::level file=..,line=..,col=..,title=..::message`."""
    fields = [f"file={_property(PurePath(file).as_posix())}"]
    if span is not None and span.line >= 1:
        fields.append(f"line={span.line}")
        if span.column >= 1:
            fields.append(f"col={span.column}")
    fields.append(f"title={_property(title)}")
    return f"::{level} {','.join(fields)}::{_data(message)}"


def _result_line(
    result: PropertyResult, specs: Mapping[str, ProtocolSpec], start: date, report: Report
) -> str:
    if result.verdict is Verdict.PROVED:
        return ""
    triage = of_result(result, specs.get(result.spec))
    level = "error" if result.verdict is Verdict.VIOLATED else "warning"
    title = f"{result.authority}: {property_words(result)} ({result.verdict.value})"
    if state_of(report, triage.fingerprint) is BaselineState.UNCHANGED:
        level, title = "notice", f"{title}, accepted in the baseline"
    message = result.summary
    if result.trace is not None:
        message += f"\nreproduce: {reproduce(result, start)}"
    file = result.span.file if result.span is not None else result.spec
    return annotation(level, result.span, file, title, message)


def _finding_line(finding: Diagnostic, specs: Mapping[str, ProtocolSpec], report: Report) -> str:
    triage = of_finding(finding, spec_of_finding(finding, specs))
    level = _LEVELS[triage.severity]
    title = f"{finding.code} ({triage.severity.value}): {triage.why}"
    if state_of(report, triage.fingerprint) is BaselineState.UNCHANGED:
        level, title = "notice", f"{title}, accepted in the baseline"
    message = finding.message
    if finding.rule:
        message += f"\nrule: {finding.rule}"
    if finding.hint:
        message += f"\nhint: {finding.hint}"
    return annotation(level, finding.span, finding.span.file, title, message)


def _input_line(diagnostic: Diagnostic) -> str:
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    title = f"{diagnostic.code}: the spec could not be loaded"
    return annotation("error", diagnostic.span, diagnostic.span.file, title, message)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_validation_github(
    diagnostics: Sequence[Diagnostic],
    findings: Sequence[Diagnostic],
    specs: Mapping[str, ProtocolSpec],
    checked: int,
) -> str:
    """`stepcheck validate`'s annotations: an error per problem that stops a spec from
    loading, a warning or notice per finding, then a summary line."""
    report = Report(results=(), findings=tuple(findings))
    lines = [_input_line(d) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    lines += [_finding_line(f, specs, report) for f in sorted(findings, key=Diagnostic.sort_key)]
    files = len({d.span.file for d in diagnostics})
    lines.append(
        f"stepcheck validate: {checked} spec(s) checked, {files} invalid, "
        f"{len(findings)} finding(s)"
    )
    return "\n".join(lines) + "\n"
