"""An escalation ladder as the encoding sees it: levels by index, where each goes next,
which can decide, and each level's working-day limit."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from stepcheck.spec.model import NOT_NEEDED, Escalation
from stepcheck.spec.timing import Interval, Timing

__all__ = ["Ladder", "ladder_of"]


@frozen(kw_only=True)
class Ladder:
    """An escalation's levels as indexes: where each escalates to, which can decide."""

    successor: Mapping[int, int]
    deciders: tuple[int, ...]
    limits: Mapping[int, Interval]
    longest_level: int

    @property
    def escalates(self) -> bool:
        return bool(self.successor)

    @property
    def decides(self) -> bool:
        return bool(self.deciders)


def ladder_of(ladder: Escalation, times: Timing) -> Ladder:
    """`escalate` goes to `next` or the following level, never from an external level;
    `decide` needs a deciding internal level with one person or a named tie-break."""
    index = {level.id: i for i, level in enumerate(ladder.levels)}
    successor: dict[int, int] = {}
    deciders = []
    tie_break_named = isinstance(ladder.tie_break, str) and ladder.tie_break != NOT_NEEDED
    for i, level in enumerate(ladder.levels):
        if level.external is not None:
            continue
        if level.next is not None:
            successor[i] = index[level.next]
        elif i + 1 < len(ladder.levels):
            successor[i] = i + 1
        if level.decides and (len(level.who) <= 1 or tie_break_named):
            deciders.append(i)
    limits = {
        i: times.levels[(ladder.id, level.id)]
        for i, level in enumerate(ladder.levels)
        if (ladder.id, level.id) in times.levels
    }
    return Ladder(
        successor=successor,
        deciders=tuple(deciders),
        limits=limits,
        longest_level=max((hi for _, hi in limits.values()), default=0),
    )
