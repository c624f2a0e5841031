"""The compiled engine's table with integer keys, looked up for many cases at once.

`replay_compiled.CompiledSpec` keys its table by (discrete state, step, answers),
the answers a tuple of yes/no in the order of the state's own clocks and windows.
Here the answers are one integer in a fixed layout (`Layout`): per timed deadline of
the spec one bit (overdue, or for `not_before` still holding) and one more for a
deadline in hours (over its end), per re-referral window one bit (closed), and one for
the step's meeting sitting at the row's moment (that day, from its time of day); a
clock that is not running answers 0. Given the state and the step, the two are the
same answers, so each integer key stands for one key of the compiled table. A key
not seen yet is filled from the compiled engine (`CompiledSpec._entry`, the
executor's answer) for one case that needs it, and translated to integers: the next
state, whether the step is accepted with nothing to report, and per deadline and
window whether its clock stops, is kept, or starts at the row (`Entries`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import numpy.typing as npt

from stepcheck.oracle.calendar_rules import Limit
from stepcheck.oracle.executor_case import DeadlineClock, WindowClock
from stepcheck.oracle.replay_columns import Ints
from stepcheck.oracle.replay_compiled import CompiledSpec, _State
from stepcheck.spec.model import UNSPECIFIED

__all__ = ["KEEP", "START", "Entries", "Layout", "Unsupported", "VectorTable"]

KEEP = 1
START = 2


class Unsupported(Exception):
    """The spec or the log needs something the vector engine does not model; the
    compiled engine replays it instead."""


class Layout:
    """Which bit of an answer key means what, and the spec's names as indices."""

    def __init__(self, compiled: CompiledSpec) -> None:
        index = compiled.executor.index
        self.deadlines = [deadline.id for deadline in index.timed]
        self.windows = [rule.id for rule in index.spec.rereferrals]
        self.steps = list(compiled.executor.steps)
        self.statuses = list(index.statuses)
        self.owners = list(index.owners)
        bit = 0
        self.clock_bit: dict[str, int] = {}
        self.hours_bit: dict[str, int] = {}
        for name in self.deadlines:
            self.clock_bit[name] = bit
            bit += 1
            if name in compiled._hours:
                self.hours_bit[name] = bit
                bit += 1
        self.window_bit = {}
        for rule in self.windows:
            self.window_bit[rule] = bit
            bit += 1
        self.meeting_bit = bit
        self.bits = bit + 1
        self.meets = [compiled._meeting.get(step) is not None for step in self.steps]

    def mask_of(
        self, compiled: CompiledSpec, state: _State, step: str, bits: tuple[bool, ...]
    ) -> int:
        """The integer key of the compiled engine's `bits` for `state` and `step`."""
        answers = iter(bits)
        mask = 0
        for clock in state.clocks:
            mask |= next(answers) << self.clock_bit[clock.deadline]
            if clock.deadline in self.hours_bit:
                mask |= next(answers) << self.hours_bit[clock.deadline]
        for window in state.windows:
            mask |= next(answers) << self.window_bit[window.rule]
        if compiled._meeting.get(step) is not None:
            mask |= next(answers) << self.meeting_bit
        return mask


