"""Why the oracle answered as it did, for the two disagreements people ask "why?" about.

- The oracle **accepts** a step the system refused: the rule that lets it happen (the
  event's `from`, each guard the reading enforces, the meeting that sits that day, from
  its time of day when it has one), each with its citation, and the facts of the case
  those guards read.
- A **due date** differs: the moment the deadline started, its duration, and each
  non-working day that moved it (a weekend, "Fri 25 Dec 2026 is Christmas Day").

The reasons for a step the oracle *refuses* are already in the finding (`refusals`).
The case before the last step is rebuilt by replaying the finding's steps in the
executor, so nothing here needs more than the finding and the settings of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.machine import Finding
from stepcheck.spec.citations import Citation, citations_of, long_date
from stepcheck.spec.expr.ast import names
from stepcheck.spec.model import ANY_STATUS, Modality, ProtocolSpec, Reading
from stepcheck.spec.workdays import bank_holidays, is_working_day

__all__ = ["explain"]

_ENFORCED = {Reading.MUST: (Modality.MUST,), Reading.SHOULD: (Modality.MUST, Modality.SHOULD)}


def explain(
    spec: ProtocolSpec,
    finding: Finding,
    *,
    reading: Reading = Reading.MUST,
    meetings: Mapping[str, date] | None = None,
) -> list[str]:
    """Lines (indented for the report) saying why the oracle answered as it did."""
    if not finding.steps:
        return []
    executor = Executor(spec, reading=reading, meetings=meetings)
    before = executor.start(at=finding.start, status=finding.status)
    for step, at in finding.steps[:-1]:
        before = executor.apply(before, step, at=at).case
    step, at = finding.steps[-1]
    lines: list[str] = []
    if finding.oracle_accepted and finding.system_accepted is False:
        lines += _enabling(executor, before, step, reading, at)
    if finding.system_view is not None and finding.system_view.owner != finding.oracle_view.owner:
        lines += _windows(executor, before, step)
    if finding.system_view is not None and finding.system_view.due != finding.oracle_view.due:
        after = executor.apply(before, step, at=at).case
        lines += _dating(executor, after, finding)
    return lines


def _enabling(
    executor: Executor, before: Case, step: str, reading: Reading, at: datetime
) -> list[str]:
    spec = executor.spec
    event = executor.index.events.get(step)
    if event is None:
        return []
    lines = ["  the oracle accepts it because:"]
    sources = event.sources_from
    where = "any status" if not sources or ANY_STATUS in sources else ", ".join(sources)
    lines.append(
        f"    - '{event.id}' may happen from {where}, and the case is at '{before.status}'"
    )
    lines += _cited(citations_of(spec, event.sources))
    for guard in event.guards:
        if guard.modality not in _ENFORCED.get(reading, (Modality.MUST,)):
            continue
        lines.append(f"    - {guard.modality.value} guard '{guard.text}' holds")
        lines += _cited(citations_of(spec, guard.sources or event.sources))
    if event.at is not None:
        lines.append(f"    - {_sitting(executor, event.at, at)}")
    facts = _facts(executor, before, step)
    if facts:
        lines.append(f"    facts of the case it relied on: {facts}")
    return lines


def _facts(executor: Executor, case: Case, step: str) -> str:
    event = executor.index.events[step]
    read = sorted({name for guard in event.guards for name in names(guard.condition)})
    values = dict(case.variables)
    shown = [f"{name} = {_word(values[name])}" for name in read if name in values]
    return ", ".join(shown)


def _windows(executor: Executor, before: Case, step: str) -> list[str]:
    """The re-referral windows open for `step` when it was taken, and where they send it."""
    rules = {rule.id: rule for rule in executor.spec.rereferrals if rule.event == step}
    lines = []
    for clock in before.windows:
        rule = rules.get(clock.rule)
        if rule is None:
            continue
        started = long_date(clock.limit.started.date())
        lines.append(
            f"    - re-referral window '{rule.id}' ({rule.window} from {started}) is open "
            f"to the end of {long_date(clock.limit.by)}; within it '{step}' goes to "
            f"'{rule.route_to}' ('{clock.owner}', who held the case when it opened)"
        )
        lines += _cited(citations_of(executor.spec, rule.sources))
    return ["  the oracle routes it because:", *lines] if lines else []


def _dating(executor: Executor, after: Case, finding: Finding) -> list[str]:
    assert finding.system_view is not None
    ours, theirs = finding.oracle_view.due, finding.system_view.due
    deadlines = {deadline.id: deadline for deadline in executor.spec.deadlines}
    lines = ["  how the oracle dates it:"]
    for name in sorted(set(ours) | set(theirs)):
        if ours.get(name) == theirs.get(name) or name not in ours:
            continue
        clock = after.clock(name)
        deadline = deadlines.get(name)
        if clock is None or deadline is None:
            continue
        start, due = clock.limit.started, clock.limit.by
        lines.append(
            f"    - '{name}': {deadline.within} from {long_date(start.date())} "
            f"{start:%H:%M}, due {long_date(due)}"
        )
        lines += [f"      {day}" for day in _days_off(start.date(), due)]
    return lines if len(lines) > 1 else []


def _days_off(start: date, due: date) -> list[str]:
    """The non-working days after `start` up to `due`: bank holidays by name, weekends
    counted."""
    holidays = {
        day: name for year in range(start.year, due.year + 1) for day, name in bank_holidays(year)
    }
    named, weekend_days = [], 0
    day = start + timedelta(days=1)
    while day <= due:
        if day in holidays:
            named.append(f"{long_date(day)} is {holidays[day]}, not a working day")
        elif not is_working_day(day):
            weekend_days += 1
        day += timedelta(days=1)
    if weekend_days:
        named.append(f"{weekend_days} weekend day(s) in between are not working days")
    return named


def _sitting(executor: Executor, meeting: str, at: datetime) -> str:
    """That `meeting` sits on the step's day (and, if it has a time, that the step came
    at or after it), in words."""
    today = at.date()
    words = f"'{meeting}' sits on {long_date(today)}{_moved_by(today)}"
    sittings = executor.index.sittings.get(meeting)
    if sittings is None or sittings.sits_from is None:
        return words
    return f"{words} from {sittings.sits_from:%H:%M}, and the step was at {at:%H:%M}"


def _moved_by(day: date) -> str:
    """The bank holidays just before `day` that moved a sitting onto it, in words."""
    holidays = dict(bank_holidays(day.year))
    before = day - timedelta(days=1)
    moved = []
    while before in holidays:
        moved.append(f"{long_date(before)} is {holidays[before]}")
        before -= timedelta(days=1)
    if not moved:
        return ""
    return f" (the first working day after a bank holiday: {'; '.join(reversed(moved))})"


def _cited(citations: tuple[Citation, ...]) -> list[str]:
    lines = []
    for citation in citations:
        where = ", ".join(
            part
            for part in (citation.doc, citation.section and f"§{citation.section}", citation.rule)
            if part
        )
        quote = f': "{citation.quote}"' if citation.quote else ""
        lines.append(f"      ({where}){quote}")
    return lines


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
