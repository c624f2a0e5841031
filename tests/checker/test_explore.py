"""The explicit explorer: hand-worked verdicts on small specs, and replay of every trace.

Each fixture in `tests/fixtures/specs/explore/` says in its header how its verdicts
and bounds were worked out by hand from `spec/SEMANTICS.md`.
"""

from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from strategies.specs import MISSION_PROPERTIES, small_specs

from stepcheck.checker.explore import (
    ExplicitModel,
    ReplayResult,
    StateSpaceTooLarge,
    complete_lasso,
    explicit_verdict,
    replay,
)
from stepcheck.checker.results import Verdict
from stepcheck.checker.watched import kind_watched, moves_team, team_of
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Modality, PropertyKind, Reading
from stepcheck.spec.trace import StepKind, Trace, TraceStep

EXPLORE = Path("tests/fixtures/specs/explore")
EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
TICK = (StepKind.TICK, None)


def _model(name, reading=Reading.MUST):
    return ExplicitModel(load_spec(EXPLORE / f"{name}.yaml"), reading)


def _verdict(name, property_id, reading=Reading.MUST):
    model = _model(name, reading)
    return explicit_verdict(model, model.spec.property_by_id(property_id))


def _story(trace):
    return [(step.kind, step.name, step.day) for step in trace.steps]


def _event(name):
    return (StepKind.EVENT, name)


def _walk(model, *labels, start=None):
    """The state reached from `start` (the only initial state) by the one step of each label."""
    state = start if start is not None else _only(model.initial_states())
    for label in labels:
        state = _only([after for found, after in model.successors(state) if found == label])
    return state


def _only(items):
    assert len(items) == 1, items
    return items[0]


def _labels(model, state):
    return {label for label, _ in model.successors(state)}


# -- states -----------------------------------------------------------------------------


def test_initial_states_use_the_trace_names_and_every_meeting_phase():
    """A state has exactly the documented names; a weekly meeting starts in any phase 0..4."""
    model = ExplicitModel(load_spec(EXAMPLE))

    states = model.initial_states()

    assert set(states[0]) == {
        "status",
        "owner",
        "co_owner",
        "previous_owner",
        "var:consent",
        "var:referrals",
        "held",
        "deadline:allocate_within_two_days",
        "dispute:allocation_dispute",
        "level_timer:allocation_dispute",
        "dispute_timer:allocation_dispute",
        "window:back_within_three_months",
        "window_owner:back_within_three_months",
        "phase:tam",
    }
    assert sorted(state["phase:tam"] for state in states) == [0, 1, 2, 3, 4]
    assert {(s["status"], s["owner"], s["co_owner"], s["held"]) for s in states} == {
        ("early_help", "fs_worker", "none", ())
    }


def test_initial_status_without_an_owner_starts_unspecified():
    """A case starting in a status that names no owner has the `unspecified` owner."""
    text = (EXPLORE / "deadline_compliance.yaml").read_text(encoding="utf-8")
    spec = load_spec_text(text.replace("new: {tier: cin, owner: worker,", "new: {tier: cin,"))

    state = _only(ExplicitModel(spec).initial_states())

    assert state["owner"] == "unspecified"


def test_successors_reject_a_state_of_another_spec():
    """A named state must have exactly the spec's names."""
    model = _model("deadline_compliance")

    with pytest.raises(ValueError, match="missing"):
        model.successors({"status": "new"})


# -- deadlines and meetings ---------------------------------------------------------------


def test_due_deadline_blocks_the_tick_while_its_obligation_is_enabled():
    """At r = 0 with `finish` enabled the actors comply: the only step is `finish`."""
    model = _model("deadline_compliance")

    due = _walk(model, _event("start"), TICK, TICK)

    assert due["deadline:finish_soon"] == 0
    assert _labels(model, due) == {_event("finish")}


def test_deadline_that_cannot_be_met_becomes_overdue():
    """With `finish` disabled the days pass regardless and the deadline goes overdue."""
    verdict = _verdict("deadline_missed", "never_overdue")

    assert verdict.verdict is Verdict.VIOLATED
    assert _story(verdict.trace) == [
        (StepKind.EVENT, "start", 0),
        (StepKind.TICK, None, 1),
        (StepKind.TICK, None, 2),
        (StepKind.TICK, None, 3),
    ]
    assert verdict.trace.final["deadline:finish_soon"] == -1


