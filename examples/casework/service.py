"""The case-management logic: Devon's transfer and allocation (TAM) protocol.

Written by hand from `spec/authorities/devon.yaml` and the practice note behind it,
the way a developer of a case-management system would: statuses, owners and moves
are tables here, guards are Python functions, and nothing is read from the spec at
run time. The service enforces the protocol's `must` and `should` rules (good
practice is enforced by the system, not left to the worker).

Planted bugs (`BUGS`) switch on realistic mistakes, so the oracle can be shown to
catch them; see examples/README.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from examples.casework.workdays import add_working_days, is_working_day

__all__ = ["BUGS", "TAM_FIRST_SITTING", "Case", "Casework", "UnknownStatus"]

BUGS: Mapping[str, str] = {
    "cp_step_down_without_meeting": (
        "a step-down out of assessment or CIN is allowed without a three-way or TAF meeting"
    ),
    "unowned_after_rejected_transfer": (
        "a rejected transfer leaves the case with no owner (the old owner is released first)"
    ),
    "calendar_day_deadline": "the 5-working-day first-contact deadline is counted in calendar days",
    "rereferral_not_returned": "a re-referral within 3 months is not returned to the closing team",
    "first_contact_in_any_status": (
        "first contact with the family is accepted whatever the case's status"
    ),
    "waiting_list_allocation_keeps_owner": (
        "allocating a case from the waiting list leaves it on the waiting list's books"
    ),
    "tam_sits_on_bank_holidays": "the TAM is taken to sit every Monday, bank holidays included",
    "rereferral_window_a_day_short": (
        "the 3-month re-referral window closes at the start of its last day, not its end"
    ),
}

TAM_FIRST_SITTING = date(2026, 1, 5)
"""The weekly Transfer and Allocation Meeting sits on Mondays (first sitting 5 Jan 2026)."""

SOCIAL_WORKER = "childrens_social_care_worker"
EARLY_HELP_TRAY = "targeted_early_help_tray"
WAITING_LIST = "targeted_early_help_waiting_list"
EARLY_HELP_WORKER = "targeted_early_help_worker"
FRONT_DOOR = "front_door_tray"
_ALLOCATED = frozenset({SOCIAL_WORKER, EARLY_HELP_WORKER})

# status -> (tier, owner on entry or None to keep the owner)
_STATUSES: Mapping[str, tuple[str, str | None]] = {
    "assessment": ("assessment", SOCIAL_WORKER),
    "cin": ("cin", SOCIAL_WORKER),
    "cp": ("cp", SOCIAL_WORKER),
    "assessment_awaiting_tam": ("assessment", None),
    "cin_awaiting_tam": ("cin", None),
    "assessment_step_down_agreed": ("assessment", None),
    "cin_step_down_agreed": ("cin", None),
    "in_receiving_tray": ("targeted", EARLY_HELP_TRAY),
    "on_waiting_list": ("targeted", WAITING_LIST),
    "allocated_awaiting_first_contact": ("targeted", EARLY_HELP_WORKER),
    "early_help_open": ("targeted", EARLY_HELP_WORKER),
    "step_in": ("targeted", None),
    "awaiting_tam": ("targeted", None),
    "step_up_agreed": ("targeted", None),
    "referred_to_front_door": ("targeted", None),
    "urgent_referral_to_front_door": ("targeted", None),
    "assessment_with_early_help": ("assessment", None),
}
_OPENING_STATUSES = ("assessment", "cin", "early_help_open")


class UnknownStatus(ValueError):
    """A case cannot be opened in this status."""


@dataclass(frozen=True)
class Case:
    """One family's case as the service stores it."""

    status: str
    owner: str
    co_owner: str = "none"
    flags: frozenset[str] = frozenset()
    meetings_held: frozenset[str] = frozenset()
    first_contact_due: date | None = None
    review_due: date | None = None
    closed_to_social_work: datetime | None = None
    closing_owner: str | None = None
    disputes: Mapping[str, str] = field(default_factory=dict)

    def view(self) -> dict[str, object]:
        """The case as the API reports it (wire format; dates as ISO strings)."""
        due = {}
        if self.first_contact_due is not None:
            due["first_contact_after_allocation"] = self.first_contact_due.isoformat()
        if self.review_due is not None:
            due["waiting_list_review"] = self.review_due.isoformat()
        return {
            "status": self.status,
            "owner": self.owner,
            "co_owner": self.co_owner,
            "allocated": self.owner in _ALLOCATED,
            "due": dict(sorted(due.items())),
            "disputes": dict(sorted(self.disputes.items())),
        }


