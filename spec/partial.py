"""The part of a spec a schema error leaves checkable: every problem at once, across phases.

A schema error used to stop the loader before names, references and expressions were
checked, so fixing it revealed a second round of errors. Here the elements the schema
refuses are set aside: an unknown key is dropped, and any other error drops the whole
element it is in (`events.close_case`, say). When what is left satisfies the schema, the
loader builds it too and reports its problems beside the schema's, except those that
name an element set aside (an event left out is not also an "unknown event"), so one
mistake gives one error. An error the rest of the file cannot stand without (the
`stepcheck` version, the `authority`, a whole section of the wrong shape, a section left
empty) leaves nothing to build, and only the schema's errors are reported.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from attrs import evolve, frozen

from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.schema import schema, schema_errors
from stepcheck.spec.yamlread import Document, Path

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["Remainder", "remainder", "unrelated"]

_ROUNDS: Final = 3
"""Setting elements aside can leave another error (a section now empty); after this
many rounds the file is taken to depend on what was set aside."""


@frozen
class Remainder:
    """A schema-valid copy of a document with the refused elements set aside."""

    document: Document
    set_aside: frozenset[str]
    """The ids of the elements set aside."""
    emptied_statuses: bool
    """Whether a status was set aside (so "no initial status" may be its echo)."""


def remainder(document: Document) -> Remainder | None:
    """`document` without the elements the schema refuses, or None when what is left
    does not satisfy the schema either."""
    data = copy.deepcopy(document.data)
    if not isinstance(data, dict):
        return None
    set_aside: set[str] = set()
    statuses = False
    for _ in range(_ROUNDS):
        errors = list(schema_errors(data))
        if not errors:
            return Remainder(
                document=evolve(document, data=data),
                set_aside=frozenset(set_aside),
                emptied_statuses=statuses,
            )
        for error in errors:
            dropped = _set_aside(data, error)
            if dropped is None:
                return None
            if dropped:
                set_aside.update(dropped[1:])
                statuses = statuses or dropped[0] == "statuses"
    return None


def unrelated(problem: Diagnostic, rest: Remainder) -> bool:
    """Whether a problem found in the remainder stands on its own, rather than
    following from an element set aside."""
    if problem.code == "SPEC201" and rest.emptied_statuses:
        return False
    return not any(f"'{item_id}'" in problem.message for item_id in rest.set_aside)


def _set_aside(data: dict[str, Any], error: ValidationError) -> tuple[str, ...] | None:
    """Drop what `error` refuses from `data`: () for an unknown key, (section, id, ...)
    for an element (an escalation's level ids after its own), None when the error is not
    in an element."""
    path: Path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        node = _at(data, path)
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        if isinstance(node, dict):
            for key in [key for key in node if key not in known]:
                del node[key]
            return ()
    if len(path) < 2 or not _keyed_by_id(path[0]):
        return None
    section, item_id = path[0], path[1]
    if not isinstance(section, str) or not isinstance(item_id, str):
        return None
    entries = data.get(section)
    dropped = entries.pop(item_id, None) if isinstance(entries, dict) else None
    return (section, item_id, *_level_ids(dropped))


def _level_ids(element: Any) -> list[str]:
    levels = element.get("levels") if isinstance(element, dict) else None
    if not isinstance(levels, list):
        return []
    return [level["id"] for level in levels if isinstance(level, dict) and "id" in level]


def _keyed_by_id(section: object) -> bool:
    shape = schema()["properties"].get(section) if isinstance(section, str) else None
    return isinstance(shape, dict) and "propertyNames" in shape


def _at(data: Any, path: Path) -> Any:
    node = data
    for part in path:
        inside = isinstance(node, dict) and part in node
        listed = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (inside or listed):
            return None
        node = node[part]
    return node
