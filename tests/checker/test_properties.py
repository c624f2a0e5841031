"""The property procedures on small specs: verdicts, bounds, vacuity, should-only, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Strength, Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec, load_spec_text

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
GAPS_CLOSED = "tests/fixtures/specs/verify/gaps_closed.yaml"


def _result(path: str, prop_id: str, **limits: int):
    spec = load_spec(path)
    return verify_property(spec, spec.property_by_id(prop_id), limits=Limits(**limits))


def test_a_ladder_without_a_limit_at_its_last_level_never_ends():
    result = _result(EXAMPLE, "escalation_terminates")

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.loop_start is not None


def test_a_ladder_with_limits_ends_within_their_sum():
    result = _result(GAPS_CLOSED, "escalation_terminates")

    assert result.verdict is Verdict.PROVED
    assert result.strength is Strength.UNBOUNDED
    assert result.bound is not None
    assert result.bound.working_days == 3


def test_a_violation_only_the_should_rules_prevent_says_so():
    """The handover meeting is a should-guard in the example, a must-guard once closed."""
    assert _result(EXAMPLE, "cp_step_down_requires_meeting").should_only is True
    closed = _result(GAPS_CLOSED, "cp_step_down_requires_meeting")
    assert closed.verdict is Verdict.PROVED
    assert closed.should_only is False


def test_a_response_whose_trigger_never_happens_is_vacuous():
    trigger = "    kind: leads_to\n    from: in_tray\n"
    text = Path(GAPS_CLOSED).read_text(encoding="utf-8")
    assert trigger in text
    text = text.replace(
        trigger, '    kind: leads_to\n    from: "status == in_tray and referrals > 3"\n'
    )
    spec = load_spec_text(text, "vacuous.yaml")

    result = verify_property(spec, spec.property_by_id("allocated_soon"))

    assert result.verdict is Verdict.PROVED
    assert result.vacuous is True
    assert not _result(GAPS_CLOSED, "allocated_soon").vacuous


def test_every_violation_cites_the_rules_its_trace_uses():
    result = _result(EXAMPLE, "escalation_terminates")

    assert {source.rule for source in result.citations} >= {"EV-02"}
    assert result.rules, "spans of the rules involved, for SARIF"


@pytest.mark.parametrize("prop_id", ["no_unowned_case", "escalation_terminates", "allocated_soon"])
def test_running_out_of_resources_is_unknown_never_proved(prop_id):
    result = _result(GAPS_CLOSED, prop_id, rlimit=1, explicit_states=0)

    assert result.verdict is Verdict.UNKNOWN
    assert "ran out of resources (--rlimit 1)" in (result.reason or "")


def test_a_timeout_names_the_clock_not_the_resources():
    result = _result(GAPS_CLOSED, "no_unowned_case", timeout_ms=1, rlimit=10**12)

    assert result.verdict is Verdict.UNKNOWN
    assert "ran out of time (--timeout" in (result.reason or "")


def test_a_solver_timeout_is_unknown():
    """A 1 ms budget per call cannot prove anything about a real authority."""
    spec = load_spec("spec/authorities/somerset.yaml")

    result = verify_property(
        spec, spec.property_by_id("cp_step_down_requires_meeting"), limits=Limits(timeout_ms=1)
    )

    assert result.verdict is Verdict.UNKNOWN


def test_a_counterexample_does_not_depend_on_what_was_checked_before():
    """Each question starts a fresh Z3 context, so `reproduce:` shows the same story."""
    spec = load_spec(EXAMPLE)
    prop = spec.property_by_id("cp_step_down_requires_meeting")

    alone = verify_property(spec, prop)
    for other in spec.properties:
        verify_property(spec, other)
    again = verify_property(spec, prop)

    assert alone.trace == again.trace
