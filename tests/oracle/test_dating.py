"""`verify` shows a counterexample only when the oracle's executor replays it on a real date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.witness import violation_shown
from stepcheck.checker.writers.wording import story_of
from stepcheck.dating import date_counterexamples
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep
from stepcheck.verification import run_verify

WEEKLY = Path("tests/fixtures/specs/explore/weekly_meeting.yaml")
START = date(2026, 11, 23)  # a Monday; the panel sits on Wednesdays


def _sitting(spec: ProtocolSpec) -> State:
    """The initial state in which the panel sits today."""
    return next(s for s in ExplicitModel(spec).initial_states() if s["phase:panel"] == 0)


def _result(spec: ProtocolSpec, trace: Trace) -> PropertyResult:
    prop = spec.properties[0]
    return PropertyResult(
        authority=spec.authority.id,
        spec=spec.path,
        property=prop.id,
        kind=prop.kind,
        verdict=Verdict.VIOLATED,
        summary="hand-made",
        trace=trace,
    )


def test_a_run_that_no_longer_fails_once_dated_is_not_shown():
    """The solver's panel sat two days running; on a real calendar the same steps decide."""
    spec = load_spec(WEEKLY)
    first = _sitting(spec)
    trace = Trace(
        initial=first,
        steps=(
            TraceStep(kind=StepKind.TICK, name=None, day=1, state=first),
            TraceStep(
                kind=StepKind.EVENT, name="decide", day=1, state={**first, "status": "decided"}
            ),
        ),
    )
    report = date_counterexamples(Report(results=(_result(spec, trace),)), [spec], START)
    (result,) = report.results
    assert result.verdict is Verdict.UNKNOWN
    assert result.trace is None
    assert result.dated_from is None
    assert "could not replay it on the real calendar" in (result.reason or "")
    assert "does not show 'decided_eventually' failing" in (result.reason or "")
    assert result.summary.startswith("Not decided:")
    assert report.exit_code == 3


def test_a_trace_the_executor_cannot_start_is_unknown_with_the_reason():
    spec = load_spec(WEEKLY)
    trace = Trace(initial={**_sitting(spec), "status": "decided"}, steps=())
    report = date_counterexamples(Report(results=(_result(spec, trace),)), [spec], START)
    (result,) = report.results
    assert result.verdict is Verdict.UNKNOWN
    assert "is not initial" in (result.reason or "")


def test_a_real_violation_is_dated_and_its_story_starts_then():
    """A case that waits for ever for a panel that never decides: dated on a Wednesday."""
    spec = load_spec(WEEKLY)
    first = _sitting(spec)
    ticks = tuple(
        TraceStep(kind=StepKind.TICK, name=None, day=day, state={**first, "phase:panel": phase})
        for day, phase in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 0))
    )
    lasso = Trace(initial=first, steps=ticks, loop_start=0)
    report = date_counterexamples(Report(results=(_result(spec, lasso),)), [spec], START)
    (result,) = report.results
    assert result.verdict is Verdict.VIOLATED
    assert result.dated_from == date(2026, 11, 25)
    assert result.trace is not None
    story = story_of(result, {spec.path: spec}, START)
    assert story is not None
    assert story.first_day == date(2026, 11, 25)


HOURS_LADDER = Path("tests/fixtures/specs/differential/hours_ladder_over_a_weekend.yaml")


def test_a_run_cut_short_at_nine_is_dated_late_in_the_working_day():
    """A 24-hour level that goes up to itself, beside a weekly panel (so the loop closes
    only after a whole week). Escalating at 09:00 on a Friday, or on Christmas Eve, the
    24 hours end on a day off and the limit is due at once, so the run the checker found
    (one working day per level) never happens at 09:00; at 23:00 on the Sunday, still
    Friday's working day, it does. Found by the budget fuzz test under CI; it was unknown."""
    spec = load_spec(HOURS_LADDER)
    report = run_verify(
        [spec],
        properties=("escalation_terminates",),
        limits=Limits(),
        progress=False,
        start=date(2026, 12, 21),
        jobs=1,
    )
    (result,) = report.results
    assert result.verdict is Verdict.VIOLATED, result.reason
    assert result.trace is not None
    assert result.trace.loop_start is not None
    assert any("late in their working day" in note for note in result.assumptions)
    model = ExplicitModel(spec, result.reading)
    assert replay(model, result.trace).ok
    prop = spec.property_by_id("escalation_terminates")
    assert violation_shown(model, prop, result.trace) is None
    assert result.dated_from == date(2026, 12, 21)
