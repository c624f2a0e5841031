"""The compiled lockstep's driver: walk every case, fill what the walk asked for, walk again.

`replay_kernel.walk` plays cases in native code until each ends, leaves the lockstep
(unclean), or stops at a row needing a table entry or a due day not known yet. The
stopped cases' needs are filled here, exactly as the numpy lockstep fills them: a
missing key from the compiled engine for the first stopped case that needs it
(`Entries.find`), a missing due day by `calendar_rules.limit_from`
(`Lockstep.fill_due`). Then the stopped cases are walked again from the row they
stopped at, until none is left. Each round fills at least one entry or due day for
every stopped case, so the rounds end; what the table holds decides nothing but speed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from stepcheck.oracle.replay_columns import Ints, local_time
from stepcheck.oracle.replay_compiled import _State
from stepcheck.oracle.replay_kernel import DONE, NEED_DUE, NEED_KEY, OUTSIDE, walk
from stepcheck.oracle.replay_vector_table import START, Unsupported
from stepcheck.spec.duration import Duration

if TYPE_CHECKING:
    from stepcheck.oracle.replay_vector import Lockstep

__all__ = ["walk_all"]


def walk_all(lockstep: Lockstep) -> None:
    """Play every opened case of `lockstep` to its end (or until it is unclean)."""
    count = len(lockstep.order)
    pos = np.zeros(count, np.int64)
    need = tuple(np.zeros(count, np.int64) for _ in range(4))
    kind, key, at, which = need
    cases = (
        pos,
        _c(lockstep.first),
        _c(lockstep.length),
        lockstep.state,
        lockstep.now,
        lockstep.unclean,
        lockstep.at_of,
        lockstep.state_of,
    )
    rows = lockstep.cases.rows
    log = (
        lockstep.log.local[rows],
        lockstep.cases.step[rows],
        lockstep.cases.status[rows],
        lockstep.cases.owner[rows],
    )
    clocks = (lockstep.start, lockstep.by, lockstep.ends, lockstep.window_start, lockstep.window_by)
    layout = _layout(lockstep)
    calendar = (lockstep.calendar.counts, np.int64(lockstep.calendar.first), lockstep.sits)
    todo = np.arange(count, dtype=np.int64)
    while len(todo):
        answer = walk(todo, cases, log, clocks, layout, _table(lockstep), calendar, need)
        if answer == OUTSIDE:
            raise Unsupported("a day outside the working-day calendar")
        todo = todo[kind[todo] != DONE]
        keyed = todo[kind[todo] == NEED_KEY]
        if len(keyed):
            lockstep.entries.find(key[keyed], _filler(lockstep, keyed, pos, at))
        dated = todo[kind[todo] == NEED_DUE]
        for limit in np.unique(which[dated]).tolist():
            days = np.unique(at[dated[which[dated] == limit]]) - lockstep.calendar.first
            lockstep.fill_due(limit, days)


def _c(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The array, contiguous (Numba compiles one version per layout)."""
    return np.ascontiguousarray(values)


def _layout(lockstep: Lockstep) -> tuple[object, ...]:
    """The answers key's layout and the spec's limits, as arrays for the walk."""
    layout = lockstep.layout
    hours_micro = np.zeros(len(layout.deadlines), np.int64)
    for where in range(len(layout.deadlines)):
        if lockstep.hours[where]:
            within = lockstep.within[where]
            assert isinstance(within, Duration), "a deadline in hours has a duration"
            hours_micro[where] = within.quantity * 3_600_000_000
    return (
        np.array(lockstep.after, np.bool_).reshape(-1),
        np.array(lockstep.enforced, np.bool_).reshape(-1),
        hours_micro,
        np.array([layout.clock_bit[name] for name in layout.deadlines], np.int64).reshape(-1),
        np.array([layout.hours_bit.get(name, -1) for name in layout.deadlines], np.int64).reshape(
            -1
        ),
        np.array([layout.window_bit[rule] for rule in layout.windows], np.int64).reshape(-1),
        np.array(layout.meets, np.bool_).reshape(-1),
        _c(lockstep.opens),
        np.array([len(layout.steps), layout.bits, layout.meeting_bit], np.int64),
    )


def _table(lockstep: Lockstep) -> tuple[object, ...]:
    """The filled entries as the walk reads them (made again after every fill)."""
    entries = lockstep.entries
    entries.refresh_if_stale()
    return (
        _c(entries.sorted_keys),
        _c(entries.sorted_entries),
        _c(entries.ok),
        _c(entries.target),
        _c(entries.clocks),
        _c(entries.windows),
        _c(entries.status_of),
        _c(entries.owner_of),
        _c(entries.unspecified_owner),
        lockstep.due,
        _c((entries.clocks == START).any(axis=1)),
    )


def _filler(
    lockstep: Lockstep, cases: Ints, pos: Ints, at: Ints
) -> Callable[[int], tuple[_State, str, datetime]]:
    """`Entries.find`'s filler for the stopped cases: the compiled state of the case at
    that position, the step of its stopped row and that row's time."""

    def fill(position: int) -> tuple[_State, str, datetime]:
        case = int(cases[position])
        row = lockstep.cases.rows[lockstep.first[case] + pos[case]]
        name = lockstep.layout.steps[int(lockstep.cases.step[row])]
        return lockstep.compiled_state(case), name, local_time(at[case])

    return fill
