"""A replay report for people: text and Markdown, and the violations as CSV.

Each leads with the verdict and the violations, then malformed rows, then the cases
with something left open. Only row numbers, case ids and the spec's own names are
shown. Long lists are cut at `LIMIT` entries in text and Markdown, saying how many
more the JSON output holds; the CSV has every violation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence, Sized
from datetime import datetime
from typing import Final

from stepcheck.oracle.replay_cases import notable_cases
from stepcheck.oracle.replay_model import CaseReport, Finding, OpenObligation, ReplayReport
from stepcheck.oracle.replay_rows import Malformed, RowPlace
from stepcheck.spec.citations import Citation, long_date

__all__ = [
    "CSV_COLUMNS",
    "LIMIT",
    "citation_text",
    "due_words",
    "place_words",
    "render_csv",
    "render_markdown",
    "render_text",
    "summary_line",
]

LIMIT: Final = 100
CSV_COLUMNS: Final = (
    "file", "row", "line", "case", "time", "kind", "modality", "rule", "element", "message",
    "document", "section", "quote", "spec_line",
)  # fmt: skip


def summary_line(report: ReplayReport) -> str:
    """The verdict in one line, what matters first: "3 violations on 2 rows, 1 at the end of
    the log; 2 malformed rows: 12 rows in 1 log, 4 cases (examplevale, should reading)"."""
    totals = report.totals
    scope = (
        f"{_count(totals.rows, 'row')} in {_count(len(report.files), 'log')}, "
        f"{_count(len(report.cases), 'case')} ({report.authority}, {report.reading} reading)"
    )
    if report.clean:
        return f"clean: {scope}, every row accepted"
    parts = []
    if report.findings:
        at_end = sum(1 for f in report.findings if f.place is None)
        head = _count(len(report.findings), "violation")
        if totals.violation:
            head += f" on {_count(totals.violation, 'row')}"
        if at_end:
            head += f", {at_end} at the end of the log"
        parts.append(head)
    if totals.malformed:
        parts.append(_count(totals.malformed, "malformed row"))
    return f"{'; '.join(parts)}: {scope}"


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}" + ("" if number == 1 else "s")


def place_words(place: RowPlace | None) -> str:
    """ "log.csv row 3"; "end of log" when there is no row."""
    return "end of log" if place is None else f"{place.file} row {place.row}"


def citation_text(citation: Citation) -> str:
    """A citation as a reviewer looks it up: title, section, rule id, quote."""
    text = citation.title
    if citation.section:
        text += f", section {citation.section}"
    if citation.rule:
        text += f" ({citation.rule})"
    if citation.quote:
        text += f': "{citation.quote}"'
    return text


def due_words(obligation: OpenObligation) -> str:
    """ "allocate_within_two_days due Fri 4 Dec 2026, still open at end of log"."""
    state = "overdue" if obligation.overdue else "still open"
    return f"{obligation.deadline} due {long_date(obligation.by)}, {state} at end of log"


def render_text(report: ReplayReport, *, timelines: bool = False) -> str:
    """The report for a terminal; `timelines`: every case, with its status and owner over
    time, not only those with something open."""
    lines = [f"stepcheck replay: {summary_line(report)}"]
    if report.findings:
        lines += ["", "Violations:"]
        for finding in report.findings[:LIMIT]:
            lines.append(
                f"  {place_words(finding.place)}, case {finding.case}: "
                f"[{finding.modality}] {finding.rule} ({finding.kind}): {finding.message}"
            )
            lines += [f"      {citation_text(c)}" for c in finding.citations]
        lines += _more(report.findings)
    if report.malformed:
        lines += ["", "Malformed rows (not replayed):"]
        lines += [f"  {_malformed(m)}" for m in report.malformed[:LIMIT]]
        lines += _more(report.malformed)
    if report.out_of_order:
        lines += ["", "Rows out of order (replayed in time order):"]
        lines += [
            f"  {place_words(o.place)}, case {o.case}: earlier than {place_words(o.after)}"
            for o in report.out_of_order[:LIMIT]
        ]
        lines += _more(report.out_of_order)
    notable = _notable(report, timelines=timelines)
    if notable:
        as_of = _moment(report.as_of) if report.as_of else "the end"
        what = "Cases" if timelines else "Cases with open obligations or unowned time"
        lines += ["", f"{what} (log ends {as_of}):"]
        for case in notable[:LIMIT]:
            lines += _case_lines(case, timelines=timelines)
        lines += _more(notable)
    lines += ["", _totals(report)]
    return "\n".join(lines) + "\n"


