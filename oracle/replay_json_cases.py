"""The `cases` of a replay's JSON report written in bulk from `CleanCases`' arrays.

`replay_formats.render_json` writes every other part with `json.dumps` (indented by two,
keys sorted); this writes the cases the same way, byte for byte, without making an
object per clean case: strings are quoted by `json`'s own C encoder, each timeline entry
is one format of strings numpy made for all entries at once, and a clean case's open
obligations and unowned stretches (few) go through `json.dumps` as any case's do.
Cases with findings are written from their reports by `json.dumps`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import numpy as np

from stepcheck.oracle.replay_cases import CaseReports, CleanCases
from stepcheck.oracle.replay_model import CaseReport

__all__ = ["cases_json"]


def cases_json(cases: CaseReports, as_json: Callable[[CaseReport], dict[str, Any]]) -> str:
    """The items of the `cases` list, each indented as the fourth level of the report,
    joined by ",\\n"; `as_json` is the writer's dictionary of one case."""
    quote: Callable[[str], str] = encode_basestring  # json.dumps's own, for one string

    entries: dict[int, list[str]] = {}
    items = []
    for part in cases.parts():
        if isinstance(part, CaseReport):
            items.append("    " + _dumped(as_json(part), 4))
            continue
        clean, k = part
        if id(clean) not in entries:
            entries[id(clean)] = _entries(clean, quote)
        lo, hi = int(clean.bounds[k]), int(clean.bounds[k + 1])
        report = clean.report(k) if clean.has_open[k] or k in clean.unowned else None
        lines = entries[id(clean)][lo:hi]
        timeline = "[\n" + ",\n".join(lines) + "\n      ]" if lines else "[]"
        opened = unowned = "[]"
        if report is not None:
            listed = as_json(report)
            opened, unowned = _dumped(listed["open"], 6), _dumped(listed["unowned"], 6)
        items.append(
            f'    {{\n      "case": {quote(clean.names[k])},\n      "open": {opened},\n'
            f'      "owner": {quote(clean.owner[k])},\n      "rows": {clean.rows[k]},\n'
            f'      "status": {quote(clean.status[k])},\n      "timeline": {timeline},\n'
            f'      "unowned": {unowned}\n    }}'
        )
    return ",\n".join(items)


def _entries(clean: CleanCases, quote: Callable[[str], str]) -> list[str]:
    """Every timeline entry of every clean case, as the report's JSON text."""
    whole = clean.at % 1_000_000 == 0
    moments = np.datetime_as_string(clean.at.astype("datetime64[us]"), unit="s").tolist()
    for position in np.flatnonzero(~whole).tolist():
        moments[position] = clean.local_time(int(clean.at[position])).isoformat()
    names = {name: quote(name) for name in {*clean.entry_owner, *clean.entry_status, *clean.file}}
    return [
        f'        {{\n          "at": "{at}",\n          "owner": {owner},\n'
        f'          "place": {{\n            "file": {file},\n            "line": {line},\n'
        f'            "row": {row}\n          }},\n          "status": {status}\n        }}'
        for at, owner, file, line, row, status in zip(
            moments,
            map(names.__getitem__, clean.entry_owner),
            map(names.__getitem__, clean.file),
            clean.line.tolist(),
            clean.row.tolist(),
            map(names.__getitem__, clean.entry_status),
            strict=True,
        )
    ]


def _dumped(value: object, indent: int) -> str:
    """`json.dumps` of a value that sits `indent` spaces deep in the report."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * indent)
