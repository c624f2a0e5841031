"""What the oracle says about one step, and what it compares with a system under test.

The reference executor (`oracle/executor.py`) answers every step with an `Accepted` or
a `Rejected`; a system under test answers with a `Reply`. Both carry a `CaseView`: the
part of a case that two implementations of one protocol must agree on after every step.

Step names are event ids, or `escalate:<ladder>` / `decide:<ladder>` for a dispute's
internal steps (spec/SEMANTICS.md, "Disputes").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from attrs import field, frozen

from stepcheck.spec.citations import Citation, long_date

if TYPE_CHECKING:
    from stepcheck.oracle.executor_case import Case

__all__ = ["Accepted", "CaseView", "Due", "Lateness", "Refusal", "Rejected", "Reply", "StepResult"]


def _frozen_mapping(value: Mapping[str, date] | Mapping[str, str]) -> Mapping[str, object]:
    return dict(sorted(value.items()))


@frozen(kw_only=True)
class CaseView:
    """Where a case is and who holds it, as both sides must report it.

    `due` maps each running deadline to the last day it can be met (its due date, bank
    holidays counted); `disputes` maps each open escalation to its current level.
    """

    status: str
    owner: str
    co_owner: str = "none"
    allocated: bool = False
    due: Mapping[str, date] = field(factory=dict, converter=_frozen_mapping)
    disputes: Mapping[str, str] = field(factory=dict, converter=_frozen_mapping)


@frozen(kw_only=True)
class Due:
    """An obligation now running: what must happen, by when, and the rule that says so.

    `overdue` is counted in working days, as the checker counts (a working day after
    `by` has begun). A limit in clock hours also has its exact end, `ends`, and is
    `late` once that moment has passed, even on its due day: "within 24 hours" of
    Monday 10:00 is late at Tuesday 10:01, though not overdue until Wednesday.
    """

    deadline: str
    by: date
    obligation: tuple[str, ...]
    overdue: bool = False
    citations: tuple[Citation, ...] = ()
    ends: datetime | None = None
    late: bool = False

    def words(self) -> str:
        """As a reviewer reads it: "allocate_within_two_weeks by Fri 4 Dec 2026"."""
        when = long_date(self.by)
        if self.ends is not None:
            when += f" {self.ends:%H:%M}"
        if self.overdue:
            return f"{self.deadline} by {when} (overdue)"
        if self.late:
            return f"{self.deadline} by {when} (late: its hours have passed)"
        return f"{self.deadline} by {when}"


@frozen(kw_only=True)
class Lateness:
    """A deadline in clock hours that this step met after its exact end."""

    deadline: str
    ends: datetime
    at: datetime

    @property
    def hours_late(self) -> float:
        return round((self.at - self.ends).total_seconds() / 3600, 2)

    def words(self) -> str:
        return (
            f"{self.deadline} was met at {self.at:%a %d %b %Y %H:%M}, "
            f"{self.hours_late:g} hours after it ended ({self.ends:%a %d %b %Y %H:%M})"
        )


@frozen(kw_only=True)
class Refusal:
    """One reason a step was rejected: a guard that failed, or a rule that holds it back.

    `kind` names the rule, so a caller can tell reasons apart without parsing words:
    `from`, `guard`, `meeting`, `range`, `not_before`, `precedence`, `dispute`.
    """

    reason: str
    citations: tuple[Citation, ...] = ()
    kind: str = ""


@frozen(kw_only=True)
class Accepted:
    """The step happened. `late` names the deadlines in clock hours it met too late
    (the working-day count may still call them on time)."""

    step: str
    at: datetime
    view: CaseView
    due: tuple[Due, ...] = ()
    case: Case = field(eq=False, repr=False)
    """The case after the step."""
    late: tuple[Lateness, ...] = ()

    @property
    def accepted(self) -> bool:
        return True


@frozen(kw_only=True)
class Rejected:
    """The step cannot happen now; the case is unchanged (`view` is as before)."""

    step: str
    at: datetime
    view: CaseView
    refusals: tuple[Refusal, ...] = ()
    case: Case = field(eq=False, repr=False)
    """The case as before, only moved on to `at` (its clocks advanced)."""

    @property
    def accepted(self) -> bool:
        return False


StepResult = Accepted | Rejected


@frozen(kw_only=True)
class Reply:
    """A system under test's answer to one step."""

    accepted: bool
    view: CaseView
