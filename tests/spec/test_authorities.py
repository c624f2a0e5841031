"""The shipped authority specs load, and the rules that matter most stay encoded.

Each pin names the rule it protects, so that a careless edit of a spec fails here
with the rule id in the test name.
"""

from pathlib import Path

import pytest

from stepcheck import load_spec
from stepcheck.spec.model import (
    UNSPECIFIED,
    CadenceKind,
    EventKind,
    Modality,
    OwnerKind,
    PropertyKind,
    ProtocolSpec,
)

AUTHORITIES = Path("spec/authorities")
NAMES = ("buckinghamshire", "devon", "hertfordshire", "somerset")


@pytest.fixture(scope="module", params=NAMES)
def spec(request) -> ProtocolSpec:
    return load_spec(AUTHORITIES / f"{request.param}.yaml")


def _load(name: str) -> ProtocolSpec:
    return load_spec(AUTHORITIES / f"{name}.yaml")


def _guard_texts(spec: ProtocolSpec, event_id: str, modality: Modality) -> set[str]:
    event = spec.event_by_id(event_id)
    return {guard.text for guard in event.guards if guard.modality is modality}


def test_shipped_specs_are_exactly_the_four_authorities():
    """spec/authorities holds one spec per authority and nothing else."""
    found = sorted(path.stem for path in AUTHORITIES.glob("*.yaml"))

    assert found == list(NAMES)


def test_every_spec_declares_the_three_mission_properties(spec):
    """Each authority is checked for termination, ownership and the step-down meeting."""
    kinds = {prop.kind for prop in spec.properties}

    assert {
        PropertyKind.ESCALATION_TERMINATES,
        PropertyKind.NO_UNOWNED_CASE,
        PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING,
    } <= kinds


def test_every_citation_names_a_rule_of_its_own_document(spec):
    """Every cited rule id carries the prefix of the document it is cited from."""
    prefixes = {document.id: document.rule_prefix for document in spec.documents}

    wrong = [s.rule for s in spec.all_sources() if s.rule and s.rule[:2] != prefixes[s.doc]]

    assert wrong == []


def test_somerset_has_no_emergency_step_down_st17():
    """ST-17: every step-down needs a family plan and consent; none bypasses them."""
    somerset = _load("somerset")

    step_downs = [event for event in somerset.events if event.kind is EventKind.STEP_DOWN]

    assert step_downs
    for event in step_downs:
        assert {"family_plan", "consent"} <= _guard_texts(somerset, event.id, Modality.MUST)


def test_somerset_step_down_needs_the_three_way_meeting_st18():
    """ST-18: a step-down out of social work is preceded by the three-way meeting ('is to')."""
    somerset = _load("somerset")

    guards = _guard_texts(somerset, "step_down_to_fis", Modality.SHOULD)

    assert "held(three_way_meeting)" in guards


def test_somerset_tam_is_weekly_and_escalations_have_no_deadlines_sp01_st24():
    """SP-01/ST-03: the TAM sits weekly; ST-22..24, SP-12, SP-20: no ladder level has a limit."""
    somerset = _load("somerset")

    assert somerset.meeting_by_id("tam").cadence.kind is CadenceKind.WEEKLY
    assert all(
        level.within is UNSPECIFIED for ladder in somerset.escalations for level in ladder.levels
    )


def test_somerset_rereferral_window_is_three_months_to_previous_team_sp13():
    """SP-13: a re-referral within 3 months goes back to the previous case-holding team."""
    (rule,) = _load("somerset").rereferrals

    assert (str(rule.window), rule.route_to) == ("3 months", "previous")


def test_devon_escalation_is_handed_to_the_external_dscp_protocol_dv31():
    """DV-31: professional difference goes to the DSCP protocol; no levels are invented."""
    ladder = _load("devon").escalation_by_id("professional_difference")

    assert [level.external is not None for level in ladder.levels] == [True]
    assert ladder.final_authority is UNSPECIFIED


def test_devon_step_down_scope_excludes_child_protection_dv01():
    """DV-01: Devon's step-down rules cover assessment and CIN, not CP."""
    prop = _load("devon").property_by_id("cp_step_down_requires_meeting")

    assert {tier.value for tier in prop.tiers} == {"assessment", "cin"}


def test_hertfordshire_admin_tray_is_watched_by_nobody_ht31():
    """HT-31: the Admin tray is a system tray with no responsible person."""
    owner = _load("hertfordshire").owner_by_id("admin_tray")

    assert (owner.kind, owner.responsible) == (OwnerKind.SYSTEM_TRAY, False)


def test_hertfordshire_partner_step_ups_wait_for_the_monthly_meeting_ht17():
    """HT-17/HT-35: the Action and Impact meeting sits monthly."""
    meeting = _load("hertfordshire").meeting_by_id("action_and_impact")

    assert meeting.cadence.kind is CadenceKind.MONTHLY


def test_hertfordshire_dispute_ladder_has_four_levels_and_no_tie_break_ht81():
    """HT-81: TM, SM, HoS, Directors; the peer Directors have no tie-break."""
    ladder = _load("hertfordshire").escalation_by_id("case_allocation_resolution")

    assert len(ladder.levels) == 4
    assert ladder.tie_break is UNSPECIFIED


def test_buckinghamshire_ctm_sits_wednesdays_at_two_bk30():
    """BK-30: the Case Transfer Meeting is weekly, Wednesdays at 14:00."""
    cadence = _load("buckinghamshire").meeting_by_id("ctm").cadence

    assert (cadence.kind, cadence.weekday, cadence.time) == (CadenceKind.WEEKLY, 2, "14:00")


def test_buckinghamshire_step_down_to_family_support_needs_the_ctm_bk31():
    """BK-31: transfers between teams must be confirmed at the CTM."""
    guards = _guard_texts(_load("buckinghamshire"), "step_down_to_fss", Modality.MUST)

    assert "held(ctm)" in guards
