"""What every generated step shares: the atomic alternative, scratch variables, timers.

`checker.promela` assembles a model from `Alternative`s that `promela_events` (events)
and `promela_time` (disputes' internal steps and ticks) write with a `Body`. A step is
one indivisible alternative of the model's `do` loop (`atomic`, or `d_step` when it
chooses nothing) whose first statement is its guard, so it is enabled exactly when the
guard holds, and every statement after it can always run. Intermediate values live in
scratch variables that each step sets before reading and resets to 0 before it ends, so
the states SPIN stores are the finite model's configurations and nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import field, frozen

from stepcheck.checker.promela_names import PromelaNames
from stepcheck.spec.duration import Duration
from stepcheck.spec.model import Property, Reading
from stepcheck.spec.timing import Interval

__all__ = ["Alternative", "Body", "Context", "Pick"]


@frozen(kw_only=True)
class Pick:
    """The scratch variable that holds the start value of every timer of one duration a
    step starts, so that they start equal (SEMANTICS.md, "Deadlines")."""

    variable: str
    duration: Duration
    interval: Interval


@frozen(kw_only=True)
class Context:
    """What a step's Promela depends on besides the spec: the reading, compliance, the
    property (for a step property's flag), and one `Pick` per timed duration."""

    names: PromelaNames
    reading: Reading
    comply: bool
    prop: Property | None
    picks: dict[Duration, Pick] = field(factory=dict)

    @classmethod
    def of(
        cls, names: PromelaNames, reading: Reading, *, comply: bool, prop: Property | None
    ) -> Context:
        """The context with one pick per duration that has an interval, in spec order."""
        found: dict[Duration, Interval] = {}
        spec, timing = names.spec, names.timing
        for deadline in spec.deadlines:
            if deadline.id in timing.deadlines and isinstance(deadline.within, Duration):
                found.setdefault(deadline.within, timing.deadlines[deadline.id])
        for ladder in spec.escalations:
            for level in ladder.levels:
                key = (ladder.id, level.id)
                if key in timing.levels and isinstance(level.within, Duration):
                    found.setdefault(level.within, timing.levels[key])
            if ladder.id in timing.disputes and isinstance(ladder.within, Duration):
                found.setdefault(ladder.within, timing.disputes[ladder.id])
        for rule in spec.rereferrals:
            found.setdefault(rule.window, timing.windows[rule.id])
        picks = {
            duration: Pick(variable=f"pick_{index}", duration=duration, interval=interval)
            for index, (duration, interval) in enumerate(found.items())
        }
        return cls(names=names, reading=reading, comply=comply, prop=prop, picks=picks)

    def start(self, duration: Duration) -> str:
        """What a timer of `duration` starts at: its pick, or the one value it can take."""
        pick = self.picks[duration]
        lo, hi = pick.interval
        return str(lo) if lo == hi else pick.variable


@frozen(kw_only=True)
class Statement:
    """One Promela statement of a step; `choice` when it chooses among several options
    (a nondeterministic `if`), the only statements that cannot sit in a `d_step`."""

    text: str
    choice: bool = False


@frozen(kw_only=True)
class Alternative:
    """One alternative of the `do` loop: a guard, then statements, then the step's
    label and state printed (for trails), the step's own check, and the resets.

    `kind` and `name` are the step's label (`spec.trace.StepKind` value, event or
    escalation id); `check`, when set, is an assertion only this step makes (a step
    property); `scratch` maps each scratch variable the step uses to its type.
    """

    comment: str
    guard: str
    statements: tuple[Statement, ...]
    kind: str
    name: str | None
    scratch: tuple[tuple[str, str], ...] = ()
    check: str | None = None


class Body:
    """The statements of one step after its guard, and the scratch variables they use."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.scratch: dict[str, str] = {}

    def add(self, *statements: str) -> None:
        self.statements.extend(Statement(text=text) for text in statements)

    def use(self, variable: str, declaration: str) -> str:
        """Note that the step uses scratch `variable` (reset when the step ends)."""
        self.scratch[variable] = declaration
        return variable

    def set(self, variable: str, declaration: str, value: str) -> str:
        self.add(f"{self.use(variable, declaration)} = {value}")
        return variable

    def choose(self, options: Iterable[tuple[str, str]]) -> None:
        """An `if` whose options exclude each other (or end in 'else'): no choice."""
        self.add(_if(options))

    def branch(self, options: Iterable[tuple[str, str]]) -> None:
        """An `if` that may take any option whose condition holds: a choice."""
        self.statements.append(Statement(text=_if(options), choice=True))

    def pick(self, variable: str, low: int, high: int, condition: str = "true") -> None:
        """When `condition` holds, set `variable` to any value in `[low, high]`."""
        values = [(condition, f"{variable} = {value}") for value in range(low, high + 1)]
        self.branch([*values, ("else", "skip")] if condition != "true" else values)

    def when(self, condition: str, *statements: str) -> None:
        """`statements` when `condition` holds, else nothing (no `if` when it is a constant)."""
        if condition == "false" or not statements:
            return
        if condition == "true":
            self.add(*statements)
            return
        self.choose([(condition, "; ".join(statements)), ("else", "skip")])

    def save_before(self, variable: str, value: str) -> None:
        """Copy `value` (as the step finds it) into scratch `variable`, if the step reads it."""
        pattern = re.compile(rf"\b{re.escape(variable)}\b")
        if any(pattern.search(statement.text) for statement in self.statements):
            self.statements.insert(0, Statement(text=f"{self.use(variable, 'byte')} = {value}"))

    def finish(
        self, *, comment: str, guard: str, kind: str, name: str | None, check: str | None = None
    ) -> Alternative:
        return Alternative(
            comment=comment,
            guard=guard,
            statements=tuple(self.statements),
            kind=kind,
            name=name,
            scratch=tuple(sorted(self.scratch.items())),
            check=check,
        )


def _if(options: Iterable[tuple[str, str]]) -> str:
    """A Promela `if` over (condition, statement) options; 'else' is Promela's."""
    return (
        "if "
        + " ".join(f":: {condition} -> {statement}" for condition, statement in options)
        + " fi"
    )
