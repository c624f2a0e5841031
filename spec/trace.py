"""Runs of the finite model, as data every engine reads and writes.

A `Trace` is what the Z3 engines produce, what the explicit explorer replays, what the
writers tell as a dated case story, and (once the oracle exists) what its executor
replays. States are plain mappings from the names below to values, so no engine's
internal representation leaks into another.

State names (see `spec/SEMANTICS.md`, "The checker's finite model"):

| name | value |
|---|---|
| `status`, `owner`, `co_owner`, `previous_owner` | ids |
| `var:<id>` | the variable's value (bool, int, or enum value name) |
| `held` | sorted tuple of meeting ids |
| `deadline:<id>` | countdown (int, -1 past its limit) or None when off; timed deadlines only |
| `dispute:<id>` | the open level's id, or None when closed |
| `level_timer:<id>` | the open level's countdown, or None (the level has no limit) |
| `dispute_timer:<id>` | the whole-dispute countdown, or None |
| `window:<id>` | the re-referral window's countdown, or None when closed |
| `window_owner:<id>` | the owner recorded when the window opened, or None |
| `phase:<id>` | a periodic meeting's working days since it last sat |
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeAlias

from attrs import field, frozen

__all__ = ["State", "StepKind", "Trace", "TraceStep", "Value"]

Value: TypeAlias = bool | int | str | tuple[str, ...] | None
State: TypeAlias = Mapping[str, Value]


def _as_dict(state: State) -> dict[str, Value]:
    return dict(state)


class StepKind(Enum):
    """An event of the spec, a working day passing, or a dispute's internal step."""

    EVENT = "event"
    TICK = "tick"
    ESCALATE = "escalate"
    DECIDE = "decide"


@frozen(kw_only=True)
class TraceStep:
    """One step: what happened (`kind` and `name`: event id, or escalation id), and the state after.

    `day` counts the working days passed since the start of the run (a tick
    increases it by one).
    """

    kind: StepKind
    name: str | None
    day: int
    state: State = field(converter=_as_dict)

    @property
    def label(self) -> tuple[StepKind, str | None]:
        return (self.kind, self.name)


@frozen(kw_only=True)
class Trace:
    """A run from an initial state; a lasso when `loop_start` is set.

    For a lasso, the steps from index `loop_start` to the end repeat for ever: the
    state after the last step equals the state before step `loop_start` (the
    initial state when it is 0).
    """

    initial: State = field(converter=_as_dict)
    steps: tuple[TraceStep, ...] = ()
    loop_start: int | None = None

    def state_before(self, index: int) -> State:
        """The state in which step `index` happens."""
        return self.initial if index == 0 else self.steps[index - 1].state

    @property
    def final(self) -> State:
        return self.steps[-1].state if self.steps else self.initial

    @property
    def days(self) -> int:
        """Working days the run spans (the lasso's stem and one turn of its loop)."""
        return sum(step.kind is StepKind.TICK for step in self.steps)
