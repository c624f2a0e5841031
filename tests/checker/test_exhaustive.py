"""The explorer as the last resort: what the engines cannot decide within their limits,
a small model's exhaustive search decides; a large model stays `unknown`, saying so."""

from __future__ import annotations

from pathlib import Path

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Strength, Verdict
from stepcheck.checker.verify import decide_property
from stepcheck.spec.loader import load_spec, load_spec_text

# So small that the engines give up at once, and the fallback is what decides.
_STARVED = Limits(rlimit=2_000, total_rlimit=10_000)
_FOUND = Path("tests/fixtures/specs/differential/ladder_proof_spacer_misses.yaml")


def test_a_small_model_the_engines_cannot_settle_is_decided_by_visiting_every_state():
    spec = load_spec_text(_FOUND.read_text(encoding="utf-8"), "found.yaml")
    for prop_id, verdict in [
        ("escalation_terminates", Verdict.PROVED),
        ("no_unowned_case", Verdict.VIOLATED),
        ("eventually_so", Verdict.PROVED),
    ]:
        outcome = decide_property(spec, spec.property_by_id(prop_id), limits=_STARVED).outcome
        assert outcome.verdict is verdict, (prop_id, outcome)
    ladder = decide_property(spec, spec.property_by_id("escalation_terminates"), limits=_STARVED)
    assert ladder.outcome.strength is Strength.UNBOUNDED
    assert ladder.outcome.working_days == 0


def test_a_large_model_stays_unknown_and_says_the_search_stopped():
    devon = load_spec("spec/authorities/devon.yaml")
    outcome = decide_property(
        devon, devon.property_by_id("no_unowned_case"), limits=_STARVED
    ).outcome

    assert outcome.verdict is Verdict.UNKNOWN
    assert "stopped at 20,000 states (--explicit-states 20000)" in (outcome.reason or "")


def test_the_fallback_can_be_switched_off():
    spec = load_spec_text(_FOUND.read_text(encoding="utf-8"), "found.yaml")
    limits = Limits(rlimit=2_000, total_rlimit=10_000, explicit_states=0)
    outcome = decide_property(spec, spec.property_by_id("eventually_so"), limits=limits).outcome

    assert outcome.verdict is Verdict.UNKNOWN


def test_a_response_the_engines_could_not_settle_is_proved_by_the_explorer():
    """The second spec `make soak` found: about 12,000 states, under the default limit."""
    found = Path("tests/fixtures/specs/differential/response_lasso_out_of_budget.yaml")
    spec = load_spec_text(found.read_text(encoding="utf-8"), "found.yaml")
    outcome = decide_property(spec, spec.property_by_id("eventually_so"), limits=_STARVED).outcome

    assert outcome.verdict is Verdict.PROVED
    assert outcome.strength is Strength.UNBOUNDED
