"""The second example system (Somerset): clean, it agrees with the oracle and exercises
every reachable step; each planted bug is caught in-process and over HTTP."""

from __future__ import annotations

import functools
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from casework_server import example_server
from hypothesis import given
from hypothesis import strategies as st

from examples.somerset_cases import workdays
from examples.somerset_cases.app import factory
from examples.somerset_cases.service import BUGS, Somerset
from stepcheck.oracle.calendar_rules import passed
from stepcheck.oracle.http_system import HttpSystem, http_factory
from stepcheck.oracle.machine import replay
from stepcheck.oracle.testing import check_system
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.workdays import add_duration, is_working_day

SOMERSET = load_spec(Path("spec/authorities/somerset.yaml"))
SEED = 20261123
SERVER = "examples.somerset_cases.server"
_GIVE_WAY = (
    "request_step_up",
    "tam_agrees_step_up",
    "tam_refuses_step_up",
    "tam_requires_step_in",
    "tam_agrees_fis_continues",
)
_WHEN_OVERDUE = (
    "return_to_next_tam",
    "step_up_returns_to_tam",
    "escalate_unallocated_case",
    "review_return_home_plan",
)

# What each bug must show up as: the first difference's field and the step it happens at.
EXPECTED = {
    "close_from_any_social_work_status": ("acceptance", ("close_case",)),
    "rereferral_window_a_day_short": ("owner", ("re_referral",)),
    "cla_transfer_keeps_safeguarding_worker": ("owner", ("transfer_to_cla_team",)),
    "meetings_survive_tier_change": ("acceptance", None),
    "tam_sits_on_bank_holidays": ("acceptance", None),
    "conference_deadline_in_calendar_days": ("due", ("ola_formal_notification",)),
    "step_down_without_handover_meeting": (
        "acceptance",
        ("step_down_to_fis", "step_down_to_early_help"),
    ),
    "urgent_step_up_waits_for_tam": ("acceptance", ("urgent_step_up",)),
    "tam_ignores_urgent_concerns": ("acceptance", _GIVE_WAY),
    "om_review_without_step_in": ("acceptance", ("escalate_to_om_review",)),
    "declined_transfer_in_has_no_owner": ("owner", ("decline_transfer_in",)),
    "overdue_at_midnight": ("acceptance", _WHEN_OVERDUE),
    "weekly_overview_does_not_restart": ("due", ("add_weekly_management_overview",)),
    "return_home_minimum_ignored": ("acceptance", ("step_down_to_fis", "close_case")),
    "two_weeks_as_ten_working_days": ("due", ("tam_agrees_transfer",)),
}
# Over HTTP, one bug of each kind the view can show: a wrong acceptance, a wrong owner, a
# wrong due date (the in-process test covers every bug; the wire adds nothing per bug, and
# the calendar-edge bugs are found only after some 800 directed cases, ~15 s each here).
OVER_HTTP = (
    "close_from_any_social_work_status",
    "declined_transfer_in_has_no_owner",
    "conference_deadline_in_calendar_days",
)


def test_every_planted_bug_has_an_expectation():
    """The table above names every switch of the service, so none goes untested."""
    assert sorted(EXPECTED) == sorted(BUGS)
    assert len(BUGS) >= 12