Guard = Callable[[Case, datetime], bool]


@dataclass(frozen=True)
class _Move:
    sources: tuple[str, ...]  # () means any status
    target: str | None = None
    guards: tuple[Guard, ...] = ()
    sets: Mapping[str, bool] = field(default_factory=dict)
    owner: str | None = None
    co_owner: str | None = None
    meeting: str | None = None


def _has(*flags: str) -> Guard:
    return lambda case, _at: all(flag in case.flags for flag in flags)


def _no_immediate_risk(case: Case, _at: datetime) -> bool:
    """DV-26: once immediate risk is recorded, the phone referral to the Front Door comes
    "IN THE FIRST INSTANCE": the TAM route (taking the family to TAM, its decisions) waits."""
    return "urgent_cp_concerns" not in case.flags


def _within_three_months(case: Case, at: datetime, *, a_day_short: bool = False) -> bool:
    """Closed to social work within 3 months: the window lasts to the end of its last
    day, and over a weekend or bank holiday straight after it (with the planted bug,
    it closes as its last day begins)."""
    closed = case.closed_to_social_work
    if closed is None:
        return False
    day = (closed + relativedelta(months=3)).date() + timedelta(days=0 if a_day_short else 1)
    while day <= at.date():
        if is_working_day(day):
            return False
        day += timedelta(days=1)
    return True


def _meeting_before_transfer(case: Case, _at: datetime) -> bool:
    return bool(case.meetings_held & {"three_way_meeting", "team_around_the_family"})


_STEP_DOWN_RESET = dict.fromkeys(
    (
        "reopening_discussed",
        "needs_escalated",
        "consent",
        "family_plan",
        "family_discussed",
        "manager_discussed",
        "teh_manager_consulted",
    ),
    False,
)
_FRONT_DOOR_RESET = dict.fromkeys(
    (
        "consent",
        "safeguarding_reasons",
        "urgent_cp_concerns",
        "reopening_discussed",
        "needs_escalated",
    ),
    False,
)
_OPEN_TO_EARLY_HELP = (
    "in_receiving_tray",
    "on_waiting_list",
    "allocated_awaiting_first_contact",
    "early_help_open",
    "step_in",
    "awaiting_tam",
    "step_up_agreed",
    "referred_to_front_door",
)
_DISPUTABLE = (
    "assessment_awaiting_tam",
    "cin_awaiting_tam",
    "awaiting_tam",
    "step_in",
    "early_help_open",
    "assessment",
    "cin",
    "assessment_with_early_help",
)

