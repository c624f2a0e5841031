"""Runs on the days a system is most likely to get wrong by one: the last day a
re-referral window, a dispute limit or a deadline allows, the first days after a
deadline runs out, a deadline that spans a bank holiday, and a meeting's sitting moved
by a bank holiday.

A window that closes a day early is wrong on one day only, and only when that day is
a working day (a window ending on a Sunday runs on over the weekend either way). The
target search dates every run from one Monday, so its runs may never meet such a day.
For each step the search found taken while a window or a dispute limit runs, this
module shifts the run whole weeks later (so meetings still sit on the same weekday)
until the limit's last day is a working day, and takes the step on that day; likewise
a step that meets a running deadline (or that a minimum wait holds back) is taken on
the deadline's last day, so a recurring deadline that is not restarted, or a wait a
day short, shows. A window is tried once for each team it sends the case back to
(`TargetRun`s of `Reach.taken`), since one that routes the case where it would go
anyway shows nothing. The executor checks every shifted run step by step, so a run it
would not accept as dated is never sent.

A step the search took once a deadline had run out (`overdue(...)` guards) is sent
again on the day after the due date when that day is not a working day (the deadline
is not yet overdue: a system counting to midnight gets it wrong) and taken on the first
working day after it; the run is shifted whole weeks and days until the due date falls
before a weekend or bank holiday (once per step and deadline). Each deadline is also
started once so that a weekday bank holiday falls before its due date, where a system
that counts working days as calendar days, or weeks as working days, shows a different
date.

Likewise a step that needs a periodic meeting is sent once on a sitting moved by a
bank holiday (the Tuesday after Easter Monday): the run is shifted whole weeks and a
day until its last step falls the day after a weekday bank holiday. A step at a meeting
with a time of day ("weekly at 14:00") is sent a minute before that time on a sitting
day, where it must be refused, and then taken at the time itself, so a system that
ignores the time (or counts from just after it) shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from stepcheck.oracle.calendar_rules import Sittings
from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.realise import sitting_moment
from stepcheck.oracle.targets import TargetRun
from stepcheck.spec.workdays import is_working_day

__all__ = ["early_sitting_runs", "edge_runs", "holiday_runs", "moved_sitting_runs", "overdue_runs"]

_MORNING = time(9, 0)
_MINUTE = timedelta(minutes=1)
_SATURDAY = 5
_WEEKS = range(27)  # up to half a year later: a 3-month window meets every weekday
_YEARS_OF_WEEKS = range(160)  # three years: every kind of bank-holiday Monday
_TRIES = 20  # shifted replays per step and deadline run out (`_after_due`)


def moved_sitting_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """A run per meeting step, its last step on a sitting a bank holiday moved."""
    found: dict[tuple[str, str], TargetRun] = {}
    for run in runs:
        step = run.steps[-1][0]
        event = executor.index.events.get(step)
        if event is None or event.at not in executor.index.sittings:
            continue
        key = (run.status, step)
        if key in found:
            continue
        for weeks in _YEARS_OF_WEEKS:
            shift = timedelta(weeks=weeks, days=1)
            eve = (run.steps[-1][1] + shift).date() - timedelta(days=1)
            if is_working_day(eve) or eve.weekday() >= _SATURDAY:
                continue
            steps = tuple((name, at + shift) for name, at in run.steps)
            if _replayed(executor, run.status, run.start + shift, steps) is not None:
                found[key] = TargetRun(status=run.status, start=run.start + shift, steps=steps)
                break
    return tuple(found[key] for key in sorted(found))


def early_sitting_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """Per step at a meeting with a time of day: the step probed a minute before that time
    on the first sitting it can wait for, then taken at the time itself."""
    found: dict[tuple[str, str], tuple[TargetRun, ...]] = {}
    for run in runs:
        step, prefix = run.steps[-1][0], run.steps[:-1]
        event = executor.index.events.get(step)
        sittings = None if event is None else executor.index.sittings.get(event.at or "")
        if sittings is None or sittings.sits_from is None or (run.status, step) in found:
            continue
        before = _replayed(executor, run.status, run.start, prefix)
        opens = None if before is None else _opening_after(sittings, before.now)
        if before is None or opens is None:
            continue
        if executor.apply(before, step, at=opens - _MINUTE).accepted:
            continue
        if not executor.apply(before, step, at=opens).accepted:
            continue
        found[(run.status, step)] = (
            TargetRun(
                status=run.status, start=run.start, steps=prefix, probes=(step,), at=opens - _MINUTE
            ),
            TargetRun(status=run.status, start=run.start, steps=(*prefix, (step, opens))),
        )
    return tuple(edge for key in sorted(found) for edge in found[key])


def _opening_after(sittings: Sittings, moment: datetime) -> datetime | None:
    """The first time a meeting with a time of day opens a minute or more after `moment`."""
    assert sittings.sits_from is not None, "only meetings with a time of day open"
    day = sittings.next_on_or_after(moment.date())
    while day is not None:
        opens = datetime.combine(day, sittings.sits_from)
        if opens - _MINUTE >= moment:
            return opens
        day = sittings.next_on_or_after(day + timedelta(days=1))
    return None


def edge_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """A run per step and limit, the step taken on the limit's last working day."""
    found: dict[tuple[str, str, str, str], TargetRun] = {}
    for run in runs:
        step = run.steps[-1][0]
        before = _replayed(executor, run.status, run.start, run.steps[:-1])
        if before is None:
            continue
        for limit, owner in _limit_names(executor, before, step):
            key = (run.status, step, limit, owner)
            if key in found:
                continue
            edge = _edge(executor, run, limit)
            if edge is not None:
                found[key] = edge
    return tuple(found[key] for key in sorted(found))


