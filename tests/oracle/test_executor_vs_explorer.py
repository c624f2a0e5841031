"""The reference executor against the explicit explorer, on random specs, in both directions.

Executor to explorer: a random dated run of the executor (random times, weekends,
Christmas and Easter included; random steps, mostly enabled ones, some refused) is mapped to the
checker's trace (`oracle.abstract.trace_of`) and must replay in the explorer. A run
stops where the explorer would not let a working day pass: the checker assumes
people comply with a due deadline or limit (a blocked tick), which the executor does
not enforce. A step the executor rejects must be missing from the explorer too,
unless every reason is one where the concrete calendar is stricter than whole
working days (a meeting on a day it does not sit, though its working day's phase is
0; a `not_before` due date on a weekend).

Explorer to executor: a random path of the explorer, realisable by construction:
every step the explorer offers must be accepted by the executor (or refused only
where the calendar is stricter, as above; such a step is not taken), a label is
chosen at random among the accepted ones, and among the states it leads to in the
explorer, the one the real calendar gives (timer start values and meeting sittings
are the executor's) must exist. Every step is at 09:00 (a step at a meeting that
sits from 14:00, and the day's later steps, at 14:00) and a tick moves to the next
working day. The path must then be realised by `oracle.realise.realise`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies.specs import small_specs

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.oracle.abstract import abstract_state, step_label, trace_of
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import Realised, realise, sitting_moment
from stepcheck.oracle.types import Accepted, Rejected
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.readings import tier_readings
from stepcheck.spec.trace import StepKind, Trace, TraceStep
from stepcheck.spec.workdays import is_working_day, next_working_day, working_days_between

READINGS = st.sampled_from([Reading.MUST, Reading.SHOULD])
_STRICTER = frozenset({"meeting", "not_before"})
# Starts near awkward dates: Christmas, Easter 2027 (26-29 March), and an ordinary week.
_HOT_STARTS = (date(2026, 12, 23), date(2027, 3, 24), date(2026, 6, 5), date(2025, 12, 31))


def _a_reading(text: str, data: st.DataObject) -> ProtocolSpec:
    """The spec, or one of its tier readings where it leaves a tier open: the executor
    and the explorer each follow one reading. Its periodic meeting may sit from 14:00,
    which the executor honours and the explorer, counting days, cannot see."""
    spec = load_spec_text(text, "<random>")
    if data.draw(st.booleans()):
        spec = _timed(spec)
    readings = tier_readings(spec)
    if not readings:
        return spec
    event("a tier left open: one reading")
    return data.draw(st.sampled_from(readings)).spec


def _timed(spec: ProtocolSpec) -> ProtocolSpec:
    """`spec` with each meeting that sits on a weekday sitting from 14:00."""
    if not any(meeting.cadence.weekday is not None for meeting in spec.meetings):
        return spec
    event("a meeting with a time of day")
    meetings = tuple(
        attrs.evolve(m, cadence=attrs.evolve(m.cadence, time="14:00"))
        if m.cadence.weekday is not None
        else m
        for m in spec.meetings
    )
    return attrs.evolve(spec, meetings=meetings)


@st.composite
def _starts(draw: st.DrawFn) -> datetime:
    base = draw(st.sampled_from(_HOT_STARTS) | st.dates(date(2001, 1, 1), date(2099, 12, 1)))
    return datetime.combine(base, time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=small_specs(unsaid=True), reading=READINGS, start=_starts(), data=st.data())
def test_executor_runs_replay_in_the_explorer(text, reading, start, data):
    """Every dated run of the executor, as a checker trace, is a run of the explorer."""
    spec = _a_reading(text, data)
    executor, model = Executor(spec, reading), ExplicitModel(spec, reading)
    first = executor.start(at=start, status=data.draw(st.sampled_from(_initial(spec))))
    case, accepted = first, []
    for _ in range(data.draw(st.integers(1, 25))):
        at = case.now + timedelta(hours=data.draw(st.sampled_from([0, 0, 1, 7, 24, 50, 75, 170])))
        if not _can_wait(model, executor, case, at):
            break
        enabled = executor.enabled(case, at)
        choices = enabled if enabled and data.draw(st.integers(0, 3)) else executor.steps
        step = data.draw(st.sampled_from(choices))
        result = executor.apply(case, step, at=at)
        if isinstance(result, Accepted):
            accepted.append(result)
        else:
            _check_rejection(model, executor, result, step)
        case = result.case
    trace = trace_of(executor, first, accepted)
    event(
        f"accepted steps: {min(len(accepted) // 5 * 5, 20)}+, working days: {min(trace.days, 5)}+"
    )

    outcome = replay(model, trace)

    assert outcome.ok, (outcome, trace.steps[outcome.index] if outcome.index is not None else None)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=small_specs(unsaid=True), reading=READINGS, start=_starts(), data=st.data())
def test_explorer_paths_are_realised_by_the_executor(text, reading, start, data):
    """A random explorer path that follows the real calendar replays in the executor."""
    spec = _a_reading(text, data)
    executor, model = Executor(spec, reading), ExplicitModel(spec, reading)
    day = start.date() if is_working_day(start.date()) else next_working_day(start.date())
    first = executor.start(
        at=datetime.combine(day, time(9)), status=data.draw(st.sampled_from(_initial(spec)))
    )
    case, state = first, abstract_state(executor, first)
    assert state in model.initial_states()
    steps, days = [], 0
    for _ in range(data.draw(st.integers(1, 25))):
        successors = model.successors(state)
        labels = sorted({label for label, _ in successors}, key=str)
        taken = {}
        for label in labels:
            if label[0] is not StepKind.TICK:  # at a timed meeting's time, as when dating
                name = _step_name(label)
                taken[label] = executor.apply(
                    case, name, at=sitting_moment(executor, name, case.now)
                )
        for label, result in taken.items():
            if isinstance(result, Rejected):
                assert {r.kind for r in result.refusals} <= _STRICTER, (label, result.refusals)
        possible = [label for label in labels if label not in taken or taken[label].accepted]
        if not possible:
            break
        label = data.draw(st.sampled_from(possible))
        if label[0] is StepKind.TICK:
            days += 1
            case = executor.advance(
                case, datetime.combine(next_working_day(case.now.date()), time(9))
            )
        else:
            case = taken[label].case
        state = abstract_state(executor, case)
        assert state in [after for found, after in successors if found == label], (label, state)
        steps.append(TraceStep(kind=label[0], name=label[1], day=days, state=state))
    trace = Trace(initial=abstract_state(executor, first), steps=tuple(steps))
    event(f"steps: {len(steps) // 5 * 5}+, working days: {min(days, 5)}+")

    found = realise(spec, trace, reading=reading, start=day, executor=executor, horizon_days=1)

    assert isinstance(found, Realised), found
    assert found.start == day


def _initial(spec):
    return [status.id for status in spec.initial_statuses]


def _step_name(label):
    kind, name = label
    return name if kind is StepKind.EVENT else f"{kind.value}:{name}"


def _can_wait(model, executor, case, at):
    """Whether the explorer lets every working day pass from `case.now` until `at`."""
    for _ in range(working_days_between(case.now, at)):
        labels = {label for label, _ in model.successors(abstract_state(executor, case))}
        if (StepKind.TICK, None) not in labels:
            return False
        midnight = datetime.combine(next_working_day(case.now.date()), time())
        case = executor.advance(case, midnight)
    return True


def _check_rejection(model, executor, result, step):
    """A rejected step is not a step of the explorer either, unless the calendar is stricter."""
    before = abstract_state(executor, result.case)
    offered = step_label(step) in {label for label, _ in model.successors(before)}
    if offered:
        kinds = {refusal.kind for refusal in result.refusals}
        assert kinds <= _STRICTER, (step, result.refusals)


_IN_WINDOW_CONDITION = """\
stepcheck: 1
authority: {id: inline, name: Inline}
documents: {doc: {title: Inline protocol}}
teams: {t0: {name: Team}}
owners:
  o0: {kind: allocated, team: t0}
statuses:
  s0: {tier: cin, owner: o0, initial: true}
events:
  e0: {kind: other, from: any}
deadlines:
  d0:
    within: 2 working days
    anchor: e0
    obligation: e0
    consequence: unspecified
    condition: "in_window(r0)"
rereferrals:
  r0: {window: 2 working days, anchor: e0, event: e0, route_to: previous}
properties:
  no_unowned_case: {}
"""


def test_deadline_condition_reads_in_window_before_the_step_in_both():
    """SEMANTICS, Fine points: `in_window` in a condition reads the state before the step."""
    spec = load_spec_text(_IN_WINDOW_CONDITION, "<inline>")
    executor, model = Executor(spec), ExplicitModel(spec)
    first = executor.start(at=datetime(2026, 12, 1, 9))
    result = executor.apply(first, "e0", at=first.now)
    assert isinstance(result, Accepted)

    outcome = replay(model, trace_of(executor, first, [result]))

    assert outcome.ok, outcome
