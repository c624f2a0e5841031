"""A SPIN trail, replayed with `spin -t`, as a run of the finite model (`spec.trace.Trace`).

`checker.spin` -> here. The Promela model prints `@state <values>` after its initial
step and `@step <kind> [<name>]` then `@state <values>` after every step
(`checker.promela`); everything else SPIN prints is ignored. States are decoded with
the same `PromelaNames` that wrote the model, so a trace that replays in the explorer
shows that SPIN's run is a run of the explorer's model, state by state.
"""

from __future__ import annotations

from stepcheck.checker.promela_names import PromelaNames
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["trace_from_output"]


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
