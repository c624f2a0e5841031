"""The reference executor on the example spec and small inline specs: dates, reasons, owners."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.types import Accepted, Rejected
from stepcheck.spec.duration import Unit
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Reading

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
GOLDEN = Path("tests/golden/oracle")

_HEADER = """\
stepcheck: 1
authority: {id: inline, name: Inline}
documents: {doc: {title: Inline protocol}}
teams: {t0: {name: Team}}
owners:
  worker: {kind: allocated, team: t0}
  tray: {kind: team_tray, team: t0}
  other: {kind: allocated, team: t0}
"""


def _spec(body: str):
    return load_spec_text(_HEADER + body, "<inline>")


def _example(reading: Reading = Reading.MUST) -> Executor:
    return Executor(load_spec(EXAMPLE), reading)


def _accepted(executor: Executor, case: Case, step: str, at: datetime) -> Case:
    result = executor.apply(case, step, at=at)
    assert isinstance(result, Accepted), getattr(result, "refusals", None)
    return result.case


def _rejected(executor: Executor, case: Case, step: str, at: datetime) -> Rejected:
    result = executor.apply(case, step, at=at)
    assert isinstance(result, Rejected)
    return result


def _in_tray(executor: Executor, accepted_on: datetime) -> Case:
    case = executor.start(at=datetime(accepted_on.year, accepted_on.month, accepted_on.day, 8, 0))
    case = _accepted(executor, case, "request_step_up", accepted_on.replace(hour=8, minute=30))
    return _accepted(executor, case, "tam_accepts", accepted_on)


def test_start_uses_the_first_initial_status_and_its_owner():
    """A new case is in the first initial status, held by that status's owner."""
    case = _example().start(at=datetime(2026, 12, 21, 9, 0))

    assert (case.view.status, case.view.owner, case.view.allocated) == (
        "early_help",
        "fs_worker",
        True,
    )
    assert case.now == datetime(2026, 12, 21, 9, 0)
    assert case.due == ()


@pytest.mark.parametrize("status", ["in_tray", "nowhere"])
def test_start_refuses_a_status_that_is_not_initial(status):
    """Starting in a non-initial or unknown status is a caller's mistake."""
    with pytest.raises(ValueError, match=status):
        _example().start(at=datetime(2026, 12, 21, 9, 0), status=status)


def test_unknown_steps_and_going_back_in_time_raise():
    """An unknown step name, or a time before the case's last step, raises ValueError."""
    executor = _example()
    case = executor.start(at=datetime(2026, 12, 21, 9, 0))

    with pytest.raises(ValueError, match="unknown step"):
        executor.apply(case, "teleport", at=case.now)
    with pytest.raises(ValueError, match="back in time"):
        executor.apply(case, "give_consent", at=datetime(2026, 12, 20, 9, 0))


def test_steps_are_events_then_dispute_steps():
    """`steps` lists the event ids in spec order, then escalate and decide per ladder."""
    steps = _example().steps

    assert steps[0] == "request_step_up"
    assert steps[-2:] == ("escalate:allocation_dispute", "decide:allocation_dispute")


def test_meeting_event_waits_for_the_next_sitting_over_christmas():
    """The TAM sits on Wednesdays: not on Christmas Eve, and the rejection names the next one."""
    executor = _example()
    case = _accepted(
        executor,
        executor.start(at=datetime(2026, 12, 21, 9)),
        "request_step_up",
        datetime(2026, 12, 22, 10),
    )

    rejected = _rejected(executor, case, "tam_accepts", datetime(2026, 12, 24, 14))

    assert [r.reason for r in rejected.refusals] == [
        "'tam' (weekly on Wednesdays at 14:00) does not sit on Thu 24 Dec 2026; "
        "it next sits on Wed 30 Dec 2026"
    ]
    assert rejected.refusals[0].citations[0].rule == "EV-01"
    assert rejected.case.now == datetime(2026, 12, 24, 14)
    assert rejected.view.status == "awaiting_tam"


def test_due_date_skips_christmas_and_new_year():
    """Two working days from Wed 30 Dec 2026 is Mon 4 Jan 2027 (New Year's Day and a weekend)."""
    case = _in_tray(_example(), datetime(2026, 12, 30, 14))

    assert [due.words() for due in case.due] == ["allocate_within_two_days by Mon 4 Jan 2027"]
    assert case.view.due == {"allocate_within_two_days": date(2027, 1, 4)}
    assert case.due[0].citations[0].rule == "EV-07"


def test_due_date_skips_easter():
    """Two working days from Wed 24 Mar 2027 is Tue 30 Mar (Good Friday and Easter Monday)."""
    case = _in_tray(_example(), datetime(2027, 3, 24, 14))

    assert case.view.due == {"allocate_within_two_days": date(2027, 3, 30)}


