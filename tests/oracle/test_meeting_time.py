"""A meeting with a time of day sits from it (issue 16): the example's TAM and
Buckinghamshire's CTM sit on Wednesdays at 14:00, so a step at them is refused at 13:59
and accepted at 14:00, checker traces are dated with the step at 14:00, and a system
that ignores the time is caught by the directed runs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import attrs

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.oracle.abstract import trace_of
from stepcheck.oracle.calendar_rules import sittings_of
from stepcheck.oracle.edges import early_sitting_runs
from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.explain import explain
from stepcheck.oracle.machine import Finding
from stepcheck.oracle.replay_simulate import simulate
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.oracle.search import reach_of
from stepcheck.oracle.strategies import Jump, Wait, jumped
from stepcheck.oracle.testing import check_system
from stepcheck.oracle.types import Accepted, CaseView, Rejected, Reply
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Cadence, CadenceKind, ProtocolSpec, Reading

EXAMPLE = load_spec(Path("tests/fixtures/specs/valid/example.yaml"))
WEEKLY = load_spec(Path("tests/fixtures/specs/explore/weekly_meeting.yaml"))
BUCKINGHAMSHIRE = load_spec(Path("spec/authorities/buckinghamshire.yaml"))
MONDAY = datetime(2026, 12, 7, 9, 0)


def _awaiting_tam(executor: Executor, at: datetime = MONDAY) -> Case:
    result = executor.apply(executor.start(at=at), "request_step_up", at=at)
    assert isinstance(result, Accepted)
    return result.case


def test_a_step_at_the_tam_is_refused_at_1359_and_accepted_at_1400():
    """On Wed 9 Dec 2026 the TAM sits from 14:00: a minute before, its step is refused
    with a reason that gives both times; at 14:00 it is accepted."""
    executor = Executor(EXAMPLE)
    case = _awaiting_tam(executor)

    early = executor.apply(case, "tam_accepts", at=datetime(2026, 12, 9, 13, 59))
    on_time = executor.apply(case, "tam_accepts", at=datetime(2026, 12, 9, 14, 0))

    assert isinstance(early, Rejected)
    assert [(r.kind, r.reason) for r in early.refusals] == [
        ("meeting", "'tam' sits at 14:00 on Wed 9 Dec 2026; the step was at 13:59")
    ]
    assert early.refusals[0].citations[0].rule == "EV-01"
    assert isinstance(on_time, Accepted)
    assert "tam" in on_time.case.held


def test_a_sitting_a_bank_holiday_moved_sits_from_the_same_time():
    """New Year's Day 2025 is a Wednesday: the TAM sits on Thu 2 Jan 2025, from 14:00."""
    executor = Executor(EXAMPLE)
    case = _awaiting_tam(executor, datetime(2024, 12, 30, 9, 0))

    early = executor.apply(case, "tam_accepts", at=datetime(2025, 1, 2, 13, 59))
    on_time = executor.apply(case, "tam_accepts", at=datetime(2025, 1, 2, 14, 0))

    assert isinstance(early, Rejected)
    assert early.refusals[0].reason == (
        "'tam' sits at 14:00 on Thu 2 Jan 2025; the step was at 13:59"
    )
    assert on_time.accepted


def test_a_meeting_without_a_time_sits_the_whole_day():
    """The weekly panel gives no time: its step is accepted at 00:00 on a Wednesday."""
    executor = Executor(WEEKLY)

    result = executor.apply(executor.start(at=MONDAY), "decide", at=datetime(2026, 12, 9))

    assert result.accepted


def test_sittings_answer_by_day_and_time():
    """`sits` asks about the day, `sits_at` about the moment, `earliest` moves to the time."""
    ctm = sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2, time="14:00"))
    assert ctm is not None

    assert ctm.sits(date(2026, 12, 23))
    assert not ctm.sits_at(datetime(2026, 12, 23, 13, 59, 59))
    assert ctm.sits_at(datetime(2026, 12, 23, 14, 0))
    assert not ctm.sits_at(datetime(2026, 12, 24, 15, 0))
    assert ctm.earliest(datetime(2026, 12, 23, 9, 0)) == datetime(2026, 12, 23, 14, 0)


def test_the_next_meeting_jump_lands_at_its_time():
    """From Wednesday morning the next CTM is that afternoon; from the afternoon, next week."""
    ctm = sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2, time="14:00"))
    wait = Wait(Jump.NEXT_MEETING, "ctm")

    assert jumped(datetime(2026, 12, 9, 9, 0), wait, lambda _m: ctm) == datetime(2026, 12, 9, 14)
    assert jumped(datetime(2026, 12, 9, 15, 0), wait, lambda _m: ctm) == datetime(2026, 12, 16, 14)


def test_the_oracle_explains_an_accepted_step_with_the_meeting_time():
    """A system that refused the TAM's step at 14:05 is told the TAM sits from 14:00."""
    executor = Executor(EXAMPLE)
    case = _awaiting_tam(executor)
    at = datetime(2026, 12, 9, 14, 5)
    accepted = executor.apply(case, "tam_accepts", at=at)
    finding = Finding(
        status="early_help",
        start=MONDAY,
        steps=(("request_step_up", MONDAY), ("tam_accepts", at)),
        differences=("accepted: system False, oracle True",),
        system_view=case.view,
        oracle_view=accepted.view,
        system_accepted=False,
        oracle_accepted=True,
    )

    lines = explain(EXAMPLE, finding)

    assert "    - 'tam' sits on Wed 9 Dec 2026 from 14:00, and the step was at 14:05" in lines


