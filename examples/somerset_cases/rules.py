"""Somerset's statuses and steps as tables, written by hand from the two documents.

The TAM practice note (ST-nn) covers step up, step in, urgent CP step up and step
down between social work and the Family Intervention Service (FIS); the case transfer
policy (SP-nn) covers transfers between the social work teams. Where they differ the
service follows both. Nothing here is read from the stepcheck spec: each rule is a
plain Python value, and a guard is a predicate over the case's facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "ALLOCATED",
    "FACTS",
    "INCREMENTS",
    "MOVES",
    "OPENING",
    "STATUSES",
    "Facts",
    "Move",
]

FIS = "family_intervention_service_worker"
EARLY_HELP = "early_help_services_worker"
ASSESSMENT = "assessment_team_worker"
SAFEGUARDING = "safeguarding_team_worker"
CLA = "cla_team_worker"
CWD = "cwd_team_worker"
LEAVING_CARE = "leaving_care_team_worker"
ALLOCATED = frozenset({FIS, EARLY_HELP, ASSESSMENT, SAFEGUARDING, CLA, CWD, LEAVING_CARE})
NOT_KNOWN = "unspecified"  # the documents do not say who holds the case

# status -> (tier, owner on entry; None keeps whoever holds it)
STATUSES: Mapping[str, tuple[str, str | None]] = {
    "fis_open": ("targeted", FIS),
    "awaiting_tam": ("targeted", FIS),
    "step_in": ("targeted", FIS),
    "step_up_refused": ("targeted", FIS),
    "awaiting_om_review": ("targeted", None),
    "step_up_agreed": ("targeted", NOT_KNOWN),
    "urgent_cp_transfer": ("assessment", NOT_KNOWN),
    "early_help_open": ("early_help", EARLY_HELP),
    "assessment": ("assessment", ASSESSMENT),
    "short_term_intervention": ("assessment", ASSESSMENT),
    "in_safeguarding_tray_cin": ("cin", "safeguarding_team_tray"),
    "in_safeguarding_tray_cp": ("cp", "safeguarding_team_tray"),
    "cin": ("cin", SAFEGUARDING),
    "cp": ("cp", SAFEGUARDING),
    "cla_proceedings": ("cla", SAFEGUARDING),
    "in_cla_tray": ("cla", "cla_team_tray"),
    "cla": ("cla", CLA),
    "cla_home_on_care_order": ("cla", CLA),
    "cla_returned_home": ("cin", CLA),
    "leaving_care": ("leaving_care", LEAVING_CARE),
    "cwd_open": ("cin", CWD),
    "open_in_other_la": ("cp", "other_local_authority"),
    "transfer_in_check": ("cp", "assessment_team_tray"),
    "awaiting_transfer_in_conference": ("cp", None),
    "closed": ("closed", "none"),
    "with_adult_services": ("closed", "adult_services"),
}
OPENING = ("fis_open", "assessment", "cwd_open", "open_in_other_la")

FACTS: Mapping[str, object] = {
    "consent": False,
    "family_plan": False,
    "step_down_form_sent": False,
    "urgent_cp_concerns": False,
    "neglect": False,
    "toolkit_completed": False,
    "transfer_stage": "not_proposed",  # then "proposed" (LCS form started), "agreed" (at TAM)
    "tasks_complete": False,
    "age_stage": 0,  # 0 under 14, 1 14-15, 2 16-17, 3 18 or over
    "permanence_plan": False,
}

Facts = Mapping[str, object]
Guard = Callable[[Facts, frozenset[str]], bool]  # (facts, meetings held) -> allowed


@dataclass(frozen=True)
class Move:
    """One step: where it may start, where it goes, what it needs and what it sets."""

    sources: tuple[str, ...]  # () means any status
    target: str | None = None
    guards: Mapping[str, Guard] = field(default_factory=dict)  # rule id -> guard
    sets: Mapping[str, object] = field(default_factory=dict)
    owner: str | None = None
    co_owner: str | None = None
    meeting: str | None = None


def fact(name: str, value: object = True) -> Guard:
    """A guard: the fact has this value."""
    return lambda facts, _held: facts[name] == value


def held(meeting: str) -> Guard:
    """A guard: the meeting sat for this case since its tier last changed."""
    return lambda _facts, meetings: meeting in meetings


def at_least(name: str, least: int) -> Guard:
    """A guard: the counting fact has reached `least`."""
    return lambda facts, _held: _number(facts[name]) >= least


def below(name: str, bound: int) -> Guard:
    """A guard: the counting fact is still under `bound`."""
    return lambda facts, _held: _number(facts[name]) < bound


def _number(value: object) -> int:
    assert isinstance(value, int)
    return value


def _ready(facts: Facts, _held: frozenset[str]) -> bool:
    return facts["transfer_stage"] == "agreed" and facts["tasks_complete"] is True


FIS_SIDE = ("fis_open", "step_up_refused")
URGENT_FROM = (
    "fis_open",
    "awaiting_tam",
    "step_in",
    "step_up_refused",
    "awaiting_om_review",
    "step_up_agreed",
)
SOCIAL_WORK = (
    "assessment",
    "short_term_intervention",
    "cin",
    "cp",
    "cla_proceedings",
    "cla",
    "cla_returned_home",
    "cwd_open",
    "urgent_cp_transfer",
)
STEP_DOWN_FROM = ("assessment", "short_term_intervention", "cin", "cp", "cla_returned_home")
AREA_TEAMS = ("assessment", "cin", "cp", "cla")
TRAYS = ("in_safeguarding_tray_cin", "in_safeguarding_tray_cp", "in_cla_tray")

RESET = {"transfer_stage": "not_proposed", "tasks_complete": False}
RESET_FORM = {**RESET, "step_down_form_sent": False}
AGREED = fact("transfer_stage", "agreed")
HANDOVER = held("joint_handover_meeting")  # SP-09: every transfer has a handover meeting
TRANSFER_GUARDS = {"SP-01": AGREED, "SP-07": fact("tasks_complete"), "SP-09": HANDOVER}
STEP_DOWN_GUARDS = {
    "ST-17 plan": fact("family_plan"),
    "ST-17 consent": fact("consent"),
    "ST-18": held("three_way_meeting"),
    "SP-15": fact("step_down_form_sent"),
    "SP-01": AGREED,
    "SP-09": HANDOVER,
}


def _neglect_then(meeting_or_fact: Guard) -> Guard:
    return lambda facts, meetings: not facts["neglect"] or meeting_or_fact(facts, meetings)


INCREMENTS: Mapping[str, str] = {"passes_age_milestone": "age_stage"}  # the 14th or 16th birthday

MOVES: Mapping[str, Move] = {
    # facts about the family
    "give_consent": Move((), sets={"consent": True}),
    "withdraw_consent": Move((), sets={"consent": False}),
    "agree_family_plan": Move(STEP_DOWN_FROM, sets={"family_plan": True}),
    "urgent_cp_concerns_arise": Move(URGENT_FROM, sets={"urgent_cp_concerns": True}),
    "neglect_concern_identified": Move(FIS_SIDE, sets={"neglect": True}),
    "complete_strengths_needs_toolkit": Move(
        FIS_SIDE, guards={"ST-21": fact("neglect")}, sets={"toolkit_completed": True}
    ),
    "hold_sptl_joint_visit": Move(
        FIS_SIDE, guards={"ST-20": fact("neglect")}, meeting="sptl_joint_visit"
    ),
    "passes_age_milestone": Move((), guards={"age": below("age_stage", 2)}),
    "turns_eighteen": Move((), guards={"age": fact("age_stage", 2)}, sets={"age_stage": 3}),
    # step up (ST-04..ST-13) and professional difference (ST-23, ST-24)
    "request_step_up": Move(
        FIS_SIDE,
        "awaiting_tam",
        guards={
            "ST-20": _neglect_then(held("sptl_joint_visit")),
            "ST-21": _neglect_then(fact("toolkit_completed")),
        },
    ),
    "tam_agrees_step_up": Move(("awaiting_tam",), "step_up_agreed", meeting="tam"),
    "tam_refuses_step_up": Move(("awaiting_tam",), "step_up_refused", meeting="tam"),
    "tam_requires_step_in": Move(("awaiting_tam",), "step_in", meeting="tam"),
    "tam_agrees_fis_continues": Move(("awaiting_tam",), "fis_open", meeting="tam"),
    "hold_step_in_visit": Move(("step_in",), "awaiting_tam", meeting="step_in_visit"),
    "handover_visit": Move(
        ("step_up_agreed",), "assessment", co_owner="none", meeting="joint_visit"
    ),
    "step_up_returns_to_tam": Move(("step_up_agreed",), "awaiting_tam"),  # SP-08: when overdue
    "fis_continues_after_refusal": Move(("step_up_refused",), "fis_open"),
    "escalate_refused_step_up": Move(("step_up_refused",), "step_in"),
    "escalate_to_om_review": Move(
        ("step_up_refused",), "awaiting_om_review", guards={"ST-24": held("step_in_visit")}
    ),
    "om_review_agrees_step_up": Move(
        ("awaiting_om_review",), "step_up_agreed", meeting="om_review"
    ),
    "om_review_upholds_refusal": Move(("awaiting_om_review",), "fis_open", meeting="om_review"),
    "escalate_neglect_refusal": Move(("step_up_refused",), guards={"ST-22": fact("neglect")}),
    "partner_disagrees_with_tam_decision": Move(
        ("fis_open", "step_up_refused", "step_up_agreed", "assessment")
    ),
    # urgent step up for CP reasons (ST-14, ST-15)
    "urgent_step_up": Move(
        URGENT_FROM, "urgent_cp_transfer", guards={"ST-02": fact("urgent_cp_concerns")}
    ),
    "fis_remains_involved": Move(("urgent_cp_transfer",), co_owner=FIS),
    "assessment_picks_up": Move(
        ("urgent_cp_transfer",),
        "assessment",
        guards={"SP-01": AGREED, "SP-09": HANDOVER},
        sets=RESET,
        co_owner="none",
    ),
    # transfers between teams (SP-01..SP-12)
    "propose_transfer": Move(
        SOCIAL_WORK,
        guards={"SP-05": fact("transfer_stage", "not_proposed")},
        sets={"transfer_stage": "proposed"},
    ),
    "tam_agrees_transfer": Move(
        SOCIAL_WORK,
        guards={"SP-01": fact("transfer_stage", "proposed")},
        sets={"transfer_stage": "agreed", "tasks_complete": False},
        meeting="tam",
    ),
    "complete_transfer_tasks": Move(
        SOCIAL_WORK, guards={"SP-07": AGREED}, sets={"tasks_complete": True}
    ),
    "return_to_next_tam": Move(  # SP-08: also needs the 2-week window to have run out
        SOCIAL_WORK,
        guards={"SP-08": lambda f, _h: f["transfer_stage"] == "agreed" and not f["tasks_complete"]},
        sets={"transfer_stage": "proposed"},
    ),
    "hold_joint_handover_meeting": Move(SOCIAL_WORK, meeting="joint_handover_meeting"),
    "transfer_to_sg_at_initial_cin_meeting": Move(
        ("assessment",), "cin", TRANSFER_GUARDS, RESET_FORM, meeting="initial_cin_meeting"
    ),
    "transfer_to_sg_at_icpc": Move(
        ("assessment",), "cp", TRANSFER_GUARDS, RESET_FORM, meeting="icpc"
    ),
    "initial_cin_case_to_sg_tray": Move(
        ("assessment",),
        "in_safeguarding_tray_cin",
        {"SP-10": _ready},
        RESET_FORM,
        meeting="initial_cin_meeting",
    ),
    "icpc_case_to_sg_tray": Move(
        ("assessment",), "in_safeguarding_tray_cp", {"SP-10": _ready}, RESET_FORM, meeting="icpc"
    ),
    "allocate_from_sg_tray_cin": Move(("in_safeguarding_tray_cin",), "cin"),
    "allocate_from_sg_tray_cp": Move(("in_safeguarding_tray_cp",), "cp"),
    "add_weekly_management_overview": Move(TRAYS),
    "escalate_unallocated_case": Move(TRAYS),  # SP-12: when the 2 weeks have run out
    # looked-after children (SP-18, SP-22, SP-23)
    "child_becomes_looked_after": Move(
        ("cin", "cp"), "cla_proceedings", sets={"step_down_form_sent": False}
    ),
    "permanence_plan_made": Move(("cla_proceedings",), sets={"permanence_plan": True}),
    "transfer_to_cla_team": Move(
        ("cla_proceedings",),
        "cla",
        {"SP-18": fact("permanence_plan"), **TRANSFER_GUARDS},
        RESET,
    ),
    "move_to_cla_tray": Move(
        ("cla_proceedings",),
        "in_cla_tray",
        {"SP-18": fact("permanence_plan"), "SP-10": _ready},
        RESET,
    ),
    "allocate_from_cla_tray": Move(("in_cla_tray",), "cla"),
    "transfer_blocked_by_capacity": Move(
        ("assessment", "short_term_intervention", "cla_proceedings")
    ),
    "return_home": Move(("cla",), "cla_returned_home"),
    "placed_at_home_on_care_order": Move(("cla",), "cla_home_on_care_order"),
    "care_order_revoked": Move(
        ("cla_home_on_care_order",), "cla_returned_home", sets={"step_down_form_sent": False}
    ),
    "review_return_home_plan": Move(("cla_returned_home",)),  # SP-22: when 6 months have run out
    # between areas, CWD (SP-24..SP-26, SP-31)
    "transfer_between_areas": Move(AREA_TEAMS, None, TRANSFER_GUARDS, RESET),
    "area_tms_disagree": Move(AREA_TEAMS),
    "hold_cwd_eligibility_discussion": Move(AREA_TEAMS, meeting="cwd_eligibility_discussion"),
    "transfer_to_cwd": Move(
        AREA_TEAMS,
        "cwd_open",
        {"SP-26": held("cwd_eligibility_discussion"), "SP-09": HANDOVER},
        RESET_FORM,
        meeting="cwd_allocations_meeting",
    ),
    "transfer_out_of_cwd": Move(("cwd_open",), "cin", TRANSFER_GUARDS, RESET_FORM),
    # assessment outcomes, step down, closure (SP-14..SP-16, ST-17..ST-19)
    "start_short_term_intervention": Move(("assessment",), "short_term_intervention"),
    "close_case": Move(
        ("assessment", "short_term_intervention", "cin", "cla_returned_home"), "closed"
    ),
    "hold_three_way_meeting": Move(STEP_DOWN_FROM, meeting="three_way_meeting"),
    "send_step_down_form": Move(
        STEP_DOWN_FROM,
        guards={"ST-19": held("three_way_meeting")},
        sets={"step_down_form_sent": True},
    ),
    "step_down_to_fis": Move(STEP_DOWN_FROM, "fis_open", STEP_DOWN_GUARDS, RESET_FORM, owner=FIS),
    "step_down_to_early_help": Move(
        ("assessment", "short_term_intervention"),
        "early_help_open",
        STEP_DOWN_GUARDS,
        RESET_FORM,
        owner=EARLY_HELP,
    ),
    "re_referral": Move(("closed", "fis_open", "early_help_open"), "assessment"),
    # leaving care and adult services (SP-27..SP-32)
    "lc_team_becomes_involved": Move(
        ("cla",), guards={"SP-27": at_least("age_stage", 2)}, co_owner=LEAVING_CARE
    ),
    "hold_lc_transfer_meeting": Move(("cla",), meeting="lc_transfer_meeting"),
    "transfer_to_leaving_care": Move(
        ("cla",),
        "leaving_care",
        {"SP-28": fact("age_stage", 3), "SP-30": held("lc_transfer_meeting")},
        co_owner="none",
    ),
    "transfer_to_adult_services": Move(
        ("leaving_care", "cwd_open"),
        "with_adult_services",
        {"SP-32": at_least("age_stage", 1)},
        co_owner="none",
    ),
    # from and to other local authorities (SP-33..SP-36)
    "ola_formal_notification": Move(("open_in_other_la",), "transfer_in_check"),
    "accept_transfer_in": Move(("transfer_in_check",), "awaiting_transfer_in_conference"),
    "decline_transfer_in": Move(("transfer_in_check",), "open_in_other_la"),
    "allocate_transfer_in_worker": Move(
        ("awaiting_transfer_in_conference",), owner=SAFEGUARDING, meeting="tam"
    ),
    "hold_transfer_in_conference": Move(
        ("awaiting_transfer_in_conference",), "cp", meeting="transfer_in_conference"
    ),
    "supervision_order_to_somerset": Move(("open_in_other_la",), "cin", meeting="tam"),
    "refer_to_other_la": Move(("cin",), guards={"SP-35": fact("consent")}),
}
