"""Re-timing checker traces: the trace's steps on the real calendar, with real timer values."""

from __future__ import annotations

from datetime import date, datetime, time

import attrs
import pytest

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.witness import violation_shown
from stepcheck.oracle.abstract import trace_of
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import NotRealised, realise
from stepcheck.oracle.retime import Retimed, date_trace, retime
from stepcheck.oracle.types import Accepted
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep
from stepcheck.spec.workdays import is_working_day

_HEADER = """
stepcheck: 1
authority: {id: testvale, name: Testvale}
documents: {tv: {title: Testvale protocol, rule_prefix: TV}}
teams: {social_work: {name: Social Work Team, service: social_care}}
owners: {sw_worker: {kind: allocated, team: social_work}}
"""

_TIMER = (
    _HEADER
    + """
statuses:
  referred: {tier: cin, owner: sw_worker, initial: true}
  assessing: {tier: cin, owner: sw_worker}
  done: {tier: cin, owner: sw_worker, final: true}
events:
  start_assessment: {kind: other, from: referred, to: assessing}
  finish_assessment: {kind: other, from: assessing, to: done}
deadlines:
  assess_within_a_month:
    within: 1 month
    anchor: start_assessment
    obligation: finish_assessment
    consequence: unspecified
"""
)

_MEETINGS = (
    _HEADER
    + """
meetings:
  tam: {cadence: {every: week, day: wednesday}}
  panel: {cadence: {every: week}}
statuses:
  referred: {tier: cin, owner: sw_worker, initial: true}
  discussed: {tier: cin, owner: sw_worker}
  decided: {tier: cin, owner: sw_worker, final: true}
events:
  tam_discusses: {kind: decide, from: referred, to: discussed, at: tam}
  panel_decides: {kind: decide, from: discussed, to: decided, at: panel}
  panel_reviews: {kind: decide, from: referred, to: discussed, at: panel}
"""
)

_LONG_TIMER = _TIMER.replace("1 month", "6 months")

_TRAY = (
    _HEADER.replace(
        "owners: {sw_worker: {kind: allocated, team: social_work}}",
        "owners:\n  sw_worker: {kind: allocated, team: social_work}\n"
        "  sw_tray: {kind: team_tray, team: social_work}",
    )
    + """
statuses:
  working: {tier: cin, owner: sw_worker, initial: true}
  in_tray: {tier: cin, owner: sw_tray, holding: true}
  with_worker: {tier: cin, owner: sw_worker, final: true}
variables:
  agreed: {type: bool, initial: false}
  tasks_done: {type: bool, initial: false}
events:
  agree_transfer: {kind: decide, from: working, guard: "not agreed", effect: {agreed: true}}
  complete_tasks: {kind: other, from: working, guard: agreed, effect: {tasks_done: true}}
  move_to_tray: {kind: transfer, from: working, to: in_tray, guard: tasks_done}
  allocate: {kind: allocate, from: [working, in_tray], to: with_worker, guard: tasks_done}
deadlines:
  transfer_within_two_weeks:
    within: 2 weeks
    anchor: agree_transfer
    obligation: move_to_tray
    consequence: unspecified
  allocate_within_two_weeks:
    within: 2 weeks
    anchor: agree_transfer
    obligation: allocate
    consequence: unspecified
properties:
  tray_case_gets_allocated: {kind: leads_to, from: in_tray, to: allocated}
"""
)
"""Somerset's shape: two fortnights from one decision, both met only once tasks are done."""


def _spec(text: str) -> ProtocolSpec:
    return load_spec_text(text, "inline.yaml")


def _tick(state: State, day: int) -> TraceStep:
    return TraceStep(kind=StepKind.TICK, name=None, day=day, state=state)


def _event(name: str, state: State, day: int) -> TraceStep:
    return TraceStep(kind=StepKind.EVENT, name=name, day=day, state=state)


def _dated_run(executor: Executor, plan: list[tuple[str, datetime]]) -> Trace:
    first = case = executor.start(at=datetime(2027, 2, 1, 9))
    accepted = []
    for step, at in plan:
        result = executor.apply(case, step, at=at)
        assert isinstance(result, Accepted), getattr(result, "refusals", None)
        accepted.append(result)
        case = result.case
    return trace_of(executor, first, accepted)


