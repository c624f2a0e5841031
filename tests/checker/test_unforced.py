"""A wait for ever that a step could end at any time, but that nothing makes happen."""

from __future__ import annotations

import pytest

from stepcheck import load_spec, load_spec_text
from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.results import Verdict
from stepcheck.checker.unforced import unforced_steps
from stepcheck.checker.verify import verify_property

SPEC = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {eh: {name: EH}, sw: {name: SW}}
owners: {eh_worker: {kind: allocated, team: eh}, sw_worker: {kind: allocated, team: sw}}
variables: {concerns: {type: bool, initial: false}}
statuses:
  open: {tier: early_help, owner: eh_worker, initial: true}
  front_door: {tier: assessment, owner: sw_worker, final: true}
events:
  notice: {kind: other, from: open, effect: {concerns: true}}
  phone: {kind: urgent_step_up, from: open, to: front_door, guard: concerns}
properties:
  reaches_front_door:
    kind: leads_to
    from: concerns
    to: status == front_door
"""


def _result(text: str):
    spec = load_spec_text(text, "t.yaml")
    return spec, verify_property(spec, spec.property_by_id("reaches_front_door"))


def test_a_must_step_with_no_time_is_named_as_why_the_case_waits():
    spec, result = _result(SPEC)

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.loop_start is not None
    prop = spec.property_by_id("reaches_front_door")
    assert unforced_steps(ExplicitModel(spec), prop, result.trace) == ("phone",)
    assert "nothing makes 'Phone' happen by any day" in result.summary


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a step the document only allows is not one it says happens
        ("guard: concerns}", "guard: concerns, modality: may}"),
        # no step leads to the front door: nothing could end the wait
        ("to: front_door, guard: concerns}", "guard: concerns}"),
    ],
)
def test_no_step_is_blamed_when_none_is_owed_or_none_ends_the_wait(old, new):
    spec, result = _result(SPEC.replace(old, new))

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    prop = spec.property_by_id("reaches_front_door")
    assert unforced_steps(ExplicitModel(spec), prop, result.trace) == ()
    assert "nothing makes" not in result.summary


def test_a_deadline_on_the_step_proves_the_wait_ends():
    text = SPEC + (
        "deadlines:\n  phone_today:\n    within: 0 working days\n    anchor: notice\n"
        "    obligation: phone\n    consequence: unspecified\n"
    )
    _, result = _result(text)

    assert result.verdict is Verdict.PROVED


@pytest.mark.parametrize(
    ("authority", "prop", "steps"),
    [
        # DV-26 "WILL BE REFERRED VIA PHONE IN THE FIRST INSTANCE DIRECT TO THE FRONT
        # DOOR": the step is owed, with no time
        ("devon", "urgent_risk_reaches_front_door", ("urgent_step_up",)),
        # the receiving team manager allocates from the tray; the policy gives no bound
        # (which tray the story waits in is the search's pick: the CP one since ST-02 precedence)
        ("somerset", "tray_case_gets_allocated", ("allocate_from_sg_tray_cp",)),
    ],
)
def test_the_shipped_waits_for_ever_name_the_step_with_no_time(authority, prop, steps):
    spec = load_spec(f"spec/authorities/{authority}.yaml")
    result = verify_property(spec, spec.property_by_id(prop))

    assert result.trace is not None
    assert unforced_steps(ExplicitModel(spec), spec.property_by_id(prop), result.trace) == steps