def test_clean_system_agrees_and_exercises_every_reachable_step():
    """Clean, with the default settings, the service agrees with the oracle and the run
    exercises 100% of the reachable transitions and refusals."""
    outcome = check_system(SOMERSET, factory, seed=SEED, reading=Reading.SHOULD)

    assert outcome.agrees, outcome.report
    transitions = outcome.coverage.as_json()["transitions"]
    refusals = outcome.coverage.as_json()["refusals"]
    assert isinstance(transitions, dict)
    assert isinstance(refusals, dict)
    assert transitions["exercised"] == transitions["reachable"] > 300
    assert refusals["exercised"] == refusals["reachable"] > 2000
    assert f"transitions: {transitions['reachable']} of " in outcome.report
    assert "reachable exercised (100%)" in outcome.report


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_planted_bug_is_caught_with_a_replayable_reproduction(bug):
    """Each planted bug is found with the default settings; its reproduction replays on
    the buggy service and not on the clean one."""
    system = functools.partial(factory, [bug])

    outcome = check_system(SOMERSET, system, seed=SEED, reading=Reading.SHOULD)

    assert not outcome.agrees
    finding = outcome.finding
    assert finding is not None
    field, steps = EXPECTED[bug]
    assert finding.differences[0].startswith(field), finding.differences
    if steps is not None:
        assert finding.steps[-1][0] in steps
    settings = {"status": finding.status, "at": finding.start, "steps": finding.steps}
    assert replay(SOMERSET, system, reading=Reading.SHOULD, **settings) == finding
    assert replay(SOMERSET, factory, reading=Reading.SHOULD, **settings) is None


def test_unknown_bug_and_opening_status_are_refused():
    """A misspelt switch fails loudly; a case cannot be opened in a non-initial status."""
    with pytest.raises(ValueError, match="unknown bug 'nope'"):
        Somerset(["nope"])
    with pytest.raises(ValueError, match="cannot open a case at 'cp'"):
        Somerset().open_case("cp")


@given(st.dates(date(2000, 1, 1), date(2099, 12, 1)), st.integers(0, 30))
def test_service_calendar_agrees_with_stepcheck_calendar(day, count):
    """The service's own working days, month arithmetic and run-out rule agree with
    stepcheck's (two implementations, compared)."""
    start = datetime.combine(day, datetime.min.time().replace(hour=9))
    working = Duration(quantity=count, unit=Unit.WORKING_DAYS)
    months = Duration(quantity=count % 13, unit=Unit.MONTHS)

    assert workdays.is_working_day(day) == is_working_day(day)
    assert workdays.add_working_days(day, count) == add_duration(start, working).date()
    assert workdays.add_months(start, count % 13) == add_duration(start, months).date()
    later = start + timedelta(days=count % 8)  # across weekends and bank holidays
    assert workdays.run_out(day, later) == passed(day, later)


def test_clean_server_agrees_with_the_oracle_over_http():
    """The Somerset server, clean, agrees with the oracle over the wire on every directed
    case (100% of the reachable steps). The random cases are left to the in-process test
    above, which runs the default settings on the same service: over HTTP they would
    double this test's time and exercise no step the directed cases do not."""
    with example_server(SERVER) as url:
        outcome = check_system(
            SOMERSET,
            lambda: http_factory(url),
            seed=SEED,
            reading=Reading.SHOULD,
            target=url,
            examples=0,
        )

    assert outcome.agrees, outcome.report
    assert outcome.coverage.lowest() == 100.0


@pytest.mark.parametrize("bug", OVER_HTTP)
def test_planted_bug_is_caught_over_http(bug):
    """A bug of each kind is found over HTTP too, with a reproduction naming the URL."""
    with example_server(SERVER, bug) as url:
        outcome = check_system(
            SOMERSET, lambda: http_factory(url), seed=SEED, reading=Reading.SHOULD, target=url
        )

    assert not outcome.agrees
    assert outcome.finding is not None
    assert outcome.finding.differences[0].startswith(EXPECTED[bug][0])
    assert f'http_factory("{url}")' in outcome.report


def test_server_shuts_down_cleanly_on_sigterm():
    """`--port 0` picks a free port and prints it; SIGTERM stops the server with exit 0."""
    command = [sys.executable, "-m", SERVER, "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().removeprefix("listening on ").strip()
        view = HttpSystem(url).start(status="fis_open", at=datetime(2026, 1, 5, 9, 0))
    finally:
        process.terminate()
        code = process.wait(timeout=10)

    assert view.owner == "family_intervention_service_worker"
    assert code == 0
