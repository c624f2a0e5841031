"""Runs on the days a system is most likely to get wrong by one: the last day a
re-referral window or a dispute limit allows, and a meeting's sitting moved by a
bank holiday.

A window that closes a day early is wrong on one day only, and only when that day is
a working day (a window ending on a Sunday runs on over the weekend either way). The
target search dates every run from one Monday, so its runs may never meet such a day.
For each step the search found taken while a window or a dispute limit runs, this
module shifts the run whole weeks later (so meetings still sit on the same weekday)
until the limit's last day is a working day, and takes the step on that day. The
executor checks every shifted run step by step, so a run it would not accept as
dated is never sent.

Likewise a step that needs a periodic meeting is sent once on a sitting moved by a
bank holiday (the Tuesday after Easter Monday): the run is shifted whole weeks and a
day until its last step falls the day after a weekday bank holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.targets import TargetRun
from stepcheck.spec.workdays import is_working_day

__all__ = ["edge_runs", "moved_sitting_runs"]

_MORNING = time(9, 0)
_SATURDAY = 5
_WEEKS = range(27)  # up to half a year later: a 3-month window meets every weekday
_YEARS_OF_WEEKS = range(160)  # three years: every kind of bank-holiday Monday


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


def edge_runs(executor: Executor, runs: Iterable[TargetRun]) -> tuple[TargetRun, ...]:
    """A run per step and limit, the step taken on the limit's last working day."""
    found: dict[tuple[str, str, str], TargetRun] = {}
    for run in runs:
        step = run.steps[-1][0]
        before = _replayed(executor, run.status, run.start, run.steps[:-1])
        if before is None:
            continue
        for limit in _limit_names(before):
            key = (run.status, step, limit)
            if key in found:
                continue
            edge = _edge(executor, run, limit)
            if edge is not None:
                found[key] = edge
    return tuple(found[key] for key in sorted(found))


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
        moment = datetime.combine(last, _MORNING)
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


def _limit_names(case: Case) -> list[str]:
    return sorted(_limit_days(case))


def _limit_days(case: Case) -> dict[str, date]:
    """The last day of each running re-referral window and dispute limit, by name."""
    days = {f"window:{clock.rule}": clock.limit.by for clock in case.windows}
    for dispute in case.disputes:
        if dispute.level_limit is not None:
            days[f"level:{dispute.ladder}"] = dispute.level_limit.by
        if dispute.dispute_limit is not None:
            days[f"dispute:{dispute.ladder}"] = dispute.dispute_limit.by
    return days