def test_deadline_is_overdue_from_the_next_working_day_after_its_due_date():
    """Due on Fri 4 Dec 2026: not overdue that weekend, overdue on Monday; time never blocks."""
    executor = _example()
    case = _in_tray(executor, datetime(2026, 12, 2, 14))

    saturday = executor.advance(case, datetime(2026, 12, 5, 23, 59))
    monday = executor.advance(case, datetime(2026, 12, 7, 0, 1))

    assert case.due[0].by == date(2026, 12, 4)
    assert not saturday.due[0].overdue
    assert monday.due[0].overdue
    assert monday.due[0].words().endswith("(overdue)")


def test_meeting_deadline_is_met_and_owner_history_kept():
    """Allocating meets the deadline, moves the case to the worker, and records the tray."""
    executor = _example()
    case = _accepted(
        executor,
        _in_tray(executor, datetime(2026, 12, 2, 14)),
        "allocate",
        datetime(2026, 12, 3, 9),
    )

    assert case.due == ()
    assert case.view.owner == "sw_worker"
    assert case.previous_owner == "sw_tray"


def test_guards_are_enforced_by_reading():
    """The should-guard (handover first) binds only under the should reading; may never does."""
    must, should = _example(Reading.MUST), _example(Reading.SHOULD)
    case = _accepted(
        must, _in_tray(must, datetime(2026, 12, 2, 14)), "allocate", datetime(2026, 12, 3, 9)
    )
    case = _accepted(must, case, "give_consent", datetime(2026, 12, 3, 10))

    assert must.apply(case, "step_down", at=datetime(2026, 12, 3, 11)).accepted
    refusals = _rejected(should, case, "step_down", datetime(2026, 12, 3, 11)).refusals
    assert [(r.kind, r.reason, r.citations[0].rule) for r in refusals] == [
        ("guard", "should guard 'held(handover)' does not hold", "EV-06")
    ]


def test_every_reason_is_listed():
    """A step that breaks several rules lists each: the status and the failed guard."""
    executor = _example()
    case = executor.start(at=datetime(2026, 12, 21, 9))

    refusals = _rejected(executor, case, "step_down", datetime(2026, 12, 21, 9)).refusals

    assert [r.kind for r in refusals] == ["from", "guard"]
    assert refusals[1].citations[0].quote == "the family must consent"


def test_enabled_lists_the_accepted_steps_sorted():
    """`enabled` is the sorted list of steps that would be accepted now."""
    executor = _example()
    case = executor.start(at=datetime(2026, 12, 21, 9))

    assert executor.enabled(case) == (
        "close_case",
        "give_consent",
        "request_step_up",
        "urgent_step_up",
    )


def test_dispute_opens_escalates_and_is_decided():
    """A declined TAM opens the dispute; managers cannot decide, the head can, after escalating."""
    executor = _example()
    case = _accepted(
        executor,
        executor.start(at=datetime(2026, 12, 1, 9)),
        "request_step_up",
        datetime(2026, 12, 1, 10),
    )
    case = _accepted(executor, case, "tam_declines", datetime(2026, 12, 2, 14))

    assert case.view.disputes == {"allocation_dispute": "managers_discuss"}
    assert [
        r.reason for r in _rejected(executor, case, "decide:allocation_dispute", case.now).refusals
    ] == [
        "level 'managers_discuss' does not decide",
        "'fs_manager', 'sw_manager' decide together at 'managers_discuss' and "
        "'allocation_dispute' names no tie-break",
    ]
    case = _accepted(executor, case, "escalate:allocation_dispute", datetime(2026, 12, 3, 9))
    assert [
        r.reason
        for r in _rejected(executor, case, "escalate:allocation_dispute", case.now).refusals
    ] == ["'head_decides' is the last level of 'allocation_dispute'"]
    case = _accepted(executor, case, "decide:allocation_dispute", datetime(2026, 12, 3, 10))
    assert case.view.disputes == {}
    assert _rejected(executor, case, "decide:allocation_dispute", case.now).refusals[0].reason == (
        "no dispute is open on 'allocation_dispute'"
    )


_ROUTING = """\
statuses:
  open: {tier: cin, owner: worker, initial: true}
  closed: {tier: closed, owner: none}
events:
  close: {kind: close, from: open, to: closed}
  rerefer: {kind: re_referral, from: closed, to: open}
  pass_on: {kind: transfer, from: open, owner: other}
  give_back: {kind: transfer, from: open, owner: previous}
rereferrals:
  back_soon: {window: 2 working days, anchor: close, event: rerefer, route_to: previous}
properties: {no_unowned_case: {}}
"""


