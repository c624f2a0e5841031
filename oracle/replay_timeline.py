"""The clean cases' timelines found by Numba in one pass over the lockstep's states.

A clean case's timeline has an entry at its first row and wherever its (status,
owner) changes; a case ever without a responsible owner (from its opening state on)
has its unowned stretches walked (`replay_unowned`). With numpy that is a dozen
passes over every row of a share (the case of each row, the pairs, the changes, a
search for each case's first entry, a reduction per case); here it is one pass,
case by case. `tests/oracle/test_replay_timeline.py` checks it against those numpy
passes (`timeline_reference`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from stepcheck.oracle.replay_columns import Ints

__all__ = ["timeline", "timeline_reference"]

Bools = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def timeline(cases, state, states):  # type: ignore[no-untyped-def]
    """(the places of timeline entries of the clean cases, in order; per clean case
    the index of its first entry there, and the count of entries at the end; per
    case whether it was ever without a responsible owner).

    `cases` = (first place, length, clean, opening state) per case in code order, its
    rows at consecutive places; `state` = the state after each row, by place;
    `states` = (pair: a number per (status, owner), responsible) per state.
    """
    first, length, clean, opened = cases
    pair, responsible = states
    n_cases = first.shape[0]
    n_clean = 0
    for case in range(n_cases):
        if clean[case]:
            n_clean += 1
    change_at = np.empty(state.shape[0], np.int64)
    bounds = np.empty(n_clean + 1, np.int64)
    needs = np.empty(n_cases, np.bool_)
    n_changes = n_kept = 0
    for case in range(n_cases):
        lo, hi = first[case], first[case] + length[case]
        unowned = not responsible[opened[case]]
        for place in range(lo, hi):
            unowned = unowned or not responsible[state[place]]
        needs[case] = unowned
        if not clean[case]:
            continue
        bounds[n_kept] = n_changes
        n_kept += 1
        for place in range(lo, hi):
            if place == lo or pair[state[place]] != pair[state[place - 1]]:
                change_at[n_changes] = place
                n_changes += 1
    bounds[n_kept] = n_changes
    return change_at[:n_changes], bounds, needs


def timeline_reference(
    cases: tuple[Ints, Ints, Bools, Ints], state: Ints, states: tuple[Ints, Bools]
) -> tuple[Ints, Ints, Bools]:
    """`timeline` with numpy, as the report was built before it (the test's reference)."""
    first, length, clean, opened = cases
    pair, responsible = states
    case_of = np.repeat(np.arange(len(first)), length)
    pairs = pair[state]
    starts = np.zeros(len(state), np.bool_)
    starts[first] = True
    changed = starts | np.concatenate(([True], pairs[1:] != pairs[:-1]))
    changed &= clean[case_of]
    change_at = np.flatnonzero(changed)
    kept = np.flatnonzero(clean)
    bounds = np.append(np.searchsorted(case_of[change_at], kept), len(change_at))
    needs = ~responsible[opened]
    if len(first):
        needs |= np.logical_or.reduceat(~responsible[state], first)
    return change_at, bounds, needs
