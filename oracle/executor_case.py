"""One case as the reference executor holds it: a configuration with real datetimes.

spec/SEMANTICS.md ("Configurations") lists the parts; here every clock is the
moment it started and its due date (`calendar_rules.Limit`), so the working days
left follow from the case's `now` with the real calendar. A `Case` is immutable and
hashable; only `Executor` makes them, and it fills in the derived `view` and `due`.
"""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from stepcheck.oracle.calendar_rules import Limit
from stepcheck.oracle.types import CaseView, Due
from stepcheck.spec.expr import Value

__all__ = ["Case", "DeadlineClock", "DisputeClock", "WindowClock"]


@frozen(kw_only=True)
class DeadlineClock:
    """A running timed deadline (`after` or `not_before`), started at `limit.started`."""

    deadline: str
    limit: Limit


@frozen(kw_only=True)
class DisputeClock:
    """An open dispute: its level, when that level started, and its limits (None: no limit)."""

    ladder: str
    level: str
    level_started: datetime
    opened: datetime
    level_limit: Limit | None = None
    dispute_limit: Limit | None = None


@frozen(kw_only=True)
class WindowClock:
    """An open re-referral window and the owner the case had when it opened."""

    rule: str
    limit: Limit
    owner: str


@frozen(kw_only=True)
class Case:
    """Where a case is, who holds it, what is running, and the moment of its last step.

    Clocks are kept in spec order and only while running: a met deadline, a closed
    dispute and a window whose time ran out are dropped. `view` and `due` are derived
    (left out of equality).
    """

    status: str
    owner: str
    co_owner: str
    previous_owner: str
    variables: tuple[tuple[str, Value], ...]
    held: tuple[str, ...]
    deadlines: tuple[DeadlineClock, ...]
    disputes: tuple[DisputeClock, ...]
    windows: tuple[WindowClock, ...]
    now: datetime
    started: datetime
    view: CaseView = field(eq=False, hash=False, repr=False)
    due: tuple[Due, ...] = field(eq=False, hash=False, repr=False)

    def value(self, variable: str) -> Value:
        """The value of a declared variable."""
        for name, value in self.variables:
            if name == variable:
                return value
        raise KeyError(variable)

    def clock(self, deadline: str) -> DeadlineClock | None:
        """The running clock of `deadline`, if any."""
        # Plain loops, not next() over a generator: these run for every deadline on
        # every step, and a loop is about twice as fast.
        for clock in self.deadlines:
            if clock.deadline == deadline:
                return clock
        return None

    def dispute(self, ladder: str) -> DisputeClock | None:
        """The open dispute on `ladder`, if any."""
        for dispute in self.disputes:
            if dispute.ladder == ladder:
                return dispute
        return None

    def window(self, rule: str) -> WindowClock | None:
        """The open window of re-referral `rule`, if any."""
        for window in self.windows:
            if window.rule == rule:
                return window
        return None
