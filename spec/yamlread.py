"""Safe YAML 1.2 reading with a location for every key and value.

The first stage of `loader`: bytes -> plain data (dict / list / str / int / float /
bool / None) plus a `Locations` table from YAML paths to line and column. It builds
the data itself from ruamel.yaml's event stream, so nothing in the text can run code
or build objects, and it rejects what a spec must not use: anchors, aliases, explicit
tags, duplicate keys, non-string keys and keys that YAML 1.1 tools read as booleans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from attrs import evolve, field, frozen
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError

from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.yamlsyntax import explain_syntax_error

__all__ = ["MAX_INT", "Document", "Locations", "Path", "format_path", "read_yaml"]

Path = tuple[str | int, ...]

MAX_INT = 1_000_000
"""Whole numbers in a spec (variable bounds, initial values, effects) lie within
`[-MAX_INT, MAX_INT]`; the schema says so, and the checker's engines hold them easily."""
MAX_DEPTH = 50
"""The deepest nesting of mappings and lists read; a spec is under ten levels deep."""
MAX_NUMBER_TEXT = 40
"""A plain whole number longer than this is refused as it is read, unconverted."""

YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


@frozen
class Locations:
    """Where each key and value of a document was written (1-based line, column)."""

    file: str
    values: dict[Path, tuple[int, int]]
    keys: dict[Path, tuple[int, int]]
    blocks: dict[Path, tuple[tuple[int, int], ...]] = field(factory=dict)
    """For a block scalar (`|`, `>`), where each character of its value was written:
    its text starts on the line after the indicator and may be folded, so the value's
    own position says nothing about where an offset in it is."""

    def in_block(self, path: Path, span: SourceSpan, text: str) -> SourceSpan:
        """`span` in `text`, the value at `path`, computed as if the value were written
        from its start one line per value line, moved to where it is in the block
        scalar it is in (unchanged for any other value)."""
        table = self.blocks.get(path)
        start = self.values.get(path)
        if not table or start is None or span.file != self.file:
            return span
        lines = span.line - start[0]
        offset = span.column - start[1]
        starts = [0] + [at + 1 for at, char in enumerate(text) if char == "\n"]
        if not 0 <= lines < len(starts) or offset < 0:
            return span
        index = min(starts[lines] + offset, len(table) - 1)
        line, column = table[index]
        return evolve(span, line=line, column=column)

    def span(self, path: Path, *, key: bool = False, length: int = 1) -> SourceSpan:
        """The span of the value (or, with `key`, the key) at `path`, or its nearest parent."""
        table = self.keys if key else self.values
        probe = path
        while probe and probe not in table:
            probe = probe[:-1]
        line, column = table.get(probe, self.values.get(probe, (1, 1)))
        return SourceSpan(
            file=self.file, line=line, column=column, path=format_path(path), length=length
        )


@frozen
class Document:
    """A parsed YAML document: its plain data, where everything is, and its text."""

    data: Any
    locations: Locations
    text: str


