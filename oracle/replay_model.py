"""What a replay found: findings on rows, malformed rows, and each case's story over time.

Plain frozen data, made by `replay_engine` and formatted by `replay_write` and
`replay_formats` without recomputing anything. Reports name rows (file and row
number) and case ids only; no other field of a log is kept here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.replay_read import LogFile
from stepcheck.oracle.replay_rows import Malformed, RowPlace
from stepcheck.spec.citations import Citation
from stepcheck.spec.diagnostics import SourceSpan

__all__ = [
    "CaseReport",
    "Finding",
    "OpenObligation",
    "OutOfOrder",
    "ReplayReport",
    "TimelineEntry",
    "Totals",
    "UnownedInterval",
]


@frozen(kw_only=True)
class Finding:
    """One breach of a rule, at a row (or at the end of the log when `place` is None).

    `kind` is the executor's refusal kind (`from`, `guard`, `meeting`, `range`,
    `not_before`, `dispute`), or `deadline` (a due date passed without its milestone),
    `late` (a deadline in hours met after its end), `status`, `owner` or `fact` (the
    log records a different status, owner or variable value than the spec gives).
    `modality` is `must` when the must reading also forbids the row, else `should`. `rule` is the
    document's rule id when the spec cites one, else the spec element's id.
    """

    kind: str
    modality: str
    element: str
    rule: str
    message: str
    case: str
    place: RowPlace | None
    at: datetime
    citations: tuple[Citation, ...] = ()
    span: SourceSpan | None = None


@frozen(kw_only=True)
class OutOfOrder:
    """A row whose time is earlier than an earlier row's of the same case."""

    place: RowPlace
    case: str
    after: RowPlace


@frozen(kw_only=True)
class TimelineEntry:
    """The case's status and owner from `at`, after the step on `place`."""

    at: datetime
    place: RowPlace
    status: str
    owner: str


@frozen(kw_only=True)
class OpenObligation:
    """A deadline still running at the end of the log."""

    deadline: str
    obligation: tuple[str, ...]
    by: date
    overdue: bool


@frozen(kw_only=True)
class UnownedInterval:
    """A stretch with no responsible owner, and its length in working days."""

    owner: str
    start: datetime
    end: datetime
    working_days: int
    open: bool
    """Still unowned at the end of the log."""


@frozen(kw_only=True)
class CaseReport:
    """One case: rows replayed, where it ended, its timeline, what is left open."""

    case: str
    rows: int
    status: str
    owner: str
    timeline: tuple[TimelineEntry, ...]
    open: tuple[OpenObligation, ...]
    unowned: tuple[UnownedInterval, ...]


@frozen(kw_only=True)
class Totals:
    """Rows by class; `accepted + violation + malformed == rows` always."""

    rows: int
    accepted: int
    violation: int
    malformed: int


@frozen(kw_only=True)
class ReplayReport:
    """Everything a replay found, sorted, ready for the writers."""

    authority: str
    spec: str
    reading: str
    as_of: datetime | None
    files: tuple[LogFile, ...]
    totals: Totals
    findings: tuple[Finding, ...]
    malformed: tuple[Malformed, ...]
    out_of_order: tuple[OutOfOrder, ...]
    cases: Sequence[CaseReport]
    """In case-id order: a tuple, or `replay_cases.CaseReports` (made when read)."""

    @property
    def clean(self) -> bool:
        """No finding and no malformed row."""
        return not self.findings and not self.malformed