def test_rereferral_within_the_window_routes_to_the_owner_before_closure():
    """Re-referred inside the window, the case goes back to whoever held it before closing."""
    executor = Executor(_spec(_ROUTING))
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 1, 9)), "pass_on", datetime(2026, 12, 1, 9)
    )
    case = _accepted(executor, case, "close", datetime(2026, 12, 4, 9))

    inside = _accepted(executor, case, "rerefer", datetime(2026, 12, 8, 17))
    outside = _accepted(executor, case, "rerefer", datetime(2026, 12, 9, 0, 1))

    assert case.window("back_soon") is not None
    assert case.view.owner == "none"
    assert inside.view.owner == "other"
    assert outside.view.owner == "worker"
    assert outside.window("back_soon") is None


def test_owner_previous_means_the_owner_before_the_last_change():
    """`owner: previous` hands the case back, and the handback is itself recorded."""
    executor = Executor(_spec(_ROUTING))
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 1, 9)), "pass_on", datetime(2026, 12, 1, 9)
    )

    case = _accepted(executor, case, "give_back", datetime(2026, 12, 1, 10))

    assert (case.owner, case.previous_owner) == ("worker", "other")


_LIMITS = """\
statuses:
  start: {tier: cin, owner: worker, initial: true}
  waiting: {tier: cin}
  done: {tier: closed, owner: none, final: true}
variables:
  tries: {type: int, min: 0, max: 1, initial: 0}
events:
  wait: {kind: other, from: start, to: waiting}
  finish: {kind: close, from: waiting, to: done}
  try_again: {kind: other, from: any, effect: {tries: tries + 1}}
  note: {kind: other, from: any}
deadlines:
  cool_off:
    within: 2 working days
    direction: not_before
    anchor: waiting
    obligation: finish
    consequence: unspecified
  reply:
    within: 24 hours
    anchor: note
    obligation: try_again
    consequence: unspecified
    condition: "in_window(again)"
rereferrals:
  again: {window: 1 working day, anchor: note, event: try_again, route_to: tray}
properties: {no_unowned_case: {}}
"""


def test_not_before_holds_an_event_back_until_its_date():
    """A `not_before` deadline rejects its obligation until its date, and says which date."""
    executor = Executor(_spec(_LIMITS))
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 24, 9)), "wait", datetime(2026, 12, 24, 9)
    )

    early = _rejected(executor, case, "finish", datetime(2026, 12, 29, 23))

    assert [(r.kind, r.reason) for r in early.refusals] == [
        (
            "not_before",
            "held back by 'cool_off' (2 working days from Thu 24 Dec 2026) until Wed 30 Dec 2026",
        )
    ]
    assert executor.apply(case, "finish", at=datetime(2026, 12, 30, 0, 0)).accepted


def test_an_int_variable_out_of_range_is_refused():
    """An effect that would take a counter past its maximum is refused with the range."""
    executor = Executor(_spec(_LIMITS))
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 1, 9)), "try_again", datetime(2026, 12, 1, 9)
    )

    refusals = _rejected(executor, case, "try_again", case.now).refusals

    assert [(r.kind, r.reason) for r in refusals] == [
        ("range", "'tries' would become 2, outside 0..1")
    ]


def test_deadline_condition_reads_in_window_before_the_step():
    """`in_window` in a deadline's condition reads the state before the step (a Fine point)."""
    executor = Executor(_spec(_LIMITS))
    case = executor.start(at=datetime(2026, 12, 4, 20))

    first = _accepted(executor, case, "note", case.now)
    second = _accepted(executor, first, "note", datetime(2026, 12, 5, 10))

    assert first.due == ()
    assert first.window("again") is not None
    assert [d.words() for d in second.due] == ["reply by Sun 6 Dec 2026 10:00"]


def test_hours_deadline_over_a_weekend_is_overdue_on_monday_only():
    """24 hours from Saturday 10:00 is due Sunday, and overdue once Monday begins."""
    executor = Executor(_spec(_LIMITS))
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 4, 20)), "note", datetime(2026, 12, 4, 20)
    )
    case = _accepted(executor, case, "note", datetime(2026, 12, 5, 10))

    assert not executor.advance(case, datetime(2026, 12, 6, 23)).due[0].overdue
    assert executor.advance(case, datetime(2026, 12, 7, 0)).due[0].overdue