_MOVES: Mapping[str, _Move] = {
    "discuss_needs_with_family": _Move(("assessment", "cin"), sets={"family_discussed": True}),
    "discuss_step_down_with_manager": _Move(("assessment",), sets={"manager_discussed": True}),
    "consult_teh_manager": _Move(("assessment", "cin"), sets={"teh_manager_consulted": True}),
    "agree_family_plan": _Move(
        ("assessment", "cin", "assessment_step_down_agreed", "cin_step_down_agreed"),
        sets={"family_plan": True},
    ),
    "give_consent": _Move((), sets={"consent": True}),
    "withdraw_consent": _Move((), sets={"consent": False}),
    "request_step_down_from_assessment": _Move(
        ("assessment",),
        "assessment_awaiting_tam",
        guards=(_has("family_discussed", "manager_discussed"),),
    ),
    "request_step_down_from_cin": _Move(
        ("cin",), "cin_awaiting_tam", guards=(_has("family_discussed"),)
    ),
    "tam_agrees_step_down_from_assessment": _Move(
        ("assessment_awaiting_tam",), "assessment_step_down_agreed", meeting="tam"
    ),
    "tam_agrees_step_down_from_cin": _Move(
        ("cin_awaiting_tam",), "cin_step_down_agreed", meeting="tam"
    ),
    "tam_declines_step_down_from_assessment": _Move(
        ("assessment_awaiting_tam",), "assessment", meeting="tam"
    ),
    "tam_declines_step_down_from_cin": _Move(("cin_awaiting_tam",), "cin", meeting="tam"),
    "hold_three_way_meeting": _Move(
        ("assessment_step_down_agreed", "cin_step_down_agreed"), meeting="three_way_meeting"
    ),
    "hold_taf_meeting": _Move(
        ("assessment_step_down_agreed", "cin_step_down_agreed"), meeting="team_around_the_family"
    ),
    "step_down_from_assessment": _Move(
        ("assessment_step_down_agreed",),
        "in_receiving_tray",
        guards=(_has("family_plan", "consent"), _meeting_before_transfer),
        sets=_STEP_DOWN_RESET,
    ),
    "step_down_from_cin": _Move(
        ("cin_step_down_agreed",),
        "in_receiving_tray",
        guards=(_has("family_plan", "consent"), _meeting_before_transfer),
        sets=_STEP_DOWN_RESET,
    ),
    "allocate": _Move(("in_receiving_tray", "on_waiting_list"), "allocated_awaiting_first_contact"),
    "first_family_contact": _Move(("allocated_awaiting_first_contact",), "early_help_open"),
    "put_on_waiting_list": _Move(("in_receiving_tray",), "on_waiting_list"),
    "review_waiting_list": _Move(("on_waiting_list",)),
    "note_re_escalation": _Move(("on_waiting_list",), sets={"needs_escalated": True}),
    "raise_re_escalation_with_closing_team": _Move(
        ("on_waiting_list",),
        guards=(_has("needs_escalated"), _within_three_months),
        sets={"reopening_discussed": True},
    ),
    "refer_critical_needs_to_front_door": _Move(
        ("on_waiting_list",),
        "referred_to_front_door",
        guards=(_has("needs_escalated"),),
        co_owner=FRONT_DOOR,
    ),
    "request_step_up": _Move(("early_help_open",), "awaiting_tam", guards=(_no_immediate_risk,)),
    "tam_agrees_step_up": _Move(
        ("awaiting_tam",), "step_up_agreed", guards=(_no_immediate_risk,), meeting="tam"
    ),
    "tam_declines_step_up": _Move(
        ("awaiting_tam",), "early_help_open", guards=(_no_immediate_risk,), meeting="tam"
    ),
    "record_safeguarding_reasons": _Move(("step_up_agreed",), sets={"safeguarding_reasons": True}),
    "discuss_reopening_with_closing_team": _Move(
        ("step_up_agreed",), guards=(_within_three_months,), sets={"reopening_discussed": True}
    ),
    "forward_request_for_support": _Move(
        ("step_up_agreed",),
        "referred_to_front_door",
        guards=(
            lambda case, _at: bool(case.flags & {"consent", "safeguarding_reasons"}),
            lambda case, at: (
                not _within_three_months(case, at) or "reopening_discussed" in case.flags
            ),
        ),
        co_owner=FRONT_DOOR,
    ),
    "identify_immediate_risk": _Move(_OPEN_TO_EARLY_HELP, sets={"urgent_cp_concerns": True}),
    "urgent_step_up": _Move(
        _OPEN_TO_EARLY_HELP,
        "urgent_referral_to_front_door",
        guards=(_has("urgent_cp_concerns"),),
        co_owner=FRONT_DOOR,
    ),
    "front_door_opens_assessment": _Move(
        ("referred_to_front_door", "urgent_referral_to_front_door"),
        "assessment_with_early_help",
        co_owner=SOCIAL_WORKER,
        sets=_FRONT_DOOR_RESET,
    ),
    "assessment_leads_to_cin": _Move(
        ("assessment_with_early_help",), "cin", owner=SOCIAL_WORKER, co_owner="none"
    ),
    "assessment_leads_to_cp": _Move(
        ("assessment_with_early_help",), "cp", owner=SOCIAL_WORKER, co_owner="none"
    ),
    "assessment_ends_early_help_continues": _Move(
        ("assessment_with_early_help",), "early_help_open", co_owner="none"
    ),
    "request_step_in": _Move(
        ("early_help_open",), "step_in", meeting="link_social_worker_consultation"
    ),
    "step_in_continue_early_help": _Move(("step_in",), "early_help_open"),
    "step_in_to_tam": _Move(("step_in",), "awaiting_tam", guards=(_no_immediate_risk,)),
    "step_in_direct_to_front_door": _Move(
        ("step_in",), "referred_to_front_door", co_owner=FRONT_DOOR
    ),
    "raise_professional_difference": _Move(_DISPUTABLE),
    "partner_disagrees_with_step_up_decision": _Move(
        ("early_help_open", "step_up_agreed", "referred_to_front_door")
    ),
}

