"""Replay canonical log rows through the reference executor, one case at a time.

The rules for a log (oracle/REPLAY.md):

- A row naming an event, status or owner the spec does not have is malformed; the
  reason does not quote the value (a misplaced column may hold personal data).
- Rows are grouped by case and sorted by instant, stably by reading order; a row
  earlier than one read before it for the same case is listed as out of order (and
  replayed in its place). A row with the same case, instant and event as an earlier
  one is a duplicate: malformed, not replayed.
- A case starts at its first row's time, in the first initial status (spec order) from
  which that row's step is accepted, else the first initial status; each row is one
  step (`Executor.apply`). A refused step is a violation, one finding per
  reason with the rule's citations, and the case then follows the log
  (`Executor.force`), so a breach is reported once. Time never goes back: a wall
  time repeated when the clocks go back is taken as the case's last moment.
- A running deadline the reading enforces that is overdue when a row arrives is a
  violation on that row; one still overdue at the end of the log (`as_of`, default
  the last time in the logs) is a finding with no row. Each clock is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from attrs import frozen

from stepcheck.oracle.calendar_rules import passed
from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.replay_facts import fact_value
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_model import (
    CaseReport,
    Finding,
    OpenObligation,
    OutOfOrder,
    ReplayReport,
    TimelineEntry,
    Totals,
    UnownedInterval,
)
from stepcheck.oracle.replay_read import LogFile, LogRead
from stepcheck.oracle.replay_rows import LogRow, Malformed, RowPlace
from stepcheck.oracle.types import Accepted
from stepcheck.spec.model import UNSPECIFIED, ProtocolSpec, Reading
from stepcheck.spec.workdays import working_days_between

__all__ = [
    "CasesPlayed",
    "RowsSorted",
    "assemble",
    "assemble_with",
    "case_played",
    "opening",
    "out_of_order",
    "play",
    "replay",
    "sort_out",
]


@frozen(kw_only=True)
class RowsSorted:
    """A log's rows sorted out: the malformed ones, and each case's replayable rows in
    reading order. `end` is the end of the log the cases are played to."""

    malformed: tuple[Malformed, ...]
    cases: dict[str, list[LogRow]]
    end: datetime | None


@frozen(kw_only=True)
class CasesPlayed:
    """What playing some of a log's cases found (in case-id order): the partial result
    that `assemble` merges, whichever process or worker computed it."""

    findings: tuple[Finding, ...]
    out_of_order: tuple[OutOfOrder, ...]
    cases: tuple[CaseReport, ...]


def replay(
    spec: ProtocolSpec,
    read: LogRead,
    *,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
) -> ReplayReport:
    """Replay every row of `read` against `spec` under `reading`; see the module's rules."""
    rules = rule_index(spec, reading)
    rows = sort_out(rules, read, as_of)
    return assemble(spec, read, reading, rows, [play(rules, rows.cases, rows.end)])


def rule_index(spec: ProtocolSpec, reading: Reading) -> RuleIndex:
    """The executors (the reading's and the must reading's) and rule lookups for `spec`."""
    executor = Executor(spec, reading)
    must = executor if reading is Reading.MUST else Executor(spec, Reading.MUST)
    return RuleIndex.of(spec, executor, must)


def sort_out(rules: RuleIndex, read: LogRead, as_of: datetime | None) -> RowsSorted:
    """Set malformed rows (unreadable, unknown names, duplicates) apart and group the
    others by case; the end of the log is `as_of`, else the last time of a replayable row."""
    malformed: list[Malformed] = []
    cases: dict[str, list[LogRow]] = {}
    seen: dict[tuple[str, datetime, str], RowPlace] = {}
    for row in read.rows:
        if isinstance(row, Malformed):
            malformed.append(row)
        elif (problem := _problem(row, rules, seen)) is not None:
            malformed.append(
                Malformed(place=row.place, order=row.order, reason=problem, case=row.case)
            )
        else:
            cases.setdefault(row.case, []).append(row)
            seen[(row.case, row.instant, row.event)] = row.place
    end = as_of or max((row.local for rows in cases.values() for row in rows), default=None)
    return RowsSorted(malformed=tuple(malformed), cases=cases, end=end)


def play(
    rules: RuleIndex, cases: Mapping[str, Sequence[LogRow]], end: datetime | None
) -> CasesPlayed:
    """Replay each case of `cases` (its rows in reading order) to `end`, independently of
    every other case: so any split of the cases, played anywhere, assembles the same."""
    late = [found for rows in cases.values() for found in out_of_order(rows)]
    findings: list[Finding] = []
    reports = []
    for case_id in sorted(cases):
        rows = sorted(cases[case_id], key=lambda row: (row.instant, row.order))
        report, found = case_played(rules, case_id, rows, end)
        reports.append(report)
        findings += found
    return CasesPlayed(findings=tuple(findings), out_of_order=tuple(late), cases=tuple(reports))


