"""A replay report for machines: JSON (schema: `replay.schema.json`) and SARIF 2.1.0.

SARIF places each violation on the spec line of the rule it breaks (the cited
source, else the element) with the log row as a related location, so code scanning
shows the rule and the row side by side; a malformed row is placed on the log line.
Both outputs are deterministic: sorted keys, no run times.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, Final

from stepcheck.oracle.replay_cases import CaseReports
from stepcheck.oracle.replay_json_cases import cases_json
from stepcheck.oracle.replay_model import CaseReport, Finding, ReplayReport
from stepcheck.oracle.replay_rows import Malformed, RowPlace
from stepcheck.oracle.replay_write import citation_text
from stepcheck.spec.citations import Citation
from stepcheck.spec.diagnostics import SourceSpan

__all__ = ["SCHEMA_VERSION", "render_json", "render_sarif", "replay_schema"]

Json = dict[str, Any]

SCHEMA_VERSION: Final = 1
_SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
_MALFORMED_RULE: Final = "malformed-row"
_NO_CASES: Final = '  "cases": [],\n'
"""The top-level key's line when the cases are left to `cases_json` (top-level keys are
the only ones indented by two spaces, so it is there once)."""


def replay_schema() -> Json:
    """The JSON Schema of `render_json`'s output (shipped beside this module)."""
    text = resources.files("stepcheck.oracle").joinpath("replay.schema.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


def render_json(report: ReplayReport) -> str:
    """Everything the replay found, indented, keys sorted, ending with a newline."""
    body: Json = {
        "version": SCHEMA_VERSION,
        "spec": {"authority": report.authority, "path": _uri(report.spec)},
        "reading": report.reading,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "logs": [{"file": f.name, "rows": f.rows} for f in report.files],
        "totals": {
            "rows": report.totals.rows,
            "accepted": report.totals.accepted,
            "violation": report.totals.violation,
            "malformed": report.totals.malformed,
            "findings": len(report.findings),
            "cases": len(report.cases),
        },
        "findings": [_finding(f) for f in report.findings],
        "malformed": [_malformed(m) for m in report.malformed],
        "out_of_order": [
            {"place": _place(o.place), "case": o.case, "after": _place(o.after)}
            for o in report.out_of_order
        ],
        "cases": [] if isinstance(report.cases, CaseReports) else [_case(c) for c in report.cases],
    }
    text = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if isinstance(report.cases, CaseReports) and len(report.cases):
        head, tail = text.split(_NO_CASES)
        text = f'{head}  "cases": [\n{cases_json(report.cases, _case)}\n  ],\n{tail}'
    return text


def _case(c: CaseReport) -> Json:
    return {
        "case": c.case,
        "rows": c.rows,
        "status": c.status,
        "owner": c.owner,
        "timeline": [
            {
                "at": t.at.isoformat(),
                "place": _place(t.place),
                "status": t.status,
                "owner": t.owner,
            }
            for t in c.timeline
        ],
        "open": [
            {
                "deadline": o.deadline,
                "obligation": list(o.obligation),
                "due": o.by.isoformat(),
                "overdue": o.overdue,
            }
            for o in c.open
        ],
        "unowned": [
            {
                "owner": u.owner,
                "start": u.start.isoformat(),
                "end": u.end.isoformat(),
                "working_days": u.working_days,
                "open": u.open,
            }
            for u in c.unowned
        ],
    }


def render_sarif(report: ReplayReport) -> str:
    """The violations and malformed rows as one SARIF 2.1.0 log."""
    rules: dict[str, Json] = {}
    results = []
    for finding in report.findings:
        rules.setdefault(finding.rule, _rule(finding))
        results.append(_finding_result(finding, report.spec))
    if report.malformed:
        rules[_MALFORMED_RULE] = {
            "id": _MALFORMED_RULE,
            "shortDescription": {"text": "a log row that cannot be replayed"},
        }
        results += [_malformed_result(m) for m in report.malformed]
    ordered = sorted(rules.values(), key=lambda rule: str(rule["id"]))
    index = {rule["id"]: position for position, rule in enumerate(ordered)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    run = {
        "tool": {"driver": {"name": "stepcheck", "rules": ordered}},
        "automationDetails": {"id": "stepcheck/replay/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "authority": report.authority,
            "reading": report.reading,
            "rows": report.totals.rows,
            "accepted": report.totals.accepted,
            "violation": report.totals.violation,
            "malformed": report.totals.malformed,
        },
    }
    log = {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _finding(f: Finding) -> Json:
    return {
        "kind": f.kind,
        "modality": f.modality,
        "rule": f.rule,
        "element": f.element,
        "message": f.message,
        "case": f.case,
        "place": _place(f.place) if f.place else None,
        "at": f.at.isoformat(),
        "citations": [_citation(c) for c in f.citations],
        "spec_location": _span(f.span) if f.span else None,
    }


def _malformed(m: Malformed) -> Json:
    return {"place": _place(m.place), "case": m.case, "reason": m.reason}


def _place(place: RowPlace) -> Json:
    return {"file": place.file, "row": place.row, "line": place.line}


def _citation(c: Citation) -> Json:
    return {"doc": c.doc, "title": c.title, "section": c.section, "rule": c.rule, "quote": c.quote}


def _span(span: SourceSpan) -> Json:
    return {"file": _uri(span.file), "line": span.line, "column": span.column}


def _rule(finding: Finding) -> Json:
    cited = "; ".join(citation_text(c) for c in finding.citations)
    rule: Json = {
        "id": finding.rule,
        "shortDescription": {"text": f"spec rule '{finding.element}'"},
        "properties": {"element": finding.element},
    }
    if cited:
        rule["fullDescription"] = {"text": cited}
    return rule


def _finding_result(finding: Finding, spec_path: str) -> Json:
    span = finding.span
    physical: Json = {"artifactLocation": {"uri": _uri(span.file if span else spec_path)}}
    if span is not None and span.line >= 1:
        physical["region"] = {"startLine": span.line, "startColumn": max(span.column, 1)}
    where = f"row {finding.place.row} of {finding.place.file}" if finding.place else "end of log"
    result: Json = {
        "ruleId": finding.rule,
        "level": "error" if finding.modality == "must" else "warning",
        "message": {"text": f"case {finding.case}, {where}: {finding.message}"},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"stepcheckReplay/v1": _fingerprint(finding)},
        "properties": {"case": finding.case, "kind": finding.kind, "modality": finding.modality},
    }
    if finding.place is not None:
        result["relatedLocations"] = [_row_location(1, finding.place, "the log row")]
    return result


def _malformed_result(row: Malformed) -> Json:
    location = _row_location(1, row.place, "the log row")
    del location["id"], location["message"]
    return {
        "ruleId": _MALFORMED_RULE,
        "level": "error",
        "message": {"text": f"row {row.place.row} of {row.place.file}: {row.reason}"},
        "locations": [location],
    }


def _row_location(number: int, place: RowPlace, words: str) -> Json:
    return {
        "id": number,
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(place.file)},
            "region": {"startLine": max(place.line, 1)},
        },
        "message": {"text": f"{words}: row {place.row}"},
    }


def _fingerprint(finding: Finding) -> str:
    where = f"{finding.place.file}:{finding.place.row}" if finding.place else "end"
    text = "\0".join((finding.case, where, finding.kind, finding.element, finding.rule))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _uri(path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_uri()
    return candidate.as_posix()