def test_met_deadline_keeps_the_invariant_and_bounds_the_wait():
    """The complied deadline is never overdue, and `waiting` lasts at most 2 working days."""
    never_overdue = _verdict("deadline_compliance", "never_overdue")
    within = _verdict("deadline_compliance", "finished_within_two_days")
    eventually = _verdict("deadline_compliance", "finished_eventually")

    assert (never_overdue.verdict, never_overdue.bound) == (Verdict.PROVED, None)
    assert (within.verdict, within.bound) == (Verdict.PROVED, 2)
    assert (eventually.verdict, eventually.bound) == (Verdict.PROVED, 2)


def test_response_within_too_short_a_limit_ends_on_the_first_day_over():
    """A 1-day limit fails after two ticks in `waiting`: k = 2 > 1."""
    verdict = _verdict("deadline_compliance", "finished_within_one_day")

    assert verdict.verdict is Verdict.VIOLATED
    assert _story(verdict.trace) == [
        (StepKind.EVENT, "start", 0),
        (StepKind.TICK, None, 1),
        (StepKind.TICK, None, 2),
    ]
    assert verdict.trace.final["status"] == "waiting"


def test_response_that_may_never_come_is_violated_by_a_lasso():
    """Once overdue, `waiting` can last for ever: a tick loop closes the trace."""
    verdict = _verdict("deadline_missed", "finished_eventually")

    trace = verdict.trace
    assert verdict.verdict is Verdict.VIOLATED
    assert [kind for kind, _, _ in _story(trace)] == [StepKind.EVENT] + [StepKind.TICK] * 4
    assert trace.loop_start == 4
    assert trace.final == trace.state_before(4)


def test_not_before_deadline_holds_the_obligation_back():
    """`close_case` waits until the minimum wait has run; the clock stops at 0."""
    model = _model("not_before")

    settled = _walk(model, _event("settle"))
    waited = _walk(model, TICK, TICK, start=settled)
    later = _walk(model, TICK, start=waited)

    assert _event("close_case") not in _labels(model, settled)
    assert _event("close_case") in _labels(model, waited)
    assert (waited["deadline:cooling_off"], later["deadline:cooling_off"]) == (0, 0)
    assert _story(_verdict("not_before", "closed_within_a_day").trace) == [
        (StepKind.EVENT, "settle", 0),
        (StepKind.TICK, None, 1),
        (StepKind.TICK, None, 2),
    ]


def test_recurring_deadline_restarts_when_met_and_stops_when_its_status_is_left():
    """Entering the tray starts the clock; a review restarts it; allocation stops it."""
    model = _model("recurring_review")

    parked = _walk(model, _event("park"))
    due = _walk(model, TICK, start=parked)
    reviewed = _walk(model, _event("review"), start=due)
    allocated = _walk(model, _event("allocate"), start=due)

    assert (parked["deadline:daily_review"], due["deadline:daily_review"]) == (1, 0)
    assert TICK not in _labels(model, due)
    assert reviewed["deadline:daily_review"] == 1
    assert allocated["deadline:daily_review"] is None


def test_weekly_meeting_sits_at_most_every_five_working_days():
    """The phase runs 0..4; from 4 the next day must be a sitting; never two days
    running (a Wednesday meeting sits at least 3 working days apart); events `at` it need
    phase 0."""
    model = _model("weekly_meeting")
    by_phase = {state["phase:panel"]: state for state in model.initial_states()}

    next_phases = {
        phase: sorted(
            after["phase:panel"] for label, after in model.successors(state) if label == TICK
        )
        for phase, state in by_phase.items()
    }

    assert next_phases == {0: [1], 1: [2], 2: [0, 3], 3: [0, 4], 4: [0]}
    assert [
        phase for phase, state in by_phase.items() if _event("decide") in _labels(model, state)
    ] == [0]


# -- re-referrals and readings ------------------------------------------------------------


def test_rereferral_in_the_window_routes_back_to_the_previous_owner():
    """Inside the window `rerefer` returns the case to the owner recorded at closure."""
    model = _model("rereferral", Reading.SHOULD)

    closed = _walk(model, _event("close_case"))
    returned = _walk(model, _event("rerefer"), start=closed)
    late = _walk(model, TICK, TICK, TICK, _event("rerefer"), start=closed)

    assert (closed["window:quick_return"], closed["window_owner:quick_return"]) == (2, "worker")
    assert (closed["owner"], closed["previous_owner"]) == ("none", "worker")
    assert (returned["owner"], returned["previous_owner"]) == ("worker", "none")
    assert late["owner"] == "intake_tray"


@pytest.mark.parametrize(
    ("reading", "story"),
    [
        (Reading.MUST, ["close_case", "rerefer"]),
        (Reading.SHOULD, ["close_case", None, None, None, "rerefer"]),
    ],
    ids=["must", "should"],
)
def test_should_rule_binds_only_under_the_should_reading(reading, story):
    """The should-rule re-referral keeps the case owned only while its window is open."""
    verdict = _verdict("rereferral", "no_unowned_case", reading)

    assert verdict.verdict is Verdict.VIOLATED
    assert [name for _, name, _ in _story(verdict.trace)] == story


