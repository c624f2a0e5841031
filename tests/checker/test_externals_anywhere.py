"""Events, statuses, deadlines and meetings that follow a document the spec does not hold
(`external:`): a run through them, and a finding about them, says it depends on it."""

from __future__ import annotations

from pathlib import Path

from stepcheck.checker.externals import followed_outside, outside_of
from stepcheck.checker.structure import check_structure
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
