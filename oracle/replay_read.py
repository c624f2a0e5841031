"""Reading audit logs (CSV, JSON Lines, XES, Parquet) as canonical rows: mapped columns only.

Every record becomes exactly one `LogRow` or `Malformed`, so the totals add up to the
rows read. Bytes that are not UTF-8 are kept apart (surrogate escapes) and make a row
malformed only when they fall in a mapped column; the reason never quotes a column
that is not mapped. A log that cannot be read at all (missing, a folder, no mapped
column in its header) raises `LogError`: one clear line, exit 2.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from attrs import frozen

from stepcheck.oracle.replay_rows import (
    REQUIRED,
    ColumnMap,
    LogError,
    LogRow,
    Malformed,
    RowPlace,
    parse_time,
)
from stepcheck.oracle.replay_xes import xes_records

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # what `csv.reader` gives, with its `line_num`

__all__ = [
    "FORMATS",
    "LogFile",
    "LogRead",
    "Record",
    "canonical",
    "csv_names",
    "csv_positions",
    "csv_rows",
    "format_of",
    "read_logs",
    "records_of",
]

FORMATS: Final = ("csv", "jsonl", "xes", "parquet")
_SUFFIXES: Final = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xes": "xes",
    ".parquet": "parquet",
}

Record = tuple[int, Mapping[str, object] | str]
"""A record's first line and its mapped values, or why it could not be read."""


@frozen(kw_only=True)
class LogFile:
    """One log read: its name as given and how many rows it held."""

    name: str
    rows: int


@frozen(kw_only=True)
class LogRead:
    """Every row of every log, in reading order, and the logs themselves."""

    rows: tuple[LogRow | Malformed, ...]
    files: tuple[LogFile, ...]


def format_of(path: Path, given: str | None) -> str:
    """The log's format: `given`, else from the file name's suffix."""
    if given is not None:
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise LogError(
            f"{path}: cannot tell the log's format from its name; "
            f"use --log-format {'|'.join(FORMATS)}"
        )
    return found


PROGRESS_EVERY = 10_000
"""Rows between two progress reports while logs are read."""


def read_logs(
    paths: Sequence[Path],
    mapping: ColumnMap,
    *,
    log_format: str | None = None,
    case_id: Callable[[str], str] = str,
    progress: Callable[[int], None] | None = None,
) -> LogRead:
    """Read every log in order; `case_id` rewrites case ids as they are read (pseudonyms);
    `progress` is told the number of rows read so far, every `PROGRESS_EVERY` rows."""
    rows: list[LogRow | Malformed] = []
    files = []
    for path in paths:
        name = str(path)
        records = records_of(path, format_of(path, log_format), mapping)
        count = 0
        for count, (line, record) in enumerate(records, start=1):
            place = RowPlace(file=name, row=count, line=line)
            rows.append(canonical(place, len(rows), record, case_id, mapping.events))
            if progress is not None and len(rows) % PROGRESS_EVERY == 0:
                progress(len(rows))
        files.append(LogFile(name=name, rows=count))
    return LogRead(rows=tuple(rows), files=tuple(files))


def records_of(path: Path, log_format: str, mapping: ColumnMap) -> Iterator[Record]:
    """The records of the log at `path`: (first line, mapped values, or why not)."""
    if not path.exists():
        raise LogError(f"{path}: no such log")
    if not path.is_file():
        raise LogError(f"{path}: not a file")
    if log_format == "parquet":
        # pyarrow takes a moment to import; only Parquet logs pay for it
        from stepcheck.oracle.replay_parquet import parquet_records  # noqa: PLC0415

        yield from parquet_records(path, mapping)
        return
    try:
        if log_format == "xes":
            with path.open("rb") as binary:
                yield from xes_records(binary, mapping)
            return
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            if log_format == "csv":
                yield from _csv_records(path, handle, mapping)
            else:
                yield from _jsonl_records(path, handle, mapping)
    except OSError as error:
        raise LogError(f"{path}: cannot be read ({error.strerror})") from None


