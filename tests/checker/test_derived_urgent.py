"""Derived urgent-route questions: "does a case on an urgent route wait here?", asked of
every spec without being written in it; the run that waits is dated and cites both the
rule that makes the route urgent and the rule that holds the case back.

Each case has a fixture where the question fails and one where it must not. The
fixture's wait is a guard (`held(transfer_panel)`), which the status graph (SPEC221)
does not see; the question does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from attrs import evolve
from click.testing import CliRunner

from stepcheck.checker.derived import eager_spec, with_derived
from stepcheck.checker.derived_urgent import question_spec, urgent_properties
from stepcheck.checker.explore import ExplicitModel, explicit_verdict, replay
from stepcheck.checker.results import Report, Verdict
from stepcheck.checker.structure import check_structure
from stepcheck.checker.triage import Severity, problems
from stepcheck.checker.verify import verify_property
from stepcheck.cli import cli
from stepcheck.dating import date_counterexamples
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading

ROUTE = Path("tests/fixtures/specs/derived/urgent_route.yaml")
QUESTION = "urgent:at_front_door"
_START = date(2026, 12, 21)
_GUARD = ('condition: "held(transfer_panel)"', 'condition: "true"')


def _route(*edits: tuple[str, str]) -> ProtocolSpec:
    text = ROUTE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return with_derived(load_spec_text(text, "urgent_route.yaml"))


def _decided(spec: ProtocolSpec, question: str = QUESTION):
    prop = spec.property_by_id(question)
    result = verify_property(spec, prop)
    asked = question_spec(spec, prop)
    return date_counterexamples(Report(results=(result,)), [asked], _START).results[0]


def test_an_urgent_case_that_waits_for_a_weekly_panel_is_a_violation_with_a_dated_story():
    spec = _route()
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED
    assert "can wait in 'At front door'" in result.summary
    assert "weekly 'Transfer Panel', which did not sit in time" in result.summary
    assert result.trace is not None
    asked = question_spec(spec, spec.property_by_id(QUESTION))
    assert replay(ExplicitModel(asked, Reading.MUST), result.trace).ok
    assert result.dated_from is not None, "the oracle's executor dates the same run"
    rules = {source.rule for source in result.citations}
    assert {"UV-03", "UV-04"} <= rules, "both the urgent route and the rule that holds it"


def test_the_status_graph_alone_does_not_see_a_wait_behind_a_guard():
    """Why the question exists: SPEC221 reads `at:`, not `held(...)` in a guard."""
    spec = _route()
    assert not [f for f in check_structure(spec) if f.code in {"SPEC221", "SPEC222"}]


def test_a_front_door_that_passes_the_case_on_at_once_keeps_it_moving():
    spec = _route(_GUARD)
    result = _decided(spec)

    assert result.verdict is Verdict.PROVED, result.summary
    assert "moves on from 'At front door' the day it arrives" in result.summary


def test_a_panel_that_sits_as_needed_is_no_wait():
    spec = _route(("cadence: {every: week, day: wednesday}", "cadence: on_demand"))
    assert _decided(spec).verdict is Verdict.PROVED


def test_a_way_on_taken_only_at_the_panel_waits_too_and_shares_the_graphs_root_cause():
    spec = _route(
        _GUARD,
        ("    to: assessment\n", "    to: assessment\n    at: transfer_panel\n"),
    )
    result = _decided(spec)
    assert result.verdict is Verdict.VIOLATED
    (graph,) = [f for f in check_structure(spec) if f.code == "SPEC221"]

    found = problems(Report(results=(result,), findings=(graph,)), {spec.path: spec})
    (problem,) = [p for p in found if p.root_cause == "status:at_front_door"]
    assert problem.severity is Severity.HIGH
    assert [r.property for r in problem.results] == [QUESTION]
    assert [f.code for f in problem.findings] == ["SPEC221"]


def test_only_statuses_on_an_urgent_route_below_statutory_services_are_asked():
    spec = _route()
    assert [prop.id for prop in urgent_properties(spec)] == [QUESTION]
    # an ordinary step-up is no urgent route
    plain = _route(("kind: urgent_step_up", "kind: step_up"))
    assert urgent_properties(plain) == ()


def test_the_question_adds_its_clock_only_to_its_own_copy_of_the_spec():
    spec = _route()
    prop = spec.property_by_id(QUESTION)
    asked = question_spec(spec, prop)

    assert QUESTION not in {deadline.id for deadline in spec.deadlines}
    (clock,) = [deadline for deadline in asked.deadlines if deadline.id == QUESTION]
    assert clock.anchor == ("at_front_door",)
    assert set(clock.obligation) == {"front_door_passes_on", "panel_confirms"}
    assert question_spec(asked, prop) is asked


def test_verify_derived_asks_it_and_the_text_tells_the_wait():
    result = CliRunner().invoke(
        cli,
        [
            "verify",
            str(ROUTE),
            "--derived",
            "--no-cache",
            "--no-timings",
            "--start-date",
            "2026-12-21",
            "-j",
            "1",
        ],
    )

    assert result.exit_code == 1, result.output
    assert "VIOLATED  urgent:at_front_door" in result.output
    assert "a new working day begins with the urgent case still waiting in 'At front door'" in (
        result.output
    )
    assert "not overdue(urgent:" not in result.output, "the question's clock is not the spec's"


def test_the_longest_wait_is_the_tightest_clock_that_is_never_overdue():
    """Checked against the explorer: a clock of the wait it reports is never overdue
    when people act at the first chance, and one working day less is."""
    spec = _route()
    result = _decided(spec)
    assert "for up to 4 working days" in result.summary
    prop = spec.property_by_id(QUESTION)
    asked = question_spec(spec, prop)

    def verdict(days: int) -> Verdict:
        within = Duration(quantity=days, unit=Unit.WORKING_DAYS)
        clocked = evolve(
            asked,
            deadlines=tuple(
                evolve(d, within=within) if d.id == QUESTION else d for d in asked.deadlines
            ),
        )
        model = ExplicitModel(eager_spec(clocked, QUESTION), Reading.MUST)
        return explicit_verdict(model, prop).verdict

    assert verdict(4) is Verdict.PROVED
    assert verdict(3) is Verdict.VIOLATED


def test_a_wait_no_meeting_ends_is_said_to_be_longer_than_any_sitting_gap():
    """A way on that needs a fact only a later step sets: the case can wait past every
    sitting, and the summary does not pretend to a bound."""
    spec = _route(
        _GUARD,
        ('condition: "true"', 'condition: "accepted"'),
        ("statuses:", "variables: {accepted: {type: bool, initial: false}}\nstatuses:"),
    )
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED
    assert "for more than 1 working day" in result.summary


# Where the shipped specs have an urgent route below statutory services with a way on.
# Somerset's urgent step-up (ST-14) goes straight to the Assessment Team, so it has none.
SHIPPED = {
    # BK-18: "speak to their line manager and MASH ... which may include submitting a MARF"
    "buckinghamshire": ["urgent:mash_directing", "urgent:urgent_marf_in_mash"],
    # DV-26: urgent concerns "referred via phone ... direct to the Front Door"
    "devon": ["urgent:urgent_referral_to_front_door"],
    # HT-37: immediate CP concerns, manager to manager
    "hertfordshire": ["urgent:step_up_requested"],
    "somerset": [],
}


def test_the_shipped_specs_are_asked_where_their_urgent_routes_run():
    for authority, expected in SHIPPED.items():
        spec = load_spec(Path(f"spec/authorities/{authority}.yaml"))
        assert [prop.id for prop in urgent_properties(spec)] == expected, authority


def test_buckinghamshires_urgent_marf_waits_for_the_ctm_only_through_the_missing_flow_chart():
    """BK-31 ("All transfers between teams ... must be confirmed via the CTM") holds the
    urgent MARF (BK-18) for the weekly CTM; every step of that route follows the
    step-up flow-chart the extract does not hold, so the verdict depends on it."""
    spec = with_derived(load_spec(Path("spec/authorities/buckinghamshire.yaml")))
    result = _decided(spec, "urgent:urgent_marf_in_mash")

    assert result.verdict is Verdict.UNKNOWN
    assert result.summary.startswith(
        "Whether an urgent case waits in 'Urgent MARF in MASH' depends on 'step-up flow-chart"
    )
    assert "without such steps, no case gets to where it could break it" in result.summary
