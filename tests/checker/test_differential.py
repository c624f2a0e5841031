"""The Z3 engines against the explicit explorer, on random small specs, in both directions.

For every property of every generated spec: the verdicts agree; a Z3 trace replays in
the explorer (it is a real path); where Z3 says proved, the explorer finds no violation;
where both prove a response property, they agree on its worst case in working days.
And the third implementation, the oracle's executor: every Z3 trace it dates on the
calendar (as `stepcheck verify` does) is a path of the explorer's model.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from strategies.specs import small_specs

from stepcheck.checker.derived import (
    derived_properties,
    eager_spec,
    holding_properties,
    with_derived,
)
from stepcheck.checker.derived_urgent import (
    question_spec,
    urgent_properties,
)
from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Budget, Limits
from stepcheck.checker.exhaustive import exhaustively
from stepcheck.checker.explore import ExplicitModel, explicit_verdict, replay
from stepcheck.checker.lasso import lasso_finder
from stepcheck.checker.properties import Decider, Outcome
from stepcheck.checker.results import Verdict
from stepcheck.checker.system import Flags
from stepcheck.checker.verify import decide_property
from stepcheck.checker.witness import violation_shown
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import Modality, Property, PropertyKind, ProtocolSpec, Reading
from stepcheck.spec.readings import tier_readings
from stepcheck.spec.trace import Trace

# The resource limit (deterministic) decides; the timeout is only a safety net, so a busy
# machine cannot turn a verdict into unknown.
_LIMITS = Limits(timeout_ms=300_000, max_depth=40)
# `make soak` raises this for a long run, with fresh draws; the normal suite runs 100
# (the gate profile draws the same ones each time: they guard against regressions, and
# the soak is what explores).
_EXAMPLES = int(os.environ.get("STEPCHECK_DIFFERENTIAL_EXAMPLES", "100"))

pytestmark = pytest.mark.slow  # minutes: started first (tests/conftest.py)
_FOUND = Path(__file__).parent.parent / "fixtures" / "specs" / "differential"


def _found(name: str) -> str:
    """A spec Hypothesis once found the engines disagreeing on, kept as a fixed example."""
    return (_FOUND / name).read_text(encoding="utf-8")


_RESPONSE = (PropertyKind.ESCALATION_TERMINATES, PropertyKind.LEADS_TO)
_START = date(2026, 12, 21)  # the week of Christmas, so that bank holidays matter


def _decide(encoding: Encoding, prop: Property, flags: Flags, explicit: ExplicitModel) -> Outcome:
    """The Z3 engines' verdict under `flags`, with the explorer's lasso walk."""
    finder = lasso_finder(lambda _flags: explicit)
    return Decider(encoding, prop, Budget(_LIMITS), finder).decide(flags)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(unsaid=True), reading=..., comply=st.booleans(), eager=st.integers(0, 3))
# The only pending-for-ever run needs a longer stem than the shortest one to the trigger.
@example(text=_found("lasso_after_longer_stem.yaml"), reading=Reading.MUST, comply=True, eager=0)
def test_z3_and_explorer_agree(text: str, reading: Reading, comply: bool, eager: int) -> None:
    """Both readings, with people complying with due deadlines or missing them; and
    with one deadline met at the first chance (`eager`, as derived questions ask). A
    spec that leaves a tier open is compared in each of its tier readings."""
    loaded = load_spec_text(text, "<random>")
    if loaded.undefined_routes:
        event("undefined routes")
    readings = tier_readings(loaded)
    if readings:
        event("a tier left open")
    for spec in [reading.spec for reading in readings] or [loaded]:
        _engines_agree(spec, reading, comply, eager)


def _engines_agree(spec: ProtocolSpec, reading: Reading, comply: bool, eager: int) -> None:
    if 0 < eager <= len(spec.deadlines):
        spec = eager_spec(spec, spec.deadlines[eager - 1].id)
        event("one deadline eager")
    encoding = Encoding(spec)
    explicit = ExplicitModel(spec, reading, comply=comply)
    flags = Flags(should=reading is Reading.SHOULD, comply=comply)

    for prop in spec.properties:
        symbolic = _decide(encoding, prop, flags, explicit)
        if symbolic.verdict is Verdict.UNKNOWN:
            # As `verify` does: what the engines leave undecided on their deterministic
            # limits, a small model's exhaustive search decides (checker/exhaustive.py).
            symbolic = exhaustively(explicit, prop, symbolic, _LIMITS)
            event("the engines ran out; the explorer decided")
        reference = explicit_verdict(explicit, prop)
        assert symbolic.verdict is not Verdict.UNKNOWN, (prop.id, symbolic.reason)
        assert symbolic.verdict is reference.verdict, (prop.id, symbolic, reference)
        if symbolic.trace is not None:
            replayed = replay(explicit, symbolic.trace)
            assert replayed.ok, (prop.id, replayed)
            assert violation_shown(explicit, prop, symbolic.trace) is None, prop.id
            if comply:
                _executor_agrees(spec, reading, explicit, symbolic.trace)
        if reference.trace is not None:
            assert violation_shown(explicit, prop, reference.trace) is None, prop.id
        if (
            symbolic.verdict is Verdict.PROVED
            and prop.kind in _RESPONSE
            and prop.id not in encoding.timing.within
        ):
            assert (symbolic.working_days or 0) == (reference.bound or 0), (
                prop.id,
                symbolic,
                reference,
            )


@settings(max_examples=_EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(unsaid=True))
# A deadline only a monthly panel can meet: the derived question fails.
@example(text=(_FOUND.parent / "derived" / "panel.yaml").read_text(encoding="utf-8"))
# An urgent route that waits for a weekly panel's confirmation: the derived question fails.
@example(text=(_FOUND.parent / "derived" / "urgent_route.yaml").read_text(encoding="utf-8"))
# Spacer cannot prove the ladder ends; the explorer can (checker/exhaustive.py). Slow
# (the engines spend their whole budget first), so kept here only, not in the unit test.
@example(text=_found("ladder_proof_spacer_misses.yaml"))
def test_verify_and_explorer_agree(text: str) -> None:
    """What `verify` decides (slices, lasso walks, the short cut to the should reading,
    the missed-deadline question) against the explorer under each reading, in each
    reading of a tier the spec leaves open."""
    loaded = load_spec_text(text, "<random>")
    for spec in [reading.spec for reading in tier_readings(loaded)] or [loaded]:
        _verify_agrees(spec)


def _verify_agrees(spec: ProtocolSpec) -> None:
    must = ExplicitModel(spec, Reading.MUST)
    should = ExplicitModel(spec, Reading.SHOULD)
    missed = ExplicitModel(spec, Reading.MUST, comply=False)
    for prop in spec.properties:
        decision = decide_property(spec, prop, limits=_LIMITS)
        outcome = decision.outcome
        reference = explicit_verdict(must, prop)
        if _depends_on_a_document(outcome, reference):
            event("escalation: depends on a document")
            continue
        assert outcome.verdict is reference.verdict, (prop.id, outcome, reference)
        if outcome.verdict is Verdict.VIOLATED:
            under_should = explicit_verdict(should, prop).verdict
            assert decision.should_only is (under_should is Verdict.PROVED), prop.id
        if decision.missed is not None:
            assert decision.missed.verdict is explicit_verdict(missed, prop).verdict, prop.id
            if decision.missed.trace is not None:
                assert replay(missed, decision.missed.trace).ok, prop.id
    for prop in derived_properties(spec):
        _derived_agrees(spec, prop)
    for prop in holding_properties(spec):
        holding = decide_property(with_derived(spec), prop, limits=_LIMITS).outcome
        assert holding.verdict is explicit_verdict(must, prop).verdict, (prop.id, holding)
    for prop in urgent_properties(spec)[:1]:  # each brings a model of its own: one is enough
        _urgent_agrees(spec, prop)


def _depends_on_a_document(outcome: Outcome, reference: Outcome) -> bool:
    """`verify` leaves a dispute that only a document outside the spec holds open for
    ever `unknown (depends on ...)`; the explorer, which knows no documents, calls it
    violated. Unknown is never a wrong verdict."""
    return (
        outcome.verdict is Verdict.UNKNOWN
        and str(outcome.reason).startswith("depends on ")
        and reference.verdict is Verdict.VIOLATED
    )


def _derived_agrees(spec: ProtocolSpec, prop: Property) -> None:
    """A derived "can this deadline be met?" question: `verify`'s verdict is the
    explorer's on the spec where people meet that deadline at the first chance, and
    its run is a run of the spec as written."""
    assert prop.deadline is not None
    deadline = spec.deadline_by_id(prop.deadline)
    reading = Reading.MUST if deadline.modality is Modality.MUST else Reading.SHOULD
    eager = ExplicitModel(eager_spec(spec, prop.deadline), reading)
    decision = decide_property(with_derived(spec), prop, limits=_LIMITS)
    reference = explicit_verdict(eager, prop)
    assert decision.outcome.verdict is reference.verdict, (prop.id, decision, reference)
    assert decision.reading is reading
    event(f"derived question: {reference.verdict.value}")
    if decision.outcome.trace is not None:
        assert replay(eager, decision.outcome.trace).ok, prop.id
        assert violation_shown(eager, prop, decision.outcome.trace) is None, prop.id
        assert replay(ExplicitModel(spec, reading), decision.outcome.trace).ok, prop.id


def _urgent_agrees(spec: ProtocolSpec, prop: Property) -> None:
    """A derived "does an urgent case wait here?" question: `verify`'s verdict is the
    explorer's on the question's own spec (its clock kept at the first chance), and its
    run is a run of that spec as written; one that needs another document's steps may
    be `unknown (depends on ...)`."""
    assert prop.deadline is not None
    asked = question_spec(spec, prop)
    eager = ExplicitModel(eager_spec(asked, prop.deadline), Reading.MUST)
    decision = decide_property(with_derived(spec), prop, limits=_LIMITS)
    reference = explicit_verdict(eager, prop)
    event(f"urgent question: {reference.verdict.value}")
    if _depends_on_a_document(decision.outcome, reference):
        return
    assert decision.outcome.verdict is reference.verdict, (prop.id, decision, reference)
    if decision.outcome.trace is not None:
        assert replay(eager, decision.outcome.trace).ok, prop.id
        assert replay(ExplicitModel(asked, Reading.MUST), decision.outcome.trace).ok, prop.id


def _executor_agrees(
    spec: ProtocolSpec, reading: Reading, explicit: ExplicitModel, trace: Trace
) -> None:
    """The oracle's executor dates a Z3 trace the way `verify` does; the run it dates
    is a path of the explorer's model too (exactly the trace, when it dates it exactly)."""
    dated = date_trace(spec, trace, reading=reading, start=_START, comply=True, horizon_days=400)
    if not isinstance(dated, Retimed):
        event("executor: trace not dated within 400 days")
        return
    event("executor: dated exactly" if dated.exact else "executor: dated, re-timed")
    assert replay(explicit, dated.trace).ok, dated
    if dated.exact:
        assert dated.trace == trace