def case_played(
    rules: RuleIndex, case_id: str, rows: Sequence[LogRow], end: datetime | None
) -> tuple[CaseReport, list[Finding]]:
    """One case's report and findings, its `rows` sorted by (instant, reading order)."""
    player = _CasePlayer(rules, case_id)
    report = player.play(rows, end)
    return report, player.findings


def assemble(
    spec: ProtocolSpec,
    read: LogRead,
    reading: Reading,
    rows: RowsSorted,
    parts: Iterable[CasesPlayed],
) -> ReplayReport:
    """The report of a log whose cases were played in `parts` (each case in one part):
    every list sorted by reading order or case id, so the split never shows."""
    order = {row.place: row.order for row in read.rows}
    return assemble_with(spec, read.files, len(read.rows), reading, rows, parts, order.__getitem__)


def assemble_with(  # noqa: PLR0917 - `assemble` with the log's rows given by their count
    spec: ProtocolSpec,
    files: tuple[LogFile, ...],
    total: int,
    reading: Reading,
    rows: RowsSorted,
    parts: Iterable[CasesPlayed],
    order: Callable[[RowPlace], int],
) -> ReplayReport:
    """`assemble` for a log not held as rows: `order` gives a place's reading order."""
    findings: list[Finding] = []
    out_of_order: list[OutOfOrder] = []
    reports: list[CaseReport] = []
    for part in parts:
        findings += part.findings
        out_of_order += part.out_of_order
        reports += part.cases
    violating = {f.place for f in findings if f.place is not None}
    malformed = rows.malformed
    return ReplayReport(
        authority=spec.authority.id,
        spec=spec.path,
        reading=reading.value,
        as_of=rows.end,
        files=files,
        totals=Totals(
            rows=total,
            accepted=total - len(malformed) - len(violating),
            violation=len(violating),
            malformed=len(malformed),
        ),
        findings=tuple(sorted(findings, key=lambda f: _finding_key(f, order))),
        malformed=tuple(sorted(malformed, key=lambda m: m.order)),
        out_of_order=tuple(sorted(out_of_order, key=lambda o: order(o.place))),
        cases=tuple(sorted(reports, key=lambda report: report.case)),
    )


def opening(executor: Executor, step: str, at: datetime) -> Case:
    """The case a log's first row opens: in the first initial status (in spec order) from
    which its step is accepted at its time, else in the spec's first initial status."""
    for status in executor.spec.statuses:
        if status.initial:
            case = executor.start(at=at, status=status.id)
            if executor.apply(case, step, at=at).accepted:
                return case
    return executor.start(at=at)


def _problem(
    row: LogRow, rules: RuleIndex, seen: dict[tuple[str, datetime, str], RowPlace]
) -> str | None:
    """Why a well-formed row still cannot be replayed: unknown names, or a duplicate."""
    if row.event not in rules.steps:
        return "unknown event: not an event of the spec"
    if row.status is not None and row.status not in rules.executor.index.statuses:
        return "unknown status: not a status of the spec"
    if row.owner is not None and row.owner not in rules.executor.index.owners:
        return "unknown owner: not an owner of the spec"
    for name, text in row.facts:
        variable = rules.variables.get(name)
        if variable is None:
            return "unknown fact: not a variable of the spec"
        if fact_value(variable, text) is None:
            return f"fact {name} is not a value of its type ({variable.type})"
    earlier = seen.get((row.case, row.instant, row.event))
    if earlier is not None:
        return f"duplicate of row {earlier.row} of {earlier.file} (same case, time and event)"
    return None


def out_of_order(rows: Sequence[LogRow]) -> Iterable[OutOfOrder]:
    """Rows (in reading order) earlier than the latest row read before them."""
    latest: LogRow | None = None
    for row in rows:
        if latest is not None and row.instant < latest.instant:
            yield OutOfOrder(place=row.place, case=row.case, after=latest.place)
        else:
            latest = row


def _finding_key(
    finding: Finding, order: Callable[[RowPlace], int]
) -> tuple[int, int, str, str, str, str]:
    """Findings on rows in reading order, then those at the end of the log by case."""
    place = finding.place
    if place is None:
        return (1, 0, finding.case, finding.at.isoformat(), finding.kind, finding.element)
    return (0, order(place), "", "", finding.kind, finding.element)


