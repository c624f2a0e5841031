"""Dating checker traces: the earliest real start from which the executor replays them."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from pathlib import Path

import attrs
import pytest

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.oracle.abstract import abstract_state, trace_of
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import NotRealised, Realised, realise
from stepcheck.oracle.types import Accepted
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.trace import StepKind, Trace, TraceStep
from stepcheck.spec.workdays import next_working_day

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
AUTHORITIES = sorted(Path("spec/authorities").glob("*.yaml"))


def _run(executor: Executor, start: datetime, plan: list[tuple[str, datetime]]) -> Trace:
    first = executor.start(at=start)
    case, accepted = first, []
    for step, at in plan:
        result = executor.apply(case, step, at=at)
        assert isinstance(result, Accepted), getattr(result, "refusals", None)
        accepted.append(result)
        case = result.case
    return trace_of(executor, first, accepted)


def _christmas_trace(executor: Executor) -> Trace:
    return _run(
        executor,
        datetime(2026, 12, 21, 9),
        [
            ("request_step_up", datetime(2026, 12, 22, 9)),
            ("tam_accepts", datetime(2026, 12, 30, 14)),  # the TAM sits at 14:00
            ("allocate", datetime(2027, 1, 4, 9)),
        ],
    )


def test_a_dated_run_is_realised_on_its_own_start_date():
    """The trace of a run from Mon 21 Dec 2026, searched from that day, is dated that day."""
    spec = load_spec(EXAMPLE)
    executor = Executor(spec)
    trace = _christmas_trace(executor)

    found = realise(spec, trace, reading=Reading.MUST, start=date(2026, 12, 21))

    assert isinstance(found, Realised)
    assert found.start == date(2026, 12, 21)
    assert [s.at for s in found.steps if s.kind is StepKind.EVENT] == [
        datetime(2026, 12, 22, 9),
        datetime(2026, 12, 30, 14),
        datetime(2027, 1, 4, 9),
    ]
    assert replay(ExplicitModel(spec), trace).ok


def test_the_earliest_matching_start_is_found():
    """Searched from a year before, the same trace is dated on an earlier, equivalent Monday."""
    spec = load_spec(EXAMPLE)
    trace = _christmas_trace(Executor(spec))

    found = realise(spec, trace, reading=Reading.MUST, start=date(2025, 12, 1))

    assert isinstance(found, Realised)
    assert date(2025, 12, 1) <= found.start <= date(2026, 12, 21)
    assert found.start.weekday() == 0


def test_a_timer_value_the_calendar_never_gives_is_reported():
    """A 2-working-day deadline started at 1 never happens: the mismatch names step and field."""
    spec = load_spec(EXAMPLE)
    trace = _christmas_trace(Executor(spec))
    accept_index = next(i for i, s in enumerate(trace.steps) if s.name == "tam_accepts")
    steps = list(trace.steps)
    steps[accept_index] = attrs.evolve(
        steps[accept_index],
        state={**steps[accept_index].state, "deadline:allocate_within_two_days": 1},
    )

    found = realise(
        spec,
        Trace(initial=trace.initial, steps=tuple(steps)),
        reading=Reading.MUST,
        start=date(2026, 1, 1),
        horizon_days=120,
    )

    assert isinstance(found, NotRealised)
    assert found.searched == (date(2026, 1, 1), date(2026, 4, 30))
    assert found.mismatch is not None
    assert (found.mismatch.index, found.mismatch.field) == (
        accept_index,
        "deadline:allocate_within_two_days",
    )
    assert (found.mismatch.expected, found.mismatch.actual) == (1, 2)


def test_a_step_the_executor_refuses_is_reported():
    """A step whose guard fails from every start is reported as refused, with the reason."""
    spec = load_spec(EXAMPLE)
    executor = Executor(spec)
    first = executor.start(at=datetime(2026, 12, 21, 9))
    state = abstract_state(executor, first)
    trace = Trace(
        initial=state,
        steps=(TraceStep(kind=StepKind.EVENT, name="step_down", day=0, state=state),),
    )

    found = realise(spec, trace, reading=Reading.MUST, start=date(2026, 12, 21), horizon_days=10)

    assert isinstance(found, NotRealised)
    assert found.mismatch is not None
    assert (found.mismatch.index, found.mismatch.field) == (0, "step")
    assert "must guard 'consent' does not hold" in str(found.mismatch.actual)


def test_a_lasso_needs_a_start_where_its_loop_really_closes():
    """A loop of five ticks round a weekly meeting closes only in a week without bank holidays."""
    spec = load_spec(EXAMPLE)
    executor = Executor(spec)
    start = datetime(2027, 3, 22, 9)  # the Monday before Easter: that week's loop does not close
    case = executor.start(at=start)
    for _ in range(5):
        case = executor.advance(case, datetime.combine(next_working_day(case.now.date()), time(9)))
    closing = abstract_state(executor, case)
    regular_week = [
        TraceStep(
            kind=StepKind.TICK,
            name=None,
            day=i + 1,
            state={**closing, "phase:tam": (closing["phase:tam"] + i + 1) % 5},
        )
        for i in range(5)
    ]
    lasso = Trace(initial=closing, steps=tuple(regular_week), loop_start=0)

    found = realise(spec, lasso, reading=Reading.MUST, start=start.date())

    assert replay(ExplicitModel(spec), lasso).ok
    assert isinstance(found, Realised)
    assert found.start > date(2027, 3, 29)


@pytest.mark.parametrize("path", AUTHORITIES, ids=lambda p: p.stem)
def test_random_runs_of_each_authority_are_realised(path):
    """Random dated runs of each shipped authority are realised from the day they started."""
    spec = load_spec(path)
    executor = Executor(spec)
    rng = random.Random(path.stem)
    sittings = executor.index.sittings.values()
    for _ in range(3):
        day = date.fromordinal(date(2026, 1, 1).toordinal() + rng.randrange(730))
        day = next_working_day(day)
        first = case = executor.start(at=datetime.combine(day, time(9)))
        accepted = []
        for _ in range(30):
            if rng.random() < 0.3:
                case = executor.advance(
                    case, datetime.combine(next_working_day(case.now.date()), time(9))
                )
                continue
            sitting = max([case.now, *(s.earliest(case.now) for s in sittings)])
            if sitting > case.now and rng.random() < 0.5:  # Buckinghamshire's CTM at 14:00
                case = executor.advance(case, sitting)
            enabled = executor.enabled(case)
            if not enabled:
                continue
            result = executor.apply(case, rng.choice(enabled), at=case.now)
            assert isinstance(result, Accepted)
            accepted.append(result)
            case = result.case
        trace = trace_of(executor, first, accepted)

        found = realise(
            spec, trace, reading=Reading.MUST, start=day, executor=executor, horizon_days=1
        )

        assert isinstance(found, Realised), found
