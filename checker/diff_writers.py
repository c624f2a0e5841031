"""A `DiffReport` as text, Markdown, JSON or SARIF; only formats, decides nothing.

Reviewers read the output, not the code, so every format leads with what got worse,
then the other changes, then what could not be decided, each with the line it is
about (`file:line`, in NEW, or in OLD for a removal), the rule and its quote. Output
depends only on the report: no times, no paths outside it, changes in a fixed order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, Final

import stepcheck
from stepcheck.checker.diff_model import Area, Change, DiffReport, Gate
from stepcheck.checker.writers.sarif import SARIF_SCHEMA
from stepcheck.checker.writers.wording import relative_uri

__all__ = ["DIFF_FORMATS", "render_diff"]

DIFF_FORMATS: Final = ("text", "markdown", "json", "sarif")

_AREA_TITLES = {
    Area.VERDICT: "verdicts",
    Area.BEHAVIOUR: "behaviour",
    Area.ELEMENT: "deadlines, meetings, ladders and other elements",
    Area.FINDING: "findings",
}


def render_diff(report: DiffReport, fmt: str, gates: frozenset[Gate]) -> str:
    """`report` in format `fmt` (one of `DIFF_FORMATS`), ending with a newline."""
    renderers: dict[str, Callable[[DiffReport, frozenset[Gate]], str]] = {
        "text": _text,
        "markdown": _markdown,
        "json": _json,
        "sarif": _sarif,
    }
    return renderers[fmt](report, gates)


def _where(change: Change) -> str:
    if change.span is None or change.span.line <= 0:
        return ""
    side = " (old)" if change.side == "old" else ""
    return f"{PurePath(change.span.file).as_posix()}:{change.span.line}{side}"


def _uri(file: str) -> str:
    """A file as a URI; an old version read from git (`REV:path`) as its path."""
    revision, colon, path = file.partition(":")
    if colon and len(revision) > 1 and not path.startswith(("/", "\\")):
        return relative_uri(path)
    return relative_uri(file)


def _values(change: Change) -> str:
    if change.old is None and change.new is None:
        return ""
    return f"was: {change.old or '-'}; now: {change.new or '-'}"


def _summary(report: DiffReport, gates: frozenset[Gate]) -> str:
    worse = report.worse(gates)
    counted = [c for c in report.changes if not c.unknown]
    unknown = report.unknowns
    if worse:
        head = f"worse: {len(worse)} change(s) got worse"
    elif not counted and not unknown:
        head = "no semantic change"
    elif not [c for c in counted if c.area in (Area.BEHAVIOUR, Area.VERDICT)]:
        head = "no behaviour change"
    else:
        head = "nothing got worse"
    parts = [head, f"{len(counted)} change(s) in all"]
    if unknown:
        parts.append(f"{len(unknown)} comparison(s) not decided")
    same = [pair.authority for pair in report.pairs if pair.same_model]
    if same:
        parts.append(f"same model: {', '.join(same)}")
    return "; ".join(parts)


def _groups(report: DiffReport, gates: frozenset[Gate]) -> list[tuple[str, list[Change]]]:
    """Worse first, then each area's other changes, then the undecided."""
    worse = list(report.worse(gates))
    shown = set(map(id, worse))
    groups = [("got worse", worse)]
    for area in Area:
        rest = [c for c in report.changes if c.area is area and id(c) not in shown]
        groups.append((_AREA_TITLES[area], [c for c in rest if not c.unknown]))
    groups.append(("not decided", [c for c in report.changes if c.unknown and id(c) not in shown]))
    return [(title, changes) for title, changes in groups if changes]


def _text(report: DiffReport, gates: frozenset[Gate]) -> str:
    lines = [f"stepcheck diff: {_summary(report, gates)}"]
    for pair in report.pairs:
        lines.append(f"  {pair.authority}: {pair.old or '(none)'} -> {pair.new or '(none)'}")
    for title, changes in _groups(report, gates):
        lines += ["", f"{title}:"]
        for change in changes:
            lines += _text_item(change)
    return "\n".join(lines) + "\n"


