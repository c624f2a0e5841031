"""Reading XES event logs (IEEE 1849, the process-mining XML standard) as records.

Each `<event>` is one row, numbered in file order, located at the line of its start
tag. A mapped name is an attribute key: `case` is looked up on the trace first, then
the event; the others on the event first, then its trace. Unmapped, the standard keys
are used: `case` is the trace's `concept:name` (never the event's, which names the
activity), `event` the event's `concept:name`,
`time` the event's `time:timestamp`. Nested attributes (lists, containers) are not
read. A document type declaration is refused (no entity can expand), and a parse
error ends the file with one malformed row saying where.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Final
from xml.parsers import expat

from stepcheck.oracle.replay_rows import ColumnMap

__all__ = ["xes_records"]

_STANDARD: Final = {"case": "concept:name", "event": "concept:name", "time": "time:timestamp"}
_VALUED: Final = frozenset({"string", "date", "int", "float", "boolean", "id"})
_CHUNK: Final = 1 << 16

Record = tuple[int, dict[str, object] | str]


class _Refused(Exception):
    """The document declares a type or an entity: refused, to keep expansion out."""


def xes_records(handle: BinaryIO, mapping: ColumnMap) -> Iterator[Record]:
    """(line, mapped values or why not) for every event of the XES document in `handle`."""
    keys = {
        name: column if name in mapping.given else _STANDARD.get(name, column)
        for name, column in mapping.wanted
    }
    reader = _Reader(keys, trace_only="case" not in mapping.given)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    reader.parser = parser
    try:
        while chunk := handle.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from reader.take()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        yield from reader.take()
        yield error.lineno, f"not XES: XML error ({expat.ErrorString(error.code)})"
        return
    except _Refused:
        yield from reader.take()
        yield parser.CurrentLineNumber, "not XES: a document type declaration is refused"
        return
    yield from reader.take()


def _refuse(*_: object) -> None:
    raise _Refused


class _Reader:
    """Collects the direct attributes of the current trace and event."""

    def __init__(self, keys: dict[str, str], *, trace_only: bool) -> None:
        self.keys = keys
        self.trace_only = trace_only
        """The case is the trace's `concept:name` only (the event's is the activity)."""
        self.parser: expat.XMLParserType | None = None
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] | None = None
        self.event_line = 0
        self.stack: list[str] = []
        self.done: list[Record] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(name)
        if name == "trace":
            self.trace = {}
        elif name == "event":
            self.event = {}
            self.event_line = self.parser.CurrentLineNumber if self.parser else 0
        elif name in _VALUED and "key" in attributes and "value" in attributes:
            if parent == "event" and self.event is not None:
                self.event[attributes["key"]] = attributes["value"]
            elif parent == "trace":
                self.trace[attributes["key"]] = attributes["value"]

    def end(self, name: str) -> None:
        self.stack.pop()
        if name == "event" and self.event is not None:
            self.done.append((self.event_line, self._values(self.event)))
            self.event = None
        elif name == "trace":
            self.trace = {}

    def take(self) -> list[Record]:
        done, self.done = self.done, []
        return done

    def _values(self, event: dict[str, str]) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, key in self.keys.items():
            if name == "case":
                fallback = {} if self.trace_only else event
                values[name] = self.trace.get(key, fallback.get(key))
            else:
                values[name] = event.get(key, self.trace.get(key))
        return values
