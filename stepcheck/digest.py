"""Rule inventories: the list of normative rules of a protocol's documents, which
`stepcheck coverage` checks a spec against.

The shipped inventory (`spec/digest/rules.json`) covers the five seed documents. An
authority with other documents brings its own (`coverage --digest FILE`), in one of
three documented forms:

- **Markdown**: any table whose first column holds rule ids (`AB-01`, `XY-12a`), like
  the project's seed digest: `| id | class | citation | quote | ... |`. The header row
  names the columns; `class`, `citation` (or `section`) and `quote` are read when present.
  The nearest heading above a table names the document.
- **CSV**: a header row with `id`, and optionally `document`, `section` (or
  `citation`), `quote`, `class`.
- **JSON**: a list of rule objects with those keys, or `{"rules": [...]}`.

A rule id is letters, a hyphen and a number with an optional letter suffix; the
letters before the hyphen are the document's `rule_prefix` in the spec. Every problem
(an unreadable file, a row with no id, an id given twice) is one error naming the file
and line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from attrs import frozen

from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.files import FileRefused, read_input

__all__ = ["Rule", "prefix_of", "read_inventory", "shipped_inventory"]

RULE_ID: Final = re.compile(r"[A-Z][A-Z0-9]*-[0-9]+[a-z]?")
_MOST_BYTES: Final = 20_000_000


@frozen(kw_only=True)
class Rule:
    """One normative rule of a document, as an inventory lists it."""

    id: str
    document: str
    kind: str
    citation: str
    quote: str


def prefix_of(rule_id: str) -> str:
    """The document prefix of a rule id: `SP` for `SP-01`."""
    return rule_id.split("-", maxsplit=1)[0]


@cache
def shipped_inventory() -> dict[str, Rule]:
    """The seed digest's rules by id, in digest order."""
    text = resources.files("stepcheck.spec").joinpath("digest/rules.json").read_text("utf-8")
    return _from_json(json.loads(text), "rules.json")


def read_inventory(paths: Iterable[Path]) -> dict[str, Rule]:
    """The rules of every inventory file, by id, in file order.

    Raises:
        StepcheckError: a file cannot be read or parsed, has no rules, or gives a rule
            id twice (across files too); the message names the file and line.
    """
    rules: dict[str, Rule] = {}
    where: dict[str, str] = {}
    for path in paths:
        found = _read_one(path)
        if not found:
            raise StepcheckError(
                f"{path}: no rules found (expected a table or list of rules with an 'id' "
                "column such as AB-01)"
            )
        for rule, line in found:
            here = f"{path}:{line}"
            if rule.id in rules:
                raise StepcheckError(
                    f"{here}: rule {rule.id} is listed twice (also at {where[rule.id]})"
                )
            rules[rule.id], where[rule.id] = rule, here
    return rules


def _read_one(path: Path) -> list[tuple[Rule, int]]:
    try:
        text = read_input(path, limit=_MOST_BYTES).decode("utf-8-sig")
    except FileRefused as refused:
        raise StepcheckError(f"{path}: cannot read the rule inventory: {refused.reason}") from None
    except UnicodeDecodeError as error:
        raise StepcheckError(f"{path}: cannot read the rule inventory: {error}") from None
    match path.suffix.lower():
        case ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise StepcheckError(
                    f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}"
                ) from None
            except RecursionError:
                raise StepcheckError(f"{path}: nested too deeply to be an inventory") from None
            return [(rule, 1) for rule in _from_json(data, str(path)).values()]
        case ".csv":
            return _from_csv(text, path)
        case ".md" | ".markdown":
            return _from_markdown(text, path)
        case _:
            raise StepcheckError(f"{path}: unknown inventory format (use .md, .csv or .json)")


def _from_json(data: Any, name: str) -> dict[str, Rule]:
    rows = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise StepcheckError(f'{name}: expected a list of rules or {{"rules": [...]}}')
    rules = {}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise StepcheckError(f"{name}: rule {number} is not an object")
        rule = _rule(row, f"{name}: rule {number}")
        rules[rule.id] = rule
    return rules


def _from_csv(text: str, path: Path) -> list[tuple[Rule, int]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "id" not in [f.strip().lower() for f in reader.fieldnames]:
        raise StepcheckError(f"{path}:1: the header row needs an 'id' column")
    found = []
    for row in reader:
        clean = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        found.append((_rule(clean, f"{path}:{reader.line_num}", path.stem), reader.line_num))
    return found


def _from_markdown(text: str, path: Path) -> list[tuple[Rule, int]]:
    found: list[tuple[Rule, int]] = []
    document, header = path.stem, None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            document, header = stripped.lstrip("#").strip() or document, None
            continue
        if not stripped.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        first = cells[0].strip("`* ")
        if RULE_ID.fullmatch(first):
            names = header or ["id", "class", "citation", "quote"]
            row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(names)}
            row["id"] = first
            found.append((_rule(row, f"{path}:{number}", document), number))
        elif not set(stripped) <= set("|-: "):
            header = [_column(cell) for cell in cells]
    return found


def _column(cell: str) -> str:
    name = cell.strip("`* ").lower()
    return {"#": "id", "rule": "id", "section": "citation"}.get(name, name)


def _rule(row: Mapping[str, Any], where: str, document: str = "") -> Rule:
    rule_id = str(row.get("id", "")).strip()
    if not RULE_ID.fullmatch(rule_id):
        raise StepcheckError(
            f"{where}: {rule_id!r} is not a rule id (letters, a hyphen and a number: AB-01)"
        )
    quote = str(row.get("quote", "")).strip()
    if len(quote) >= 2 and quote[0] == quote[-1] == '"':
        quote = quote[1:-1]
    return Rule(
        id=rule_id,
        document=str(row.get("document") or document),
        kind=str(row.get("class") or row.get("kind") or ""),
        citation=str(row.get("citation") or row.get("section") or ""),
        quote=quote,
    )
