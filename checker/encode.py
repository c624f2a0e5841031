"""A spec as a symbolic transition system, built once: its initial states and one step.

Implements "The checker's finite model" of `spec/SEMANTICS.md`. A state is a dict
from trace names (`status`, `deadline:x`, ...; see `spec/trace.py`) to Z3 constants;
the relation is written over one canonical pair of states, `s` (named `status`) and
`t` (named `status'`), and the step's inputs (`in:step` picks the label). Engines
rename it per step with `z3.substitute` (`checker/system.py`) instead of building it
again, and translate it into a context of their own, so that no answer depends on
what was asked before.

Enum-like parts (status, owners, enum variables, levels) are Ints holding an index;
timers are Ints with `OFF` for "not running". Both readings and both compliance
assumptions are in the one relation, as the flags `flag:should` and `flag:comply`.

    encoding = Encoding(spec)          # in a context of its own
    encoding.init, encoding.trans      # over encoding.s, encoding.inputs, encoding.t
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, TypeAlias

import z3
from attrs import frozen

from stepcheck.checker import encode_time
from stepcheck.checker.encode_terms import NONE, OFF, StateTerms, Terms, Updates
from stepcheck.checker.fold import BoolLike, as_bool, conj
from stepcheck.spec.expr import BOOL, EnumType, IntType
from stepcheck.spec.model import Direction, ProtocolSpec
from stepcheck.spec.readings import require_closed
from stepcheck.spec.timing import Timing, timing
from stepcheck.spec.trace import State, StepKind, Value

__all__ = ["NONE", "OFF", "TICK", "WAIT", "Encoding", "Label", "StateTerms", "StateVar"]

Label: TypeAlias = tuple[StepKind, str | None]
TICK: Final[Label] = (StepKind.TICK, None)
WAIT: Final[Label] = (StepKind.TICK, "wait")
"""Several ticks in one step (`checker/encode_wait.py`); traces show them one by one."""


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
        number = as_int(value)
        if self.none_below is not None and number < self.none_below:
            return None
        return self.names[number] if self.names is not None else number

    def constant(self, name: str, ctx: z3.Context) -> z3.ExprRef:
        return z3.Bool(name, ctx) if self.is_bool else z3.Int(name, ctx)

    def within(self, term: z3.ExprRef) -> BoolLike:
        """The term lies in this part's range."""
        if self.is_bool:
            return True
        return z3.And(term >= self.lo, term <= self.hi)


class Encoding:
    """The transition system of one spec (under every reading), in a context of its own."""

    def __init__(self, spec: ProtocolSpec, times: Timing | None = None) -> None:
        require_closed(spec, "the Z3 encoding")
        self.spec = spec
        self.timing = times if times is not None else timing(spec)
        self.ctx = z3.Context()
        self.vars: tuple[StateVar, ...] = tuple(_state_vars(spec, self.timing))
        self.s: StateTerms = {v.name: v.constant(v.name, self.ctx) for v in self.vars}
        self.t: StateTerms = {v.name: v.constant(f"{v.name}'", self.ctx) for v in self.vars}
        self.terms = Terms(spec, self.timing, self.s, self.t, self.ctx)
        self.labels: tuple[Label, ...] = tuple(self._labels())
        self.init: z3.BoolRef = as_bool(
            conj(self.terms.initial(self.s), (v.within(self.s[v.name]) for v in self.vars)),
            self.ctx,
        )
        self.trans: z3.BoolRef = self._transition()
        self.inputs = dict(self.terms.inputs)
        tick, wait = self.label_index(TICK), self.label_index(WAIT)
        step = self.terms.step
        self.elapsed: z3.ArithRef = z3.If(step == tick, 1, z3.If(step == wait, self.terms.days, 0))
        """Working days the step takes: 1 for a tick, the wait's days, 0 otherwise."""
        self.floors = {
            f"deadline:{d.id}": 0 if d.direction is Direction.NOT_BEFORE else -1
            for d in spec.deadlines
            if d.id in self.timing.deadlines
        }
        for ladder in spec.escalations:
            self.floors[f"level_timer:{ladder.id}"] = -1
            self.floors[f"dispute_timer:{ladder.id}"] = -1
        self.periods = {
            m: (self.timing.least_gaps[m], period) for m, period in self.timing.meetings.items()
        }

    def val(self, number: int) -> z3.ArithRef:
        return z3.IntVal(number, self.ctx)

    def label_index(self, label: Label) -> int:
        return self.labels.index(label)

    def _labels(self) -> Iterator[Label]:
        yield from ((StepKind.EVENT, event.id) for event in self.spec.events)
        yield TICK
        yield WAIT
        for ladder in self.spec.escalations:
            info = self.terms.ladders[ladder.id]
            if info.successor:
                yield (StepKind.ESCALATE, ladder.id)
            if info.deciders:
                yield (StepKind.DECIDE, ladder.id)

    def _steps(self) -> Iterator[tuple[BoolLike, Updates]]:
        """Each label's enabling condition and updates, in `labels` order."""
        terms = self.terms
        for event in self.spec.events:
            yield terms.enabled(event), terms.event_updates(event)
        yield encode_time.tick(terms)
        yield encode_time.wait(terms)
        by_id = {ladder.id: ladder for ladder in self.spec.escalations}
        for kind, name in self.labels[len(self.spec.events) + 2 :]:
            ladder = by_id[str(name)]
            if kind is StepKind.ESCALATE:
                yield encode_time.escalate(terms, ladder)
            else:
                yield encode_time.decide(terms, ladder)

    def _transition(self) -> z3.BoolRef:
        """One step: one enabled label, with every part's new value under that label.

        Written as a disjunction over labels, each branch stating every part (those the
        label does not change keep their value): Z3 decides this partitioned form much
        faster than one if-then-else chain per part (measured: 3x on BMC, 3x on Spacer).
        """
        step = self.terms.step
        branches = []
        for i, (when, updates) in enumerate(self._steps()):
            kept = (self.t[v.name] == updates.get(v.name, self.s[v.name]) for v in self.vars)
            branches.append(as_bool(conj(step == i, when, kept), self.ctx))
        parts: list[BoolLike] = [z3.Or(branches)]
        parts += [v.within(self.t[v.name]) for v in self.vars]
        parts += self.terms.input_domains
        return as_bool(conj(parts), self.ctx)

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


def _state_vars(spec: ProtocolSpec, times: Timing) -> Iterator[StateVar]:
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
            name=f"dispute:{ladder.id}", lo=NONE, hi=len(levels) - 1, names=levels, none_below=0
        )
        longest = max(
            (
                times.levels[(ladder.id, lv.id)][1]
                for lv in ladder.levels
                if (ladder.id, lv.id) in times.levels
            ),
            default=0,
        )
        yield _timer(f"level_timer:{ladder.id}", longest)
        yield _timer(f"dispute_timer:{ladder.id}", times.disputes.get(ladder.id, (0, 0))[1])
    for rule in spec.rereferrals:
        yield _timer(f"window:{rule.id}", times.windows[rule.id][1])
        yield StateVar(
            name=f"window_owner:{rule.id}", lo=NONE, hi=len(owners) - 1, names=owners, none_below=0
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


def as_int(value: z3.ExprRef) -> int:
    if not isinstance(value, z3.IntNumRef):
        raise TypeError(f"expected an integer in the model, got {value}")
    return int(value.as_long())