def _with_countdown(trace: Trace, name: str, first: int) -> Trace:
    """`trace` with timer `name` started at `first` and counted down on each tick, as Z3 may."""
    steps, value = [], None
    for step in trace.steps:
        if step.kind is StepKind.TICK and value is not None:
            value = max(value - 1, -1)
        elif step.state.get(name) is not None and value is None:
            value = first
        elif step.state.get(name) is None:
            value = None
        steps.append(attrs.evolve(step, state={**step.state, name: value}))
    return attrs.evolve(trace, steps=tuple(steps))


def test_a_month_the_calendar_never_makes_sixteen_working_days_is_retimed():
    """The checker's shortest month (16 working days) never happens, but its steps do."""
    spec = _spec(_TIMER)
    executor = Executor(spec)
    run = _dated_run(
        executor,
        [
            ("start_assessment", datetime(2027, 2, 1, 9)),
            ("finish_assessment", datetime(2027, 2, 3, 9)),
        ],
    )
    trace = _with_countdown(run, "deadline:assess_within_a_month", 16)

    exact = realise(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1), horizon_days=400)
    found = retime(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1))

    assert isinstance(exact, NotRealised)
    assert isinstance(found, Retimed)
    assert found.start == date(2027, 1, 4)  # the 1st is New Year's Day
    assert [step.label for step in found.trace.steps] == [step.label for step in trace.steps]
    assert [step.day for step in found.trace.steps] == [step.day for step in trace.steps]
    assert found.trace.steps[0].state["deadline:assess_within_a_month"] == 23
    assert [s.at for s in found.steps if s.step is not None] == [
        datetime(2027, 1, 4, 9),
        datetime(2027, 1, 6, 9),
    ]
    assert replay(ExplicitModel(spec), found.trace).ok


def test_date_trace_prefers_the_exact_date_and_falls_back_on_retiming():
    spec = _spec(_TIMER)
    run = _dated_run(
        Executor(spec),
        [
            ("start_assessment", datetime(2027, 2, 1, 9)),
            ("finish_assessment", datetime(2027, 2, 3, 9)),
        ],
    )

    exact = date_trace(spec, run, reading=Reading.MUST, start=date(2027, 2, 1))
    retimed = date_trace(
        spec,
        _with_countdown(run, "deadline:assess_within_a_month", 16),
        reading=Reading.MUST,
        start=date(2027, 2, 1),
        horizon_days=60,
    )

    assert isinstance(exact, Retimed)
    assert (exact.exact, exact.start, exact.trace) == (True, date(2027, 2, 1), run)
    same = retime(spec, run, reading=Reading.MUST, start=date(2027, 2, 1))
    assert isinstance(same, Retimed)
    assert (same.exact, same.trace) == (False, run)  # as `trace_of` tells the same run
    assert isinstance(retimed, Retimed)
    assert (retimed.exact, retimed.start) == (False, date(2027, 2, 1))


def test_a_weekly_meeting_without_a_day_sits_where_the_run_needs_it():
    """Phase 8 never happens; both meetings sit the next day, so the panel sits on Wednesdays."""
    spec = _spec(_MEETINGS)
    executor = Executor(spec, meetings={"panel": date(2027, 2, 3)})
    run = _dated_run(
        executor,
        [("tam_discusses", datetime(2027, 2, 3, 9)), ("panel_decides", datetime(2027, 2, 3, 9))],
    )
    trace = attrs.evolve(run, initial={**run.initial, "phase:panel": 8})

    exact = realise(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1), horizon_days=400)
    found = retime(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1))

    assert isinstance(exact, NotRealised)
    assert isinstance(found, Retimed)
    assert found.meetings == {"panel": date(2000, 1, 12)}
    assert found.start == date(2027, 1, 4)
    assert [(s.step, s.at) for s in found.steps if s.step is not None] == [
        ("tam_discusses", datetime(2027, 1, 6, 9)),
        ("panel_decides", datetime(2027, 1, 6, 9)),
    ]
    assert found.trace.initial["phase:panel"] == 2  # Wed 30 Dec, Thu 31 Dec, (1 Jan), Mon 4 Jan
    assert replay(ExplicitModel(spec), found.trace).ok


