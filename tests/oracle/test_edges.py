"""Directed runs on the days a system gets wrong by one (`oracle/edges.py`): a deadline's
last day, the days just after it runs out, and a deadline spanning a bank holiday."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from stepcheck.oracle.edges import edge_runs, holiday_runs, overdue_runs
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.targets import TargetRun
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.workdays import is_working_day

SOMERSET = load_spec(Path("spec/authorities/somerset.yaml"))
EXECUTOR = Executor(SOMERSET, reading=Reading.SHOULD)
MONDAY = datetime(2026, 1, 5, 9, 0)  # the TAM sits
AGREED = (("propose_transfer", MONDAY), ("tam_agrees_transfer", MONDAY))


def _run(*steps: tuple[str, datetime]) -> TargetRun:
    return TargetRun(status="assessment", start=MONDAY, steps=(*AGREED, *steps))


def _case(run: TargetRun, steps: tuple[tuple[str, datetime], ...]):
    case = EXECUTOR.start(at=run.start, status=run.status)
    for step, at in steps:
        result = EXECUTOR.apply(case, step, at=at)
        assert result.accepted, (step, at)
        case = result.case
    return case


def test_a_step_allowed_once_overdue_is_probed_the_day_after_the_due_date():
    """The 2-week window runs out on a Monday; the run is moved to a Monday before a bank
    holiday, the step is refused on that holiday and taken on the next working day."""
    late = datetime(2026, 1, 20, 9, 0)
    runs = overdue_runs(EXECUTOR, [_run(("return_to_next_tam", late))])

    probes = [run for run in runs if run.probes]
    taken = [run for run in runs if not run.probes]
    assert len(probes) == len(taken) == 2  # the transfer and the allocation windows
    for probe in probes:
        case = _case(probe, probe.steps)
        assert probe.probes == ("return_to_next_tam",)
        assert probe.at is not None
        assert probe.at.date() - timedelta(days=1) in {c.limit.by for c in case.deadlines}
        assert not is_working_day(probe.at.date())
        assert not EXECUTOR.apply(case, "return_to_next_tam", at=probe.at).accepted
    for run in taken:
        assert run.steps[-1][0] == "return_to_next_tam"
        assert is_working_day(run.steps[-1][1].date())
        step, at = run.steps[-1]
        assert EXECUTOR.apply(_case(run, run.steps[:-1]), step, at=at).accepted


def test_a_step_that_starts_a_deadline_is_taken_with_a_bank_holiday_before_it_is_due():
    """A working-day count and a calendar count of "2 weeks" differ only across a holiday."""
    runs = holiday_runs(EXECUTOR, [_run()])

    for run in runs:
        step, at = run.steps[-1]
        due = _case(run, run.steps).clock("transfer_within_two_weeks").limit.by
        days = [at.date() + timedelta(days=n) for n in range(1, (due - at.date()).days + 1)]
        assert step == "tam_agrees_transfer"
        assert any(day.weekday() < 5 and not is_working_day(day) for day in days)
    assert {run.steps[-1][0] for run in runs} == {"tam_agrees_transfer"}


def test_a_recurring_deadline_is_met_on_its_last_day():
    """The weekly tray overview is taken on the day it is due, so a system that does not
    start the clock again shows a different next due date."""
    tray = (
        ("complete_transfer_tasks", MONDAY),
        ("initial_cin_case_to_sg_tray", MONDAY),
        ("add_weekly_management_overview", MONDAY),
    )
    runs = edge_runs(EXECUTOR, [_run(*tray)])

    overview = [run for run in runs if run.steps[-1][0] == "add_weekly_management_overview"]
    assert overview
    run = overview[0]
    due = _case(run, run.steps[:-1]).clock("weekly_management_overview").limit.by
    assert run.steps[-1][1].date() == due
