"""The Somerset case-management service: opens cases and applies steps to them.

Written by hand from Somerset's TAM practice note (ST-nn) and case transfer policy
(SP-nn), the way a developer of a case-management system would: the tables are in
`rules.py` and `limits.py`, the calendar in `workdays.py`, and nothing is read from
stepcheck's spec or executor at run time. The service enforces the documents' `must`
and `should` rules, so test it with `--reading should`.

Planted bugs (`BUGS`) switch on realistic mistakes, each against one rule, so the
oracle can be shown catching them; see examples/README.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from examples.somerset_cases.limits import LADDERS, LIMITS, REREFERRAL, Limit
from examples.somerset_cases.rules import (
    ALLOCATED,
    FACTS,
    INCREMENTS,
    MOVES,
    OPENING,
    SOCIAL_WORK,
    STATUSES,
    URGENT_FROM,
    Move,
)
from examples.somerset_cases.workdays import (
    add_months,
    add_working_days,
    monday_meeting_sits,
    run_out,
)

__all__ = ["BUGS", "Case", "Somerset", "UnknownStatus"]

BUGS: Mapping[str, str] = {
    "close_from_any_social_work_status": "SP-14: a case can be closed from CP or care, not only "
    "from assessment, CIN or a return home",
    "rereferral_window_a_day_short": "SP-13: the 3-month re-referral window closes as its last "
    "day begins",
    "cla_transfer_keeps_safeguarding_worker": "SP-18: a transfer to the CLA Team leaves the "
    "Safeguarding worker holding the case",
    "meetings_survive_tier_change": "SP-09: a handover meeting held before a change of tier "
    "still counts after it",
    "tam_sits_on_bank_holidays": "SP-03: the weekly TAM is taken to sit every Monday, bank "
    "holidays included",
    "conference_deadline_in_calendar_days": "SP-34: the 15-day transfer-in conference deadline "
    "is counted in calendar days",
    "step_down_without_handover_meeting": "SP-09: a step down (from CP too) is allowed without "
    "the joint handover meeting",
    "urgent_step_up_waits_for_tam": "ST-02: an urgent CP step up is refused while the case "
    "waits for the TAM",
    "tam_ignores_urgent_concerns": "ST-02: the TAM still decides a step up once urgent CP "
    "concerns are recorded",
    "om_review_without_step_in": "ST-24: the Operations Managers' review is requested without "
    "a Step-In visit first",
    "declined_transfer_in_has_no_owner": "SP-33: a declined transfer-in leaves the case with "
    "no owner",
    "overdue_at_midnight": "SP-08: a 2-week window counts as run out at midnight after its "
    "last day, weekends included",
    "weekly_overview_does_not_restart": "SP-11: a weekly management overview does not move "
    "the next one's due date on",
    "return_home_minimum_ignored": "SP-22: a case leaves the CLA Team before 6 months at home",
    "two_weeks_as_ten_working_days": "SP-07: the 2-week transfer window is counted as 10 "
    "working days",
}

_GIVE_WAY = frozenset(
    {
        "request_step_up",
        "tam_agrees_step_up",
        "tam_refuses_step_up",
        "tam_requires_step_in",
        "tam_agrees_fis_continues",
    }
)
# The steps allowed only once a limit has run out (SP-08, SP-12, SP-22).
_WHEN_OVERDUE = {
    "step_up_returns_to_tam": "step_up_transfer_within_two_weeks",
    "return_to_next_tam": "transfer_within_two_weeks",
    "escalate_unallocated_case": "allocate_within_two_weeks",
    "review_return_home_plan": "return_home_exit_within_six_months",
}
_WEEKLY_MEETINGS = frozenset({"tam", "cwd_allocations_meeting"})


class UnknownStatus(ValueError):
    """A case cannot be opened in this status."""


@dataclass(frozen=True)
class Case:
    """One child's case as the service stores it."""

    status: str
    owner: str
    co_owner: str = "none"
    facts: Mapping[str, object] = field(default_factory=lambda: dict(FACTS))
    held: frozenset[str] = frozenset()  # meetings since the tier last changed
    clocks: Mapping[str, date] = field(default_factory=dict)  # limit -> due (or earliest) day
    disputes: Mapping[str, str] = field(default_factory=dict)  # ladder -> level
    window: tuple[date, str] | None = None  # re-referral: last day, team before

    def view(self) -> dict[str, object]:
        """The case as the API reports it (wire format; dates as ISO strings)."""
        due = {
            name: day.isoformat()
            for name, day in sorted(self.clocks.items())
            if not LIMITS[name].minimum
        }
        return {
            "status": self.status,
            "owner": self.owner,
            "co_owner": self.co_owner,
            "allocated": self.owner in ALLOCATED,
            "due": due,
            "disputes": dict(sorted(self.disputes.items())),
        }


