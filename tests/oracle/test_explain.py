"""A disagreement says why the oracle answered as it did: the rule that lets a step
happen, and how a due date was counted over weekends and bank holidays."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

from examples.casework.app import factory
from stepcheck.oracle.explain import explain
from stepcheck.oracle.machine import replay
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
STEP_DOWN = (
    "discuss_needs_with_family",
    "request_step_down_from_cin",
    "tam_agrees_step_down_from_cin",
    "agree_family_plan",
    "give_consent",
    "hold_taf_meeting",
    "step_down_from_cin",
    "allocate",
)


def _finding(bug: str, at: datetime, steps: tuple[str, ...]):
    finding = replay(
        DEVON,
        functools.partial(factory, [bug]),
        status="cin" if steps[0] != "discuss_step_down_with_manager" else "assessment",
        at=at,
        steps=[(step, at) for step in steps],
        reading=Reading.SHOULD,
    )
    assert finding is not None
    return finding


def test_a_due_date_over_christmas_names_each_bank_holiday():
    """Allocated on Mon 21 Dec 2026, first contact is due five working days later; the
    explanation names Christmas Day and Boxing Day (substitute) and counts the weekend."""
    at = datetime(2026, 12, 21, 9, 0)  # a Monday: TAM sits
    finding = _finding("calendar_day_deadline", at, STEP_DOWN)

    lines = explain(DEVON, finding, reading=Reading.SHOULD)

    assert lines[0] == "  how the oracle dates it:"
    assert lines[1] == (
        "    - 'first_contact_after_allocation': 5 working days from Mon 21 Dec 2026 09:00, "
        "due Wed 30 Dec 2026"
    )
    assert "      Fri 25 Dec 2026 is Christmas Day, not a working day" in lines
    assert any(line.startswith("      Mon 28 Dec 2026 is Boxing Day") for line in lines)
    assert lines[-1] == "      1 weekend day(s) in between are not working days"


def test_a_step_the_system_refused_names_the_rule_and_the_meeting_sitting():
    """The TAM sits on the Tuesday after Easter Monday; a system that thinks it sat on
    the Monday refuses the TAM's decision. The oracle cites the rule and says why the
    meeting sits that day."""
    at = datetime(2026, 4, 7, 9, 0)  # Tue 7 Apr 2026, after Easter Monday
    steps = (
        "discuss_step_down_with_manager",
        "discuss_needs_with_family",
        "request_step_down_from_assessment",
        "tam_agrees_step_down_from_assessment",
    )
    finding = _finding("tam_sits_on_bank_holidays", at, steps)

    lines = explain(DEVON, finding, reading=Reading.SHOULD)

    assert lines[0] == "  the oracle accepts it because:"
    assert lines[1].startswith("    - 'tam_agrees_step_down_from_assessment' may happen from ")
    assert lines[2].startswith("      (dv, §2, DV-01): ")
    assert lines[-1] == (
        "    - 'tam' sits on Tue 7 Apr 2026 (the first working day after a bank holiday: "
        "Mon 6 Apr 2026 is Easter Monday)"
    )


def test_guards_and_the_facts_they_read_are_listed():
    """A step-down the system refuses is explained by its guards and the case's facts."""
    at = datetime(2026, 1, 5, 9, 0)
    finding = _finding("calendar_day_deadline", at, STEP_DOWN)
    # the same run, as if the system had refused the step-down: explain the acceptance
    from attrs import evolve  # noqa: PLC0415 - only this test builds a finding by hand

    refused = evolve(finding, steps=finding.steps[:-1], system_accepted=False, oracle_accepted=True)

    lines = explain(DEVON, refused, reading=Reading.SHOULD)

    assert lines[0] == "  the oracle accepts it because:"
    assert any(line.startswith("    - must guard ") for line in lines)
    assert any(line.startswith("    facts of the case it relied on: ") for line in lines)


def test_a_re_referral_on_the_windows_last_day_names_the_window():
    """A window closing a day early: the oracle says the window is open to the end of
    its last day and where it sends the case."""
    start = datetime(2026, 3, 2, 9, 0)
    steps = [
        (step, start)
        for step in (
            "discuss_needs_with_family",
            "request_step_down_from_cin",
            "tam_agrees_step_down_from_cin",
            "agree_family_plan",
            "give_consent",
            "hold_three_way_meeting",
            "step_down_from_cin",
            "allocate",
            "first_family_contact",
            "request_step_up",
            "tam_agrees_step_up",
        )
    ]
    steps.append(("discuss_reopening_with_closing_team", datetime(2026, 6, 2, 9, 0)))
    finding = replay(
        DEVON,
        functools.partial(factory, ["rereferral_window_a_day_short"]),
        status="cin",
        at=start,
        steps=steps,
        reading=Reading.SHOULD,
    )
    assert finding is not None

    lines = explain(DEVON, finding, reading=Reading.SHOULD)

    assert lines[0] == "  the oracle routes it because:"
    assert lines[1].startswith(
        "    - re-referral window 'step_up_within_three_months_of_closure' (3 months from "
        "Mon 2 Mar 2026) is open to the end of Tue 2 Jun 2026"
    )
