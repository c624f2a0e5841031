"""The oracle's search is guided: a step behind several guards, or behind a long time
limit, is found within a small state bound, and a bound reached is reported as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepcheck.oracle.coverage import Coverage, Target
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.search import reach_of
from stepcheck.oracle.targets import DEFAULT_MAX_STATES, reachable
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

SOMERSET = load_spec(Path("spec/authorities/somerset.yaml"))


def _guarded_spec(tmp_path: Path, noise: int) -> Path:
    """One status whose way out needs four facts set, beside `noise` facts that toggle
    freely and multiply the states a breadth-first search would walk through."""
    names = [*"abcd", *(f"n{i}" for i in range(noise))]
    lines = [
        "stepcheck: 1",
        "authority: {id: guarded, name: Guarded (test)}",
        "documents:",
        "  g: {title: Guarded test protocol, rule_prefix: GD}",
        "teams:",
        "  support: {name: Support, service: early_help}",
        "owners:",
        "  worker: {kind: allocated, team: support}",
        "statuses:",
        "  open: {tier: early_help, owner: worker, initial: true}",
        "  done: {tier: closed, owner: none, final: true}",
        "variables:",
        *(f"  {name}: {{type: bool, initial: false}}" for name in names),
        "events:",
        *(
            f"  set_{name}: {{kind: other, from: open, effect: {{{name}: true}}}}"
            for name in "abcd"
        ),
        *(
            f"  toggle_{name}: {{kind: other, from: open, effect: {{{name}: not {name}}}}}"
            for name in names[4:]
        ),
        "  finish:",
        "    kind: close",
        "    from: open",
        "    to: done",
        "    guard: [{condition: a}, {condition: b}, {condition: c}, {condition: d}]",
    ]
    path = tmp_path / "guarded.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("noise", [0, 4, 8])
def test_a_step_behind_four_guards_is_found_within_a_small_bound(tmp_path, noise):
    """Each guard met is a state closer to the step, expanded first; breadth first
    needed about 400 states with 8 free facts, the guided search needs fewer than 60."""
    executor = Executor(load_spec(_guarded_spec(tmp_path, noise)), reading=Reading.MUST)

    reach = reachable(executor, {}.get, max_states=60)

    finish = Target("finish", "open", True)
    assert finish in reach.transitions
    run = next(run for run in reach.taken if run.steps[-1][0] == "finish")
    case = executor.start(at=run.start, status=run.status)
    for step, at in run.steps:
        result = executor.apply(case, step, at=at)
        assert result.accepted, step
        case = result.case
    assert case.status == "done"


def test_the_search_is_deterministic(tmp_path):
    """Same spec, same bound: the same targets and the same runs, in the same order."""
    executor = Executor(load_spec(_guarded_spec(tmp_path, 4)), reading=Reading.MUST)

    first = reachable(executor, {}.get, max_states=40)
    again = reachable(executor, {}.get, max_states=40)

    assert (first.transitions, first.refusals, first.runs) == (
        again.transitions,
        again.refusals,
        again.runs,
    )


@pytest.mark.parametrize(
    "target",
    [
        # six guards: plan, consent, three-way meeting, form, agreed transfer, handover
        Target("step_down_to_fis", "assessment", True),
        Target("step_down_to_early_help", "short_term_intervention", True),
        # four guards, one of them a TAM decision on a later day
        Target("transfer_to_cla_team", "cla_proceedings", True),
        # only once a six-month deadline is overdue: a jump to the day after it
        Target("review_return_home_plan", "cla_returned_home", True),
    ],
    ids=str,
)
def test_somerset_deep_steps_are_found_with_the_default_bound(target):
    """Steps the unguided breadth-first search of 3,000 states never reached."""
    reach = reach_of(SOMERSET, Reading.SHOULD, (), DEFAULT_MAX_STATES)

    assert target in reach.transitions


def test_a_bound_reached_is_reported_as_the_search_bound():
    """An incomplete search says how far it went and that past it nothing is counted."""
    coverage = Coverage.of([Target("allocate", "in_tray", True)], [], [], states=10, complete=False)

    assert coverage.lines()[-1] == (
        "  (reachable: found by the oracle searching 10 states; not shown: search bound 10, "
        "so a step only reachable past it is not counted)"
    )
    assert coverage.as_json()["search_complete"] is False
