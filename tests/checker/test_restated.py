"""SPEC240: one name stated twice, differently (an owner, a role, a glossary word)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepcheck import load_spec_text
from stepcheck.checker.restated import check_restated
from stepcheck.checker.structure import check_structure
from stepcheck.spec.loader import load_spec

SPEC = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {eh: {name: EH}, sw: {name: SW}}
roles:
  lead:
    name: Lead Professional
    team: eh
    source: {doc: d, rule: TT-01, quote: "the Lead Professional in early help"}
  worker: {name: Social Worker, team: sw}
owners:
  eh_worker:
    kind: allocated
    team: eh
    name: Lead professional
    source: {doc: d, rule: TT-02, quote: "allocated to the lead professional"}
  sw_worker: {kind: allocated, team: sw, name: Social worker}
glossary:
  lead_professional:
    term: lead professional
    aliases: [key worker]
    source: {doc: d, rule: TT-03, quote: "the key worker (lead professional)"}
  panel: {term: step-up panel}
statuses:
  early_help: {tier: early_help, owner: eh_worker, initial: true}
  social_care: {tier: cin, owner: sw_worker, final: true}
events:
  step_up: {kind: step_up, from: early_help, to: social_care}
"""


def _restated(text: str):
    return [f for f in check_restated(load_spec_text(text, "t.yaml")) if f.code == "SPEC240"]


def test_the_same_things_named_once_each_are_not_a_finding():
    assert _restated(SPEC) == []


def test_an_owner_stated_twice_in_two_teams_quotes_both():
    text = SPEC.replace(
        "  sw_worker: {kind: allocated, team: sw, name: Social worker}",
        "  sw_worker: {kind: allocated, team: sw, name: Social worker}\n"
        '  lp_tray: {kind: team_tray, team: sw, name: "Lead Professional", '
        'source: {doc: d, rule: TT-09, quote: "sent to the Lead Professional\'s tray"}}',
    )
    (found,) = _restated(text)

    assert found.subject == "owner:eh_worker"
    assert "'eh_worker' is a named worker of team 'eh'" in found.message
    assert "'lp_tray' is a team tray of team 'sw'" in found.message
    assert found.rule_ids == ("TT-02", "TT-09")
    assert found.span.line > 1


def test_a_role_stated_twice_the_same_way_is_only_repetition():
    same = SPEC.replace(
        "  worker: {name: Social Worker, team: sw}",
        "  worker: {name: Social Worker, team: sw}\n"
        "  worker_again: {name: social worker, team: sw}",
    )
    other = same.replace(
        "worker_again: {name: social worker, team: sw}",
        "worker_again: {name: social worker, team: eh}",
    )

    assert _restated(same) == []
    (found,) = _restated(other)
    assert found.subject == "role:worker"


@pytest.mark.parametrize(
    "clash",
    [
        "  panel: {term: step-up panel, aliases: [Key Worker]}",  # an alias claimed twice
        "  panel: {term: Key-worker}",  # a term that is another's alias
    ],
)
def test_one_glossary_name_for_two_terms(clash):
    (found,) = _restated(SPEC.replace("  panel: {term: step-up panel}", clash))

    assert "the name 'key worker' stands for 2 different terms" in found.message
    assert found.subject == "term:lead_professional"


@pytest.mark.parametrize(
    "path", sorted(Path("spec/authorities").glob("*.yaml")), ids=lambda p: p.stem
)
def test_no_shipped_spec_states_a_name_twice_differently(path):
    """The shipped specs give every owner, role and word one meaning (read 2026-12-07);
    a finding here is new and needs reading against the document."""
    spec = load_spec(path)

    assert [f for f in check_structure(spec) if f.code == "SPEC240"] == []
