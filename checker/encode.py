"""A spec as a symbolic transition system: Z3 terms for one state, and for one step.

Implements "The checker's finite model" of `spec/SEMANTICS.md`. A state is a dict
from trace names (`status`, `deadline:x`, ...; see `spec/trace.py`) to Z3 constants
named `<name>@<tag>` (`status@3`). Enum-like parts (status, owners, enum variables,
levels) are Ints holding an index; timers are Ints with `OFF` for "not running".

    encoding = Encoding(spec, Reading.MUST)
    s0, s1 = encoding.state("0"), encoding.state("1")
    z3.And(encoding.init(s0), encoding.transition(s0, s1, z3.Int("step@0")))

Step `j` of `encoding.labels` is taken when the step symbol equals `j`; the label says
which event, tick or dispute step it was, so a model decodes to a `Trace`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, TypeAlias

import z3
from attrs import frozen

from stepcheck.checker.encode_terms import StateTerms, Terms
from stepcheck.spec.expr import BOOL, EnumType, IntType
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.timing import Timing, timing
from stepcheck.spec.trace import State, StepKind, Value

__all__ = ["OFF", "Encoding", "Label", "StateTerms", "StateVar"]

OFF: Final = -2
"""A timer that is not running; also a closed dispute's level and a forgotten owner (-1)."""

Label: TypeAlias = tuple[StepKind, str | None]


@frozen(kw_only=True)
class StateVar:
    """One part of the state: its trace name, and its values (a Bool, or Ints lo..hi).

    `names` decodes an index to a name (statuses, owners, enum values, levels);
    `none_below` says values below it decode to None (off timers, closed disputes).
    """

    name: str
    is_bool: bool = False
    lo: int = 0
    hi: int = 0
    names: tuple[str, ...] | None = None
    none_below: int | None = None

    def decode(self, value: z3.ExprRef) -> Value:
        if self.is_bool:
            return bool(z3.is_true(value))
        number = _as_int(value)
        if self.none_below is not None and number < self.none_below:
            return None
        return self.names[number] if self.names is not None else number


class Encoding:
    """The transition system of one spec under one reading."""

    def __init__(self, spec: ProtocolSpec, reading: Reading, times: Timing | None = None) -> None:
        self.spec = spec
        self.reading = reading
        self.timing = times if times is not None else timing(spec)
        self.terms = Terms(spec, self.timing)
        self.vars: tuple[StateVar, ...] = tuple(_state_vars(spec, self.timing, self.terms))
        self.labels: tuple[Label, ...] = tuple(_labels(spec, self.terms))

    def state(self, tag: str) -> StateTerms:
        """Fresh constants for one state: `<name>@<tag>`."""
        return {
            var.name: z3.Bool(f"{var.name}@{tag}") if var.is_bool else z3.Int(f"{var.name}@{tag}")
            for var in self.vars
        }

    def domain(self, s: StateTerms) -> z3.BoolRef:
        """Every Int part inside its range."""
        return z3.And(
            [z3.And(s[v.name] >= v.lo, s[v.name] <= v.hi) for v in self.vars if not v.is_bool]
        )

    def init(self, s: StateTerms) -> z3.BoolRef:
        """The initial states."""
        return self.terms.initial(s)

    def transition(self, s: StateTerms, t: StateTerms, step: z3.ArithRef) -> z3.BoolRef:
        """One step from `s` to `t`; `step` takes the index of the step's label."""
        return z3.Or([z3.And(step == index, part) for index, part in enumerate(self.parts(s, t))])

    def parts(self, s: StateTerms, t: StateTerms) -> Iterator[z3.BoolRef]:
        """The relation of each label, in `labels` order."""
        yield from (self.terms.event_step(event, self.reading, s, t) for event in self.spec.events)
        yield self.terms.tick_step(self.reading, s, t)
        for ladder in self.spec.escalations:
            if self.terms.ladder(ladder.id).escalates:
                yield self.terms.escalate_step(ladder, s, t)
            if self.terms.ladder(ladder.id).decides:
                yield self.terms.decide_step(ladder, s, t)

    def decode(self, model: z3.ModelRef, s: StateTerms) -> State:
        """A model's values of `s` as a named state (`held` as a sorted tuple)."""
        state: dict[str, Value] = {}
        held: list[str] = []
        for var in self.vars:
            value = var.decode(model.eval(s[var.name], model_completion=True))
            if var.name.startswith("held:"):
                if value:
                    held.append(var.name.removeprefix("held:"))
            else:
                state[var.name] = value
        state["held"] = tuple(sorted(held))
        return state


def _state_vars(spec: ProtocolSpec, times: Timing, terms: Terms) -> Iterator[StateVar]:
    statuses = tuple(status.id for status in spec.statuses)
    owners = tuple(owner.id for owner in spec.owners)
    yield StateVar(name="status", hi=len(statuses) - 1, names=statuses)
    for name in ("owner", "co_owner", "previous_owner"):
        yield StateVar(name=name, hi=len(owners) - 1, names=owners)
    for variable in spec.variables:
        yield _variable(variable.id, variable.type)
    for meeting in spec.meetings:
        yield StateVar(name=f"held:{meeting.id}", is_bool=True)
    for deadline in spec.deadlines:
        if deadline.id in times.deadlines:
            yield _timer(f"deadline:{deadline.id}", times.deadlines[deadline.id][1])
    for ladder in spec.escalations:
        levels = tuple(level.id for level in ladder.levels)
        yield StateVar(
            name=f"dispute:{ladder.id}", lo=-1, hi=len(levels) - 1, names=levels, none_below=0
        )
        yield _timer(f"level_timer:{ladder.id}", terms.ladder(ladder.id).longest_level)
        yield _timer(f"dispute_timer:{ladder.id}", times.disputes.get(ladder.id, (0, 0))[1])
    for rule in spec.rereferrals:
        yield _timer(f"window:{rule.id}", times.windows[rule.id][1])
        yield StateVar(
            name=f"window_owner:{rule.id}", lo=-1, hi=len(owners) - 1, names=owners, none_below=0
        )
    for meeting_id, period in times.meetings.items():
        yield StateVar(name=f"phase:{meeting_id}", hi=period - 1)


def _variable(name: str, type_: object) -> StateVar:
    if type_ == BOOL:
        return StateVar(name=f"var:{name}", is_bool=True)
    if isinstance(type_, IntType):
        return StateVar(name=f"var:{name}", lo=type_.lo, hi=type_.hi)
    if isinstance(type_, EnumType):
        return StateVar(name=f"var:{name}", hi=len(type_.values) - 1, names=type_.values)
    raise TypeError(f"variable '{name}' has an unsupported type {type_!r}")


def _timer(name: str, hi: int) -> StateVar:
    return StateVar(name=name, lo=OFF, hi=hi, none_below=-1)


def _labels(spec: ProtocolSpec, terms: Terms) -> Iterator[Label]:
    yield from ((StepKind.EVENT, event.id) for event in spec.events)
    yield (StepKind.TICK, None)
    for ladder in spec.escalations:
        if terms.ladder(ladder.id).escalates:
            yield (StepKind.ESCALATE, ladder.id)
        if terms.ladder(ladder.id).decides:
            yield (StepKind.DECIDE, ladder.id)


def _as_int(value: z3.ExprRef) -> int:
    if not isinstance(value, z3.IntNumRef):
        raise TypeError(f"expected an integer in the model, got {value}")
    return int(value.as_long())
