"""Events, statuses, deadlines and meetings that follow a document the spec does not hold
(`external:`): a run through them, and a finding about them, says it depends on it."""

from __future__ import annotations

from pathlib import Path

from stepcheck.checker.externals import followed_outside, outside_of
from stepcheck.checker.structure import check_structure
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.trace import StepKind, Trace, TraceStep

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
FLOW = EXAMPLE.read_text(encoding="utf-8").replace(
    "out_of_scope:",
    "externals:\n  flow_chart: {title: the step-up flow chart (missing), kind: flowchart}\n"
    "out_of_scope:",
)
FOLLOWED = FLOW.replace("  request_step_up:\n", "  request_step_up:\n    external: flow_chart\n", 1)


def _spec(text: str):
    return load_spec_text(text, "flow.yaml")


def _run_through(event: str) -> Trace:
    initial = {"status": "early_help", "owner": "fs_worker"}
    after = {"status": "awaiting_tam", "owner": "fs_worker"}
    return Trace(
        initial=initial, steps=(TraceStep(kind=StepKind.EVENT, name=event, day=0, state=after),)
    )


def test_an_external_no_element_follows_is_reported_and_one_an_event_follows_is_not():
    unused = [f.subject for f in check_structure(_spec(FLOW)) if f.code == "SPEC216"]
    used = [f.subject for f in check_structure(_spec(FOLLOWED)) if f.code == "SPEC216"]

    assert "external:flow_chart" in unused
    assert "external:flow_chart" not in used


def test_a_run_through_a_step_that_follows_a_document_depends_on_it():
    spec = _spec(FOLLOWED)

    (sentence,) = followed_outside(spec, _run_through("request_step_up"))

    assert sentence.startswith("Depends on 'the step-up flow chart (missing)'")
    assert "step 'request_step_up'" in sentence
    assert followed_outside(_spec(FLOW), _run_through("request_step_up")) == ()
    assert followed_outside(spec, None) == ()


def test_a_finding_about_such_an_element_names_the_document():
    spec = _spec(FOLLOWED)

    assert outside_of(spec, "event:request_step_up") == "the step-up flow chart (missing)"
    assert outside_of(spec, "event:tam_accepts") is None
    assert outside_of(spec, "external:flow_chart") is None


def test_buckinghamshire_flow_charts_and_threshold_document_are_followed_by_its_steps():
    """BK-18 "The detailed process is set out below" and 6.9 "detailed fully in the
    following flow-chart": the flow charts are missing, and the steps they describe
    now say so; BK-03 the threshold document underpins the CTM's decisions."""
    spec = load_spec("spec/authorities/buckinghamshire.yaml")

    unused = {f.subject for f in check_structure(spec) if f.code == "SPEC216"}

    assert unused == {"external:information_sharing_code"}
    assert spec.event_by_id("submit_marf_to_mash").external == "step_up_flowchart"
    assert spec.meeting_by_id("ctm").external == "threshold_document"


STEPS = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
externals: {flow: {title: the step-up flow chart (missing)}}
teams: {eh: {name: EH}}
owners: {eh_worker: {kind: allocated, team: eh}}
statuses:
  early_help: {tier: early_help, owner: eh_worker, initial: true}
  limbo: {tier: early_help, owner: none}
  closed: {tier: closed, final: true}
events:
  by_flow_chart: {kind: step_up, from: early_help, to: limbo, external: flow}
  close: {kind: close, from: early_help, to: closed}
properties:
  no_unowned_case: {}
"""


def _verdict(text: str):
    spec = _spec(text)
    return verify_property(spec, spec.property_by_id("no_unowned_case"))


def test_a_violation_only_through_a_step_another_document_governs_is_unknown():
    result = _verdict(STEPS)

    assert result.verdict.value == "unknown"
    assert result.reason is not None
    assert result.reason.startswith("depends on 'the step-up flow chart (missing)'")
    assert "'by_flow_chart'" in result.reason
    assert "without such steps, the spec's own rules keep it" in result.reason


def test_the_specs_own_steps_breaking_it_too_keep_the_violation():
    own = STEPS.replace(
        "  close: {kind: close, from: early_help, to: closed}",
        "  close: {kind: close, from: early_help, to: closed}\n"
        "  park: {kind: other, from: early_help, to: limbo}",
    )
    result = _verdict(own)

    assert result.verdict.value == "violated"
    assert result.trace is not None
    assert [step.name for step in result.trace.steps if step.name] == ["park"]
    assert not any("by_flow_chart" in line for line in result.assumptions)
