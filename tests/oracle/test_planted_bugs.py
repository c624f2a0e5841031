"""The oracle catches every planted bug of the example system in-process, and passes it clean."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import pytest

from examples.casework.app import factory
from examples.casework.service import BUGS
from stepcheck.oracle.machine import replay
from stepcheck.oracle.repro import RunSettings, render_finding
from stepcheck.oracle.testing import check_system
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
GOLDEN = Path("tests/golden/oracle")
SEED = 20261123

# What each bug must show up as: the first difference's field and the step it happens at.
EXPECTED = {
    "cp_step_down_without_meeting": (
        "acceptance",
        ("step_down_from_assessment", "step_down_from_cin"),
    ),
    "unowned_after_rejected_transfer": ("owner", None),
    "calendar_day_deadline": ("due", ("allocate",)),
    "rereferral_not_returned": (
        "owner",
        ("discuss_reopening_with_closing_team", "raise_re_escalation_with_closing_team"),
    ),
    "first_contact_in_any_status": ("acceptance", ("first_family_contact",)),
    "waiting_list_allocation_keeps_owner": ("owner", ("allocate",)),
    "tam_sits_on_bank_holidays": ("acceptance", None),
    "rereferral_window_a_day_short": (
        "owner",
        ("discuss_reopening_with_closing_team", "raise_re_escalation_with_closing_team"),
    ),
}


def test_clean_system_agrees_with_the_oracle():
    """With no bug planted, the example system agrees on every step of the default search."""
    outcome = check_system(DEVON, factory, seed=SEED, reading=Reading.SHOULD)

    assert outcome.agrees, outcome.report
    assert f"seed {SEED}" in outcome.report


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_planted_bug_is_caught_with_a_minimal_replayable_reproduction(bug):
    """Each planted bug is found within the default examples; its reproduction replays."""
    system = functools.partial(factory, [bug])

    outcome = check_system(DEVON, system, seed=SEED, reading=Reading.SHOULD)

    assert not outcome.agrees
    finding = outcome.finding
    assert finding is not None
    field, steps = EXPECTED[bug]
    assert finding.differences[0].startswith(field), finding.differences
    if steps is not None:
        assert finding.steps[-1][0] in steps
    again = replay(
        DEVON,
        system,
        status=finding.status,
        at=finding.start,
        steps=finding.steps,
        reading=Reading.SHOULD,
    )
    assert again == finding
    assert (
        replay(
            DEVON,
            factory,
            status=finding.status,
            at=finding.start,
            steps=finding.steps,
            reading=Reading.SHOULD,
        )
        is None
    )


def test_reproduction_matches_golden_file(golden):
    """A disagreement reads as its steps, the differences, the oracle's reasons and two replays."""
    at = datetime(2026, 1, 5, 9, 0)
    steps = [
        ("discuss_needs_with_family", at),
        ("request_step_down_from_cin", at),
        ("tam_agrees_step_down_from_cin", at),
        ("agree_family_plan", datetime(2026, 1, 6, 9, 0)),
        ("give_consent", datetime(2026, 1, 6, 9, 0)),
        ("step_down_from_cin", datetime(2026, 1, 6, 11, 0)),
    ]
    system = functools.partial(factory, ["cp_step_down_without_meeting"])
    finding = replay(DEVON, system, status="cin", at=at, steps=steps, reading=Reading.SHOULD)
    assert finding is not None
    run = RunSettings(
        spec_path="spec/authorities/devon.yaml",
        target="python:examples.casework.app:factory",
        seed=SEED,
        examples=100,
        steps=30,
        reading=Reading.SHOULD,
    )

    golden.check(GOLDEN / "reproduction.txt", render_finding(finding, run))


def test_python_reproduction_runs_and_fails_on_the_buggy_system():
    """The Python snippet of a reproduction is runnable code that replays the disagreement."""
    system = functools.partial(factory, ["calendar_day_deadline"])
    target = "python:examples.casework.app:factory"
    outcome = check_system(
        DEVON, system, seed=SEED, reading=Reading.SHOULD, examples=20, target=target
    )
    assert outcome.finding is not None
    snippet = outcome.report.split("replay these steps in Python:\n", 1)[1]
    code = "\n".join(line.removeprefix("  ") for line in snippet.splitlines())
    code = code.replace("from examples.casework.app import factory", "")
    namespace = {"factory": system}

    with pytest.raises(AssertionError, match="due"):
        exec(compile(code, "<reproduction>", "exec"), namespace)