class Somerset:
    """The service: opens cases and applies steps to them, one case at a time."""

    def __init__(self, bugs: Iterable[str] = ()) -> None:
        self.bugs = frozenset(bugs)
        unknown = sorted(self.bugs - set(BUGS))
        if unknown:
            raise ValueError(f"unknown bug {unknown[0]!r}; known: {', '.join(BUGS)}")

    def open_case(self, status: str) -> Case:
        """A new case in one of the statuses a child can come to the service in."""
        if status not in OPENING:
            raise UnknownStatus(f"cannot open a case at {status!r}")
        owner = STATUSES[status][1]
        assert owner is not None
        return Case(status=status, owner=owner)

    def apply(self, case: Case, step: str, at: datetime) -> tuple[bool, Case]:
        """Apply one step at a moment; answers (accepted, the case afterwards)."""
        if case.window is not None and self._window_over(case.window[0], at):
            case = replace(case, window=None)
        kind, _, ladder = step.partition(":")
        if kind in ("escalate", "decide") and ladder in LADDERS:
            return self._dispute(case, kind, ladder)
        move = self._move(step)
        if move is None or not self._allowed(case, step, move, at):
            return False, case
        return True, self._moved(case, step, move, at)

    # -- whether a step may happen ------------------------------------------------

    def _move(self, step: str) -> Move | None:
        move = MOVES.get(step)
        if move is None:
            return None
        if step == "close_case" and "close_from_any_social_work_status" in self.bugs:
            return replace(move, sources=SOCIAL_WORK)
        if step == "urgent_step_up" and "urgent_step_up_waits_for_tam" in self.bugs:
            return replace(move, sources=tuple(s for s in URGENT_FROM if s != "awaiting_tam"))
        if step == "escalate_to_om_review" and "om_review_without_step_in" in self.bugs:
            return replace(move, guards={})
        if step.startswith("step_down_to_") and "step_down_without_handover_meeting" in self.bugs:
            return replace(move, guards={k: g for k, g in move.guards.items() if k != "SP-09"})
        return move

    def _allowed(self, case: Case, step: str, move: Move, at: datetime) -> bool:
        if move.sources and case.status not in move.sources:
            return False
        if move.meeting in _WEEKLY_MEETINGS and not monday_meeting_sits(
            at.date(), skip_bank_holidays="tam_sits_on_bank_holidays" not in self.bugs
        ):
            return False
        if not all(guard(case.facts, case.held) for guard in move.guards.values()):
            return False
        overdue = _WHEN_OVERDUE.get(step)
        if overdue is not None and not self._overdue(case, overdue, at):
            return False
        if self._held_back(case, step, at):
            return False
        # ST-02: once an urgent CP step up can happen, the TAM route gives way to it.
        urgent = case.facts["urgent_cp_concerns"] and case.status in URGENT_FROM
        return not (step in _GIVE_WAY and urgent and "tam_ignores_urgent_concerns" not in self.bugs)

    def _overdue(self, case: Case, limit: str, at: datetime) -> bool:
        due = case.clocks.get(limit)
        return due is not None and run_out(due, at, at_midnight="overdue_at_midnight" in self.bugs)

    def _held_back(self, case: Case, step: str, at: datetime) -> bool:
        if "return_home_minimum_ignored" in self.bugs:
            return False
        return any(
            limit.minimum and step in limit.met_by and at.date() < case.clocks[name]
            for name, limit in LIMITS.items()
            if name in case.clocks
        )

    def _window_over(self, last_day: date, at: datetime) -> bool:
        if "rereferral_window_a_day_short" in self.bugs:
            last_day -= timedelta(days=1)
        return run_out(last_day, at)

    # -- what a step does ---------------------------------------------------------

    def _moved(self, case: Case, step: str, move: Move, at: datetime) -> Case:
        facts = {**case.facts, **move.sets}
        if step in INCREMENTS:
            counter = facts[INCREMENTS[step]]
            assert isinstance(counter, int)
            facts[INCREMENTS[step]] = counter + 1
        target = move.target or case.status
        held = case.held
        if STATUSES[target][0] != STATUSES[case.status][0] and (
            "meetings_survive_tier_change" not in self.bugs
        ):
            held = frozenset()
        if move.meeting is not None:
            held |= {move.meeting}
        anchors, window = REREFERRAL[0], case.window
        if step in anchors:
            window = (add_months(at, REREFERRAL[2]), case.owner)
        return replace(
            case,
            status=target,
            owner=self._owner(case, step, move, target),
            co_owner=move.co_owner or case.co_owner,
            facts=facts,
            held=held,
            clocks=self._clocks(case, step, target, at),
            disputes=_disputes(case.disputes, step),
            window=window,
        )

    def _owner(self, case: Case, step: str, move: Move, target: str) -> str:
        if step == REREFERRAL[1] and case.window is not None:
            return case.window[1]  # SP-13: back to the previous case-holding team
        if step == "transfer_to_cla_team" and "cla_transfer_keeps_safeguarding_worker" in self.bugs:
            return case.owner
        if step == "decline_transfer_in" and "declined_transfer_in_has_no_owner" in self.bugs:
            return "none"
        if move.owner is not None:
            return move.owner
        entered_owner = STATUSES[target][1]
        if target != case.status and entered_owner is not None:
            return entered_owner
        return case.owner

    def _clocks(self, case: Case, step: str, target: str, at: datetime) -> dict[str, date]:
        happened = {step} | ({target} if target != case.status else set())
        clocks = {}
        for name, limit in LIMITS.items():
            running = case.clocks.get(name)
            if happened & limit.anchors:
                clocks[name] = self._due(name, limit, at)
            elif running is not None and happened & limit.met_by:
                if limit.recurring:
                    restarted = "weekly_overview_does_not_restart" not in self.bugs
                    clocks[name] = self._due(name, limit, at) if restarted else running
            elif (
                running is not None and case.status in limit.anchors and target not in limit.anchors
            ):
                continue  # the case left the status the limit runs in
            elif running is not None:
                clocks[name] = running
        return clocks

    def _due(self, name: str, limit: Limit, at: datetime) -> date:
        if name == "transfer_within_two_weeks" and "two_weeks_as_ten_working_days" in self.bugs:
            return add_working_days(at.date(), 10)
        if limit.unit == "weeks":
            return (at + timedelta(weeks=limit.count)).date()
        if limit.unit == "months":
            return add_months(at, limit.count)
        if "conference_deadline_in_calendar_days" in self.bugs:
            return (at + timedelta(days=limit.count)).date()
        return add_working_days(at.date(), limit.count)

    def _dispute(self, case: Case, kind: str, name: str) -> tuple[bool, Case]:
        ladder, level = LADDERS[name], case.disputes.get(name)
        if level is None or level in ladder.handed_off_at:
            return False, case
        if kind == "decide":
            if level not in ladder.decides_at:
                return False, case
            return True, replace(
                case, disputes={k: v for k, v in case.disputes.items() if k != name}
            )
        position = ladder.levels.index(level)
        if position + 1 == len(ladder.levels):
            return False, case
        return True, replace(case, disputes={**case.disputes, name: ladder.levels[position + 1]})


def _disputes(disputes: Mapping[str, str], step: str) -> Mapping[str, str]:
    """A closing step ends a dispute; an opening step opens one not yet open."""
    changed = dict(disputes)
    for name, ladder in LADDERS.items():
        if step in ladder.closed_by:
            changed.pop(name, None)
        elif step in ladder.opened_by and name not in changed:
            changed[name] = ladder.levels[0]
    return changed
