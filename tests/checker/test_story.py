"""Counterexamples told as dated case stories: working days, bank holidays, collapsed ticks."""

from datetime import date
from pathlib import Path

import pytest
from example_states import EXAMPLE_START

from stepcheck.checker.story import ClockChange, long_date, tell
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import OwnerKind
from stepcheck.spec.trace import StepKind, Trace, TraceStep

EXAMPLE = load_spec(Path("tests/fixtures/specs/valid/example.yaml"))
SOMERSET = load_spec(Path("spec/authorities/somerset.yaml"))
EVENT, TICK, ESCALATE, DECIDE = StepKind.EVENT, StepKind.TICK, StepKind.ESCALATE, StepKind.DECIDE

# The example spec's initial state, by the state names of spec/trace.py.
START_STATE = dict(EXAMPLE_START)


def _trace(*steps, initial=START_STATE, loop_start=None):
    """A trace from (kind, name, day, changes) tuples, each step changing the state before it."""
    built, state = [], dict(initial)
    for kind, name, day, changes in steps:
        state = {**state, **changes}
        built.append(TraceStep(kind=kind, name=name, day=day, state=state))
    return Trace(initial=initial, steps=tuple(built), loop_start=loop_start)


def _ticks(count):
    return [(TICK, None, day, {}) for day in range(1, count + 1)]


def _accepted_then_overdue():
    """Stepped up and accepted on day 0, then the allocation deadline falls due and passes."""
    return _trace(
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam", "var:referrals": 1}),
        (
            EVENT,
            "tam_accepts",
            0,
            {"status": "in_tray", "owner": "sw_tray", "deadline:allocate_within_two_days": 2},
        ),
        (TICK, None, 1, {"deadline:allocate_within_two_days": 1}),
        (TICK, None, 2, {"deadline:allocate_within_two_days": 0}),
        (TICK, None, 3, {"deadline:allocate_within_two_days": -1}),
    )


def _declined_and_escalated(*, decide):
    last = (
        (DECIDE, "allocation_dispute", 2, {"dispute:allocation_dispute": None})
        if decide
        else (TICK, None, 3, {})
    )
    return _trace(
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam", "var:referrals": 1}),
        (
            EVENT,
            "tam_declines",
            0,
            {
                "status": "early_help",
                "dispute:allocation_dispute": "managers_discuss",
                "level_timer:allocation_dispute": 1,
            },
        ),
        (TICK, None, 1, {"level_timer:allocation_dispute": 0}),
        (TICK, None, 2, {"level_timer:allocation_dispute": -1}),
        (
            ESCALATE,
            "allocation_dispute",
            2,
            {"dispute:allocation_dispute": "head_decides", "level_timer:allocation_dispute": None},
        ),
        last,
        loop_start=None if decide else 5,
    )


def test_day_zero_is_the_first_working_day_on_or_after_the_start():
    """A case started on Christmas Day starts on the next working day, and the story says why."""
    story = tell(EXAMPLE, _trace(*_ticks(1)), start=date(2026, 12, 25))

    opening = story.scenes[0]
    assert story.first_day == date(2026, 12, 29)
    assert opening.date == date(2026, 12, 29)
    assert "the first working day on or after Fri 25 Dec 2026" in opening.what
    names = [name for _, name in opening.holidays]
    assert names == ["Christmas Day", "Boxing Day (substitute day)"]


def test_working_days_across_christmas_skip_the_bank_holidays():
    """Day 2 from Wed 23 Dec 2026 is Tue 29 Dec; the line names the holidays it skipped."""
    story = tell(EXAMPLE, _accepted_then_overdue(), start=date(2026, 12, 23))

    run = story.scenes[3]
    assert (run.first_step, run.last_step, run.day, run.date) == (2, 3, 2, date(2026, 12, 29))
    assert run.what == (
        "2 working days pass (to Tue 29 Dec 2026; bank holidays skipped: "
        "Christmas Day (Fri 25 Dec 2026), Boxing Day (substitute day) (Mon 28 Dec 2026))"
    )
    assert run.holidays == (
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),
    )


def test_a_working_day_over_easter_runs_from_thursday_to_tuesday():
    """One working day after Maundy Thursday 2026 is the Tuesday after Easter Monday."""
    story = tell(EXAMPLE, _trace(*_ticks(1)), start=date(2026, 4, 2))

    day_one = story.scenes[1]
    assert day_one.date == date(2026, 4, 7)
    assert day_one.what.startswith("a working day passes (to Tue 7 Apr 2026; bank holidays")
    assert [name for _, name in day_one.holidays] == ["Good Friday", "Easter Monday"]


def test_consecutive_quiet_working_days_collapse_into_one_line():
    """Five working days with nothing to report are one line that says where they end."""
    story = tell(EXAMPLE, _trace(*_ticks(5)), start=date(2026, 11, 27))

    assert len(story.scenes) == 2
    assert story.scenes[1].what == "5 working days pass (to Fri 4 Dec 2026)"
    assert (story.scenes[1].first_step, story.scenes[1].last_step) == (0, 4)


def test_without_collapsing_every_step_is_a_scene():
    """`collapse_ticks=False` tells one scene per trace step, for step-by-step consumers."""
    story = tell(EXAMPLE, _trace(*_ticks(5)), start=date(2026, 11, 27), collapse_ticks=False)

    assert [scene.first_step for scene in story.scenes] == [None, 0, 1, 2, 3, 4]
    assert story.scenes[-1].date == date(2026, 12, 4)