def test_should_guard_on_step_down_binds_only_under_the_should_reading():
    """Under must the step down needs no meeting (a one-step trace); under should it does."""
    must = _verdict("step_down", "cp_step_down_requires_meeting", Reading.MUST)
    should = _verdict("step_down", "cp_step_down_requires_meeting", Reading.SHOULD)

    assert must.verdict is Verdict.VIOLATED
    assert _story(must.trace) == [(StepKind.EVENT, "step_down", 0)]
    assert (should.verdict, should.bound) == (Verdict.PROVED, None)


@pytest.mark.parametrize(
    ("property_id", "story"),
    [
        ("care_needs_handover", [(StepKind.EVENT, "move_to_care", 0)]),
        ("support_needs_handover", None),
    ],
)
def test_to_tiers_names_the_tiers_a_step_down_goes_to(property_id, story):
    """With `to_tiers`, a move to a named tier is a step down (even cp to cla, equal in
    rank) and a move to any other tier is not."""
    verdict = _verdict("step_down", property_id, Reading.SHOULD)

    assert (_story(verdict.trace) if verdict.trace else None) == story


# -- escalations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("property_id", "bound"),
    [("escalation_terminates", 3), ("slow_ends", 3), ("quick_ends", 1)],
)
def test_escalation_with_every_limit_specified_ends_within_the_exact_bound(property_id, bound):
    """Level limits 2 + 1 give 3 working days; a 1-day whole-dispute limit gives 1."""
    verdict = _verdict("escalation_bounded", property_id)

    assert (verdict.verdict, verdict.bound, verdict.trace) == (Verdict.PROVED, bound, None)


def test_escalation_with_an_unspecified_limit_can_stay_open_for_ever():
    """At the level with no limit, days pass without a decision: a lasso on one tick."""
    verdict = _verdict("escalation_unbounded", "escalation_terminates")

    trace = verdict.trace
    assert verdict.verdict is Verdict.VIOLATED
    assert _story(trace) == [
        (StepKind.EVENT, "disagree", 0),
        (StepKind.ESCALATE, "dispute", 0),
        (StepKind.TICK, None, 1),
    ]
    assert trace.loop_start == 2
    assert trace.final["dispute:dispute"] == "head_decides"


def test_state_space_past_the_limit_is_refused():
    """The explorer stops with `StateSpaceTooLarge` rather than run out of memory."""
    model = ExplicitModel(load_spec(EXAMPLE))

    with pytest.raises(StateSpaceTooLarge):
        explicit_verdict(model, model.spec.property_by_id("no_unowned_case"), max_states=10)


# -- replay and lasso completion ------------------------------------------------------------


def _missed_lasso():
    model = _model("deadline_missed")
    return model, explicit_verdict(model, model.spec.property_by_id("finished_eventually")).trace


def _tampered_state(trace):
    steps = list(trace.steps)
    steps[1] = attrs.evolve(steps[1], state={**steps[1].state, "deadline:finish_soon": 0})
    return attrs.evolve(trace, steps=tuple(steps), loop_start=None)


def _wrong_day(trace):
    steps = list(trace.steps)
    steps[2] = attrs.evolve(steps[2], day=steps[2].day + 1)
    return attrs.evolve(trace, steps=tuple(steps))


def _dropped_step(trace):
    return attrs.evolve(trace, steps=trace.steps[1:], loop_start=None)


def _foreign_start(trace):
    return attrs.evolve(trace, initial={**trace.initial, "status": "waiting"})


def _open_loop(trace):
    return attrs.evolve(trace, loop_start=1)


@pytest.mark.parametrize(
    ("tamper", "index"),
    [
        (_tampered_state, 1),
        (_wrong_day, 2),
        (_dropped_step, 0),
        (_foreign_start, None),
        (_open_loop, 1),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)).strip("_"),
)
def test_replay_rejects_a_tampered_trace(tamper, index):
    """A changed state, day, step, start or loop is caught at the step where it shows."""
    model, trace = _missed_lasso()

    result = replay(model, tamper(trace))

    assert replay(model, trace).ok
    assert (result.ok, result.index) == (False, index)
    assert result.reason


def test_replay_rejects_a_loop_in_which_no_time_passes():
    """Holding the handover meeting again and again is a cycle, but not a run of days."""
    model = _model("step_down")
    met = _walk(model, _event("hold_handover"))
    again = TraceStep(kind=StepKind.EVENT, name="hold_handover", day=0, state=met)
    trace = Trace(initial=_only(model.initial_states()), steps=(again, again), loop_start=1)

    result = replay(model, trace)

    assert (result.ok, result.index) == (False, 1)
    assert "no tick" in result.reason