def test_a_weekly_meeting_never_sits_on_consecutive_days():
    spec = _spec(_MEETINGS)
    state = {"status": "referred"}
    trace = Trace(
        initial=state,
        steps=(
            _event("panel_reviews", state, 0),
            _tick(state, 1),
            _event("panel_decides", state, 1),
        ),
    )

    found = retime(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1), horizon_days=730)

    assert isinstance(found, NotRealised)
    assert found.reason == "no start date in the searched range lets every step happen"
    assert found.mismatch is not None
    assert found.mismatch.index == 2
    assert "'panel' does not sit on" in str(found.mismatch.actual)


def test_a_refusal_no_date_changes_ends_the_search():
    """Without date-dependent rules, a step refused for its status is refused from every start."""
    spec = _spec(_TIMER)
    state = {"status": "referred"}
    trace = Trace(initial=state, steps=(_event("finish_assessment", state, 0),))

    found = retime(spec, trace, reading=Reading.MUST, start=date(2027, 1, 1))

    assert isinstance(found, NotRealised)
    assert found.reason == "a step is refused for a reason no start date changes"
    assert found.mismatch is not None
    assert found.mismatch.start == date(2027, 1, 4)
    assert "happens only from 'assessing'" in str(found.mismatch.actual)


def test_a_tick_loop_closes_once_a_six_month_timer_has_run_out():
    """One tick repeated for ever: the loop closes on the first pass after the timer saturates."""
    spec = _spec(_LONG_TIMER)
    executor = Executor(spec)
    run = _dated_run(executor, [("start_assessment", datetime(2027, 2, 1, 9))])
    after = run.final
    lasso = Trace(
        initial=run.initial,
        steps=(*run.steps, _tick({**after, "deadline:assess_within_a_month": -1}, 1)),
        loop_start=1,
    )

    found = retime(spec, lasso, reading=Reading.MUST, start=date(2027, 2, 1), executor=executor)

    assert isinstance(found, Retimed)
    assert found.start == date(2027, 2, 1)
    steps = found.trace.steps
    assert found.trace.loop_start is not None
    assert [s.kind for s in steps] == [StepKind.EVENT] + [StepKind.TICK] * (len(steps) - 1)
    assert steps[-1].state["deadline:assess_within_a_month"] == -1
    assert steps[found.trace.loop_start - 1].state == steps[-1].state
    assert steps[found.trace.loop_start - 2].state["deadline:assess_within_a_month"] == 0
    assert found.steps[-1].at.date() == date(2027, 8, 3)
    assert all(is_working_day(step.at.date()) for step in found.steps)
    assert found.trace.initial == run.initial
    assert isinstance(found.steps[0].at, datetime)
    assert found.steps[0].at.time() == time(9)


def test_an_executor_can_seat_one_meeting_on_another_day():
    spec = _spec(_MEETINGS)
    executor = Executor(spec)

    moved = executor.with_meetings({"panel": date(2027, 1, 6)})

    assert moved.index.sittings["tam"] is executor.index.sittings["tam"]
    assert moved.index.sittings["panel"].sits(date(2027, 1, 13))
    assert not executor.index.sittings["panel"].sits(date(2027, 1, 13))
    with pytest.raises(ValueError, match="unknown meeting"):
        executor.with_meetings({"board": date(2027, 1, 6)})