def _csv_records(path: Path, handle: Iterator[str], mapping: ColumnMap) -> Iterator[Record]:
    reader = csv.reader(handle)
    names = csv_names(path, reader)
    if names is not None:
        yield from csv_rows(reader, csv_positions(path, names, mapping))


def csv_names(path: Path, reader: CsvReader) -> list[str] | None:
    """The column names of the header, the reader's next record (None: an empty
    file); a header that is not CSV raises `LogError`."""
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise LogError(f"{path}: the header cannot be read as CSV ({error})") from None
    return None if header is None else [_clean(name) for name in header]


def csv_positions(path: Path, names: list[str], mapping: ColumnMap) -> dict[str, int]:
    """Each mapped column's position among `names`; a missing one raises `LogError`."""
    positions = {}
    for key, column in mapping.wanted:
        if column not in names:
            raise LogError(
                f"{path}: no column {column!r} (mapped to {key}); "
                f"the header has {len(names)} column(s); use --map {key}=COLUMN"
            )
        positions[key] = names.index(column)
    return positions


def csv_rows(
    reader: CsvReader, positions: dict[str, int], lines_before: int = 0
) -> Iterator[Record]:
    """The records after the header: (first line, mapped values, or why not). The reader
    reads from line `lines_before + 1` of the file (its `line_num` counts from there)."""
    while True:
        line = lines_before + reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, f"cannot be read as CSV ({error})"
            continue
        if not fields:
            continue
        yield (
            line,
            {
                key: fields[index] if index < len(fields) else None
                for key, index in positions.items()
            },
        )


def _jsonl_records(path: Path, handle: Iterator[str], mapping: ColumnMap) -> Iterator[Record]:
    seen_any = False
    found: set[str] = set()
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        seen_any = True
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            yield number, "not a JSON value"
            continue
        if not isinstance(value, dict):
            yield number, "not a JSON object"
            continue
        wanted: dict[str, object] = {}
        for canonical, column in mapping.wanted:
            if column in value:
                found.add(canonical)
            wanted[canonical] = value.get(column)
        yield number, wanted
    missing = [name for name, _ in mapping.wanted if name in REQUIRED and name not in found]
    if seen_any and missing:
        key = mapping.column(missing[0])
        raise LogError(f"{path}: no row has the key {key!r} (mapped to {missing[0]})")


def canonical(
    place: RowPlace,
    order: int,
    record: Mapping[str, object] | str,
    case_id: Callable[[str], str],
    events: Mapping[str, str],
) -> LogRow | Malformed:
    if isinstance(record, str):
        return Malformed(place=place, order=order, reason=record)
    values: dict[str, str | None] = {}
    for name, value in record.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, str | int | float)
        ):
            return Malformed(place=place, order=order, reason=f"{name} is not text or a number")
        text = None if value is None else _clean(str(value)) or None
        if text is not None and _has_bad_bytes(text):
            return Malformed(place=place, order=order, reason=f"{name} is not valid UTF-8")
        values[name] = text
    case_text = values.get("case")
    case = case_id(case_text) if case_text else None
    for name in REQUIRED:
        if not values.get(name):
            return Malformed(place=place, order=order, case=case, reason=f"no {name}")
    assert case is not None
    when = parse_time(values["time"] or "")
    if isinstance(when, str):
        return Malformed(place=place, order=order, case=case, reason=when)
    return LogRow(
        place=place,
        order=order,
        case=case,
        instant=when[0],
        local=when[1],
        event=events.get(values["event"] or "", values["event"] or ""),
        owner=values.get("owner") or None,
        status=values.get("status") or None,
        facts=tuple(
            (name.removeprefix("fact."), text)
            for name, text in values.items()
            if name.startswith("fact.") and text
        ),
    )


def _clean(text: str) -> str:
    return text.strip()


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)
