"""`replay_vector_sort`'s grouping compiled by Numba: rows into cases in one counting pass.

The numpy reference sorts all rows three times (`np.lexsort` by case, instant, step
and reading order). Logs are mostly in time order already, so here the good rows are
grouped by case code with a counting sort (stable: each case's rows stay in reading
order), and only a case whose instants go backwards is sorted (stably, by instant),
in place in a copy of that grouping: a case's rows are never sliced out, as each
slice is an array whose references Numba counts.
Within each case, in that order: a row with the instant and step of an earlier good
row is a duplicate of the first of them; of the rest, a row earlier than the latest
row read before it is out of order, and that latest row is the last one read holding
the running maximum. The answers are the reference's, which the tests check.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["group_cases"]

_SHORT_RUN = 16
"""Rows at one instant compared pairwise up to this many, sorted by step beyond."""


@njit(cache=True, nogil=True)
def _duplicates_in_run(ordered, lo, hi, step, duplicate_of):  # type: ignore[no-untyped-def]
    """Mark rows `ordered[lo:hi]` (one case, one instant, reading order) that repeat an
    earlier row's step: `duplicate_of[row]` = the first row with that step."""
    if hi - lo <= _SHORT_RUN:
        for j in range(lo + 1, hi):
            for i in range(lo, j):
                if duplicate_of[ordered[i]] < 0 and step[ordered[i]] == step[ordered[j]]:
                    duplicate_of[ordered[j]] = ordered[i]
                    break
        return
    run = ordered[lo:hi]
    by_step = run[np.argsort(step[run], kind="mergesort")]
    for j in range(1, by_step.shape[0]):
        if step[by_step[j]] == step[by_step[j - 1]]:
            earlier = by_step[j - 1]
            first = duplicate_of[earlier] if duplicate_of[earlier] >= 0 else earlier
            duplicate_of[by_step[j]] = first


@njit(cache=True, nogil=True)
def group_cases(case, instant, step, good, n_cases):  # type: ignore[no-untyped-def]  # noqa: PLR0912
    """Per row the first row it duplicates (-1 if none); the replayable rows sorted
    by (case, instant, reading order); per case present (code order) its code, first
    place and length; and the out-of-order rows with the latest row before each."""
    size = case.shape[0]
    counts = np.zeros(n_cases + 1, np.int64)
    for row in range(size):
        if good[row]:
            counts[case[row] + 1] += 1
    offsets = np.cumsum(counts)
    filled = offsets[:-1].copy()
    by_case = np.empty(offsets[-1], np.int64)
    for row in range(size):
        if good[row]:
            by_case[filled[case[row]]] = row
            filled[case[row]] += 1
    duplicate_of = np.full(size, -1, np.int64)
    rows = np.empty(by_case.shape[0], np.int64)
    codes = np.empty(n_cases, np.int64)
    first = np.empty(n_cases, np.int64)
    length = np.empty(n_cases, np.int64)
    late = np.empty(by_case.shape[0], np.int64)
    latest_of = np.empty(by_case.shape[0], np.int64)
    n_rows = n_found = n_late = 0
    # every case's rows in time order, in place: no case's rows are sliced out (a
    # slice is a new array whose references are counted, several times per case)
    ordered = by_case.copy()
    for code in range(n_cases):
        lo, hi = offsets[code], offsets[code + 1]
        if lo == hi:
            continue
        for j in range(lo + 1, hi):
            if instant[ordered[j]] < instant[ordered[j - 1]]:  # rare: sort this case
                part = by_case[lo:hi]
                ordered[lo:hi] = part[np.argsort(instant[part], kind="mergesort")]
                break
        start = lo
        for j in range(lo + 1, hi + 1):
            if j == hi or instant[ordered[j]] != instant[ordered[start]]:
                if j - start > 1:
                    _duplicates_in_run(ordered, start, j, step, duplicate_of)
                start = j
        latest = -1
        for j in range(lo, hi):  # reading order
            row = by_case[j]
            if duplicate_of[row] >= 0:
                continue
            if latest >= 0 and instant[row] < instant[latest]:
                late[n_late], latest_of[n_late] = row, latest
                n_late += 1
            else:
                latest = row
        begin = n_rows
        for j in range(lo, hi):
            row = ordered[j]
            if duplicate_of[row] < 0:
                rows[n_rows] = row
                n_rows += 1
        codes[n_found], first[n_found], length[n_found] = code, begin, n_rows - begin
        n_found += 1
    return (
        duplicate_of,
        rows[:n_rows],
        (codes[:n_found], first[:n_found], length[:n_found]),
        (late[:n_late], latest_of[:n_late]),
    )