# Which event opens which dispute, at which first level; and a dispute's next level.
_DISPUTE_OPENERS = {
    "raise_professional_difference": ("professional_difference", "dscp_case_resolution"),
    "partner_disagrees_with_step_up_decision": ("partner_disagreement", "share_tam_consultation"),
}
_NEXT_LEVEL = {("partner_disagreement", "share_tam_consultation"): "dscp_escalation_policy_level"}

# Re-referrals within 3 months of a step-down: the event, and where it routes the case
# (None: back to the social work team that closed the case).
_REREFERRALS = {
    "discuss_reopening_with_closing_team": None,
    "raise_re_escalation_with_closing_team": None,
    "urgent_step_up": FRONT_DOOR,
}


class Casework:
    """The service: opens cases and applies steps to them, one case at a time per id."""

    def __init__(self, bugs: Iterable[str] = ()) -> None:
        self.bugs = frozenset(bugs)
        unknown = sorted(self.bugs - set(BUGS))
        if unknown:
            raise ValueError(f"unknown bug {unknown[0]!r}; known: {', '.join(BUGS)}")

    def open_case(self, status: str) -> Case:
        """A new case in one of the statuses a family can be opened in."""
        if status not in _OPENING_STATUSES:
            raise UnknownStatus(f"cannot open a case at {status!r}")
        owner = _STATUSES[status][1]
        assert owner is not None
        return Case(status=status, owner=owner)

    def apply(self, case: Case, step: str, at: datetime) -> tuple[bool, Case]:
        """Apply one step at a moment; answers (accepted, the case afterwards)."""
        if step.startswith("escalate:"):
            return self._escalate(case, step.removeprefix("escalate:"))
        move = _MOVES.get(step)
        if "first_contact_in_any_status" in self.bugs and step == "first_family_contact":
            move = replace(_MOVES[step], sources=())
        if move is None or (move.sources and case.status not in move.sources):
            return False, case
        if move.meeting == "tam" and not self._tam_sits(at.date()):
            return False, case
        if not all(guard(case, at) for guard in self._guards(step, move)):
            if "unowned_after_rejected_transfer" in self.bugs and move.target is not None:
                return False, replace(case, owner="none")
            return False, case
        return True, self._moved(case, step, move, at)

    def _tam_sits(self, day: date) -> bool:
        if "tam_sits_on_bank_holidays" in self.bugs:
            return day.weekday() == TAM_FIRST_SITTING.weekday()
        return _tam_sits(day)

    def _guards(self, step: str, move: _Move) -> tuple[Guard, ...]:
        if "cp_step_down_without_meeting" in self.bugs and step.startswith("step_down_from_"):
            return tuple(guard for guard in move.guards if guard is not _meeting_before_transfer)
        return move.guards

    def _escalate(self, case: Case, ladder: str) -> tuple[bool, Case]:
        following = _NEXT_LEVEL.get((ladder, case.disputes.get(ladder, "")))
        if following is None:
            return False, case
        return True, replace(case, disputes={**case.disputes, ladder: following})

    def _moved(self, case: Case, step: str, move: _Move, at: datetime) -> Case:
        flags = set(case.flags)
        for flag, value in move.sets.items():
            (flags.add if value else flags.discard)(flag)
        target = move.target or case.status
        entered = target != case.status
        owner = self._owner(case, step, move, target=target, entered=entered, at=at)
        held = case.meetings_held
        if _STATUSES[target][0] != _STATUSES[case.status][0]:
            held = frozenset()
        if move.meeting is not None:
            held |= {move.meeting}
        moved = replace(
            case,
            status=target,
            owner=owner,
            co_owner=move.co_owner or case.co_owner,
            flags=frozenset(flags),
            meetings_held=held,
            disputes=_disputes(case.disputes, step),
        )
        return self._timed(moved, case, step, entered, at)

    def _owner(
        self, case: Case, step: str, move: _Move, *, target: str, entered: bool, at: datetime
    ) -> str:
        short = "rereferral_window_a_day_short" in self.bugs
        if step in _REREFERRALS and _within_three_months(case, at, a_day_short=short):
            routed = _REREFERRALS[step]
            if routed is not None:
                return routed
            if "rereferral_not_returned" not in self.bugs and case.closing_owner is not None:
                return case.closing_owner
        if move.owner is not None:
            return move.owner
        if "waiting_list_allocation_keeps_owner" in self.bugs and case.status == "on_waiting_list":
            return case.owner
        status_owner = _STATUSES[target][1]
        if entered and status_owner is not None:
            return status_owner
        return case.owner

    def _timed(self, moved: Case, before: Case, step: str, entered: bool, at: datetime) -> Case:
        today = at.date()
        first_contact = moved.first_contact_due
        if step == "allocate":
            days = 5
            if "calendar_day_deadline" in self.bugs:
                first_contact = today + timedelta(days=days)
            else:
                first_contact = add_working_days(today, days)
        elif step == "first_family_contact":
            first_contact = None
        review = moved.review_due
        if (entered and moved.status == "on_waiting_list") or step == "review_waiting_list":
            review = today + timedelta(weeks=2)
        elif before.status == "on_waiting_list" and moved.status != "on_waiting_list":
            review = None
        closed, closing_owner = moved.closed_to_social_work, moved.closing_owner
        if step.startswith("step_down_from_"):
            closed, closing_owner = at, before.owner
        return replace(
            moved,
            first_contact_due=first_contact,
            review_due=review,
            closed_to_social_work=closed,
            closing_owner=closing_owner,
        )


def _disputes(disputes: Mapping[str, str], step: str) -> Mapping[str, str]:
    opened = _DISPUTE_OPENERS.get(step)
    if opened is None or opened[0] in disputes:
        return disputes
    ladder, level = opened
    return {**disputes, ladder: level}


def _tam_sits(day: date) -> bool:
    """TAM sits weekly on Mondays, or on the first working day after a bank-holiday Monday."""
    week_start = day - timedelta(days=day.weekday())
    sitting = week_start + timedelta(days=TAM_FIRST_SITTING.weekday())
    while not is_working_day(sitting):
        sitting += timedelta(days=1)
    return day == sitting