def test_a_dated_run_reads_as_its_golden_story(golden):
    """One dated run of the example over Christmas, as a reviewer reads it."""
    executor = _example(Reading.SHOULD)
    case = executor.start(at=datetime(2026, 12, 21, 9, 0))
    lines = [f"start {case.now:%a %d %b %Y %H:%M}: {case.view.status}, owner {case.view.owner}"]
    plan = [
        ("request_step_up", datetime(2026, 12, 22, 10)),
        ("tam_accepts", datetime(2026, 12, 24, 14)),
        ("tam_accepts", datetime(2026, 12, 30, 14)),
        ("step_down", datetime(2026, 12, 31, 9)),
        ("allocate", datetime(2027, 1, 5, 9)),
        ("give_consent", datetime(2027, 1, 5, 10)),
        ("step_down", datetime(2027, 1, 5, 11)),
        ("hold_handover", datetime(2027, 1, 6, 9)),
        ("step_down", datetime(2027, 1, 6, 10)),
    ]
    for step, at in plan:
        lines += [f"  overdue: {d.words()}" for d in executor.advance(case, at).due if d.overdue]
        result = executor.apply(case, step, at=at)
        lines.append(
            f"{at:%a %d %b %Y %H:%M} {step}: {'accepted' if result.accepted else 'rejected'}"
        )
        if isinstance(result, Rejected):
            lines += [f"  - {r.reason}" for r in result.refusals]
        else:
            lines.append(f"  now {result.view.status}, owner {result.view.owner}")
            lines += [f"  due: {due.words()}" for due in result.due]
        case = result.case
    update = golden.update or os.environ.get("STEPCHECK_UPDATE_GOLDEN") == "1"
    type(golden)(update=update).check(GOLDEN / "example_run.txt", "\n".join(lines) + "\n")


_MEETINGS = """\
meetings:
  panel: {cadence: fortnightly}
  board: {cadence: monthly}
statuses:
  open: {tier: cin, owner: worker, initial: true}
events:
  review: {kind: meeting, from: open, at: panel}
  sign_off: {kind: meeting, from: open, at: board}
  note: {kind: other, from: open}
deadlines:
  respond:
    within: 10 days
    anchor: note
    obligation: review
    consequence: unspecified
properties: {no_unowned_case: {}}
"""


def test_meetings_without_a_weekday_follow_the_given_dates():
    """A fortnightly panel given Thu 3 Dec 2026 sits on the 17th, not the 10th; a board the 15th."""
    spec = _spec(_MEETINGS)
    executor = Executor(spec, meetings={"panel": date(2026, 12, 3), "board": date(2026, 12, 15)})
    case = executor.start(at=datetime(2026, 12, 1, 9))

    assert not executor.apply(case, "review", at=datetime(2026, 12, 10, 9)).accepted
    assert executor.apply(case, "review", at=datetime(2026, 12, 17, 9)).accepted
    assert executor.apply(case, "sign_off", at=datetime(2027, 1, 15, 9)).accepted
    refused = _rejected(executor, case, "sign_off", datetime(2026, 12, 16, 9)).refusals
    assert refused[0].reason.endswith("it next sits on Fri 15 Jan 2027")


def test_meetings_default_to_mondays_and_the_first_working_day_of_the_month():
    """Without given dates a fortnightly meeting sits on Mondays and a monthly one on the 1st."""
    executor = Executor(_spec(_MEETINGS))
    case = executor.start(at=datetime(2026, 12, 1, 9))

    assert executor.apply(case, "sign_off", at=datetime(2026, 12, 1, 9)).accepted
    assert not executor.apply(case, "sign_off", at=datetime(2027, 1, 1, 9)).accepted
    assert executor.apply(case, "sign_off", at=datetime(2027, 1, 4, 9)).accepted


@pytest.mark.parametrize(
    ("meetings", "message"),
    [
        ({"nowhere": date(2026, 12, 3)}, "unknown meeting"),
        ({"board": date(2026, 12, 5)}, "cannot sit"),
    ],
)
def test_bad_meeting_dates_raise(meetings, message):
    """An unknown meeting, or a date it cannot sit on (a Saturday), is refused."""
    with pytest.raises(ValueError, match=message):
        Executor(_spec(_MEETINGS), meetings=meetings)


@pytest.mark.parametrize(
    ("unit", "due"),
    [(Unit.WORKING_DAYS, date(2026, 12, 15)), (Unit.CALENDAR_DAYS, date(2026, 12, 11))],
)
def test_bare_days_are_read_as_the_executor_is_told(unit, due):
    """ "10 days" from Tue 1 Dec 2026 is Tue 15 Dec as working days, Fri 11 Dec as calendar days."""
    executor = Executor(_spec(_MEETINGS), unstated_days_as=unit)
    case = _accepted(
        executor, executor.start(at=datetime(2026, 12, 1, 9)), "note", datetime(2026, 12, 1, 9)
    )

    assert case.view.due == {"respond": due}