def overdue_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """Per step taken after a deadline ran out: the step probed on the non-working day
    after the due date, then taken on the first working day after it."""
    found: dict[tuple[str, str], tuple[TargetRun, ...]] = {}
    for run in runs:
        step, at = run.steps[-1]
        before = _replayed(executor, run.status, run.start, run.steps[:-1])
        if before is None:
            continue
        moved = executor.advance(before, at)
        for due in moved.due:
            key = (step, due.deadline)
            if not due.overdue or key in found:
                continue
            shifted = _after_due(executor, run, due.deadline)
            if shifted:
                found[key] = shifted
    return tuple(edge for key in sorted(found) for edge in found[key])


def holiday_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """Per deadline, the first run whose last step starts it, shifted whole weeks until a
    weekday bank holiday falls between the step and the deadline's due date."""
    found: dict[str, TargetRun] = {}
    for run in runs:
        at = run.steps[-1][1]
        after = _replayed(executor, run.status, run.start, run.steps)
        if after is None:
            continue
        for clock in after.deadlines:
            key = clock.deadline
            if clock.limit.started != at or key in found:
                continue
            for weeks in _YEARS_OF_WEEKS:
                shift = timedelta(weeks=weeks)
                span = (at + shift).date(), clock.limit.by + shift
                if not _holiday_within(*span):
                    continue
                steps = tuple((name, moment + shift) for name, moment in run.steps)
                if _replayed(executor, run.status, run.start + shift, steps) is not None:
                    found[key] = TargetRun(status=run.status, start=run.start + shift, steps=steps)
                    break
    return tuple(found[key] for key in sorted(found))


