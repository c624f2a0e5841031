"""The oracle's own search lists every step of Devon's protocol, and the directed
cases built from it exercise all of them on the clean example system."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from examples.casework.app import factory
from stepcheck.oracle.coverage import Coverage, Target
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.search import explore, reach_of
from stepcheck.oracle.targets import DEFAULT_MAX_STATES, TargetRun
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
EXECUTOR = Executor(DEVON, reading=Reading.SHOULD)
CLEAN = explore(DEVON, factory, examples=5, seed=0, steps=30, reading=Reading.SHOULD)


def test_the_clean_system_exercises_every_reachable_transition_and_refusal():
    """Directed cases alone take every reachable step, and send every refused one."""
    coverage = CLEAN.coverage

    assert CLEAN.finding is None
    assert coverage.percent(accepted=True) == 100.0
    assert coverage.percent(accepted=False) == 100.0
    assert len(coverage.transitions) >= 119  # measured: 119 with the default search


def test_every_wrong_status_step_is_a_refusal_target():
    """Each event is sent in every reached status its `from` leaves out."""
    statuses = {target.status for target in CLEAN.coverage.transitions}
    for event in DEVON.events:
        if not event.sources_from:
            continue
        for status in statuses - set(event.sources_from):
            assert Target(event.id, status, False) in CLEAN.coverage.refusals, (event.id, status)


def test_deep_steps_are_reached_by_the_shortest_run():
    """A transfer back to the closing team after a re-referral is many steps deep; the
    search reaches it, and its run replays in the executor to that very step."""
    target = Target("discuss_reopening_with_closing_team", "step_up_agreed", True)
    assert target in CLEAN.coverage.transitions
    reach = reach_of(DEVON, Reading.SHOULD, (), DEFAULT_MAX_STATES)
    run = next(
        run
        for run in reach.runs
        if not run.probes and run.steps[-1][0] == target.step and _ends_in(run, target.status)
    )
    assert len(run.steps) >= 8


def test_a_refusal_is_probed_for_each_set_of_rules_that_refuses_it():
    """A step-down refused for want of consent and refused for want of a meeting are
    two probes: a system may check one rule and forget the other."""
    reach = reach_of(DEVON, Reading.SHOULD, (), DEFAULT_MAX_STATES)
    probed = [run for run in reach.runs if "step_down_from_cin" in run.probes]
    assert len(probed) >= 2


def test_coverage_lists_what_was_never_exercised():
    """Below 100%, the report names the steps missed and the JSON carries them."""
    missed = Target("allocate", "on_waiting_list", True)
    coverage = Coverage.of([missed], [], [], states=10, complete=True)

    assert coverage.lines() == [
        "coverage:",
        "  transitions: 0 of 1 reachable exercised (0.0%)",
        "    never exercised: allocate in on_waiting_list",
        "  refusals: 0 of 0 reachable exercised (100%)",
        "  (reachable: found by the oracle searching 10 states, all of them)",
    ]
    data = coverage.as_json()
    assert data["transitions"] == {
        "reachable": 1,
        "exercised": 0,
        "percent": 0.0,
        "never_exercised": [{"step": "allocate", "status": "on_waiting_list"}],
    }


def test_random_cases_alone_cover_less():
    """Without the directed cases, a few random cases leave steps unexercised: the
    number the directed cases are there to raise."""
    walks = explore(
        DEVON, factory, examples=5, seed=0, steps=30, reading=Reading.SHOULD, directed=False
    )

    assert walks.directed == 0
    assert walks.coverage.percent(accepted=True) < 100.0


def _ends_in(run: TargetRun, status: str) -> bool:
    case = EXECUTOR.start(at=run.start, status=run.status)
    for step, at in run.steps[:-1]:
        case = EXECUTOR.apply(case, step, at=at).case
    return case.status == status and isinstance(run.start, datetime)


def test_boundary_runs_meet_a_windows_last_day_and_a_moved_sitting():
    """Among the directed runs: a re-referral on the last working day of its window, and
    a TAM decision on a sitting a bank holiday moved off its Monday."""
    reach = reach_of(DEVON, Reading.SHOULD, (), DEFAULT_MAX_STATES)
    last_steps = [run.steps[-1] for run in reach.runs if run.steps and not run.probes]

    assert any(
        step == "discuss_reopening_with_closing_team" and at.weekday() < 5 and at.month > 3
        for step, at in last_steps
    )
    assert any(step.startswith("tam_") and at.weekday() == 1 for step, at in last_steps)
