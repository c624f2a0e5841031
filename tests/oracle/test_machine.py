"""Side-by-side runs, replays, minimal findings, and the strategies' time jumps."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from examples.casework.app import factory
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.machine import Disagreement, SideBySide, minimised, replay
from stepcheck.oracle.strategies import Jump, Step, Wait, from_spec, jumped
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.workdays import is_working_day

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
MOVES = from_spec(DEVON)
AT = datetime(2026, 1, 5, 9, 0)  # a Monday: TAM sits
STEP_DOWN = [
    ("discuss_needs_with_family", AT),
    ("request_step_down_from_cin", AT),
    ("tam_agrees_step_down_from_cin", AT),
    ("agree_family_plan", AT),
    ("give_consent", AT),
    ("hold_taf_meeting", AT),
    ("step_down_from_cin", AT),
    ("allocate", AT),
]


def _no_sittings(_meeting: str) -> None:
    return None


def test_clean_replay_of_a_step_down_agrees():
    """A whole step-down, replayed on the clean system and the oracle, finds nothing."""
    assert (
        replay(DEVON, factory, status="cin", at=AT, steps=STEP_DOWN, reading=Reading.SHOULD) is None
    )


def test_side_by_side_stops_at_the_first_difference():
    """The run stops at the step where the due date differs, with both views."""
    pair = SideBySide(
        Executor(DEVON, reading=Reading.SHOULD),
        factory(["calendar_day_deadline"]),
        status="cin",
        at=AT,
    )

    for step, at in STEP_DOWN[:-1]:
        pair.take(step, at)

    with pytest.raises(Disagreement) as caught:
        pair.take(*STEP_DOWN[-1])

    finding = caught.value.finding
    assert finding.steps[-1] == ("allocate", AT)
    assert finding.oracle_view.due == {"first_contact_after_allocation": date(2026, 1, 12)}
    assert finding.system_view is not None
    assert finding.system_view.due == {"first_contact_after_allocation": date(2026, 1, 10)}


def test_minimised_drops_every_step_the_disagreement_does_not_need():
    """Padding steps are left out; what remains still disagrees at the same step."""
    padded = [("consult_teh_manager", AT), ("withdraw_consent", AT), *STEP_DOWN]
    system = functools.partial(factory, ["calendar_day_deadline"])
    finding = replay(DEVON, system, status="cin", at=AT, steps=padded, reading=Reading.SHOULD)
    assert finding is not None

    smallest = minimised(DEVON, system, finding, reading=Reading.SHOULD)

    assert [step for step, _ in smallest.steps] == [
        "discuss_needs_with_family",
        "request_step_down_from_cin",
        "tam_agrees_step_down_from_cin",
        "agree_family_plan",
        "give_consent",
        "hold_taf_meeting",
        "step_down_from_cin",
        "allocate",
    ]


def test_exception_in_an_in_process_system_is_a_finding():
    """A system that raises mid-run gives a fault finding, not a traceback."""

    class Crashing:
        def start(self, *, status, at):
            return factory().start(status=status, at=at)

        def apply(self, step, *, at):
            raise RuntimeError(f"database is locked ({step} at {at:%H:%M})")

        def close(self):
            pass

    finding = replay(DEVON, Crashing, status="cin", at=AT, steps=STEP_DOWN[:1])

    assert finding is not None
    assert finding.fault == (
        "the system raised RuntimeError: database is locked (discuss_needs_with_family at 09:00)"
    )


@pytest.mark.parametrize(
    ("jump", "expected"),
    [
        (Jump.SAME_DAY, datetime(2026, 12, 23, 11, 0)),
        (Jump.NEXT_WORKING_DAY, datetime(2026, 12, 24, 9, 0)),
        (Jump.OVER_WEEKEND, datetime(2026, 12, 29, 9, 0)),  # Mon 28 Dec is a substitute holiday
        (Jump.INTO_CHRISTMAS, datetime(2026, 12, 25, 9, 0)),
        (Jump.OVER_CHRISTMAS, datetime(2026, 12, 29, 9, 0)),
        (Jump.INTO_EASTER, datetime(2027, 3, 26, 9, 0)),  # Good Friday 2027
        (Jump.OVER_EASTER, datetime(2027, 3, 30, 9, 0)),  # the Tuesday after Easter Monday
        (Jump.WEEK, datetime(2026, 12, 30, 9, 0)),
    ],
)
def test_time_jumps_land_where_a_case_worker_expects(jump, expected):
    """Each jump from Wed 23 Dec 2026 lands on the day its name says."""
    assert jumped(datetime(2026, 12, 23, 9, 0), Wait(jump), _no_sittings) == expected


def test_next_meeting_jump_lands_on_a_tam_sitting():
    """Waiting for TAM from a Tuesday lands on the next Monday's sitting."""
    executor_sittings = MOVES.periodic
    from stepcheck.oracle.calendar_rules import sittings_of  # noqa: PLC0415

    tam = next(meeting for meeting in DEVON.meetings if meeting.id == "tam")
    moment = jumped(
        datetime(2026, 1, 6, 9, 0),
        Wait(Jump.NEXT_MEETING, "tam"),
        lambda _m: sittings_of(tam.cadence),
    )

    assert executor_sittings == ("tam",)
    assert moment == datetime(2026, 1, 12, 9, 0)


@settings(max_examples=50, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    wait=MOVES.waits(),
)
@example(now=datetime(2026, 1, 1, 23, 59, 0, 1), wait=Wait(Jump.SAME_DAY))
def test_time_never_goes_back(now, wait):
    """No jump moves a case back in time, and jumps to a working day land on one."""
    later = jumped(now, wait, _no_sittings)

    assert later >= now
    if wait.jump in (
        Jump.NEXT_WORKING_DAY,
        Jump.OVER_WEEKEND,
        Jump.OVER_CHRISTMAS,
        Jump.OVER_EASTER,
    ):
        assert is_working_day(later.date())
    assert later - now <= timedelta(days=400)


@settings(max_examples=30, deadline=None)
@given(start=MOVES.starts(), sequence=MOVES.sequences(max_steps=10))
def test_any_step_sequence_replays_without_error_on_the_clean_system(start, sequence):
    """State-free sequences of any step and jump run on both sides; the clean system agrees."""
    status, at = start
    steps = []
    for action in sequence:
        if isinstance(action, Step):
            steps.append((action.step, at))
        else:
            at = jumped(at, action, _no_sittings)

    assert (
        replay(DEVON, factory, status=status, at=start[1], steps=steps, reading=Reading.SHOULD)
        is None
    )
