"""The story told is the shortest that still shows the problem (stepcheck/shorten.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.witness import violation_shown
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.shorten import MAX_TRIES, shortest
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.trace import StepKind, Trace, TraceStep
from stepcheck.verification import run_verify

EXAMPLE = load_spec(Path("tests/fixtures/specs/valid/example.yaml"))
START = date(2026, 12, 21)


def _verified(prop: str) -> tuple[Trace, date]:
    """The example's dated run for `prop`, as `verify` tells it, and its start date."""
    report = run_verify(
        [EXAMPLE], properties=(prop,), limits=Limits(), progress=False, start=START, jobs=1
    )
    (result,) = report.results
    assert result.trace is not None
    assert result.dated_from is not None
    return result.trace, result.dated_from


def _labels(trace: Trace) -> list[tuple[StepKind, str | None]]:
    return [step.label for step in trace.steps]


def _padded(trace: Trace, extra: int) -> Trace:
    """The run with `extra` needless "consent given" steps before its first step."""
    first = trace.steps[0]
    junk = tuple(
        TraceStep(kind=StepKind.EVENT, name="give_consent", day=0, state=trace.initial)
        for _ in range(extra)
    )
    assert first.kind is not StepKind.TICK
    loop = None if trace.loop_start is None else trace.loop_start + extra
    return Trace(initial=trace.initial, steps=(*junk, *trace.steps), loop_start=loop)


def test_needless_steps_are_dropped_and_the_shorter_run_still_fails():
    """A dispute that never ends, told after eight needless consents: the story told
    drops them all and is still a run of the model that shows the dispute open for ever."""
    trace, dated_from = _verified("escalation_terminates")
    prop = EXAMPLE.property_by_id("escalation_terminates")
    model = ExplicitModel(EXAMPLE, Reading.MUST)
    executor = Executor(EXAMPLE, Reading.MUST)
    padded = date_trace(
        EXAMPLE,
        _padded(trace, 8),
        reading=Reading.MUST,
        start=dated_from,
        comply=True,
        executor=executor,
    )
    assert isinstance(padded, Retimed)
    assert _labels(padded.trace).count((StepKind.EVENT, "give_consent")) >= 8

    def shows(run: Retimed) -> bool:
        return replay(model, run.trace).ok and violation_shown(model, prop, run.trace) is None

    assert shows(padded)
    short = shortest(EXAMPLE, padded, reading=Reading.MUST, executor=executor, shows=shows)

    assert shows(short)
    assert short.start == padded.start
    assert _labels(short.trace).count((StepKind.EVENT, "give_consent")) == 0
    assert len(short.trace.steps) <= len(trace.steps)


def test_a_run_with_nothing_to_drop_is_told_as_it_is():
    """When every step is needed, no shorter run shows the problem: the run is kept."""
    trace, dated_from = _verified("cp_step_down_requires_meeting")
    reading = Reading.MUST  # violated under the must reading only (should_only)
    executor = Executor(EXAMPLE, reading)
    found = date_trace(
        EXAMPLE,
        trace,
        reading=reading,
        start=dated_from,
        comply=True,
        executor=executor,
    )
    assert isinstance(found, Retimed)
    calls: list[int] = []

    def never(run: Retimed) -> bool:
        calls.append(1)
        return False

    kept = shortest(EXAMPLE, found, reading=reading, executor=executor, shows=never)

    assert kept is found
    assert 0 < len(calls) <= MAX_TRIES