def test_a_dated_buckinghamshire_story_takes_the_ctm_at_1400():
    """A run to a CTM decision, as the checker would give it (days only), is dated with the
    CTM's step at 14:00 on a Wednesday and the rest at 09:00; it replays in the explorer."""
    executor = Executor(BUCKINGHAMSHIRE)
    reach = reach_of(BUCKINGHAMSHIRE, Reading.MUST, (), 400)
    run = next(r for r in reach.taken if r.steps and r.steps[-1][0] == "ctm_confirms_step_up")
    first = executor.start(at=run.start, status=run.status)
    results, case = [], first
    for step, at in run.steps:
        result = executor.apply(case, step, at=at)
        assert isinstance(result, Accepted)
        results.append(result)
        case = result.case
    trace = trace_of(executor, first, results)

    found = date_trace(
        BUCKINGHAMSHIRE, trace, reading=Reading.MUST, start=date(2026, 12, 1), comply=True
    )

    assert isinstance(found, Retimed), found
    ctm = [s.at for s in found.steps if s.step == "ctm_confirms_step_up"]
    assert len(ctm) == 1
    assert ctm[0].weekday() == 2
    assert ctm[0].time() >= datetime(2026, 1, 1, 14).time()
    assert replay(ExplicitModel(BUCKINGHAMSHIRE), found.trace).ok


def test_every_step_at_the_ctm_is_probed_a_minute_before_it_sits():
    """Each CTM step the search takes gets a run probing it at 13:59 on a sitting day
    (the oracle refuses it) and a run taking it at 14:00 (the oracle accepts it)."""
    executor = Executor(BUCKINGHAMSHIRE)
    reach = reach_of(BUCKINGHAMSHIRE, Reading.MUST, (), 400)

    runs = early_sitting_runs(executor, reach.taken)

    probed = {probe for run in runs for probe in run.probes}
    assert "ctm_confirms_step_up" in probed
    for run in runs:
        case = executor.start(at=run.start, status=run.status)
        for step, at in run.steps:
            result = executor.apply(case, step, at=at)
            assert result.accepted, (step, at)
            case = result.case
        if run.probes:
            assert run.at is not None
            assert (run.at.weekday(), run.at.hour, run.at.minute) == (2, 13, 59)
            assert not executor.apply(case, run.probes[0], at=run.at).accepted
        else:
            assert run.steps[-1][1].time() == datetime(2026, 1, 1, 14).time()


class _IgnoresTheTime:
    """The oracle itself with the TAM's time of day dropped from the spec: a system whose
    TAM takes decisions all day on Wednesdays."""

    def __init__(self, spec: ProtocolSpec) -> None:
        self.executor = Executor(_untimed(spec))
        self.case: Case | None = None

    def start(self, *, status: str, at: datetime) -> CaseView:
        self.case = self.executor.start(at=at, status=status)
        return self.case.view

    def apply(self, step: str, *, at: datetime) -> Reply:
        assert self.case is not None
        result = self.executor.apply(self.case, step, at=at)
        self.case = result.case
        return Reply(accepted=result.accepted, view=result.view)

    def close(self) -> None:
        self.case = None


def _untimed(spec: ProtocolSpec) -> ProtocolSpec:
    meetings = tuple(
        attrs.evolve(m, cadence=attrs.evolve(m.cadence, time=None)) for m in spec.meetings
    )
    return attrs.evolve(spec, meetings=meetings)


def test_a_system_that_ignores_the_meeting_time_is_caught():
    """The directed runs alone (no random cases) find the TAM step the system accepts at 13:59."""
    outcome = check_system(EXAMPLE, lambda: _IgnoresTheTime(EXAMPLE), examples=1, seed=1)

    assert not outcome.agrees
    assert outcome.finding is not None
    step, at = outcome.finding.steps[-1]
    assert step.startswith("tam_")
    assert (at.hour, at.minute) == (13, 59)
    assert outcome.finding.system_accepted is True
    assert outcome.finding.oracle_accepted is False


def test_the_time_free_system_agrees_with_itself_as_spec():
    """The same system checked against the spec without the time finds nothing: the
    finding above is the time and nothing else."""
    untimed = _untimed(EXAMPLE)

    outcome = check_system(untimed, lambda: _IgnoresTheTime(EXAMPLE), examples=5, seed=1)

    assert outcome.agrees, outcome.report


def test_simulated_logs_take_ctm_steps_from_1400():
    """Every CTM step in a simulated Buckinghamshire log is on a sitting day from 14:00."""
    ctm = {event.id for event in BUCKINGHAMSHIRE.events if event.at == "ctm"}
    sittings = Executor(BUCKINGHAMSHIRE).index.sittings["ctm"]

    rows = [row for row in simulate(BUCKINGHAMSHIRE, cases=40, seed=3).rows if row.event in ctm]

    assert rows
    assert all(sittings.sits_at(row.local) for row in rows)
