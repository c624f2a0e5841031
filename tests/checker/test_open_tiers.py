"""Tiers a document leaves open: one reading per choice, every engine given one reading
at a time, and verdicts and findings that say where the readings differ."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from attrs import evolve
from hypothesis import given, settings
from strategies.specs import small_specs

from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.promela import to_promela
from stepcheck.checker.results import Bound, PropertyResult, Strength, Verdict
from stepcheck.checker.structure import check_structure
from stepcheck.checker.tiers import combine_results
from stepcheck.checker.verify import verify
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.testing import check_system
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import PropertyKind, Reading, Tier
from stepcheck.spec.readings import ReadingNotChosen, choose_reading, tier_readings
from stepcheck.verification import run_verify

OPEN = Path("tests/fixtures/specs/tiers/open_tier.yaml")
EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml").read_text(encoding="utf-8")
CIN_LINE = "  child_in_need: {tier: cin, owner: sw_worker}"


def _with_child_in_need(tier: str) -> str:
    assert CIN_LINE in EXAMPLE
    return EXAMPLE.replace(
        CIN_LINE,
        f"  child_in_need: {{tier: {tier}, owner: sw_worker, source: {{doc: ev, quote: q}}}}",
    )


def test_an_open_tier_loads_lowest_first_and_each_reading_fixes_it():
    spec = load_spec(OPEN)
    status = spec.status_by_id("child_protection")

    assert status.tier_open == (Tier.CIN, Tier.CP)
    assert not status.tier_unspecified
    readings = tier_readings(spec)
    assert [r.choices for r in readings] == [
        (("child_protection", Tier.CIN),),
        (("child_protection", Tier.CP),),
    ]
    for reading, tier in zip(readings, (Tier.CIN, Tier.CP), strict=True):
        fixed = reading.spec.status_by_id("child_protection")
        assert (fixed.tier, fixed.tier_open) == (tier, ())
    assert readings[1].words() == "'child_protection' is cp"


def test_unspecified_means_every_tier():
    spec = load_spec_text(_with_child_in_need("unspecified"), "unsaid.yaml")
    status = spec.status_by_id("child_in_need")

    assert status.tier_unspecified
    assert set(status.tier_open) == set(Tier)
    assert len(tier_readings(spec)) == len(Tier)
    assert [t.rank for t in status.tier_open] == sorted(t.rank for t in status.tier_open)


def test_a_spec_with_no_open_tier_has_no_readings():
    assert tier_readings(load_spec_text(EXAMPLE, "example.yaml")) == ()


@pytest.mark.parametrize(
    "engine",
    [
        Encoding,
        ExplicitModel,
        Executor,
        lambda spec: to_promela(spec, None, reading=Reading.MUST, comply=True),
    ],
    ids=["z3", "explorer", "executor", "promela"],
)
def test_no_engine_reads_one_tier_of_an_open_status_as_the_whole(engine):
    spec = load_spec(OPEN)

    with pytest.raises(InternalError, match="child_protection"):
        engine(spec)
    for reading in tier_readings(spec):
        engine(reading.spec)


def test_a_verdict_the_readings_disagree_on_says_which_gives_which():
    report = verify([load_spec(OPEN)], properties=["cp_step_down_requires_meeting"])

    (result,) = report.results
    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert (
        "holds if 'child_protection' is cin; violated if 'child_protection' is cp" in result.summary
    )
    assert any("'child_protection' is cp" in line for line in result.assumptions)


def test_the_same_verdict_in_every_reading_says_it_was_decided_in_each():
    report = verify([load_spec(OPEN)], properties=["consent_before_step_down"])

    (result,) = report.results
    assert result.verdict is Verdict.PROVED
    assert "depends on" not in result.summary
    assert any("it holds in each" in line for line in result.assumptions)


def test_the_violating_reading_is_replayed_and_dated_by_the_executor():
    report = run_verify(
        [load_spec(OPEN)],
        properties=("cp_step_down_requires_meeting",),
        limits=Limits(),
        progress=False,
        start=date(2026, 12, 7),
    )

    (result,) = report.results
    assert result.verdict is Verdict.VIOLATED
    assert result.dated_from is not None
    assert "violated if 'child_protection' is cp" in result.summary


def _result(verdict: Verdict, **kwargs: object) -> PropertyResult:
    return PropertyResult(
        authority="a",
        spec="s.yaml",
        property="p",
        kind=PropertyKind.INVARIANT,
        verdict=verdict,
        summary=f"it is {verdict.value}.",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ((Verdict.PROVED, Verdict.UNKNOWN), Verdict.UNKNOWN),
        ((Verdict.UNKNOWN, Verdict.VIOLATED), Verdict.VIOLATED),
        ((Verdict.PROVED, Verdict.VIOLATED), Verdict.VIOLATED),
        ((Verdict.PROVED, Verdict.PROVED), Verdict.PROVED),
    ],
)
def test_readings_combine_to_the_worst_verdict(verdicts, expected):
    readings = tier_readings(load_spec(OPEN))

    combined = combine_results(load_spec(OPEN), readings, [_result(v) for v in verdicts])

    assert combined.verdict is expected
    if len(set(verdicts)) > 1:
        assert "depends on the tier the document leaves open" in combined.summary


def test_of_equal_proofs_the_one_that_claims_least_is_kept():
    readings = tier_readings(load_spec(OPEN))
    unbounded = _result(Verdict.PROVED, strength=Strength.UNBOUNDED, bound=Bound(working_days=3))
    bounded = _result(Verdict.PROVED, strength=Strength.BOUNDED, bound=Bound(depth=12))

    combined = combine_results(load_spec(OPEN), readings, [unbounded, bounded])

    assert combined.strength is Strength.BOUNDED
    assert combined.bound == Bound(depth=12)


def test_a_finding_in_some_readings_only_says_in_which():
    spec = load_spec_text(_with_child_in_need("[targeted, cin]"), "open.yaml")

    found = {f.code: f.message for f in check_structure(spec)}

    assert found["SPEC222"].endswith("(only if 'child_in_need' is targeted)")
    assert "leaves its tier open (targeted or cin)" in found["SPEC232"]


def test_a_finding_in_every_reading_is_unqualified_and_unspecified_is_worded_so():
    spec = load_spec_text(_with_child_in_need("unspecified"), "unsaid.yaml")

    found = {f.code: f.message for f in check_structure(spec)}

    assert found["SPEC207"] == (
        "deadline 'allocate_within_two_days' has no stated consequence when it is missed"
    )
    assert "does not say its tier for status 'child_in_need'" in found["SPEC232"]


def test_without_the_open_tier_the_fixture_is_the_example():
    spec = load_spec(OPEN)
    cp = tier_readings(spec)[1].spec
    example = load_spec_text(EXAMPLE, str(OPEN))

    drop = evolve(cp.status_by_id("child_protection"), sources=())
    assert drop == example.status_by_id("child_protection")


@settings(max_examples=30, deadline=None)
@given(text=small_specs(unsaid=True))
def test_random_specs_that_leave_things_unsaid_load_and_their_readings_are_closed(text):
    spec = load_spec_text(text, "<random>")

    assert not {route.id for route in spec.undefined_routes} & {e.id for e in spec.events}
    for reading in tier_readings(spec):
        assert not any(status.tier_open for status in reading.spec.statuses)
        assert reading.spec.undefined_routes == spec.undefined_routes


def test_the_oracle_asks_a_library_caller_for_one_reading():
    spec = load_spec(OPEN)

    def no_system():  # never made: the reading is asked for first
        raise AssertionError("the system was made before the reading was chosen")

    with pytest.raises(ReadingNotChosen, match="choose_reading"):
        check_system(spec, no_system, examples=1)
    chosen = choose_reading(spec, ["child_protection = cp"])
    assert chosen == tier_readings(spec)[1].spec
