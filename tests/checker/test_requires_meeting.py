"""`requires_meeting`: "all case transfers must be agreed at the weekly TAM", checked."""

from __future__ import annotations

import pytest

from stepcheck import load_spec_text
from stepcheck.checker.explore import ExplicitModel, explicit_verdict
from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.spec.diagnostics import SpecInvalid

SPEC = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {eh: {name: EH}, sw: {name: SW}}
owners: {eh_worker: {kind: allocated, team: eh}, sw_worker: {kind: allocated, team: sw}}
meetings: {tam: {cadence: {every: week, day: wednesday}}}
statuses:
  early_help: {tier: early_help, owner: eh_worker, initial: true}
  social_care: {tier: cin, owner: sw_worker}
events:
  step_up: {kind: step_up, from: early_help, to: social_care, at: tam}
  step_down: {kind: step_down, from: social_care, to: early_help, at: tam}
  move_direct: {kind: transfer, from: early_help, to: social_care}
  record: {kind: other, from: social_care}
properties:
  all_moves_at_tam:
    kind: requires_meeting
    kinds: [transfer, step_up, step_down]
    meetings: tam
    source: {doc: d, section: "1", rule: TT-01, quote: "All case transfers must be agreed at TAM"}
"""


def _decided(text: str):
    spec = load_spec_text(text, "t.yaml")
    prop = spec.property_by_id("all_moves_at_tam")
    return verify_property(spec, prop), explicit_verdict(ExplicitModel(spec), prop)


def test_a_move_of_a_watched_kind_without_the_meeting_breaks_it():
    result, explicit = _decided(SPEC)

    assert result.verdict is Verdict.VIOLATED
    assert explicit.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.steps[-1].name == "move_direct"
    assert "'Move direct' (transfer or step up or step down) can happen without" in result.summary


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the direct move happens at TAM too
        ("to: social_care}\n  record", "to: social_care, at: tam}\n  record"),
        # the direct move is not a kind the rule is about
        ("move_direct: {kind: transfer", "move_direct: {kind: other"),
        # the rule is about moves out of CIN only
        ("    meetings: tam\n", "    meetings: tam\n    tiers: [cin]\n"),
    ],
)
def test_it_holds_when_every_watched_move_goes_through_the_meeting(old, new):
    assert old in SPEC
    result, explicit = _decided(SPEC.replace(old, new))

    assert result.verdict is Verdict.PROVED
    assert explicit.verdict is Verdict.PROVED
    assert "Every transfer or step up or step down" in result.summary


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("    kinds: [transfer, step_up, step_down]\n", "", "SPEC012"),
        ("kind: requires_meeting", 'kind: invariant\n    holds: "true"', "SPEC011"),
    ],
)
def test_kinds_is_required_here_and_nowhere_else(old, new, code):
    with pytest.raises(SpecInvalid) as raised:
        load_spec_text(SPEC.replace(old, new), "t.yaml")

    assert code in {problem.code for problem in raised.value.diagnostics}


TEAMS = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {eh: {name: EH}, sw: {name: SW}}
owners:
  eh_worker: {kind: allocated, team: eh}
  sw_tray: {kind: team_tray, team: sw}
  sw_worker: {kind: allocated, team: sw}
  other_la: {kind: external}
meetings: {tam: {cadence: {every: week, day: wednesday}}}
statuses:
  early_help: {tier: early_help, owner: eh_worker}
  tray: {tier: cin, owner: sw_tray, initial: true}
  social_care: {tier: cin, owner: sw_worker}
  moved_away: {tier: cin, owner: other_la, final: true}
events:
  step_up: {kind: step_up, from: early_help, to: tray, at: tam}
  allocate: {kind: allocate, from: tray, to: social_care}
  leave_area: {kind: transfer, from: social_care, to: moved_away}
  move_direct: {kind: transfer, from: social_care, to: early_help}
properties:
  all_moves_at_tam:
    kind: requires_meeting
    between_teams: true
    meetings: tam
    source:
      doc: d
      rule: TT-01
      quote: "All case transfers (other than those within a team) must be agreed at TAM"
"""


def test_between_teams_watches_a_move_to_another_team_and_nothing_else():
    """Allocation inside the social work team and a move to another authority (no team)
    are not watched; the direct move back to early help is."""
    result, explicit = _decided(TEAMS)

    assert result.verdict is Verdict.VIOLATED
    assert explicit.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert [step.name for step in result.trace.steps if step.name != "tick"][-1] == "move_direct"
    assert "(move to another team) can happen without" in result.summary


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the text exempts the direct move ("these transfers do not need ... TAM")
        ("    meetings: tam\n", "    meetings: tam\n    except: move_direct\n"),
        # the direct move stays within the social work team
        (
            "move_direct: {kind: transfer, from: social_care, to: early_help}",
            "move_direct: {kind: transfer, from: social_care, to: tray}",
        ),
        # kinds narrow it: only step-ups are the rule's business
        ("    between_teams: true\n", "    between_teams: true\n    kinds: [step_up]\n"),
    ],
)
def test_between_teams_holds_when_no_unmet_move_changes_team(old, new):
    assert old in TEAMS
    result, explicit = _decided(TEAMS.replace(old, new))

    assert result.verdict is Verdict.PROVED
    assert explicit.verdict is Verdict.PROVED


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("    between_teams: true\n", "", "SPEC012"),  # then kinds is needed
        ("    meetings: tam\n", "    meetings: tam\n    except: no_such_event\n", "SPEC103"),
    ],
)
def test_between_teams_misuse_is_located(old, new, code):
    with pytest.raises(SpecInvalid) as raised:
        load_spec_text(TEAMS.replace(old, new), "t.yaml")

    problems = {problem.code: problem for problem in raised.value.diagnostics}
    assert code in problems, problems
    assert problems[code].span.line > 20


def test_an_owner_the_document_does_not_name_may_be_of_any_team():
    """A status with no stated owner sits between two teams: the step out of it to a
    team is watched, because the case may be changing teams there."""
    text = TEAMS.replace(
        "  moved_away: {tier: cin, owner: other_la, final: true}",
        "  moved_away: {tier: cin, owner: other_la, final: true}\n"
        "  limbo: {tier: cin, owner: unspecified}",
    ).replace(
        "  move_direct: {kind: transfer, from: social_care, to: early_help}",
        "  park: {kind: other, from: social_care, to: limbo}\n"
        "  move_direct: {kind: transfer, from: limbo, to: early_help}",
    )
    result, explicit = _decided(text)

    assert result.verdict is Verdict.VIOLATED
    assert explicit.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.steps[-1].name == "park"
    # 'park' (kind other) and 'move_direct' (transfer) are not step-ups
    narrowed, explicit = _decided(
        text.replace("    between_teams: true\n", "    between_teams: true\n    kinds: [step_up]\n")
    )
    assert narrowed.verdict is Verdict.PROVED
