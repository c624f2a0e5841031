"""The vector engine's lockstep compiled by Numba: each case walked row by row in native code.

`replay_vector.Lockstep.run_reference` plays the k-th row of every case with numpy
operations, one step k at a time; that is the reference, and the tests compare the two.
Here one compiled loop (`walk`) plays each case from where it stands to its last row,
with the same integer answers key (`replay_vector_table.Layout`), the same table
lookup, checks and clocks. What Python must still decide is asked for, never guessed:
when a case meets a key the table has not filled yet, or starts a clock on a day whose
due day is not computed yet, the loop stops that case before the row changes anything
(`NEED_KEY`, `NEED_DUE`) and goes on with the others; `Lockstep` fills what was asked
(from the compiled engine, so from the executor) and walks the stopped cases again
from their row. A day outside the working-day calendar stops the walk (`OUTSIDE`):
the log then goes to the compiled engine, as the reference does.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numba import njit

__all__ = ["DONE", "NEED_DUE", "NEED_KEY", "OUTSIDE", "walk"]

DONE: Final = 0
NEED_KEY: Final = 1
NEED_DUE: Final = 2
OUTSIDE: Final = 1
"""`walk`'s answer when a day falls outside the working-day calendar."""

_DAY: Final = 86_400_000_000
_NONE: Final = -(2**62)
_KEEP: Final = 1
_START: Final = 2


@njit(cache=True, nogil=True)
def _passed(counts, first, by, day):  # type: ignore[no-untyped-def]
    """A working day after `by` has begun by `day` (both inside the calendar)."""
    return counts[day - first] - counts[by - first] >= 1


@njit(cache=True, nogil=True)
def _running(start, case, live):  # type: ignore[no-untyped-def]
    """Write the deadlines whose clock runs for `case` into `live` (in deadline order);
    their count. Most rows leave the clocks as they are, so a row's checks visit only
    these instead of every deadline of the spec."""
    n_live = 0
    for where in range(start.shape[1]):
        if start[case, where] != _NONE:
            live[n_live] = where
            n_live += 1
    return n_live


