"""Several working days in one step: a shortcut for the bounded searches.

A wait of `d` days (2 <= d) stands for `d` ticks in a row with nothing else happening.
Runs with waits reach exactly the states runs of single ticks reach, but in fewer
steps, so a bounded search finds a two-week deadline's violation at depth 5, not 15.
A wait is only allowed where every one of its ticks is certainly a tick of the model:

- with compliance, no deadline or dispute limit that could hold time back is due on
  any day before the last (its countdown is off, past, or at least `d`);
- no deadline becomes overdue and no re-referral window closes before the last day,
  so every property and observer sees the same thing on each day but the last;
- each periodic meeting ends at a phase some run of sittings allows (`gap_sums`).

A trace shows every tick: `ticks_of_wait` spells a wait out day by day.
"""

from __future__ import annotations

from collections.abc import Iterator

import z3

from stepcheck.checker.fold import BoolLike, conj, disj
from stepcheck.spec.timing import Interval
from stepcheck.spec.trace import State

__all__ = ["gap_sums", "sittings", "ticks_of_wait"]


def gap_sums(first: int, least: int, period: int, bound: int) -> list[Interval]:
    """The working days that one or more consecutive gaps between sittings can add up
    to, up to `bound`, as merged intervals: the first gap from `first` to `period`,
    each later one from `least` to `period`.

    >>> gap_sums(3, 3, 5, 12)
    [(3, 12)]
    >>> gap_sums(5, 3, 5, 12)
    [(5, 5), (8, 12)]
    """
    intervals: list[Interval] = []
    n = 1
    while first + (n - 1) * least <= bound:
        lo, hi = first + (n - 1) * least, min(n * period, bound)
        if intervals and lo <= intervals[-1][1] + 1:
            intervals[-1] = (intervals[-1][0], max(intervals[-1][1], hi))
        elif lo <= hi:
            intervals.append((lo, hi))
        n += 1
    return intervals


def phase_after(
    phase: z3.ArithRef,
    after: z3.ArithRef,
    days: z3.ArithRef,
    *,
    least: int,
    period: int,
    bound: int,
) -> BoolLike:
    """A meeting last sat `phase` days ago; after `days` more, `after` days ago.

    Either it did not sit, or it sat one or more times: the first sitting at least a
    day from now and `least` days after the last, each gap at most `period`.
    """
    none = conj(after == phase + days, after <= period - 1)
    span = phase + days - after
    some = conj(
        after >= 0,
        after <= days - 1,
        disj(
            conj(
                phase == now,
                disj(
                    z3.And(span >= lo, span <= hi)
                    for lo, hi in gap_sums(max(least, now + 1), least, period, bound)
                ),
            )
            for now in range(period)
        ),
    )
    return disj(none, some)


def sittings(phase: int, after: int, days: int, least: int, period: int) -> list[int]:
    """The phase on each of `days` days that takes a meeting from `phase` to `after`
    (the last is `after`): each sitting as late as the gaps allow, in order."""
    if after == phase + days:
        return [phase + j for j in range(1, days + 1)]
    span = phase + days - after
    first = max(least, phase + 1)
    count = next(n for n in range(1, span + 1) if first + (n - 1) * least <= span <= n * period)
    gaps = [first] + [least] * (count - 1)
    extra = span - sum(gaps)
    for i in range(count):
        grow = min(extra, period - gaps[i])
        gaps[i] += grow
        extra -= grow
    phases: list[int] = []
    current = phase
    for gap in gaps:
        while current + 1 < gap:
            current += 1
            phases.append(current)
        current = 0
        phases.append(0)
    while len(phases) < days:
        current += 1
        phases.append(current)
    return phases


def ticks_of_wait(
    before: State,
    after: State,
    days: int,
    periods: dict[str, tuple[int, int]],
    floors: dict[str, int],
) -> Iterator[State]:
    """The state after each day of a wait from `before` to `after` (the last is `after`).

    `periods` gives each periodic meeting's least gap and period; `floors` each
    countdown's lowest value (-1, or 0 for `not_before` deadlines); windows stay open
    until the last day, as the wait's conditions require.
    """
    schedules = {
        meeting: sittings(
            _int(before[f"phase:{meeting}"]), _int(after[f"phase:{meeting}"]), days, least, period
        )
        for meeting, (least, period) in periods.items()
    }
    for day in range(1, days):
        state = dict(before)
        for name, floor in floors.items():
            value = before.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                state[name] = max(value - day, floor)
        for name, value in before.items():
            if name.startswith("window:") and isinstance(value, int):
                state[name] = value - day
        for meeting, phases in schedules.items():
            state[f"phase:{meeting}"] = phases[day - 1]
        yield state
    yield dict(after)


def _int(value: object) -> int:
    assert isinstance(value, int), "a phase is a number"
    return value
