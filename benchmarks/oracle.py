"""Time the reference executor: per-step cost per authority, long random runs, trace dating."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import attrs

from benchmarks.common import AUTHORITIES, best_of
from stepcheck.oracle.abstract import trace_of
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import realise
from stepcheck.oracle.types import Accepted
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.trace import Trace

__all__ = ["run_oracle"]

_START = datetime(2026, 12, 21, 9, 0)
_SEQUENCES = 1_000
_LENGTH = 50


def run_oracle(repeat: int) -> None:
    """Print one markdown table: step costs, 1,000 runs of 50 steps, and dating a 50-step trace."""
    rows: list[tuple[str, str]] = []
    specs = [(path.stem, load_spec(path)) for path in sorted(AUTHORITIES.glob("*.yaml"))]
    for name, spec in specs:
        executor = Executor(spec)
        steps = best_of(repeat, lambda e=executor: _random_runs(e, 20, _LENGTH, seed=1))
        rows.append((f"{name}: one step (apply)", f"{steps / (20 * _LENGTH) * 1e6:.0f} µs"))
    for name, spec in specs:
        executor = Executor(spec)
        seconds = best_of(1, lambda e=executor: _random_runs(e, _SEQUENCES, _LENGTH, seed=2))
        rows.append((f"{name}: {_SEQUENCES:,} runs of {_LENGTH} steps", f"{seconds:.2f} s"))
    for name, spec in specs:
        trace = _long_trace(spec)
        found = best_of(repeat, lambda s=spec, t=trace: _date(s, t))
        rows.append((f"{name}: realise a {len(trace.steps)}-step trace", f"{found * 1e3:.1f} ms"))
        bad = _unrealisable(trace)
        missed = best_of(repeat, lambda s=spec, t=bad: _date(s, t))
        rows.append((f"{name}: not realisable (wrong status at the end)", f"{missed * 1e3:.1f} ms"))
        late = _late_timer(trace)
        if late is not None:
            missed = best_of(repeat, lambda s=spec, t=late: _date(s, t))
            rows.append(
                (f"{name}: search 10 years, last timer never matches", f"{missed * 1e3:.1f} ms")
            )
    print(f"### oracle (best of {repeat}; runs: random steps, every fifth a day later)")
    print()
    print("| benchmark | time |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print()


def _random_runs(executor: Executor, count: int, length: int, *, seed: int) -> int:
    """`count` runs of `length` random steps (accepted or not); the number of steps taken."""
    rng = random.Random(seed)
    steps = executor.steps
    taken = 0
    for _ in range(count):
        case = executor.start(at=_START)
        for index in range(length):
            at = case.now + timedelta(days=1) if index % 5 == 4 else case.now
            case = executor.apply(case, rng.choice(steps), at=at).case
            taken += 1
    return taken


def _long_trace(spec: ProtocolSpec) -> Trace:
    """A trace of about 50 steps: enabled events chosen at random, and working days passing."""
    executor = Executor(spec)
    rng = random.Random(3)
    first = case = executor.start(at=_START)
    accepted = []
    while len(accepted) < 40:
        enabled = executor.enabled(case)
        if not enabled or rng.random() < 0.2:
            case = executor.advance(case, case.now + timedelta(days=1))
            continue
        result = executor.apply(case, rng.choice(enabled), at=case.now)
        assert isinstance(result, Accepted)
        accepted.append(result)
        case = result.case
    return trace_of(executor, first, accepted)


def _unrealisable(trace: Trace) -> Trace:
    """`trace` with its last state's status changed, so that every start fails at the end."""
    last = trace.steps[-1]
    changed = attrs.evolve(last, state={**last.state, "status": "<nowhere>"})
    return Trace(initial=trace.initial, steps=(*trace.steps[:-1], changed))


def _late_timer(trace: Trace) -> Trace | None:
    """`trace` with the last timer it starts set to a value no calendar gives (all starts fail)."""
    timers = ("deadline:", "level_timer:", "dispute_timer:", "window:")
    for index in reversed(range(len(trace.steps))):
        before, step = trace.state_before(index), trace.steps[index]
        for name, value in step.state.items():
            if name.startswith(timers) and value is not None and value != before.get(name):
                steps = list(trace.steps)
                steps[index] = attrs.evolve(step, state={**step.state, name: 999})
                return Trace(initial=trace.initial, steps=tuple(steps))
    return None


def _date(spec: ProtocolSpec, trace: Trace) -> object:
    return realise(spec, trace, reading=Reading.MUST, start=date(2020, 1, 1), horizon_days=3653)