@njit(cache=True, nogil=True)
def _stopped(entry_clocks, entry, start, case, live, n_live):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Stop the running clocks that an entry starting none does not keep; whether any
    was stopped (a clock not running needs no stopping, so only `live` is visited)."""
    stopped = False
    for i in range(n_live):
        where = live[i]
        if entry_clocks[entry, where] != _KEEP:
            start[case, where] = _NONE
            stopped = True
    return stopped


@njit(cache=True, nogil=True)
def walk(  # type: ignore[no-untyped-def]  # noqa: PLR0917, PLR0912, PLR0915
    todo,
    cases,
    log,
    clocks,
    layout,
    table,
    calendar,
    need,
):
    """Play the cases in `todo` from their row `pos` on; answer DONE or OUTSIDE.

    The arguments are tuples of arrays (Numba passes tuples of arrays by reference):
    `cases` = (pos, first, length, state, now, unclean, at_of, state_of);
    `log` = (local, step, status, owner), each already in the cases' row order;
    `clocks` = (start, by, ends, window_start, window_by), one row per case;
    `layout` = (after, enforced, hours_micro, clock_bit, hours_bit, window_bit, meets,
    opens, sizes) with sizes = (steps, bits, meeting bit);
    `table` = (sorted_keys, sorted_entries, ok, target, entry_clocks, entry_windows,
    status_of, owner_of, unspecified_owner, due, entry_starts) with entry_starts per
    entry: does it start any deadline's clock (else it can only stop running ones);
    `calendar` = (counts, first day, sits);
    `need` = (kind, key, when, which) per case, written when a case stops: for
    NEED_KEY the key and the row's time, for NEED_DUE the day and which limit.
    """
    pos, first, length, state, now, unclean, at_of, state_of = cases
    local, step_of, status_of_row, owner_of_row = log
    start, by, ends, window_start, window_by = clocks
    after, enforced, hours_micro, clock_bit, hours_bit, window_bit, meets, opens, sizes = layout
    sorted_keys, sorted_entries, ok, target_of, entry_clocks, entry_windows = table[:6]
    status_of, owner_of, unspecified_owner, due, entry_starts = table[6:]
    counts, cal_first, sits = calendar
    need_kind, need_key, need_day, need_which = need
    n_steps, bits, meeting_bit = sizes[0], sizes[1], sizes[2]
    n_deadlines = start.shape[1]
    n_windows = window_start.shape[1]
    cal_last = cal_first + counts.shape[0] - 1
    n_keys = sorted_keys.shape[0]
    live = np.empty(n_deadlines, np.int64)
    for case in todo:
        need_kind[case] = DONE
        if unclean[case]:
            continue
        n_live = _running(start, case, live)
        k = pos[case]
        while k < length[case]:
            place = first[case] + k
            row = place
            at = max(local[row], now[case])
            day = at // _DAY
            if day < cal_first or day > cal_last:
                return OUTSIDE
            step = step_of[row]
            bad = False
            mask = 0
            for i in range(n_live):
                where = live[i]
                due_day = by[case, where]
                if after[where]:
                    if due_day < cal_first or due_day > cal_last:
                        return OUTSIDE
                    if _passed(counts, cal_first, due_day, day):
                        bad = bad or enforced[where]
                        mask |= 1 << clock_bit[where]
                elif day < due_day:
                    mask |= 1 << clock_bit[where]
                if hours_bit[where] >= 0 and at > ends[case, where]:
                    mask |= 1 << hours_bit[where]
            moving = at != now[case]
            for where in range(n_windows):
                if window_start[case, where] != _NONE:
                    due_day = window_by[case, where]
                    if due_day < cal_first or due_day > cal_last:
                        return OUTSIDE
                    if moving and _passed(counts, cal_first, due_day, day):
                        mask |= 1 << window_bit[where]
            if meets[step] and sits[step, day - cal_first] and at - day * _DAY >= opens[step]:
                mask |= 1 << meeting_bit
            key = ((state[case] * n_steps + step) << bits) | mask
            found = np.searchsorted(sorted_keys, key)
            if found >= n_keys or sorted_keys[found] != key:
                need_kind[case], need_key[case], need_day[case] = NEED_KEY, key, at
                pos[case] = k
                break
            entry = sorted_entries[found]
            target = target_of[entry]
            status, owner = status_of_row[row], owner_of_row[row]
            if (
                bad
                or not ok[entry]
                or (status >= 0 and status != status_of[target])
                or (owner >= 0 and not unspecified_owner[target] and owner != owner_of[target])
            ):
                unclean[case] = True
                break
            missing = -1
            starts = entry_starts[entry]
            for where in range(n_deadlines if starts else 0):
                if (
                    entry_clocks[entry, where] == _START
                    and hours_micro[where] == 0
                    and due[where, day - cal_first] < 0
                ):
                    missing = where
            for where in range(n_windows):
                if (
                    entry_windows[entry, where] == _START
                    and due[n_deadlines + where, day - cal_first] < 0
                ):
                    missing = n_deadlines + where
            if missing >= 0:
                need_kind[case], need_day[case], need_which[case] = NEED_DUE, day, missing
                pos[case] = k
                break
            if starts:
                for where in range(n_deadlines):
                    action = entry_clocks[entry, where]
                    if action == _START:
                        start[case, where] = at
                        if hours_micro[where]:
                            ends[case, where] = at + hours_micro[where]
                            by[case, where] = ends[case, where] // _DAY
                        else:
                            ends[case, where] = at
                            by[case, where] = due[where, day - cal_first]
                    elif action != _KEEP:
                        start[case, where] = _NONE
                n_live = _running(start, case, live)
            elif _stopped(entry_clocks, entry, start, case, live, n_live):
                n_live = _running(start, case, live)
            for where in range(n_windows):
                action = entry_windows[entry, where]
                if action == _START:
                    window_start[case, where] = at
                    window_by[case, where] = due[n_deadlines + where, day - cal_first]
                elif action != _KEEP:
                    window_start[case, where] = _NONE
            state[case] = target
            now[case] = at
            at_of[place] = at
            state_of[place] = target
            k += 1
        else:
            pos[case] = k
    return DONE