def _after_due(executor: Executor, run: TargetRun, deadline: str) -> tuple[TargetRun, ...]:
    """`run` shifted so `deadline` is due before a non-working day: its last step probed
    on that day, and taken on the first working day after the due date. Shifts are tried
    only where the unshifted due date, moved the same, falls before a non-working day
    (exact for weeks and calendar days, near for months and working days), and at most
    `_TRIES` of them, so a run that no shift keeps valid costs little."""
    step = run.steps[-1][0]
    unshifted = _replayed(executor, run.status, run.start, run.steps[:-1])
    original = None if unshifted is None else unshifted.clock(deadline)
    if original is None:
        return ()
    shifts = (
        timedelta(weeks=weeks, days=days)
        for days in range(7)
        for weeks in _YEARS_OF_WEEKS
        if not is_working_day(original.limit.by + timedelta(weeks=weeks, days=days + 1))
    )
    for shift in itertools.islice(shifts, _TRIES):
        start = run.start + shift
        steps = tuple((name, at + shift) for name, at in run.steps[:-1])
        case = _replayed(executor, run.status, start, steps)
        clock = None if case is None else case.clock(deadline)
        if case is None or clock is None or is_working_day(clock.limit.by + timedelta(days=1)):
            continue
        after = clock.limit.by + timedelta(days=1)
        first = after
        while not is_working_day(first):
            first += timedelta(days=1)
        probe = datetime.combine(after, _MORNING)
        taken = sitting_moment(executor, step, datetime.combine(first, _MORNING))
        if probe < case.now or not executor.apply(case, step, at=taken).accepted:
            continue
        return (
            TargetRun(status=run.status, start=start, steps=steps, probes=(step,), at=probe),
            TargetRun(status=run.status, start=start, steps=(*steps, (step, taken))),
        )
    return ()


def _holiday_within(first: date, last: date) -> bool:
    """Whether a weekday that is not a working day lies after `first`, up to `last`."""
    day = first + timedelta(days=1)
    while day <= last:
        if day.weekday() < _SATURDAY and not is_working_day(day):
            return True
        day += timedelta(days=1)
    return False


def _edge(executor: Executor, run: TargetRun, limit: str) -> TargetRun | None:
    step = run.steps[-1][0]
    for weeks in _WEEKS:
        shift = timedelta(weeks=weeks)
        start = run.start + shift
        steps = tuple((name, at + shift) for name, at in run.steps[:-1])
        case = _replayed(executor, run.status, start, steps)
        if case is None:
            continue
        last = _limit_days(case).get(limit)
        if last is None or not is_working_day(last):
            continue
        moment = sitting_moment(executor, step, datetime.combine(last, _MORNING))
        if moment < case.now or not executor.apply(case, step, at=moment).accepted:
            continue
        return TargetRun(status=run.status, start=start, steps=(*steps, (step, moment)))
    return None


def _replayed(
    executor: Executor, status: str, start: datetime, steps: Iterable[tuple[str, datetime]]
) -> Case | None:
    """The case after `steps`, or None if the executor refuses one of them as dated."""
    case = executor.start(at=start, status=status)
    for step, at in steps:
        result = executor.apply(case, step, at=at)
        if not result.accepted:
            return None
        case = result.case
    return case


def _limit_names(executor: Executor, case: Case, step: str) -> list[tuple[str, str]]:
    """The limits running before `step` worth taking it on the last day of, each with
    the owner a window sends the case back to ("" for other limits): every window and
    dispute limit, and the deadlines `step` meets."""
    owners = {f"window:{clock.rule}": clock.owner for clock in case.windows}
    met = _met_by(executor, case, step)
    return sorted(
        (limit, owners.get(limit, ""))
        for limit in _limit_days(case)
        if not limit.startswith("deadline:") or limit.removeprefix("deadline:") in met
    )


def _met_by(executor: Executor, case: Case, step: str) -> set[str]:
    """The running deadlines `step` meets (or that hold it back), by id."""
    event = executor.index.events.get(step)
    if event is None:
        return set()
    goals = {step, event.target}
    return {
        deadline.id
        for deadline in executor.index.timed
        if case.clock(deadline.id) is not None and not goals.isdisjoint(deadline.obligation)
    }


def _limit_days(case: Case) -> dict[str, date]:
    """The last day of each running deadline, re-referral window and dispute limit, by name."""
    days = {f"deadline:{clock.deadline}": clock.limit.by for clock in case.deadlines}
    days |= {f"window:{clock.rule}": clock.limit.by for clock in case.windows}
    for dispute in case.disputes:
        if dispute.level_limit is not None:
            days[f"level:{dispute.ladder}"] = dispute.level_limit.by
        if dispute.dispute_limit is not None:
            days[f"dispute:{dispute.ladder}"] = dispute.dispute_limit.by
    return days