def format_path(path: Path) -> str:
    """A YAML path the way a reader writes it.

    >>> format_path(("events", "step_up", "guard", 0))
    'events.step_up.guard[0]'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def read_yaml(raw: bytes, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document; return it (or None) and every problem found."""
    text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    if not text.strip() or all(
        line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        return None, [
            _at(
                file, 1, 1, "SPEC002", "the file is empty", hint="a spec starts with 'stepcheck: 1'"
            )
        ]
    builder = _Builder(file)
    builder.lines = text.splitlines()
    try:
        data = builder.build(YAML(typ="safe", pure=True).parse(text))
    except MarkedYAMLError as error:
        return None, [_syntax_error(error, file, text)]
    except ReaderError as error:
        line, column = _line_col(text, error.position)
        return None, [_at(file, line, column, "SPEC001", f"invalid YAML: {error.reason}")]
    except YAMLError as error:
        return None, [_at(file, 1, 1, "SPEC001", f"invalid YAML: {error}")]
    except _TooDeep:
        return None, builder.problems
    except RecursionError:
        return None, [_at(file, 1, 1, "SPEC001", "invalid YAML: nesting is too deep")]
    if builder.problems:
        return None, builder.problems
    return Document(data=data, locations=builder.locations(), text=text), []


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_col_bytes(raw, error.start)
        return None, [
            _at(
                file,
                line,
                column,
                "SPEC003",
                "the file is not UTF-8 text",
                hint="a spec is a YAML text file; is this a binary file?",
            )
        ]
    for index, char in enumerate(text):
        if (ord(char) < 32 and char not in "\t\n\r") or char in "\x7f\ufffe\uffff":
            line, column = _line_col(text, index)
            return None, [
                _at(
                    file,
                    line,
                    column,
                    "SPEC003",
                    f"the file contains a control character (U+{ord(char):04X})",
                    hint="a spec is a YAML text file; is this a binary file?",
                )
            ]
    return text, []


def _syntax_error(error: MarkedYAMLError, file: str, text: str) -> Diagnostic:
    line, column, problem, hint = explain_syntax_error(error, text.splitlines())
    return _at(file, line, column, "SPEC001", f"invalid YAML: {problem}", hint=hint)


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _line_col_bytes(raw: bytes, index: int) -> tuple[int, int]:
    before = raw[:index]
    return before.count(b"\n") + 1, index - (before.rfind(b"\n") + 1) + 1


def _at(
    file: str,
    line: int,
    column: int,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    length: int = 1,
) -> Diagnostic:
    span = SourceSpan(file=file, line=line, column=column, length=length)
    return Diagnostic(code=code, message=message, span=span, hint=hint)


class _TooDeep(Exception):
    """Raised by `_Builder` to stop at nesting deeper than `MAX_DEPTH` (already reported)."""


class _Builder:
    """Turns ruamel.yaml events into plain data, recording locations and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Diagnostic] = []
        self._values: dict[Path, tuple[int, int]] = {}
        self._keys: dict[Path, tuple[int, int]] = {}
        self._blocks: dict[Path, tuple[tuple[int, int], ...]] = {}
        self.lines: list[str] = []
        self._events: Iterator[Event] = iter(())

    def locations(self) -> Locations:
        return Locations(file=self.file, values=self._values, keys=self._keys, blocks=self._blocks)

    def build(self, events: Iterator[Event]) -> Any:
        self._events = events
        data: Any = None
        documents = 0
        for event in self._events:
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self._problem(
                        event,
                        "SPEC001",
                        "invalid YAML: more than one document",
                        "a spec file holds exactly one YAML document; remove the extra '---'",
                    )
                    return None
            elif isinstance(event, StreamEndEvent):
                break
            elif isinstance(
                event, (ScalarEvent, MappingStartEvent, SequenceStartEvent, AliasEvent)
            ):
                data = self._node(event, ())
        return data

    def _node(self, event: Event, path: Path) -> Any:
        quoted = isinstance(event, ScalarEvent) and event.style in ("'", '"')
        self._values[path] = (event.start_mark.line + 1, event.start_mark.column + 1 + quoted)
        if isinstance(event, AliasEvent):
            self._problem(
                event,
                "SPEC004",
                f"YAML alias '*{event.anchor}' is not allowed in a spec",
                "write the value out in full; specs use no anchors or aliases",
            )
            return None
        self._check_anchor_and_tag(event)
        if isinstance(event, ScalarEvent):
            if event.style in ("|", ">"):
                table = _block_positions(self.lines, event.start_mark.line + 1, event.value)
                if table:
                    self._blocks[path] = table
            return self._scalar(event)
        if len(path) >= MAX_DEPTH:
            self._problem(
                event,
                "SPEC001",
                f"invalid YAML: nesting is too deep (more than {MAX_DEPTH} levels)",
                "a spec nests a few levels deep; is a bracket left open?",
            )
            # Stop reading here: the rest of so deep a text costs the scanner time
            # that grows with the square of its depth.
            raise _TooDeep
        if isinstance(event, SequenceStartEvent):
            return self._sequence(path)
        if isinstance(event, MappingStartEvent):
            return self._mapping(path)
        raise AssertionError(f"unexpected YAML event {event!r}")

    def _check_anchor_and_tag(self, event: Event) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._problem(
                event,
                "SPEC004",
                f"YAML anchor '&{anchor}' is not allowed in a spec",
                "write the value out in full; specs use no anchors or aliases",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and not (isinstance(event, ScalarEvent) and event.implicit[0]):
            written = re.sub(r"^tag:yaml\.org,2002:", "!!", str(tag))
            self._problem(
                event,
                "SPEC005",
                f"YAML tag '{written}' is not allowed in a spec",
                "remove the tag; specs use plain YAML values only",
            )

    def _sequence(self, path: Path) -> list[Any]:
        items: list[Any] = []
        for event in self._events:
            if isinstance(event, SequenceEndEvent):
                return items
            items.append(self._node(event, (*path, len(items))))
        raise AssertionError("YAML sequence without an end")

    def _mapping(self, path: Path) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for event in self._events:
            if isinstance(event, MappingEndEvent):
                return mapping
            key = self._key(event, path)
            value_event = next(self._events)
            quoted = isinstance(value_event, ScalarEvent) and value_event.style is not None
            if key is None:
                self._skip(value_event)
                continue
            if key in first_seen:
                self._problem(
                    event,
                    "SPEC006",
                    f"duplicate key '{key}'",
                    f"'{key}' is already defined at line {first_seen[key]}; "
                    "a YAML mapping keeps only one value per key",
                    length=len(key),
                )
                self._skip(value_event)
                continue
            first_seen[key] = event.start_mark.line + 1
            self._keys[(*path, key)] = (event.start_mark.line + 1, event.start_mark.column + 1)
            mapping[key] = self._node(value_event, (*path, key))
            if isinstance(value_event, ScalarEvent) and value_event.value == "" and not quoted:
                # An empty value is marked where the next token starts, often on a
                # later line; the key is where the reader left it empty.
                self._values[(*path, key)] = self._keys[(*path, key)]
        raise AssertionError("YAML mapping without an end")

    def _key(self, event: Event, path: Path) -> str | None:
        if not isinstance(event, ScalarEvent):
            self._problem(
                event,
                "SPEC007",
                f"a key in {_where(path)} is not a plain name",
                "keys are names such as 'events' or 'step_up'",
            )
            self._skip(event)
            return None
        self._check_anchor_and_tag(event)
        value = self._scalar(event)
        if not isinstance(value, str):
            self._problem(
                event,
                "SPEC007",
                f"key '{event.value}' in {_where(path)} is not a name",
                "quote it if a name was meant; keys are names such as 'step_up'",
                length=len(event.value),
            )
            return None
        if event.style is None and value.lower() in YAML11_BOOLEANS:
            self._problem(
                event,
                "SPEC008",
                f"key '{value}' reads as a boolean in YAML 1.1 tools",
                "choose another name (e.g. 'event' instead of 'on'); YAML 1.1 reads "
                "yes/no/on/off/y/n as true/false",
                length=len(value),
            )
        return value

    def _scalar(self, event: ScalarEvent) -> Any:
        """The scalar's value; a whole number too long to be one stepcheck can hold is a
        problem here, before Python refuses to convert it (past 4,300 digits) or a
        solver is handed it."""
        if _plain(event) and _INT.match(event.value) and len(event.value) > MAX_NUMBER_TEXT:
            self._problem(
                event,
                "SPEC017",
                f"the number {event.value[:20]}... ({len(event.value)} characters) is far "
                "too large",
                f"whole numbers in a spec lie between -{MAX_INT:,} and {MAX_INT:,}",
                length=min(len(event.value), 80),
            )
            return None
        return _scalar(event)

    def _skip(self, event: Event) -> None:
        depth = 1 if isinstance(event, (MappingStartEvent, SequenceStartEvent)) else 0
        while depth:
            event = next(self._events)
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1

    def _problem(
        self, event: Event, code: str, message: str, hint: str, *, length: int = 1
    ) -> None:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        self.problems.append(_at(self.file, line, column, code, message, hint=hint, length=length))


def _block_positions(
    lines: list[str], first: int, value: str
) -> tuple[tuple[int, int], ...] | None:
    """Where each character of a block scalar's `value` is in the file (1-based line,
    column), its text starting at 0-based line `first`; None if the text and the
    value do not line up (nothing is then moved). Line breaks in the value, kept or
    folded to spaces, are placed at the end of the line they end."""
    indent = None
    table: list[tuple[int, int]] = []
    index = 0
    for row in range(first, len(lines)):
        line = lines[row]
        if index >= len(value):
            break
        if not line.strip():
            if index < len(value) and value[index] == "\n":
                table.append((row + 1, len(line) + 1))
                index += 1
            continue
        if indent is None:
            indent = len(line) - len(line.lstrip(" "))
        if len(line) - len(line.lstrip(" ")) < indent:
            break
        for column, char in enumerate(line[indent:], start=indent + 1):
            while index < len(value) and value[index] != char and value[index] in " \n":
                table.append((row + 1, column))
                index += 1
            if index >= len(value) or value[index] != char:
                return None
            table.append((row + 1, column))
            index += 1
        if index < len(value) and value[index] in " \n":
            table.append((row + 1, len(line) + 1))
            index += 1
    while index < len(value) and value[index] in " \n" and table:
        table.append(table[-1])
        index += 1
    return tuple(table) if index == len(value) and table else None


def _where(path: Path) -> str:
    return f"'{format_path(path)}'" if path else "the top level"


def _plain(event: ScalarEvent) -> bool:
    return event.style is None and bool(event.implicit[0])


def _scalar(event: ScalarEvent) -> Any:
    value: str = event.value
    if not _plain(event):
        return value
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT.match(value):
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if _FLOAT.match(value):
        return float(re.sub(r"\.(inf|Inf|INF|nan|NaN|NAN)$", r"\1", value))
    return value
