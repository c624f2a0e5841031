"""One audit-log row in the canonical form, the column mapping, and the time rule.

The canonical columns (oracle/REPLAY.md) are `case`, `time` and `event`, required, and
`owner`, `status` and `actor`, optional. A mapping names the log's column for each;
only mapped columns are ever read into a `LogRow`, so nothing else in the log can
reach a report.

Times: an ISO 8601 timestamp with an offset (or `Z`) is converted to Europe/London;
a naive one is taken as Europe/London local time. A local time the clocks skip (the
last Sunday of March, 01:00-02:00) is malformed; one they repeat (the last Sunday of
October, 01:00-02:00) is read as the first, British Summer Time. A reason never
quotes the value: a misplaced column may hold personal data. Rows are ordered by
their instant; the executor, which counts working days, sees the local wall time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from attrs import field, frozen

from stepcheck.spec.diagnostics import StepcheckError

__all__ = [
    "CANONICAL",
    "LONDON",
    "REQUIRED",
    "ColumnMap",
    "LogError",
    "LogRow",
    "Malformed",
    "RowPlace",
    "parse_event_map",
    "parse_mapping",
    "parse_time",
]

LONDON: Final = ZoneInfo("Europe/London")
REQUIRED: Final = ("case", "time", "event")
CANONICAL: Final = (*REQUIRED, "owner", "status", "actor")
_YEARS: Final = range(2000, 2101)
_FACT: Final = "fact."
_FACT_NAME: Final = re.compile(r"fact\.[a-z][a-z0-9_]*")


class LogError(StepcheckError):
    """A log that cannot be replayed at all: missing, unreadable, or without a mapped column."""


@frozen(kw_only=True)
class ColumnMap:
    """The log's column name for each canonical column it has (`case` -> `case_id`, ...)."""

    columns: Mapping[str, str]
    given: frozenset[str] = frozenset()
    """The canonical columns the user mapped (the others took their default name)."""
    events: Mapping[str, str] = field(factory=dict)
    """The log's name for a step -> the spec's step id (`--event-map`); others stay as read."""

    def column(self, canonical: str) -> str | None:
        """The log's column for `canonical`, None when it is not mapped."""
        return self.columns.get(canonical)

    @property
    def wanted(self) -> tuple[tuple[str, str], ...]:
        """(canonical, log column) for every mapped column: canonical order, then facts."""
        facts = sorted(name for name in self.columns if name.startswith(_FACT))
        return tuple(
            (name, self.columns[name]) for name in (*CANONICAL, *facts) if name in self.columns
        )


def parse_event_map(lines: list[str], steps: frozenset[str]) -> dict[str, str]:
    """Log names of steps from `LOG NAME=STEP` lines (split at the last `=`), checked
    against the spec's `steps`. Raises `LogError` naming the first bad line."""
    names: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        name, sep, step = (part.strip() for part in line.rpartition("="))
        if not sep or not name or not step:
            raise LogError(f"event map entry {number}: expected LOG NAME=STEP")
        if step not in steps:
            raise LogError(f"event map entry {number}: {step!r} is not a step of the spec")
        names[name] = step
    return names


def parse_mapping(pairs: list[str]) -> ColumnMap:
    """A mapping from `canonical=column` items (comma-separated or given one by one).

    Unmapped required columns map to themselves, so a log in the canonical form needs
    no mapping. Raises `LogError` for an unknown canonical name or an item without `=`.
    """
    columns = {name: name for name in REQUIRED}
    given = set()
    for text in pairs:
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, column = (part.strip() for part in item.partition("="))
            if not sep or not name or not column:
                raise LogError(f"mapping item {item!r} is not canonical=column")
            if name not in CANONICAL and not _FACT_NAME.fullmatch(name):
                raise LogError(
                    f"mapping names unknown column {name!r}; canonical: "
                    f"{', '.join(CANONICAL)}, fact.<variable>"
                )
            columns[name] = column
            given.add(name)
    return ColumnMap(columns=columns, given=frozenset(given))


@frozen(kw_only=True)
class RowPlace:
    """Where a row was read: the log (as named on the command line), its 1-based data
    row number, and the line it starts on."""

    file: str
    row: int
    line: int


@frozen(kw_only=True)
class LogRow:
    """A well-formed row: its place, case id, instant (UTC), local wall time, event."""

    place: RowPlace
    order: int
    """Position among every row read (logs in command-line order), to keep sorts stable."""
    case: str
    instant: datetime
    local: datetime
    event: str
    owner: str | None = None
    status: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    """(variable, recorded text) for each mapped fact the row records."""


@frozen(kw_only=True)
class Malformed:
    """A row that cannot be replayed, and why. `case` is set when the row had one."""

    place: RowPlace
    order: int
    reason: str
    case: str | None = None


def parse_time(text: str) -> tuple[datetime, datetime] | str:
    """(instant in UTC, Europe/London wall time without zone) for `text`, or why not.

    >>> parse_time("2026-07-01T09:00:00Z")[1]
    datetime.datetime(2026, 7, 1, 10, 0)
    >>> parse_time("2026-03-29 01:30")
    'time does not exist in Europe/London (the clocks go forward)'
    """
    stripped = text.strip()
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        return "time is not an ISO 8601 date and time"
    if parsed.year not in _YEARS:
        return "time is outside the calendar (years 2000-2100)"
    if parsed.tzinfo is not None:
        local = parsed.astimezone(LONDON)
        return parsed.astimezone(UTC), local.replace(tzinfo=None)
    zoned = parsed.replace(tzinfo=LONDON, fold=0)
    instant = zoned.astimezone(UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != parsed:
        return "time does not exist in Europe/London (the clocks go forward)"
    return instant, parsed
