"""Reading schema-valid spec data with bookkeeping: the loader's build stage helper.

`SpecReader` hands out values by YAML path, remembers which keys were read, resolves
references between sections (ids are unique across the whole spec) and collects every
problem as a located `Diagnostic`. A key the schema allows but the builder never reads
would be silent data loss, so `check_everything_read` raises `InternalError` for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from attrs import evolve

from stepcheck.spec.diagnostics import Diagnostic, InternalError, SourceSpan, did_you_mean
from stepcheck.spec.duration import Duration, DurationError, parse_duration
from stepcheck.spec.expr import BOOL, Expr, ExpressionInvalid, Scope, Type, check_expression
from stepcheck.spec.model import UNSPECIFIED, Modality, Source, Unspecified
from stepcheck.spec.yamlread import Document as YamlDocument
from stepcheck.spec.yamlread import Path

__all__ = ["BUILTIN_NAMES", "SECTIONS", "SpecReader"]

BUILTIN_NAMES: Final = frozenset(
    {
        "status",
        "tier",
        "owner",
        "co_owner",
        "allocated",
        "owned",
        "held",
        "overdue",
        "escalating",
        "in_window",
        "none",
        "unspecified",
        "any",
        "previous",
        "not_needed",
        "and",
        "or",
        "not",
        "in",
        "implies",
    }
)
SECTIONS: Final = (
    "documents",
    "teams",
    "roles",
    "owners",
    "statuses",
    "variables",
    "meetings",
    "externals",
    "events",
    "precedence",
    "deadlines",
    "escalations",
    "rereferrals",
    "properties",
)


class SpecReader:
    """Values by path, references by id, and every problem found on the way."""

    def __init__(self, document: YamlDocument) -> None:
        self.doc = document
        self.data: dict[str, Any] = document.data
        self.problems: list[Diagnostic] = []
        self._read: set[Path] = set()
        self._kinds: dict[str, str] = {}

    def get(self, path: Path, key: str, default: Any = None) -> Any:
        """The value at `path`.`key`, marking it read."""
        node = self.at(path)
        self._read.add((*path, key))
        return node.get(key, default)

    def entries(self, path: Path) -> list[tuple[str, Path]]:
        """The (id, path) pairs of an id-keyed mapping, marking each id read."""
        node = self.at(path)
        if not isinstance(node, dict):
            return []
        self._read.add(path)
        found = []
        for key in node:
            self._read.add((*path, key))
            found.append((key, (*path, key)))
        return found

    def span(self, path: Path, *, key: bool = False, length: int = 1) -> SourceSpan:
        return self.doc.locations.span(path, key=key, length=length)

    def problem(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        """Report a problem at the value at `path`, or at its key when the value is a mapping."""
        value = self.at(path) if path else None
        if isinstance(value, dict) and path and isinstance(path[-1], str):
            span = self.span(path, key=True, length=len(path[-1]))
        else:
            span = self.span(path, length=len(value) if isinstance(value, str) else 1)
        self.problems.append(Diagnostic(code=code, message=message, span=span, hint=hint))

    def at(self, path: Path) -> Any:
        node: Any = self.data
        for part in path:
            node = node[part]
        return node

    def ref(
        self, value: str | None, path: Path, *sections: str, allow: Iterable[str] = ()
    ) -> str | None:
        """Check that `value` names something in one of `sections`; report it otherwise."""
        if value is None:
            return None
        allowed = set(allow)
        if value in allowed or self._kinds.get(value) in sections:
            return value
        known = allowed | {name for name, kind in self._kinds.items() if kind in sections}
        what = " or ".join(_SINGULAR[s] for s in sections)
        code = _REF_CODES[sections[0]]
        elsewhere = self._kinds.get(value)
        message = f"unknown {what} '{value}'"
        if elsewhere:
            message = f"'{value}' is a {_SINGULAR[elsewhere]}, not a {what}"
        plural = " and ".join(_PLURAL[section] for section in sections)
        self.problem(code, message, path, did_you_mean(value, known, what=plural))
        return value

    def refs(
        self, value: str | list[str] | None, path: Path, *sections: str, allow: Iterable[str] = ()
    ) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            self.ref(value, path, *sections, allow=allow)
            return (value,)
        for index, item in enumerate(value):
            self.ref(item, (*path, index), *sections, allow=allow)
        return tuple(value)

    def sources(self, path: Path) -> tuple[Source, ...]:
        raw = self.get(path, "source")
        if raw is None:
            return ()
        base: Path = (*path, "source")
        items = (
            [(raw, base)]
            if isinstance(raw, dict)
            else [(item, (*base, index)) for index, item in enumerate(raw)]
        )
        found = []
        for item, item_path in items:
            for key in item:
                self._read.add((*item_path, key))
            self.ref(item["doc"], (*item_path, "doc"), "documents")
            found.append(
                Source(
                    doc=item["doc"],
                    section=item.get("section"),
                    rule=item.get("rule"),
                    quote=item.get("quote"),
                    note=item.get("note"),
                    span=self.span(item_path),
                )
            )
        return tuple(found)

    def duration(self, text: str, path: Path) -> Duration | Unspecified:
        if text.strip() == UNSPECIFIED.value:
            return UNSPECIFIED
        try:
            return parse_duration(text)
        except DurationError as error:
            self.problem("SPEC015", f"'{text}' is not a duration: {error}", path)
            return UNSPECIFIED

    def modality(self, path: Path) -> Modality:
        return Modality(self.get(path, "modality", "must"))

    def expression(self, text: str, path: Path, scope: Scope, expected: Type | None = BOOL) -> Expr:
        try:
            return check_expression(text, self.span(path), scope, expected=expected)
        except ExpressionInvalid as invalid:
            self.problems.extend(
                evolve(problem, span=self.doc.locations.in_block(path, problem.span, text))
                for problem in invalid.diagnostics
            )
            return check_expression("true", self.span(path), scope)

    def register_ids(self) -> None:
        """Ids are unique across sections, so a name in an expression means one thing."""
        first: dict[str, str] = {}
        for section in SECTIONS:
            for item_id in self.data.get(section) or {}:
                path: Path = (section, item_id)
                if item_id in BUILTIN_NAMES:
                    span = self.span(path, key=True, length=len(item_id))
                    self.problems.append(_builtin_name(item_id, span))
                elif item_id in first:
                    self.problems.append(
                        Diagnostic(
                            code="SPEC101",
                            message=f"id '{item_id}' is used twice: in {first[item_id]} "
                            f"and in {section}",
                            span=self.span(path, key=True, length=len(item_id)),
                            hint="ids are unique across the whole spec; rename one of them",
                        )
                    )
                else:
                    first[item_id] = section
                    self._kinds[item_id] = section
        self._register_level_ids(first)

    def _register_level_ids(self, first: dict[str, str]) -> None:
        """Level ids share the spec-wide namespace, and are unique within their ladder."""
        for level_ids in _level_ids(self.data):
            in_ladder: set[str] = set()
            for level_id, path in level_ids:
                message = None
                if level_id in BUILTIN_NAMES:
                    self.problems.append(
                        _builtin_name(level_id, self.span(path, length=len(level_id)))
                    )
                    continue
                if level_id in in_ladder:
                    message = f"level id '{level_id}' is used twice in escalation '{path[1]}'"
                elif first.get(level_id, "levels") != "levels":
                    message = (
                        f"id '{level_id}' is used twice: in {first[level_id]} "
                        "and as an escalation level"
                    )
                in_ladder.add(level_id)
                if message:
                    self.problems.append(
                        Diagnostic(
                            code="SPEC101",
                            message=message,
                            span=self.span(path, length=len(level_id)),
                            hint="ids are unique across the whole spec; rename one of them",
                        )
                    )
                else:
                    first[level_id] = "levels"
                    self._kinds[level_id] = "levels"

    def check_everything_read(self, node: Any, path: Path) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if (*path, key) not in self._read and not _is_free_mapping(path):
                    raise InternalError(f"the loader never read {(*path, key)}: silent data loss")
                self.check_everything_read(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_everything_read(value, (*path, index))

    def kind_of(self, item_id: str) -> str | None:
        """The section an id was declared in, or None."""
        return self._kinds.get(item_id)


def _builtin_name(name: str, span: SourceSpan) -> Diagnostic:
    return Diagnostic(
        code="SPEC111",
        message=f"'{name}' is a built-in name and cannot be used as an id",
        span=span,
        hint=f"choose another name, e.g. 'case_{name}'",
    )


def _is_free_mapping(path: Path) -> bool:
    """Source citations and level entries are read wholesale, key by key."""
    return bool(path) and (path[-1] == "source" or (len(path) >= 2 and path[-2] == "source"))


def _level_ids(data: dict[str, Any]) -> Iterable[list[tuple[str, Path]]]:
    for escalation_id, escalation in (data.get("escalations") or {}).items():
        yield [
            (level["id"], ("escalations", escalation_id, "levels", index, "id"))
            for index, level in enumerate(escalation.get("levels") or ())
        ]


_SINGULAR: Final = {
    "documents": "document",
    "teams": "team",
    "roles": "role",
    "owners": "owner",
    "statuses": "status",
    "variables": "variable",
    "meetings": "meeting",
    "externals": "external",
    "events": "event",
    "deadlines": "deadline",
    "escalations": "escalation",
    "rereferrals": "re-referral",
    "properties": "property",
    "precedence": "precedence rule",
    "levels": "escalation level",
}
_PLURAL: Final = {
    "documents": "documents",
    "teams": "teams",
    "roles": "roles",
    "owners": "owners",
    "statuses": "statuses",
    "meetings": "meetings",
    "externals": "externals",
    "events": "events",
    "escalations": "escalations",
    "deadlines": "deadlines",
    "variables": "variables",
}
_REF_CODES: Final = {
    "statuses": "SPEC102",
    "events": "SPEC103",
    "owners": "SPEC104",
    "teams": "SPEC105",
    "meetings": "SPEC106",
    "documents": "SPEC107",
    "roles": "SPEC108",
    "externals": "SPEC110",
    "escalations": "SPEC113",
}
