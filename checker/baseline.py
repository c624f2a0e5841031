"""Accepted problems: write a baseline of today's problems, and compare a run with one.

A CI job that adopts stepcheck on a protocol with known problems records them once
(`verify --write-baseline FILE`) and from then on fails only on new ones
(`verify --baseline FILE`). A problem is a violated or unknown verdict, or a
catalogue finding, named by its triage fingerprint (`checker.triage`): authority,
property or finding code, and the element it is about. No line, message, order or
date goes into it, so moving lines, reordering the YAML, rewording quotes and
comments leave it unchanged, while a new problem on another element gets a new one.

The file is JSON, sorted, one entry per problem, with a headline in words so a
reviewer can read what was accepted and a fixed problem can be named when it is
absent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any, Final

from attrs import evolve

from stepcheck.checker.results import BaselineEntry, Comparison, Report, Verdict
from stepcheck.checker.triage import of_finding, of_result, spec_of_finding
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.files import FileRefused, read_input
from stepcheck.spec.jsontext import JsonRefused, load_json
from stepcheck.spec.model import ProtocolSpec

__all__ = ["BASELINE_FORMAT", "compare", "entries", "read_baseline", "render_baseline"]

BASELINE_FORMAT: Final = "stepcheck-baseline"
_VERSION: Final = 1
_KEYS: Final = ("fingerprint", "authority", "kind", "what", "subject", "headline")


def entries(report: Report, specs: Mapping[str, ProtocolSpec]) -> list[BaselineEntry]:
    """Every problem of `report`, sorted by authority then fingerprint."""
    found: dict[str, BaselineEntry] = {}
    for result in report.results:
        if result.verdict is Verdict.PROVED:
            continue
        triage = of_result(result, specs.get(result.spec))
        found[triage.fingerprint] = BaselineEntry(
            fingerprint=triage.fingerprint,
            authority=result.authority,
            kind=result.verdict.value,
            what=result.property,
            subject=result.subject or "",
            headline=result.summary,
        )
    for finding in report.findings:
        spec = spec_of_finding(finding, specs)
        triage = of_finding(finding, spec)
        found[triage.fingerprint] = BaselineEntry(
            fingerprint=triage.fingerprint,
            authority=spec.authority.id if spec is not None else PurePath(finding.span.file).stem,
            kind="finding",
            what=finding.code,
            subject=finding.subject or "",
            headline=finding.message,
        )
    return sorted(found.values(), key=lambda entry: (entry.authority, entry.fingerprint))


def render_baseline(report: Report, specs: Mapping[str, ProtocolSpec]) -> str:
    """The baseline file for `report`: JSON, keys and entries sorted, ending with a newline."""
    payload = {
        "format": BASELINE_FORMAT,
        "version": _VERSION,
        "problems": [
            {key: getattr(entry, key) for key in _KEYS} for entry in entries(report, specs)
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_baseline(path: Path) -> list[BaselineEntry]:
    """The accepted problems in a baseline file.

    Raises:
        StepcheckError: the file cannot be read, is not JSON, or is not a baseline;
            the message names the file and, for bad JSON, the line and column.
    """
    try:
        data = load_json(read_input(path), name=str(path))
    except FileRefused as refused:
        raise StepcheckError(f"{path}: cannot read the baseline: {refused.reason}") from None
    except JsonRefused as refused:
        raise StepcheckError(f"{refused} (in the baseline)") from None
    return _entries_of(path, data)


def compare(
    report: Report, specs: Mapping[str, ProtocolSpec], accepted: list[BaselineEntry], file: str
) -> Report:
    """`report` marked against the accepted problems: which are new, which unchanged,
    which accepted ones are absent, and how many new problems of each kind there are."""
    current = entries(report, specs)
    prints = {entry.fingerprint for entry in current}
    known = frozenset(entry.fingerprint for entry in accepted) & prints
    new = [entry for entry in current if entry.fingerprint not in known]
    absent = tuple(
        sorted(
            (entry for entry in accepted if entry.fingerprint not in prints),
            key=lambda entry: (entry.authority, entry.fingerprint),
        )
    )
    return evolve(
        report,
        baseline=Comparison(file=file, known=known, absent=absent),
        new_violations=sum(entry.kind == Verdict.VIOLATED.value for entry in new),
        new_unknowns=sum(entry.kind == Verdict.UNKNOWN.value for entry in new),
        new_findings=sum(entry.kind == "finding" for entry in new),
    )


def _entries_of(path: Path, data: Any) -> list[BaselineEntry]:
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise StepcheckError(
            f"{path}: not a stepcheck baseline (write one with `stepcheck verify "
            "--write-baseline FILE`)"
        )
    if data.get("version") != _VERSION:
        raise StepcheckError(
            f"{path}: baseline version {data.get('version')!r} is not supported "
            f"(this stepcheck reads version {_VERSION})"
        )
    problems = data.get("problems")
    if not isinstance(problems, list):
        raise StepcheckError(f"{path}: the baseline has no 'problems' list")
    found = []
    for number, item in enumerate(problems, 1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _KEYS):
            raise StepcheckError(
                f"{path}: problem {number} of the baseline needs the text fields {', '.join(_KEYS)}"
            )
        found.append(BaselineEntry(**{key: item[key] for key in _KEYS}))
    return found
