"""Reading what SPIN prints: pan's report, and a trail replayed with `spin -t`.

`checker.spin` runs the programs -> here. pan's report gives the outcome, the states
stored, the depth reached and, when the search stopped early, which limit stopped it.
A replay gives a run of the finite model (`spec.trace.Trace`): the Promela model
prints `@state <values>` after its initial step and `@step <kind> [<name>]` then
`@state <values>` after every step (`checker.promela`); everything else SPIN prints
is ignored. States are decoded with the same `PromelaNames` that wrote the model, so
a trace that replays in the explorer shows that SPIN's run is a run of the explorer's
model, state by state.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Final

from attrs import frozen

from stepcheck.checker.promela_names import PromelaNames
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["PanReport", "SpinOutcome", "read_report", "trace_from_output"]

_STORED: Final = re.compile(r"^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) states, stored", re.MULTILINE)
_DEPTH: Final = re.compile(r"depth reached (\d+), errors: (\d+)")


class SpinOutcome(Enum):
    """What SPIN said: a violation, no errors (complete or not), or no answer."""

    VIOLATED = "violated"
    NO_ERRORS = "no errors"
    DID_NOT_FINISH = "did not finish"


@frozen(kw_only=True)
class PanReport:
    """pan's answer: `complete` when it searched every reachable state, else `limit`
    names what stopped it (`depth`, `memory`; `time` is the caller's to know)."""

    outcome: SpinOutcome
    complete: bool = False
    limit: str | None = None
    states: int | None = None
    depth: int | None = None


def read_report(output: str) -> PanReport:
    """The answer in pan's report `output`.

    Raises:
        InternalError: pan reports an error other than an assertion (a deadlock cannot
            happen in this model: a tick or an event is always possible), so the
            Promela we wrote is wrong.
    """
    stored, depth = _STORED.search(output), _DEPTH.search(output)
    states = int(float(stored.group(1))) if stored else None
    reached = int(depth.group(1)) if depth else None
    if "assertion violated" in output:
        return PanReport(outcome=SpinOutcome.VIOLATED, states=states, depth=reached)
    if "-DMEMLIM bound" in output or "out of memory" in output:
        return PanReport(
            outcome=SpinOutcome.DID_NOT_FINISH, limit="memory", states=states, depth=reached
        )
    if depth is None or depth.group(2) != "0":
        raise InternalError(f"SPIN reported an unexpected result:\n{output}")
    truncated = "max search depth too small" in output
    return PanReport(
        outcome=SpinOutcome.NO_ERRORS,
        complete=not truncated and "Search not completed" not in output,
        limit="depth" if truncated else None,
        states=states,
        depth=reached,
    )


def trace_from_output(names: PromelaNames, output: str) -> Trace:
    """The run that `spin -t`'s `output` prints, dated in working days from day 0."""
    initial: State | None = None
    steps: list[TraceStep] = []
    label: tuple[StepKind, str | None] | None = None
    day = 0
    for line in output.splitlines():
        words = line.split()
        if not words or words[0] not in ("@step", "@state"):
            continue
        if words[0] == "@step":
            label = (StepKind(words[1]), words[2] if len(words) > 2 else None)
            continue
        state = names.decode([int(word) for word in words[1:]])
        if initial is None:
            initial = state
            continue
        if label is None:
            raise InternalError(f"a state without a step in SPIN's replay: {line!r}")
        kind, name = label
        day += kind is StepKind.TICK
        steps.append(TraceStep(kind=kind, name=name, day=day, state=state))
        label = None
    if initial is None:
        raise InternalError(f"SPIN's replay printed no state:\n{output}")
    return Trace(initial=initial, steps=tuple(steps))