def _text_item(change: Change) -> list[str]:
    lines = [f"- {change.authority}: {change.headline}"]
    where = _where(change)
    if where:
        lines.append(f"    at {where}")
    values = _values(change)
    if values and change.area is not Area.VERDICT:
        lines.append(f"    {values}")
    if change.rules:
        quote = f': "{change.quote}"' if change.quote else ""
        lines.append(f"    rule {', '.join(change.rules)}{quote}")
    lines += [f"    {line}" for line in change.detail]
    return lines


def _markdown(report: DiffReport, gates: frozenset[Gate]) -> str:
    lines = ["# stepcheck diff", "", f"**{_summary(report, gates)}**", ""]
    lines += ["| authority | old | new |", "|---|---|---|"]
    lines += [f"| {p.authority} | `{p.old or '-'}` | `{p.new or '-'}` |" for p in report.pairs]
    for title, changes in _groups(report, gates):
        lines += ["", f"## {title[0].upper()}{title[1:]}", ""]
        for change in changes:
            where = _where(change)
            item = f"- **{change.authority}**: {change.headline}"
            lines.append(item + (f" (`{where}`)" if where else ""))
            values = _values(change)
            if values and change.area is not Area.VERDICT:
                lines.append(f"  - {values}")
            if change.rules:
                quote = f": _{change.quote}_" if change.quote else ""
                lines.append(f"  - rule {', '.join(change.rules)}{quote}")
            if change.detail:
                lines += ["", "  ```", *[f"  {line}" for line in change.detail], "  ```", ""]
    return "\n".join(lines) + "\n"


def _as_json(change: Change, gates: frozenset[Gate]) -> dict[str, Any]:
    span = change.span
    return {
        "authority": change.authority,
        "area": change.area.value,
        "key": change.key,
        "headline": change.headline,
        "worse": change.worse,
        "counts": change.worse and change.gate in gates,
        "unknown": change.unknown,
        "old": change.old,
        "new": change.new,
        "rules": list(change.rules),
        "quote": change.quote,
        "location": None
        if span is None or span.line <= 0
        else {"file": PurePath(span.file).as_posix(), "line": span.line, "side": change.side},
        "detail": list(change.detail),
    }


def _json(report: DiffReport, gates: frozenset[Gate]) -> str:
    data = {
        "format_version": 1,
        "summary": _summary(report, gates),
        "exit_code": report.exit_code(gates),
        "fail_on": sorted(gate.value for gate in gates),
        "pairs": [
            {"authority": p.authority, "old": p.old, "new": p.new, "same_model": p.same_model}
            for p in report.pairs
        ],
        "changes": [_as_json(change, gates) for change in report.changes],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _sarif(report: DiffReport, gates: frozenset[Gate]) -> str:
    """One SARIF result per change: what got worse is an error, undecided a warning, the
    rest a note; rules are the areas (`diff/verdict`, ...)."""
    rules = [
        {"id": f"diff/{area.value}", "shortDescription": {"text": _AREA_TITLES[area]}}
        for area in Area
    ]
    results = []
    for change in report.changes:
        counts = change.worse and change.gate in gates
        level = "error" if counts else "warning" if change.unknown else "note"
        result: dict[str, Any] = {
            "ruleId": f"diff/{change.area.value}",
            "ruleIndex": list(Area).index(change.area),
            "level": level,
            "message": {"text": f"{change.authority}: {change.headline}"},
            "partialFingerprints": {"stepcheck-diff/v1": f"{change.authority}:{change.key}"},
            "properties": {"worse": change.worse, "unknown": change.unknown},
        }
        if change.span is not None and change.span.line > 0:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(change.span.file)},
                        "region": {"startLine": change.span.line},
                    }
                }
            ]
        results.append(result)
    driver: dict[str, Any] = {"name": "stepcheck diff", "rules": rules}
    version = getattr(stepcheck, "__version__", None)
    if version:
        driver["version"] = version
    run = {
        "tool": {"driver": driver},
        "results": results,
        "properties": {"exitCode": report.exit_code(gates)},
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"