class Entries:
    """The filled entries as arrays, and the sorted keys that find them."""

    def __init__(self, compiled: CompiledSpec, layout: Layout) -> None:
        self.compiled = compiled
        self.layout = layout
        self._keys: dict[int, int] = {}
        self._ok: list[bool] = []
        self._target: list[int] = []
        self._clocks: list[list[int]] = []
        self._windows: list[list[int]] = []
        self._stale = True
        self.sorted_keys: Ints = np.zeros(0, np.int64)
        self.sorted_entries: Ints = np.zeros(0, np.int64)
        self.ok: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)
        self.target: Ints = np.zeros(0, np.int64)
        self.clocks: npt.NDArray[np.int8] = np.zeros((0, len(layout.deadlines)), np.int8)
        self.windows: npt.NDArray[np.int8] = np.zeros((0, len(layout.windows)), np.int8)
        self.states = 0
        self.status_of: Ints = np.zeros(0, np.int64)
        self.owner_of: Ints = np.zeros(0, np.int64)
        self.unspecified_owner: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)
        self.responsible_of: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)

    def key(self, state: Ints, step: Ints, mask: Ints) -> Ints:
        """The integer keys of (state, step, answers)."""
        return ((state * len(self.layout.steps) + step) << self.layout.bits) | mask

    def find(self, keys: Ints, fill: Callable[[int], tuple[_State, str, datetime]]) -> Ints:
        """The entry of every key; a missing key is filled from `fill(position)`, which
        gives the compiled state, step name and time of the case at that position."""
        found = self._lookup(keys)
        missing = found < 0
        if missing.any():
            unique, first = np.unique(keys[missing], return_index=True)
            positions = np.flatnonzero(missing)[first]
            for key, position in zip(unique.tolist(), positions.tolist(), strict=True):
                self._fill(key, *fill(position))
            self._refresh()
            found = self._lookup(keys)
        return found

    def refresh_if_stale(self) -> None:
        """Make the arrays again if an entry was filled since they were made."""
        if self._stale:
            self._refresh()

    def _lookup(self, keys: Ints) -> Ints:
        self.refresh_if_stale()
        if not len(self.sorted_keys):
            return np.full(len(keys), -1, np.int64)
        at = np.minimum(np.searchsorted(self.sorted_keys, keys), len(self.sorted_keys) - 1)
        return np.where(self.sorted_keys[at] == keys, self.sorted_entries[at], -1)

    def _fill(self, key: int, state: _State, step: str, at: datetime) -> None:
        compiled, layout = self.compiled, self.layout
        bits = compiled._bits(state, step, at)
        if ((key >> layout.bits) % len(layout.steps)) != layout.steps.index(step) or (
            key & ((1 << layout.bits) - 1)
        ) != layout.mask_of(compiled, state, step, bits):
            raise AssertionError("the vector engine's answers differ from the compiled engine's")
        entry = compiled._entry(state, step, at, bits)
        clocks = [0] * len(layout.deadlines)
        windows = [0] * len(layout.windows)
        if entry.ok:
            for name, old in entry.clocks:
                where = layout.deadlines.index(name)
                if clocks[where] or (old >= 0 and state.clocks[old].deadline != name):
                    raise Unsupported("a state runs one deadline's clock twice")
                clocks[where] = KEEP if old >= 0 else START
            for rule, old, _owner in entry.windows:
                where = layout.windows.index(rule)
                if windows[where] or (old >= 0 and state.windows[old].rule != rule):
                    raise Unsupported("a state runs one window twice")
                windows[where] = KEEP if old >= 0 else START
        self._keys[key] = len(self._ok)
        self._ok.append(entry.ok)
        self._target.append(entry.target)
        self._clocks.append(clocks)
        self._windows.append(windows)
        self._stale = True

    def _refresh(self) -> None:
        keys = np.array(list(self._keys), np.int64)
        entries = np.array(list(self._keys.values()), np.int64)
        order = np.argsort(keys)
        self.sorted_keys, self.sorted_entries = keys[order], entries[order]
        self.ok = np.array(self._ok, np.bool_)
        self.target = np.array(self._target, np.int64)
        size = len(self._ok)
        self.clocks = np.array(self._clocks, np.int8).reshape(size, len(self.layout.deadlines))
        self.windows = np.array(self._windows, np.int8).reshape(size, len(self.layout.windows))
        self._stale = False
        self.refresh_states()

    def refresh_states(self) -> None:
        """Per discrete state met so far: status, owner and responsibility as arrays."""
        states = self.compiled._states
        if len(states) == self.states:
            return
        layout = self.layout
        self.states = len(states)
        self.status_of = np.array([layout.statuses.index(s.status) for s in states], np.int64)
        self.owner_of = np.array([layout.owners.index(s.owner) for s in states], np.int64)
        self.unspecified_owner = np.array([s.owner == UNSPECIFIED.value for s in states], np.bool_)
        responsible = self.compiled._responsible
        self.responsible_of = np.array([responsible[(s.status, s.owner)] for s in states], np.bool_)


def clocks_of(
    compiled: CompiledSpec, number: int, starts: dict[str, datetime]
) -> tuple[tuple[DeadlineClock, ...], tuple[WindowClock, ...]]:
    """The compiled engine's clocks and windows for discrete state `number`, each limit
    started at `starts[name]` (windows under `window:RULE`), as the compiled engine makes
    them (`CompiledSpec._limit`)."""
    discrete = compiled._states[number]
    clocks = tuple(
        DeadlineClock(
            deadline=name, limit=_limit(compiled, starts[name], name, compiled._within[name])
        )
        for name in discrete.clocks
    )
    windows = tuple(
        WindowClock(
            rule=rule,
            limit=_limit(
                compiled, starts["window:" + rule], "window:" + rule, compiled._windows[rule]
            ),
            owner=owner,
        )
        for rule, owner in discrete.windows
    )
    return clocks, windows


def _limit(compiled: CompiledSpec, at: datetime, name: str, within: object) -> Limit:
    return compiled._limit(at, name, within)


class VectorTable:
    """A compiled table and its integer form, kept together so that a second log
    replayed with the same spec and reading finds both filled."""

    def __init__(self, compiled: CompiledSpec) -> None:
        self.compiled = compiled
        self.layout = Layout(compiled)
        self.entries = Entries(compiled, self.layout)
        self.due_days: Ints | None = None
        """Per deadline (windows after them), per day of the working-day calendar: the
        due day of a limit started that day, -1 until needed (made by the lockstep)."""
        self._scratch: dict[str, Ints] = {}

    def clocks(self, name: str, cases: int, limits: int, fill: int) -> Ints:
        """A (cases x limits) array of `fill` for the lockstep's clocks, on the memory of
        the last one of that `name` when it is large enough: a long log's shares are
        replayed one after another on this table, each lockstep dropped before the
        next begins, and new arrays of that size cost more in page faults than in
        filling. The caller keeps none past its replay."""
        size = cases * limits
        kept = self._scratch.get(name)
        if kept is None or kept.size < size:
            kept = self._scratch[name] = np.empty(size, np.int64)
        clocks = kept[:size].reshape(cases, limits)
        clocks.fill(fill)
        return clocks
