"""`stepcheck validate`: load each spec and say what is wrong, or what it holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

from stepcheck.spec.diagnostics import Diagnostic, SpecInvalid, render_diagnostics
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec

__all__ = ["FileResult", "render_json", "render_text", "validate_files"]


@frozen(kw_only=True)
class FileResult:
    """The outcome of loading one spec file: the spec, or its diagnostics."""

    path: Path
    spec: ProtocolSpec | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.spec is not None


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


def render_text(results: Sequence[FileResult]) -> str:
    """Diagnostics for bad files, a one-line summary for good ones, then a total."""
    blocks = []
    for result in results:
        if result.spec is not None:
            blocks.append(f"ok {result.path}: {_summary(result.spec)}")
        else:
            blocks.append(render_diagnostics(result.diagnostics).rstrip("\n"))
    bad = sum(not result.ok for result in results)
    problems = sum(len(result.diagnostics) for result in results)
    total = f"{len(results)} spec(s) checked: {len(results) - bad} valid, {bad} invalid"
    if problems:
        total += f" ({problems} problem(s))"
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
            }
            for result in results
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


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
