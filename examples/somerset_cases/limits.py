"""Somerset's time limits and disputes as tables, written by hand from the two documents.

A limit runs from its anchor (a step, or entering a status) and is met by one of its
steps; the service shows each running limit's due date. A dispute moves up its levels
one at a time; only a level where one person has the final word can decide it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LADDERS", "LIMITS", "REREFERRAL", "Ladder", "Limit"]

_TRANSFERS = frozenset(
    {
        "transfer_to_sg_at_initial_cin_meeting",
        "transfer_to_sg_at_icpc",
        "transfer_to_cla_team",
        "transfer_between_areas",
        "transfer_out_of_cwd",
        "transfer_to_cwd",
        "step_down_to_fis",
        "step_down_to_early_help",
        "assessment_picks_up",
    }
)
_TRAYS = frozenset({"in_safeguarding_tray_cin", "in_safeguarding_tray_cp", "in_cla_tray"})


@dataclass(frozen=True)
class Limit:
    """How long (`count` of `unit`: weeks, months or working_days), from what, met by what."""

    count: int
    unit: str
    anchors: frozenset[str]
    met_by: frozenset[str]
    recurring: bool = False  # each meeting of it starts the clock again
    minimum: bool = False  # a wait: the steps it names may not happen before it ends


LIMITS: Mapping[str, Limit] = {
    # ST-10: the Step-In takes place in the week after the TAM
    "step_in_within_a_week": Limit(
        1, "weeks", frozenset({"tam_requires_step_in"}), frozenset({"hold_step_in_visit"})
    ),
    # SP-07 applied to a step up: handed over within 2 weeks of the decision
    "step_up_transfer_within_two_weeks": Limit(
        2,
        "weeks",
        frozenset({"tam_agrees_step_up", "om_review_agrees_step_up"}),
        frozenset({"handover_visit"}),
    ),
    # SP-07: transfers take place within 2 weeks of the TAM decision
    "transfer_within_two_weeks": Limit(
        2,
        "weeks",
        frozenset({"tam_agrees_transfer"}),
        _TRANSFERS | {"initial_cin_case_to_sg_tray", "icpc_case_to_sg_tray", "move_to_cla_tray"},
    ),
    # SP-12: allocated to a named worker within 2 weeks of the decision
    "allocate_within_two_weeks": Limit(
        2,
        "weeks",
        frozenset({"tam_agrees_transfer"}),
        _TRANSFERS
        | {"allocate_from_sg_tray_cin", "allocate_from_sg_tray_cp", "allocate_from_cla_tray"},
    ),
    # SP-11: a weekly management overview while the case sits in a tray
    "weekly_management_overview": Limit(
        1, "weeks", _TRAYS, frozenset({"add_weekly_management_overview"}), recurring=True
    ),
    # SP-16: short-term intervention no longer than 3 months
    "short_term_intervention_limit": Limit(
        3,
        "months",
        frozenset({"start_short_term_intervention"}),
        frozenset({"step_down_to_fis", "step_down_to_early_help", "close_case"}),
    ),
    # SP-22: at least 6 months with the CLA Team after a return home ...
    "return_home_minimum_six_months": Limit(
        6,
        "months",
        frozenset({"return_home"}),
        frozenset({"step_down_to_fis", "close_case"}),
        minimum=True,
    ),
    # ... and step down or closure within 6 months, or the plan is reviewed
    "return_home_exit_within_six_months": Limit(
        6, "months", frozenset({"return_home"}), frozenset({"step_down_to_fis", "close_case"})
    ),
    # SP-34: the transfer-in conference within 15 (working) days of formal notification
    "transfer_in_conference_within_15_days": Limit(
        15,
        "working_days",
        frozenset({"ola_formal_notification"}),
        frozenset({"hold_transfer_in_conference"}),
    ),
}

# SP-13: re-referred within 3 months of closure or step down -> the previous team.
REREFERRAL = (
    frozenset({"close_case", "step_down_to_fis", "step_down_to_early_help"}),
    "re_referral",
    3,  # months
)


@dataclass(frozen=True)
class Ladder:
    """A dispute: what opens and closes it, its levels in order, where it can be decided."""

    opened_by: frozenset[str]
    closed_by: frozenset[str]
    levels: tuple[str, ...]
    decides_at: frozenset[str] = frozenset()
    handed_off_at: frozenset[str] = frozenset()  # levels outside these documents


LADDERS: Mapping[str, Ladder] = {
    # ST-23, ST-24: Step-In, then the two Operations Managers together (no tie-break)
    "professional_difference": Ladder(
        frozenset({"escalate_refused_step_up"}),
        frozenset(
            {
                "tam_agrees_step_up",
                "tam_agrees_fis_continues",
                "om_review_agrees_step_up",
                "om_review_upholds_refusal",
            }
        ),
        ("step_in_requested", "operations_managers_review"),
    ),
    # ST-22: the SPTL may take a neglect refusal to the FIS Operations Manager
    "neglect_refusal": Ladder(
        frozenset({"escalate_neglect_refusal"}), frozenset(), ("fis_om_neglect_review",)
    ),
    # ST-26: a partner's line manager, then the Resolving Professional Differences protocol
    "partner_disagreement": Ladder(
        frozenset({"partner_disagrees_with_tam_decision"}),
        frozenset(),
        ("partner_line_manager_alerted", "rpd_protocol"),
        handed_off_at=frozenset({"rpd_protocol"}),
    ),
    # SP-12: not allocated within 2 weeks -> the receiving team's OM
    "unallocated_case": Ladder(
        frozenset({"escalate_unallocated_case"}),
        frozenset(
            {"allocate_from_sg_tray_cin", "allocate_from_sg_tray_cp", "allocate_from_cla_tray"}
        ),
        ("receiving_om",),
    ),
    # SP-20: a transfer blocked by capacity -> the OMs, then the Heads of Service
    "capacity_block": Ladder(
        frozenset({"transfer_blocked_by_capacity"}),
        frozenset(
            {
                "transfer_to_cla_team",
                "move_to_cla_tray",
                "transfer_to_sg_at_initial_cin_meeting",
                "transfer_to_sg_at_icpc",
            }
        ),
        ("operations_managers_discuss", "heads_of_service"),
    ),
    # SP-31: area TMs disagree -> the relevant OMs decide
    "inter_area_dispute": Ladder(
        frozenset({"area_tms_disagree"}),
        frozenset({"transfer_between_areas"}),
        ("area_tms_discuss", "area_oms_decide"),
        decides_at=frozenset({"area_oms_decide"}),
    ),
}
