"""A dispute handed to a document the spec does not hold is `unknown (depends on ...)`,
unless the spec's own rules already let a dispute stay open for ever."""

from stepcheck import load_spec_text
from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import verify_property

SPEC = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {sw: {name: SW}}
owners: {sw_worker: {kind: allocated, team: sw}}
roles: {head: {name: Head}}
externals: {partnership: {title: Partnership escalation protocol}}
statuses:
  open: {tier: cin, owner: sw_worker, initial: true}
  closed: {tier: closed, owner: none, final: true}
events:
  close_case: {kind: close, from: open, to: closed}
  dispute: {kind: escalate, from: open}
escalations:
  disagreement:
    trigger: dispute
    levels:
      - {id: ask_head, who: head, within: 1 working day}
      - {id: partnership_level, within: unspecified, external: partnership}
    final_authority: unspecified
    tie_break: unspecified
properties:
  escalation_terminates: {}
"""


def _verdict(text: str):
    spec = load_spec_text(text, "t.yaml")
    return verify_property(spec, spec.property_by_id("escalation_terminates"))


def test_a_dispute_held_only_by_another_document_is_unknown_and_names_it():
    result = _verdict(SPEC)

    assert result.verdict is Verdict.UNKNOWN
    assert result.trace is None
    assert "depends on 'Partnership escalation protocol'" in str(result.reason)
    assert "level 'partnership_level'" in str(result.reason)
    assert "every dispute would end" in str(result.reason)
    assert result.subject == "disagreement"


def test_the_specs_own_open_ended_level_is_still_a_violation():
    """With no limit at the first level, the dispute can stay with the head for ever:
    that is the spec's own rule, whatever the other document says."""
    own = SPEC.replace("who: head, within: 1 working day", "who: head, within: unspecified")

    result = _verdict(own)

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.final["dispute:disagreement"] == "ask_head"
