"""Clean cases' unowned stretches, found by Numba and made into objects only when read.

`CompiledSpec._owner_seen` walks a case's states: a stretch begins at a state whose
owner is not responsible, and ends at the next state that is responsible or has
another owner (a new stretch may begin there); one still running at the end of the
log ends there, open. `stretches` does that walk for every clean case ever without a
responsible owner, over the lockstep's states (its opening state first, at its first
row's time), and counts each stretch's working days on the calendar's running counts;
a day outside the calendar is left to `working_calendar().between` (-1 here).
`Stretches` holds the answers as arrays and makes a case's `UnownedInterval`s when a
writer asks for them, as `CleanCases` does with the rest of a clean case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

import numpy as np
import numpy.typing as npt
from numba import njit

from stepcheck.oracle.replay_calendar import working_calendar
from stepcheck.oracle.replay_model import UnownedInterval

__all__ = ["Stretches", "stretches"]

Ints = npt.NDArray[np.int64]
_DAY = 86_400_000_000


@njit(cache=True, nogil=True)
def _days(counts, first, start, end):  # type: ignore[no-untyped-def]
    """Working days d with start's day < d <= end's day, or -1 outside the calendar."""
    lo, hi = start // _DAY - first, end // _DAY - first
    if lo < 0 or hi < 0 or lo >= counts.shape[0] or hi >= counts.shape[0]:
        return -1
    return max(0, counts[hi] - counts[lo])


@njit(cache=True, nogil=True)
def stretches(cases, places, states, calendar):  # type: ignore[no-untyped-def]
    """Per stretch: (case k, owner code, start, end, working days, still open).

    `cases` = (k, first place, length, opening state, opening time, end of log) per
    case walked; `places` = (state, time) after each row, by place; `states` =
    (owner code, responsible) per state; `calendar` = (running counts, first day).
    """
    ks, firsts, lengths, opened, opened_at, ends = cases
    state_of, at_of = places
    owner_of, responsible_of = states
    counts, first_day = calendar
    size = 0
    for index in range(ks.shape[0]):
        size += lengths[index] + 1
    found_k = np.empty(size, np.int64)
    found_owner = np.empty(size, np.int64)
    found_start = np.empty(size, np.int64)
    found_end = np.empty(size, np.int64)
    found_days = np.empty(size, np.int64)
    found_open = np.empty(size, np.bool_)
    n = 0
    for index in range(ks.shape[0]):
        since_owner, since_at = -1, 0
        for step in range(lengths[index] + 1):
            if step == 0:
                state, at = opened[index], opened_at[index]
            else:
                place = firsts[index] + step - 1
                state, at = state_of[place], at_of[place]
            owner, responsible = owner_of[state], responsible_of[state]
            if since_owner >= 0 and (responsible or since_owner != owner):
                found_k[n], found_owner[n], found_start[n], found_end[n] = (
                    ks[index],
                    since_owner,
                    since_at,
                    at,
                )
                found_days[n] = _days(counts, first_day, since_at, at)
                found_open[n] = False
                n += 1
                since_owner = -1
            if not responsible and since_owner < 0:
                since_owner, since_at = owner, at
        if since_owner >= 0:
            found_k[n], found_owner[n], found_start[n], found_end[n] = (
                ks[index],
                since_owner,
                since_at,
                ends[index],
            )
            found_days[n] = _days(counts, first_day, since_at, ends[index])
            found_open[n] = True
            n += 1
    return (
        found_k[:n],
        found_owner[:n],
        found_start[:n],
        found_end[:n],
        found_days[:n],
        found_open[:n],
    )


class Stretches(Mapping[int, tuple[UnownedInterval, ...]]):
    """Case k's unowned stretches, for the cases that have any, made when asked."""

    def __init__(
        self,
        found: tuple[Ints, Ints, Ints, Ints, Ints, npt.NDArray[np.bool_]],
        owners: list[str],
        local_time: Callable[[int], datetime],
    ) -> None:
        self._k, self._owner, self._start, self._end, self._days, self._open = found
        self._owners = owners
        self._local_time = local_time
        keys, self._first, counts = np.unique(self._k, return_index=True, return_counts=True)
        # built by zip in C, not a comprehension: a million cases can have stretches
        self._where = dict(
            zip(
                keys.tolist(),
                zip(self._first.tolist(), (self._first + counts).tolist(), strict=True),
                strict=True,
            )
        )

    def __getitem__(self, k: int) -> tuple[UnownedInterval, ...]:
        lo, hi = self._where[k]
        return tuple(self._made(i) for i in range(lo, hi))

    def __iter__(self) -> Iterator[int]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, k: object) -> bool:
        return k in self._where

    def _made(self, i: int) -> UnownedInterval:
        start = self._local_time(int(self._start[i]))
        end = self._local_time(int(self._end[i]))
        days = int(self._days[i])
        if days < 0:
            days = working_calendar().between(start.date(), end.date())
        return UnownedInterval(
            owner=self._owners[int(self._owner[i])],
            start=start,
            end=end,
            working_days=days,
            open=bool(self._open[i]),
        )
