"""Precedence (issue 13, item 3): one route pre-empts others while it is possible.

The same small spec, with and without its precedence rule and under each modality, in
every implementation: the Z3 engines and the explorer agree on an invariant the rule
makes true, the oracle's executor refuses the step that gives way (citing the rule),
the Promela export guards it, and the findings say where a rule cannot bind.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel, explicit_verdict
from stepcheck.checker.promela import to_promela
from stepcheck.checker.results import Verdict
from stepcheck.checker.structure import check_structure
from stepcheck.checker.verify import decide_property, verify_property
from stepcheck.oracle.executor import Executor
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.precedence import giving_way, pre_empted

_LIMITS = Limits(timeout_ms=300_000, max_depth=30)
_VALID = Path(__file__).parent.parent / "fixtures" / "specs" / "valid" / "precedence.yaml"

# Concerns can be raised before the step-down only; so a case reaches early help with
# concerns recorded only if the step-down went ahead while the urgent step-up could.
_SPEC = """\
stepcheck: 1
authority: {{id: smallvale, name: Smallvale (fictional)}}
documents:
  sv: {{title: Smallvale protocol}}
teams:
  sw: {{name: Social Work, service: social_care}}
owners:
  worker: {{kind: allocated, team: sw}}
meetings:
  transfer_meeting: {{cadence: {{every: week, day: tuesday}}}}
  panel: {{cadence: {{every: week, day: thursday}}}}
statuses:
  cin: {{tier: cin, initial: true, owner: worker}}
  pending: {{tier: cin, owner: worker}}
  early_help: {{tier: early_help, owner: worker}}
  cp: {{tier: cp, final: true, owner: worker}}
variables:
  concerns: {{type: bool, initial: false}}
events:
  propose: {{kind: refer, from: cin, to: pending}}
  raise_concerns: {{kind: other, from: [cin, pending], effect: {{concerns: true}}}}
  step_down: {{kind: step_down, from: pending, to: early_help{step_down_at}}}
  urgent: {{kind: urgent_step_up, from: [pending, early_help], to: cp, guard: concerns{urgent_at}}}
{precedence}properties:
  never_stepped_down_at_risk:
    kind: invariant
    holds: not (status == early_help and concerns)
"""
_RULE = """\
precedence:
  safeguarding_first:
    route: urgent
    over: step_down
    modality: {modality}
    source: {{doc: sv, quote: "child protection procedures take precedence"}}