def test_complying_actors_never_let_a_due_deadline_pass():
    """With `comply`, the tick loop stops where the checker blocks time: the deadline is due."""
    spec = _spec(_LONG_TIMER)
    run = _dated_run(Executor(spec), [("start_assessment", datetime(2027, 2, 1, 9))])
    lasso = Trace(
        initial=run.initial,
        steps=(*run.steps, _tick({**run.final, "deadline:assess_within_a_month": -1}, 1)),
        loop_start=1,
    )

    found = retime(
        spec, lasso, reading=Reading.MUST, start=date(2027, 2, 1), horizon_days=10, comply=True
    )

    assert isinstance(found, NotRealised)
    assert found.mismatch is not None
    assert found.mismatch.start == date(2027, 2, 1)
    assert (
        found.mismatch.expected
        == "a working day passes after Fri 30 Jul 2027 (pass 126 of the loop)"
    )
    assert found.mismatch.actual == (
        "'assess_within_a_month' is due and 'finish_assessment' would meet it"
    )


def test_a_fortnight_of_six_working_days_is_stretched_to_the_real_one():
    """The checker's shortest fortnight (6 working days) lets both deadlines be overdue
    after 7 ticks, so the case reaches the tray with nothing forcing allocation. With
    real fortnights the same 7 ticks leave the allocation deadline running, and a
    complying tray would allocate; 11 working days make the same failing run.
    """
    spec = _spec(_TRAY)
    executor = Executor(spec)
    run = _dated_run(
        executor,
        [
            ("agree_transfer", datetime(2027, 2, 1, 9)),
            ("complete_tasks", datetime(2027, 2, 10, 9)),
            ("move_to_tray", datetime(2027, 2, 10, 9)),
        ],
    )
    for name in ("deadline:transfer_within_two_weeks", "deadline:allocate_within_two_weeks"):
        run = _with_countdown(run, name, 6)
    stuck = {**run.final, "deadline:allocate_within_two_weeks": -1}
    lasso = Trace(
        initial=run.initial, steps=(*run.steps, _tick(stuck, run.days + 1)), loop_start=10
    )
    assert [step.kind for step in lasso.steps[1:8]] == [StepKind.TICK] * 7
    assert lasso.steps[7].state["deadline:allocate_within_two_weeks"] == -1
    model = ExplicitModel(spec)
    assert replay(model, lasso).ok

    exact = realise(spec, lasso, reading=Reading.MUST, start=date(2027, 2, 1), horizon_days=60)
    found = date_trace(
        spec, lasso, reading=Reading.MUST, start=date(2027, 2, 1), horizon_days=60, comply=True
    )

    assert isinstance(exact, NotRealised)
    assert isinstance(found, Retimed)
    assert (found.exact, found.start) == (False, date(2027, 2, 1))
    kinds = [step.kind for step in found.trace.steps]
    assert kinds == [StepKind.EVENT] + [StepKind.TICK] * 11 + [StepKind.EVENT] * 2 + [StepKind.TICK]
    assert found.trace.loop_start == 14
    assert [(s.step, s.at) for s in found.steps if s.step is not None] == [
        ("agree_transfer", datetime(2027, 2, 1, 9)),
        ("complete_tasks", datetime(2027, 2, 16, 9)),  # the day after both fall due
        ("move_to_tray", datetime(2027, 2, 16, 9)),
    ]
    assert found.trace.steps[1].state["deadline:allocate_within_two_weeks"] == 9
    assert found.trace.steps[-1].state["deadline:allocate_within_two_weeks"] == -1
    assert replay(model, found.trace).ok
    assert (
        violation_shown(model, spec.property_by_id("tray_case_gets_allocated"), found.trace) is None
    )


def test_a_block_of_ticks_keeps_its_own_count_when_its_clocks_agree():
    """Running stays running after fewer or more ticks: the trace's own count is kept."""
    spec = _spec(_TRAY)
    run = _dated_run(
        Executor(spec),
        [
            ("agree_transfer", datetime(2027, 2, 1, 9)),
            ("complete_tasks", datetime(2027, 2, 4, 9)),
            ("allocate", datetime(2027, 2, 4, 9)),
        ],
    )
    trace = _with_countdown(run, "deadline:transfer_within_two_weeks", 6)

    found = retime(spec, trace, reading=Reading.MUST, start=date(2027, 2, 1), comply=True)

    assert isinstance(found, Retimed)
    assert [step.label for step in found.trace.steps] == [step.label for step in trace.steps]