def render_markdown(report: ReplayReport, *, timelines: bool = False) -> str:
    """The report as Markdown, for a pull request or a wiki page (`timelines`: as in
    `render_text`)."""
    lines = [f"## stepcheck replay: {report.authority}", "", f"**{summary_line(report)}**"]
    if report.findings:
        lines += ["", "### Violations", "", "| where | case | rule | modality | what |"]
        lines.append("|---|---|---|---|---|")
        for finding in report.findings[:LIMIT]:
            cited = "; ".join(citation_text(c) for c in finding.citations)
            what = finding.message + (f" — {cited}" if cited else "")
            lines.append(
                f"| {place_words(finding.place)} | {_md(finding.case)} | {_md(finding.rule)} | "
                f"{finding.modality} | {_md(what)} |"
            )
        lines += _more(report.findings)
    if report.malformed:
        lines += ["", "### Malformed rows", ""]
        lines += [f"- {_md(_malformed(m))}" for m in report.malformed[:LIMIT]]
        lines += _more(report.malformed)
    if report.out_of_order:
        lines += ["", "### Rows out of order", ""]
        lines += [
            f"- {place_words(o.place)} (case {_md(o.case)}): earlier than {place_words(o.after)}"
            for o in report.out_of_order[:LIMIT]
        ]
        lines += _more(report.out_of_order)
    notable = _notable(report, timelines=timelines)
    if notable:
        lines += ["", "### Cases" if timelines else "### Open at the end of the log", ""]
        for case in notable[:LIMIT]:
            head, *rest = _case_lines(case, timelines=timelines)
            lines += [f"- {_md(head.strip())}", *(f"  - {_md(line.strip())}" for line in rest)]
        lines += _more(notable)
    lines += ["", _totals(report)]
    return "\n".join(lines) + "\n"


def render_csv(findings: Sequence[Finding]) -> str:
    """Every violation, one line each (a finding citing two documents gives the first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        first = f.citations[0] if f.citations else None
        writer.writerow(
            (
                f.place.file if f.place else "",
                f.place.row if f.place else "",
                f.place.line if f.place else "",
                f.case,
                f.at.isoformat(),
                f.kind,
                f.modality,
                f.rule,
                f.element,
                f.message,
                first.title if first else "",
                (first.section or "") if first else "",
                (first.quote or "") if first else "",
                f.span.line if f.span else "",
            )
        )
    return out.getvalue()


def _notable(report: ReplayReport, *, timelines: bool) -> Sequence[CaseReport]:
    return notable_cases(report.cases, timelines=timelines)


def _case_lines(case: CaseReport, *, timelines: bool = False) -> list[str]:
    lines = [f"  case {case.case}: {case.status}, owner {case.owner} ({case.rows} rows)"]
    if timelines:
        lines += [
            f"    from {_moment(entry.at)} ({place_words(entry.place)}): {entry.status}, "
            f"owner {entry.owner}"
            for entry in case.timeline
        ]
    lines += [f"    open: {due_words(o)}" for o in case.open]
    for gap in case.unowned:
        end = "still unowned at end of log" if gap.open else f"to {_moment(gap.end)}"
        lines.append(
            f"    unowned ({gap.owner}) from {_moment(gap.start)} {end}: "
            f"{gap.working_days} working day(s)"
        )
    return lines


def _malformed(row: Malformed) -> str:
    case = f", case {row.case}" if row.case is not None else ""
    return f"{place_words(row.place)} (line {row.place.line}){case}: {row.reason}"


def _totals(report: ReplayReport) -> str:
    t = report.totals
    return (
        f"Rows: {t.rows} = {t.accepted} accepted + {t.violation} violating + "
        f"{t.malformed} malformed."
    )


def _more(items: Sized) -> list[str]:
    """A closing line saying how many items past LIMIT only the JSON output has."""
    if len(items) > LIMIT:
        return [f"  ... and {len(items) - LIMIT} more (see --format json)"]
    return []


def _moment(at: datetime) -> str:
    return f"{long_date(at.date())} {at:%H:%M}"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
