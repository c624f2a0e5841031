"""The finite model's step rules that need no `Stepper`: who decides a dispute, where it
escalates, how a working day passes, and how a step's timers get their start values.

`checker/explore_step.py` (events, and which steps are enabled) calls these; like it,
they are written from `spec/SEMANTICS.md` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any, TypeVar

from attrs import frozen

from stepcheck.checker.explore_state import CLOSED, SHUT, Config, Dispute, Layout, Window
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import IntType
from stepcheck.spec.expr import Value as ExprValue
from stepcheck.spec.model import NOT_NEEDED, Deadline, Escalation, EscalationLevel, Event
from stepcheck.spec.timing import Interval
from stepcheck.spec.trace import StepKind

__all__ = [
    "MAX_CHOICES",
    "Start",
    "TooManyChoices",
    "can_decide",
    "dispute_steps",
    "escalation_target",
    "fits",
    "made",
    "meets",
    "opened",
    "opening",
    "picked_value",
    "placeholder",
    "starts",
    "ticks",
]

Label = tuple[StepKind, str | None]
_T = TypeVar("_T")

MAX_CHOICES = 100_000
"""The most successors one step may have (timers of distinct durations started together
multiply their start values); past it the explorer refuses rather than hang."""


class TooManyChoices(Exception):
    """One step of the explicit model has more than `MAX_CHOICES` successors."""


def fits(kind: IntType, value: ExprValue) -> bool:
    return isinstance(value, int) and kind.contains(value)


def meets(event: Event, deadline: Deadline, status: str) -> bool:
    """Whether `event`, happening now in `status`, is an obligation of `deadline`."""
    if event.id in deadline.obligation:
        return True
    return (
        event.target is not None and event.target != status and event.target in deadline.obligation
    )


def escalation_target(ladder: Escalation, level: EscalationLevel) -> str | None:
    """The level an `escalate` step goes to: `next`, else the following one; None if none."""
    if level.external is not None:
        return None
    if level.next is not None:
        return level.next
    index = ladder.levels.index(level)
    return ladder.levels[index + 1].id if index + 1 < len(ladder.levels) else None


def can_decide(ladder: Escalation, level: EscalationLevel) -> bool:
    """A deciding, internal level decides when one person decides or a tie-break is named."""
    if not level.decides or level.external is not None:
        return False
    names_a_role = isinstance(ladder.tie_break, str) and ladder.tie_break != NOT_NEEDED
    return len(level.who) <= 1 or names_a_role


def with_dispute(config: Config, index: int, dispute: Dispute) -> Config:
    disputes = list(config.disputes)
    disputes[index] = dispute
    return config._replace(disputes=tuple(disputes))


def starts(bounds: Interval | None) -> list[int | None]:
    """The values a countdown can start at: any in `[lo, hi]`, or None without a limit."""
    if bounds is None:
        return [None]
    lo, hi = bounds
    return list(range(lo, hi + 1))


def count_down(r: int | None) -> int | None:
    return None if r is None else max(r - 1, -1)


def next_phases(phase: int, period: int, least: int) -> list[int]:
    """A periodic meeting sits on the new day (0), at least `least` days after it last
    sat, or has not sat for one day more, at most `period - 1` days in all."""
    return [0] * (phase + 1 >= least) + [phase + 1] * (phase + 1 <= period - 1)


@frozen(kw_only=True)
class Start:
    """A part of the state an event sets by starting timers: made from the start values
    picked for their durations (`placeholder` stands in until then)."""

    placeholder: object
    durations: tuple[Duration, ...]
    make: Callable[[dict[Duration, int]], Any]


def placeholder(part: _T | Start) -> Any:
    return part.placeholder if isinstance(part, Start) else part


def made(part: _T | Start, pick: dict[Duration, int]) -> Any:
    return part.make(pick) if isinstance(part, Start) else part


def picked_value(duration: Duration, pick: dict[Duration, int]) -> int:
    return pick[duration]


def picked(pick: dict[Duration, int], duration: Duration | None) -> int | None:
    return None if duration is None else pick[duration]


def opening(
    level: str, limit: Duration | None, whole: Duration | None, pick: dict[Duration, int]
) -> Dispute:
    """A dispute opened at `level`, its limits started at the values picked."""
    return Dispute(level, picked(pick, limit), picked(pick, whole))


def opened(duration: Duration, owner: str | None, pick: dict[Duration, int]) -> Window:
    """A re-referral window opened for `duration`, recording `owner`."""
    return Window(pick[duration], owner)


def dispute_steps(layout: Layout, config: Config) -> list[tuple[Label, Config]]:
    """Each open dispute may escalate (its next level's limit starting at any value in
    its interval) and, at a level that decides, be decided (SEMANTICS, "Disputes")."""
    steps: list[tuple[Label, Config]] = []
    for index, (ladder, dispute) in enumerate(
        zip(layout.spec.escalations, config.disputes, strict=True)
    ):
        if dispute.level is None:
            continue
        level = ladder.level_by_id(dispute.level)
        target = escalation_target(ladder, level)
        if target is not None:
            for timer in starts(layout.timing.levels.get((ladder.id, target))):
                moved = Dispute(target, timer, dispute.dispute_timer)
                steps.append(((StepKind.ESCALATE, ladder.id), with_dispute(config, index, moved)))
        if can_decide(ladder, level):
            steps.append(((StepKind.DECIDE, ladder.id), with_dispute(config, index, CLOSED)))
    return steps


def ticks(layout: Layout, floors: tuple[int, ...], config: Config) -> list[Config]:
    """A working day passes: every timer counts down (a deadline to its floor: -1, or 0
    for `not_before`), windows at 0 close, every periodic meeting sits or waits."""
    deadlines = tuple(
        None if r is None else max(r - 1, floor)
        for r, floor in zip(config.deadlines, floors, strict=True)
    )
    disputes = tuple(
        Dispute(d.level, count_down(d.level_timer), count_down(d.dispute_timer))
        for d in config.disputes
    )
    windows = tuple(
        SHUT if w.timer is None or w.timer == 0 else Window(w.timer - 1, w.owner)
        for w in config.windows
    )
    after = config._replace(deadlines=deadlines, disputes=disputes, windows=windows)
    phase_options = [
        next_phases(phase, layout.timing.meetings[meeting], layout.timing.least_gaps[meeting])
        for meeting, phase in zip(layout.meetings, config.phases, strict=True)
    ]
    return [after._replace(phases=tuple(phases)) for phases in product(*phase_options)]