def test_complete_lasso_extends_a_prefix_by_a_loop_that_avoids_the_goal():
    """From `waiting`, a path and a tick loop along which `done` never comes."""
    model, trace = _missed_lasso()
    prefix = Trace(initial=trace.initial, steps=trace.steps[:1])
    goal = model.spec.property_by_id("finished_eventually").goal

    lasso = complete_lasso(model, prefix, goal)

    assert lasso.steps[:1] == prefix.steps
    assert lasso.loop_start is not None
    assert replay(model, lasso).ok
    assert not any(model.holds(goal, step.state) for step in lasso.steps)


def test_complete_lasso_finds_nothing_when_the_goal_is_forced():
    """When the deadline forces `finish`, no loop avoids `done`."""
    model = _model("deadline_compliance")
    started = _walk(model, _event("start"))
    step = TraceStep(kind=StepKind.EVENT, name="start", day=0, state=started)
    prefix = Trace(initial=_only(model.initial_states()), steps=(step,))

    lasso = complete_lasso(model, prefix, model.spec.property_by_id("finished_eventually").goal)

    assert lasso is None


# -- random specs ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs())
def test_random_specs_all_load(text):
    """Every spec the strategy draws is valid."""
    spec = load_spec_text(text, "<random>")

    assert {p.id for p in spec.properties} >= set(MISSION_PROPERTIES)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs())
def test_every_explorer_trace_replays(text):
    """Each violation's trace replays in the model and shows the violation it claims."""
    spec = load_spec_text(text, "<random>")
    for reading in _readings(spec):
        model = ExplicitModel(spec, reading)
        for prop in spec.properties:
            try:
                verdict = explicit_verdict(model, prop, max_states=5_000)
            except StateSpaceTooLarge:
                return  # rare, and too slow for this test; the rest of the spec is no smaller
            _check_evidence(model, prop, verdict)


def _readings(spec):
    """Both readings, or only `must` when no rule says `should` (the two models are then equal)."""
    rules = [*(g for e in spec.events for g in e.guards), *spec.deadlines, *spec.rereferrals]
    if any(rule.modality is Modality.SHOULD for rule in rules):
        return list(Reading)
    return [Reading.MUST]


def _check_evidence(model, prop, verdict):
    if verdict.verdict is Verdict.PROVED:
        assert verdict.trace is None
        assert (verdict.bound is None) == (prop.kind in _SAFETY)
        return
    trace = verdict.trace
    assert replay(model, trace) == ReplayResult(ok=True)
    if trace.steps:
        assert (trace.steps[0].label, trace.steps[0].state) in model.successors(trace.initial)
    lasso = prop.kind is PropertyKind.ESCALATION_TERMINATES or (
        prop.kind is PropertyKind.LEADS_TO and prop.within is None
    )
    assert (trace.loop_start is not None) == lasso
    _check_shows_violation(model, prop, trace)


def _check_shows_violation(model, prop, trace):
    """The trace's end (or loop) is what the property forbids."""
    spec, final = model.spec, trace.final
    loop = [step.state for step in trace.steps[trace.loop_start or 0 :]]
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            assert not spec.status_by_id(final["status"]).final
            assert not spec.owner_by_id(final["owner"]).responsible
        case PropertyKind.INVARIANT:
            assert not model.holds(prop.holds, final)
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
            assert trace.steps[-1].kind is StepKind.EVENT
        case PropertyKind.REQUIRES_MEETING:
            last = trace.steps[-1]
            assert last.kind is StepKind.EVENT
            assert kind_watched(prop, spec.event_by_id(last.name))
            assert spec.event_by_id(last.name).at not in prop.meetings
            if prop.between_teams:
                before = trace.state_before(len(trace.steps) - 1)
                owners = (str(before["owner"]), str(last.state["owner"]))
                assert moves_team(*(team_of(spec, owner) for owner in owners))
        case PropertyKind.LEADS_TO:
            states = loop if prop.within is None else [final]
            assert not any(model.holds(prop.goal, state) for state in states)
        case PropertyKind.ESCALATION_TERMINATES:
            ladders = [ladder.id for ladder in spec.escalations]
            assert any(all(state[f"dispute:{e}"] for state in loop) for e in ladders)


_SAFETY = {
    PropertyKind.NO_UNOWNED_CASE,
    PropertyKind.INVARIANT,
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING,
    PropertyKind.REQUIRES_MEETING,
}