class _CasePlayer:
    """Replays one case's sorted rows, collecting findings, timeline and unowned stretches."""

    def __init__(self, rules: RuleIndex, case_id: str) -> None:
        self.rules = rules
        self.case_id = case_id
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, datetime]] = set()
        self._timeline: list[TimelineEntry] = []
        self._unowned: list[UnownedInterval] = []
        self._unowned_since: tuple[str, datetime] | None = None

    def play(self, rows: Sequence[LogRow], end: datetime | None) -> CaseReport:
        executor = self.rules.executor
        case = opening(executor, rows[0].event, rows[0].local)
        self._owner_seen(case, case.now)
        for row in rows:
            at = max(row.local, case.now)
            self._overdue(case, at, row.place, row.event)
            case = self._step(case, row, at)
            if not self._timeline or (
                (case.status, case.owner) != (self._timeline[-1].status, self._timeline[-1].owner)
            ):
                self._timeline.append(
                    TimelineEntry(at=at, place=row.place, status=case.status, owner=case.owner)
                )
            self._owner_seen(case, at)
        final = executor.advance(case, max(end or case.now, case.now))
        self._overdue(final, final.now, None, None)
        if self._unowned_since is not None:
            owner, since = self._unowned_since
            self._unowned.append(self._interval(owner, since, final.now, still_open=True))
        return CaseReport(
            case=self.case_id,
            rows=len(rows),
            status=final.status,
            owner=final.owner,
            timeline=tuple(self._timeline),
            open=tuple(
                OpenObligation(
                    deadline=due.deadline, obligation=due.obligation, by=due.by, overdue=due.overdue
                )
                for due in final.due
            ),
            unowned=tuple(self._unowned),
        )

    def _step(self, case: Case, row: LogRow, at: datetime) -> Case:
        executor = self.rules.executor
        result = executor.apply(case, row.event, at=at)
        if isinstance(result, Accepted):
            for late in result.late:
                clock = case.clock(late.deadline)
                if clock is not None and self._first(late.deadline, clock.limit.started):
                    self._add(self.rules.late(late, row.place, self.case_id))
            after = result.case
        else:
            for finding in self.rules.refused(result, result.case, row.place, self.case_id):
                self._add(finding)
            after = executor.force(result.case, row.event, at=at) or result.case
        self._recorded(row, after)
        return after

    def _recorded(self, row: LogRow, after: Case) -> None:
        """The log's own status and owner, where it records them, against the spec's."""
        if row.status is not None and row.status != after.status:
            self._add(self.rules.mismatch("status", row, row.status, after.status, self.case_id))
        if row.owner is not None and after.owner not in (UNSPECIFIED.value, row.owner):
            self._add(self.rules.mismatch("owner", row, row.owner, after.owner, self.case_id))
        for name, text in row.facts:
            recorded = fact_value(self.rules.variables[name], text)
            if recorded != after.value(name):
                self._add(self.rules.mismatch(name, row, recorded, after.value(name), self.case_id))

    def _overdue(self, case: Case, at: datetime, place: RowPlace | None, step: str | None) -> None:
        """Report each enforced deadline of `case` overdue at `at`, once per clock; `step` is
        the row's, which may be the milestone itself, late. (Due dates do not move with
        time, so the case need not be advanced first.)"""
        for due in case.due:
            clock = case.clock(due.deadline)
            if clock is None or not passed(due.by, at) or not self.rules.enforced(due.deadline):
                continue
            if self._first(due.deadline, clock.limit.started):
                self._add(self.rules.missed(due, place, self.case_id, at, step))

    def _first(self, deadline: str, started: datetime) -> bool:
        key = (deadline, started)
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    def _add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def _owner_seen(self, case: Case, at: datetime) -> None:
        index = self.rules.executor.index
        responsible = index.owners[case.owner].responsible or index.statuses[case.status].final
        if self._unowned_since is not None:
            owner, since = self._unowned_since
            if responsible or owner != case.owner:
                self._unowned.append(self._interval(owner, since, at, still_open=False))
                self._unowned_since = None
        if not responsible and self._unowned_since is None:
            self._unowned_since = (case.owner, at)

    @staticmethod
    def _interval(
        owner: str, start: datetime, end: datetime, *, still_open: bool
    ) -> UnownedInterval:
        return UnownedInterval(
            owner=owner,
            start=start,
            end=end,
            working_days=working_days_between(start.date(), end.date()),
            open=still_open,
        )
