"""The three places where the checker once said more than it knew, one test each.

1. A should-rule that routes a case (an effect, not a guard) was invisible to the must
   reading, so `no_unowned_case` was proved while following the rule lost the case.
2. Proofs silently assumed every must deadline is met; a missed one could lose the case.
3. "Within 24 hours" was counted as one working day, and the executor let a decision
   32, 62 or 107 clock hours later pass with nothing late.

Each test fails on the checker before the fix (commit 8eb0284) and passes after it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.results import Report, Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.dating import date_counterexamples
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.types import Accepted
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

_SPECS = "tests/fixtures/specs/soundness"
_START = date(2026, 12, 21)


def _checked(name: str, prop_id: str):
    spec = load_spec(f"{_SPECS}/{name}.yaml")
    result = verify_property(spec, spec.property_by_id(prop_id))
    dated = date_counterexamples(Report(results=(result,)), [spec], _START).results[0]
    return spec, dated


def test_a_should_rule_that_routes_a_case_is_covered_by_the_must_reading():
    spec, result = _checked("should_routing", "no_unowned_case")

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.final["owner"] == "intake_inbox"
    assert result.dated_from is not None, "the oracle's executor replays it, following the rule"
    assert replay(ExplicitModel(spec, Reading.MUST), result.trace).ok


def test_the_should_reading_follows_the_routing_rule_in_the_executor_too():
    spec = load_spec(f"{_SPECS}/should_routing.yaml")
    executor = Executor(spec, Reading.SHOULD)
    at = datetime(2027, 1, 4, 9)
    case = executor.start(at=at)
    closed = executor.apply(case, "close_case", at=at)
    assert isinstance(closed, Accepted)
    reopened = executor.apply(closed.case, "re_refer", at=at + timedelta(days=1))
    assert isinstance(reopened, Accepted)
    assert reopened.view.owner == "intake_inbox"


def test_a_proof_that_needs_deadlines_met_says_so_and_shows_the_run_where_one_is_missed():
    spec, result = _checked("missed_deadline", "no_unowned_case")

    assert result.verdict is Verdict.PROVED
    assert result.assumptions, "the proof states what it assumed"
    assert "allocate_within_two_days" in result.assumptions[0]
    assert "as long as deadlines" in result.summary
    missed = result.when_missed
    assert missed is not None
    assert missed.final["owner"] == "pool"
    assert result.when_missed_from is not None, "the oracle's executor dates the run"
    assert replay(ExplicitModel(spec, Reading.MUST, comply=False), missed).ok


def test_a_limit_in_hours_is_stated_as_read_in_working_days():
    _, result = _checked("clock_hours", "decided_within_24_hours")

    assert result.verdict is Verdict.PROVED
    assert any("not clock hours" in text for text in result.assumptions)


def test_the_executor_counts_clock_hours_for_a_limit_in_hours():
    spec = load_spec(f"{_SPECS}/clock_hours.yaml")
    executor = Executor(spec)
    asked = datetime(2027, 1, 4, 10)  # a Monday
    case = executor.start(at=asked)
    requested = executor.apply(case, "request_step_up", at=asked)
    assert isinstance(requested, Accepted)
    (due,) = requested.due
    assert due.ends == asked + timedelta(hours=24)
    on_time = executor.apply(requested.case, "decide_step_up", at=asked + timedelta(hours=23))
    assert isinstance(on_time, Accepted)
    assert on_time.late == ()
    for hours in (32, 62, 107):
        decided = executor.apply(
            requested.case, "decide_step_up", at=asked + timedelta(hours=hours)
        )
        assert isinstance(decided, Accepted)
        (late,) = decided.late
        assert late.deadline == "decide_within_24_hours"
        assert late.hours_late == hours - 24
    waiting = executor.advance(requested.case, asked + timedelta(hours=25))
    (still,) = waiting.due
    assert still.late
    assert not still.overdue, "in working days it is due today, not yet overdue"