"""


def _spec(
    modality: str | None = "must", *, urgent_at: str = "", step_down_at: str = ""
) -> ProtocolSpec:
    rule = _RULE.format(modality=modality) if modality is not None else ""
    text = _SPEC.format(
        precedence=rule,
        urgent_at=f", at: {urgent_at}" if urgent_at else "",
        step_down_at=f", at: {step_down_at}" if step_down_at else "",
    )
    return load_spec_text(text, "<precedence>")


@pytest.mark.parametrize(
    ("modality", "must", "should"),
    [
        (None, Verdict.VIOLATED, Verdict.VIOLATED),
        ("must", Verdict.PROVED, Verdict.PROVED),
        ("should", Verdict.VIOLATED, Verdict.PROVED),
        ("may", Verdict.VIOLATED, Verdict.VIOLATED),
    ],
)
def test_z3_and_explorer_apply_the_rule_under_its_reading(
    modality: str | None, must: Verdict, should: Verdict
) -> None:
    spec = _spec(modality)
    prop = spec.properties[0]
    for reading, expected in ((Reading.MUST, must), (Reading.SHOULD, should)):
        assert explicit_verdict(ExplicitModel(spec, reading), prop).verdict is expected
    decision = decide_property(spec, prop, limits=_LIMITS)
    assert decision.outcome.verdict is must
    if must is Verdict.VIOLATED:
        labels = [step.label[1] for step in decision.outcome.trace.steps]
        assert "step_down" in labels


def test_the_rule_lapses_while_its_route_waits_for_a_meeting() -> None:
    """An urgent step-up taken only at a weekly panel: on other days the step-down goes
    ahead, in both engines, and SPEC243 says so."""
    spec = _spec("must", urgent_at="panel")
    prop = spec.properties[0]
    assert explicit_verdict(ExplicitModel(spec, Reading.MUST), prop).verdict is Verdict.VIOLATED
    assert decide_property(spec, prop, limits=_LIMITS).outcome.verdict is Verdict.VIOLATED
    codes = [(f.code, f.message) for f in check_structure(spec) if f.code.startswith("SPEC24")]
    assert codes == [
        (
            "SPEC243",
            "precedence 'safeguarding_first' lapses while 'urgent' waits for 'panel' "
            "(weekly on Thursdays) to sit: on those days 'step_down' from 'pending' can "
            "go ahead first",
        )
    ]


def test_no_lapse_when_both_wait_for_the_same_meeting() -> None:
    spec = _spec("must", urgent_at="panel", step_down_at="panel")
    assert [f.code for f in check_structure(spec) if f.code.startswith("SPEC24")] == []
    prop = spec.properties[0]
    assert decide_property(spec, prop, limits=_LIMITS).outcome.verdict is Verdict.PROVED


def test_a_rule_whose_steps_share_no_status_never_applies() -> None:
    spec = load_spec_text(
        _VALID.read_text(encoding="utf-8").replace(
            "over: [step_down, propose_step_down]", "over: propose_step_down"
        ),
        "<precedence>",
    )
    found = [f for f in check_structure(spec) if f.code == "SPEC242"]
    assert [f.message for f in found] == [
        "precedence 'safeguarding_first' never applies: no reachable status is one both "
        "'urgent_step_up' and 'propose_step_down' can happen from"
    ]
    assert "take precedence" in str(found[0].rule)


def test_the_executor_refuses_the_step_that_gives_way_and_cites_the_rule() -> None:
    spec = load_spec(_VALID)
    executor = Executor(spec, Reading.MUST)
    case = executor.start(at=datetime(2026, 12, 1, 9))  # a Tuesday: the meeting sits
    for step in ("propose_step_down", "raise_concerns"):
        case = executor.apply(case, step, at=datetime(2026, 12, 1, 10)).case
    result = executor.apply(case, "step_down", at=datetime(2026, 12, 1, 11))
    assert not result.accepted
    (refusal,) = result.refusals
    assert refusal.kind == "precedence"
    assert "'urgent_step_up'" in refusal.reason
    assert refusal.citations[0].quote is not None
    assert executor.enabled(case) == ("raise_concerns", "urgent_step_up")
    before = executor.start(at=datetime(2026, 12, 1, 9))
    before = executor.apply(before, "propose_step_down", at=datetime(2026, 12, 1, 10)).case
    assert executor.apply(before, "step_down", at=datetime(2026, 12, 1, 11)).accepted


def test_promela_guards_the_step_that_gives_way() -> None:
    spec = load_spec(_VALID)
    text = to_promela(spec, spec.properties[0], reading=Reading.MUST, comply=True)
    (line,) = [ln for ln in text.splitlines() if ln.startswith("#define EN_step_down ")]
    assert "v_immediate_concerns" in line
    assert "!(" in line
    should_only = _spec("should")
    must_text = to_promela(should_only, None, reading=Reading.MUST, comply=True)
    (line,) = [ln for ln in must_text.splitlines() if ln.startswith("#define EN_step_down ")]
    assert "!(" not in line


def test_giving_way_reads_own_enabling_only() -> None:
    """A chain A over B over C: C gives way to B even while B gives way to A."""
    spec = load_spec(_VALID)
    assert giving_way(spec, "step_down", {"urgent_step_up"}, lambda _m: True) is not None
    assert giving_way(spec, "step_down", {"raise_concerns"}, lambda _m: True) is None
    assert giving_way(spec, "step_down", {"urgent_step_up"}, lambda _m: False) is None
    both = {"urgent_step_up", "step_down", "raise_concerns"}
    assert pre_empted(spec, both, lambda _m: True) == {"step_down"}


def test_a_proof_that_relies_on_the_rule_says_so_and_quotes_it() -> None:
    result = verify_property(_spec("must"), _spec("must").properties[0], limits=_LIMITS)
    assert result.verdict is Verdict.PROVED
    (said,) = [text for text in result.assumptions if "precedence" in text]
    assert said == (
        "Holds only because the document gives some routes precedence ('urgent' comes "
        "before 'step_down', 'safeguarding_first': \"child protection procedures take "
        'precedence"); without that, it fails.'
    )


def test_a_proof_that_does_not_rely_on_the_rule_says_nothing_of_it() -> None:
    """Every case has an owner whatever the order of the steps."""
    spec = load_spec(_VALID)
    result = verify_property(spec, spec.properties[0], limits=_LIMITS)
    assert result.verdict is Verdict.PROVED
    assert not [text for text in result.assumptions if "precedence" in text]


def test_the_executor_counts_a_weekend_as_the_working_day_before() -> None:
    """The route sits at Friday's panel: on the Saturday after, the executor refuses the
    route itself (the panel does not sit that day), but the step-down still gives way,
    as in the checker's model, whose Saturday is Friday's working day. On Monday the
    panel has not sat that working day, so the step-down goes ahead."""
    rule = _RULE.format(modality="must")
    text = _SPEC.format(precedence=rule, urgent_at=", at: panel", step_down_at="")
    spec = load_spec_text(text.replace("thursday", "friday"), "<precedence>")
    executor = Executor(spec, Reading.MUST)
    case = executor.start(at=datetime(2026, 12, 4, 9))  # Friday 4 December
    for step in ("propose", "raise_concerns"):
        case = executor.apply(case, step, at=datetime(2026, 12, 4, 10)).case
    for saturday in (datetime(2026, 12, 4, 11), datetime(2026, 12, 5, 11)):
        refused = executor.apply(case, "step_down", at=saturday)
        assert [r.kind for r in refused.refusals] == ["precedence"]
    assert [r.kind for r in executor.apply(case, "urgent", at=saturday).refusals] == ["meeting"]
    assert executor.apply(case, "step_down", at=datetime(2026, 12, 7, 11)).accepted