def test_a_run_of_working_days_ends_where_a_deadline_falls_due_or_passes():
    """The day a deadline is due and the day it is overdue each close their line."""
    story = tell(EXAMPLE, _accepted_then_overdue(), start=date(2026, 12, 23))

    changes = [[clock.change for clock in scene.clocks] for scene in story.scenes]
    assert changes == [[], [], [ClockChange.STARTED], [ClockChange.DUE], [ClockChange.OVERDUE]]
    assert story.scenes[3].clocks[0].text == (
        "the deadline 'allocate within two days' (2 working days) is due today"
    )


def test_overdue_deadlines_are_listed_with_their_step_and_rule():
    """Which deadline went overdue, at which step and date, citing the document by title."""
    story = tell(EXAMPLE, _accepted_then_overdue(), start=date(2026, 12, 23))

    (overdue,) = story.overdue
    assert (overdue.limit, overdue.step, overdue.day) == ("allocate_within_two_days", 4, 3)
    assert overdue.date == date(2026, 12, 30)
    (citation,) = overdue.citations
    assert citation.title == "Examplevale step-up and step-down protocol"
    assert (citation.section, citation.rule) == ("3", "EV-07")
    assert citation.quote == "the case is allocated within 2 working days"


def test_an_event_line_names_the_event_its_kind_meeting_and_rule():
    """An event says what happened in words, where, and cites its rule."""
    story = tell(EXAMPLE, _accepted_then_overdue(), start=date(2026, 12, 23))

    accepted = story.scenes[2]
    assert accepted.what == "'TAM accepts' happens (decide, at the Transfer and Allocation Meeting)"
    assert accepted.status == "in_tray"
    assert accepted.holder.name == "Social Work Team Manager's tray"
    assert [citation.rule for citation in accepted.citations] == ["EV-03"]


def test_escalation_names_the_levels_and_who_acts():
    """Going up a ladder says from which level to which, and who acts at each."""
    story = tell(EXAMPLE, _declined_and_escalated(decide=False), start=date(2026, 12, 23))

    escalated = story.scenes[4]
    assert escalated.what == (
        "the dispute 'Allocation dispute' goes up from level 'Managers discuss' "
        "(Family Support Team Manager and Social Work Team Manager) "
        "to level 'Head decides' (Head of Service)"
    )


def test_a_final_decision_says_who_decides_and_that_the_dispute_ends():
    """A decide step names the deciding level and its people."""
    story = tell(EXAMPLE, _declined_and_escalated(decide=True), start=date(2026, 12, 23))

    assert story.scenes[-1].what == (
        "at level 'Head decides' (Head of Service) decide: the dispute 'Allocation dispute' "
        "ends with a final decision"
    )


def test_an_event_that_opens_a_dispute_and_a_level_limit_running_out_are_told():
    """Opening a dispute is a note on the event; a level's time running out is a clock."""
    story = tell(EXAMPLE, _declined_and_escalated(decide=False), start=date(2026, 12, 23))

    declined, waited = story.scenes[2], story.scenes[3]
    assert declined.notes == (
        "this opens the dispute 'Allocation dispute' at level 'Managers discuss' "
        "(Family Support Team Manager and Social Work Team Manager)",
    )
    assert [(c.change, c.limit) for c in waited.clocks] == [
        (ClockChange.LIMIT_PASSED, "allocation_dispute.managers_discuss")
    ]


def test_a_lasso_marks_where_the_case_starts_repeating():
    """The scene the loop starts at is marked, and a run of days is split there."""
    trace = _trace(*_ticks(3), loop_start=1)

    story = tell(EXAMPLE, trace, start=date(2026, 11, 27))

    assert [(s.first_step, s.last_step, s.loop_start) for s in story.scenes] == [
        (None, None, False),
        (0, 0, False),
        (1, 2, True),
    ]
    assert story.loop_start == 2


def test_a_place_nobody_answers_for_is_flagged():
    """Somerset's agreed step-up leaves the case with an unstated owner: the story flags it."""
    initial = {"status": "fis_open", "owner": "family_intervention_service_worker"}
    trace = _trace(
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam"}),
        (EVENT, "tam_agrees_step_up", 0, {"status": "step_up_agreed", "owner": "unspecified"}),
        initial=initial,
    )

    story = tell(SOMERSET, trace, start=date(2026, 12, 23))

    before, after = story.scenes[1].holder, story.scenes[2].holder
    assert (before.kind, before.unowned) == (OwnerKind.ALLOCATED, False)
    assert (after.id, after.kind, after.unowned) == ("unspecified", OwnerKind.UNSPECIFIED, True)
    assert after.words == "'unspecified' (the document does not say who)"
    assert [c.rule for c in story.scenes[2].citations] == ["ST-02", "ST-08", "SP-01"]


def test_an_unnamed_owner_is_described_by_its_kind_and_team():
    """An allocated owner without a name reads as a worker in its team."""
    story = tell(EXAMPLE, _trace(*_ticks(1)), start=date(2026, 11, 27))

    assert story.scenes[0].holder.words == "a worker in Family Support Team (allocated worker)"


def test_a_trace_naming_an_event_the_spec_lacks_is_our_bug():
    """A trace that does not fit its spec raises InternalError, not a user error."""
    trace = _trace((EVENT, "no_such_event", 0, {}))

    with pytest.raises(InternalError, match="no_such_event"):
        tell(EXAMPLE, trace, start=date(2026, 11, 27))


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2026, 12, 4), "Fri 4 Dec 2026"), (date(2027, 3, 29), "Mon 29 Mar 2027")],
)
def test_dates_read_as_weekday_day_month_year(day, text):
    """Story dates are short and unambiguous for English readers."""
    assert long_date(day) == text
