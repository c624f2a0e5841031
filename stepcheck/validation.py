"""`stepcheck validate`: load each spec and say what is wrong, or what it holds.

Problems that stop a spec from loading are errors (exit 2). For a spec that loads, the
checker's structural findings (dead ends, holding statuses with no time limit, deadlines
with no duration, ...) are shown as warnings unless `--no-findings`; they never change
the exit code. `verify` ranks them by severity and root cause.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from attrs import evolve, frozen

from stepcheck.spec.diagnostics import Diagnostic, SpecInvalid, render_diagnostics
from stepcheck.spec.loader import gather_spec_files, load_spec
from stepcheck.spec.model import ProtocolSpec

__all__ = [
    "VALIDATE_FORMATS",
    "FileResult",
    "render_json",
    "render_text",
    "render_validation",
    "validate_files",
    "validate_paths",
    "with_findings",
]


@frozen(kw_only=True)
class FileResult:
    """The outcome of loading one spec file: the spec, or its diagnostics."""

    path: Path
    spec: ProtocolSpec | None
    diagnostics: tuple[Diagnostic, ...]
    findings: tuple[Diagnostic, ...] = ()
    """The catalogue's structural findings about a spec that loads (warnings)."""

    @property
    def ok(self) -> bool:
        return self.spec is not None


def validate_paths(paths: Sequence[Path]) -> list[FileResult]:
    """Load every spec file under `paths`, in the order given; a path that is missing,
    or a folder with no spec, is a result of its own with a located diagnostic, so
    nothing given is lost."""
    results: list[FileResult] = []
    seen: set[Path] = set()
    for given in paths:
        files, problems = gather_spec_files([given])
        results += validate_files([path for path in files if path not in seen])
        seen.update(files)
        results += [
            FileResult(path=Path(problem.span.file), spec=None, diagnostics=(problem,))
            for problem in problems
        ]
    return results


def with_findings(results: Sequence[FileResult]) -> list[FileResult]:
    """Each loaded spec with the checker's structural findings (dead ends, unbounded
    holding statuses, deadlines with no duration, ...): warnings, not errors."""
    # imported here, as the writers below: the checker takes most of a second to load,
    # and the commands that only load a spec (replay, simulate, test) must not pay it
    from stepcheck.checker.structure import check_structure  # noqa: PLC0415

    return [
        evolve(result, findings=tuple(check_structure(result.spec)))
        if result.spec is not None
        else result
        for result in results
    ]


def validate_files(paths: Sequence[Path]) -> list[FileResult]:
    """Load every file, keeping going after a bad one."""
    results = []
    for path in paths:
        try:
            spec = load_spec(path)
        except SpecInvalid as invalid:
            results.append(FileResult(path=path, spec=None, diagnostics=invalid.diagnostics))
        else:
            results.append(FileResult(path=path, spec=spec, diagnostics=()))
    return results


VALIDATE_FORMATS: Final = ("text", "json", "sarif", "junit", "github")


def render_validation(results: Sequence[FileResult], fmt: str) -> str:
    """`results` in one of `VALIDATE_FORMATS`."""
    from stepcheck.checker.writers.github import render_validation_github  # noqa: PLC0415
    from stepcheck.checker.writers.junit import render_validation_junit  # noqa: PLC0415
    from stepcheck.checker.writers.sarif import render_validation_sarif  # noqa: PLC0415

    problems = [d for result in results for d in result.diagnostics]
    findings = [d for result in results for d in result.findings]
    specs = {result.spec.path: result.spec for result in results if result.spec is not None}
    match fmt:
        case "json":
            return render_json(results)
        case "sarif":
            return render_validation_sarif(problems, findings, specs)
        case "junit":
            files = [(str(r.path), r.diagnostics, r.findings) for r in results]
            return render_validation_junit(files)
        case "github":
            return render_validation_github(problems, findings, specs, len(results))
        case "text":
            return render_text(results)
        case _:
            raise ValueError(f"unknown format '{fmt}'; known: {', '.join(VALIDATE_FORMATS)}")


def render_text(results: Sequence[FileResult]) -> str:
    """Diagnostics for bad files, a one-line summary for good ones, then a total."""
    blocks = []
    for result in results:
        if result.spec is not None:
            blocks.append(f"ok {result.path}: {_summary(result.spec)}" + _findings(result))
        else:
            blocks.append(render_diagnostics(result.diagnostics).rstrip("\n"))
    bad = sum(not result.ok for result in results)
    problems = sum(len(result.diagnostics) for result in results)
    total = f"{len(results)} spec(s) checked: {len(results) - bad} valid, {bad} invalid"
    if problems:
        total += f" ({problems} problem(s))"
    findings = sum(len(result.findings) for result in results)
    if findings:
        total += f"; {findings} finding(s) about the protocol (warnings: `verify` ranks them)"
    return "\n\n".join(blocks) + "\n\n" + total + "\n"


def render_json(results: Sequence[FileResult]) -> str:
    """The same, as JSON for CI."""
    payload = {
        "format_version": 1,
        "files": [
            {
                "spec": str(result.path),
                "valid": result.ok,
                "authority": result.spec.authority.id if result.spec else None,
                "diagnostics": [_diagnostic_json(d) for d in result.diagnostics],
                "findings": [
                    {**_diagnostic_json(d), "rule": d.rule, "rule_ids": list(d.rule_ids)}
                    for d in result.findings
                ],
            }
            for result in results
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _findings(result: FileResult) -> str:
    """The findings under a valid spec's line: one line each, located, with the code."""
    if not result.findings:
        return ""
    lines = [f"  {len(result.findings)} finding(s), warnings about the protocol:"]
    for finding in sorted(result.findings, key=Diagnostic.sort_key):
        lines.append(
            f"    {finding.span}: {finding.severity.value}[{finding.code}]: {finding.message}"
        )
    return "\n" + "\n".join(lines)


def _summary(spec: ProtocolSpec) -> str:
    counts = [
        (len(spec.documents), "document"),
        (len(spec.statuses), "status"),
        (len(spec.events), "event"),
        (len(spec.deadlines), "deadline"),
        (len(spec.escalations), "escalation ladder"),
        (len(spec.properties), "property"),
    ]
    parts = ", ".join(f"{n} {_plural(word, n)}" for n, word in counts)
    cited = len(spec.cited_rules)
    skipped = len(spec.out_of_scope)
    return f"{spec.authority.name}: {parts}; {cited} rule(s) cited, {skipped} out of scope"


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    if word.endswith("s"):
        return word + "es"
    if word.endswith("y"):
        return word[:-1] + "ies"
    return word + "s"


def _diagnostic_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": diagnostic.span.file,
        "line": diagnostic.span.line,
        "column": diagnostic.span.column,
        "path": diagnostic.span.path,
        "hint": diagnostic.hint,
    }