_LADDER_SPEC = """
stepcheck: 1
authority: {{id: t, name: T}}
documents: {{d: {{title: D, rule_prefix: TT}}}}
teams: {{sw: {{name: SW}}}}
roles: {{a: {{name: A}}, b: {{name: B}}, c: {{name: C}}}}
owners: {{sw_worker: {{kind: allocated, team: sw}}}}
meetings: {{panel: {{cadence: {cadence}}}}}
statuses:
  open: {{tier: cin, owner: sw_worker, initial: true}}
  closed: {{tier: closed, owner: none, final: true}}
events:
  disagree: {{kind: escalate, from: open}}
  settle: {{kind: resolve, from: open{at}}}
  close_case: {{kind: close, from: open, to: closed}}
escalations:
  dispute:
    trigger: disagree
    resolution: [settle]
    levels:
{levels}
    final_authority: {final}
    tie_break: not_needed
properties:
  escalation_terminates: {{}}
  settled:
    kind: leads_to
    from: "escalating(dispute)"
    to: "not escalating(dispute)"
"""


@st.composite
def _ladder_specs(draw: st.DrawFn) -> str:
    """Ladders with working-day limits (sometimes one unspecified), settled at a meeting."""
    count = draw(st.integers(1, 3))
    limits = draw(
        st.lists(
            st.sampled_from(
                [
                    "0 working days",
                    "1 working day",
                    "2 working days",
                    "3 working days",
                    "unspecified",
                ]
            ),
            min_size=count,
            max_size=count,
        )
    )
    deciders = [draw(st.booleans()) for _ in range(count)]
    deciders[-1] = draw(st.booleans()) or deciders[-1]
    who = ["a", "b", "c"]
    levels = "\n".join(
        f"      - {{id: level_{i}, who: {who[i]}, within: {limit}, "
        f"decides: {str(decides).lower()}}}"
        for i, (limit, decides) in enumerate(zip(limits, deciders, strict=True))
    )
    final = next((f"level_{i}" for i in reversed(range(count)) if deciders[i]), "unspecified")
    cadence = draw(st.sampled_from(["on_demand", "{every: week}", "{every: week, day: monday}"]))
    at = draw(st.sampled_from(["", ", at: panel"]))
    return _LADDER_SPEC.format(levels=levels, final=final, cadence=cadence, at=at)


@settings(max_examples=_EXAMPLES // 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_ladder_specs())
def test_worst_cases_agree_on_timed_ladders(text: str) -> None:
    """Escalation bounds in working days: Z3's bisection and the explorer's longest path."""
    spec = load_spec_text(text, "<ladder>")
    encoding = Encoding(spec)
    explicit = ExplicitModel(spec, Reading.MUST)
    for prop in spec.properties:
        symbolic = _decide(encoding, prop, Flags(), explicit)
        reference = explicit_verdict(explicit, prop)
        event(f"{prop.kind.value}: {symbolic.verdict.value}, bound {symbolic.working_days}")
        assert symbolic.verdict is reference.verdict, (prop.id, symbolic, reference)
        if symbolic.verdict is Verdict.PROVED:
            assert (symbolic.working_days or 0) == (reference.bound or 0), (
                prop.id,
                symbolic,
                reference,
            )
        if symbolic.trace is not None:
            assert replay(explicit, symbolic.trace).ok
