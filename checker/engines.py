"""Is a bad state reachable? Bounded search for traces, Spacer (CHC) for proofs.

Every question runs on a `Frame` (a system in a context of its own) under a `Budget`:
a deterministic Z3 resource count shared by all of a property's solver calls, plus an
optional wall-clock safety net. Running out is never a proof: it is `Undecided`, with
the limit that stopped it.

- `Bmc`: one incremental unrolling per frame and bad predicate; questions under
  different flags (readings) are assumptions on the same solver, and a later question
  resumes at the depth where the last one stopped instead of starting again.
- `spacer`: an unbounded answer from Spacer on the flags' fixed relation.
- `bmc_lasso`: the shortest lasso that stays pending round a loop with a tick.
"""

from __future__ import annotations

import time

import z3
from attrs import evolve, frozen

from stepcheck.checker.encode import TICK
from stepcheck.checker.results import Strength
from stepcheck.checker.system import Flags, Frame, Unrolling
from stepcheck.spec.trace import Trace

__all__ = [
    "Bmc",
    "Budget",
    "Limits",
    "Reached",
    "Undecided",
    "Unreachable",
    "bmc_lasso",
    "spacer",
]


@frozen(kw_only=True)
class Limits:
    """Deterministic limits per property, and an optional wall-clock safety net.

    `rlimit` is Z3's resource count for one solver call, `total_rlimit` for all of a
    property's calls; `max_depth` the most steps a bounded search unrolls. `timeout_ms`
    (None: no clock) stops any one call after that long, and `deadline` (a
    `time.monotonic()` value) stops everything then; either makes the answer
    `unknown`, and they are the only limits that depend on the machine.
    """

    rlimit: int = 50_000_000
    total_rlimit: int = 400_000_000
    quick_depth: int = 12
    max_depth: int = 60
    timeout_ms: int | None = None
    deadline: float | None = None


class OutOfBudget(Exception):
    """The property's resource budget or the run's deadline is spent."""


class Budget:
    """What is left of a property's limits; each solver call is charged what it used."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.total_rlimit

    def arm(self, target: z3.Solver | z3.Fixedpoint) -> None:
        """Set the call's limits on a solver or fixedpoint, or raise `OutOfBudget`."""
        if self.left <= 0:
            raise OutOfBudget(f"the property's resource budget is spent (--total-rlimit {self.limits.total_rlimit})")
        target.set("rlimit", min(self.limits.rlimit, self.left))
        timeout = self._timeout_ms()
        if timeout is not None:
            target.set("timeout", timeout)

    def charge(self, used: int) -> None:
        self.left -= max(used, 0)

    def _timeout_ms(self) -> int | None:
        limits = self.limits
        candidates = [] if limits.timeout_ms is None else [limits.timeout_ms]
        if limits.deadline is not None:
            left = int((limits.deadline - time.monotonic()) * 1000)
            if left <= 0:
                raise OutOfBudget("the run's time budget is spent (--max-seconds)")
            candidates.append(left)
        return min(candidates) if candidates else None


@frozen(kw_only=True)
class Reached:
    trace: Trace


@frozen(kw_only=True)
class Unreachable:
    strength: Strength
    depth: int | None = None


@frozen(kw_only=True)
class Undecided:
    reason: str


Answer = Reached | Unreachable | Undecided


class Bmc:
    """Shortest runs into `bad` (a term over the frame's `s`), one unrolling for all flags."""

    def __init__(self, frame: Frame, bad: z3.BoolRef, budget: Budget) -> None:
        self.frame, self.budget = frame, budget
        self.solver = _solver(frame.ctx)
        self.unrolling = Unrolling(frame, self.solver)
        self._bad = bad
        self._bad_at: list[z3.ExprRef] = []

    def search(self, flags: Flags, depth: int, start: int = 0) -> Answer:
        """The shortest run of `start`..`depth` steps into a bad state under `flags`.

        `start` skips lengths already known to hold no such run (under these flags or
        fewer constraints)."""
        assumptions = self.frame.assumptions(flags)
        for i in range(start, depth + 1):
            while self.unrolling.depth < i:
                self.unrolling.extend()
            outcome = _check(self.solver, self.budget, [*assumptions, self._bad_in(i)])
            if outcome == z3.sat:
                return Reached(trace=self.unrolling.trace(self.solver.model(), i))
            if outcome != z3.unsat:
                return Undecided(reason=f"bounded search at depth {i}: {outcome}")
        return Unreachable(strength=Strength.BOUNDED, depth=depth)

    def _bad_in(self, i: int) -> z3.ExprRef:
        while len(self._bad_at) <= i:
            state = self.unrolling.states[len(self._bad_at)]
            self._bad_at.append(self.frame.at(self._bad, state))
        return self._bad_at[i]


def bmc_lasso(frame: Frame, flags: Flags, budget: Budget, depth: int) -> Answer:
    """The shortest lasso (up to `depth` steps) that stays pending round a loop with a tick.

    Liveness to safety by unrolling: at each length `k`, some earlier state `j` equals
    state `k` (observer's count aside), the watch is pending at every state from `j`
    to `k`, and one of the steps between is a tick. Unreachable here only means "no
    lasso this short"; the caller decides what that is worth.
    """
    solver = _solver(frame.ctx)
    unrolling = Unrolling(frame, solver)
    assumptions = frame.assumptions(flags)
    tick = frame.system.labels.index(TICK)
    states = unrolling.states
    names = [name for name in frame.s if name != "watch:k"]
    for k in range(1, depth + 1):
        t = unrolling.extend()
        steps = [ins["in:step"] for ins in unrolling.inputs]
        loops = [
            z3.And(
                *(states[j][name] == t[name] for name in names),
                *(states[i]["watch:pending"] for i in range(j, k + 1)),
                z3.Or([steps[i] == tick for i in range(j, k)]),
            )
            for j in range(k)
        ]
        outcome = _check(solver, budget, [*assumptions, z3.Or(loops)])
        if outcome == z3.sat:
            model = solver.model()
            start = next(j for j, loop in enumerate(loops) if z3.is_true(model.eval(loop)))
            return Reached(trace=evolve(unrolling.trace(model, k), loop_start=start))
        if outcome != z3.unsat:
            return Undecided(reason=f"lasso search at length {k}: {outcome}")
    return Unreachable(strength=Strength.BOUNDED, depth=depth)


def spacer(frame: Frame, bad: z3.BoolRef, flags: Flags, budget: Budget) -> str:
    """'unreachable', 'reachable', or why Spacer gave up (an inductive proof, no trace)."""
    ctx = frame.ctx
    fixedpoint = z3.Fixedpoint(ctx=ctx)
    fixedpoint.set(engine="spacer")
    import os
    for item in filter(None, os.environ.get("SPACER_OPTS", "").split(",")):
        k, v = item.split("=")
        fixedpoint.set(k, {"true": True, "false": False}.get(v, int(v) if v.isdigit() else v))
    s, t = frame.s, frame.t
    sorts = [term.sort() for term in s.values()]
    reachable = z3.Function("reachable", *sorts, z3.BoolSort(ctx))
    fixedpoint.register_relation(reachable)
    fixedpoint.declare_var(*s.values(), *t.values(), *frame.inputs.values())
    fixedpoint.rule(reachable(*s.values()), frame.fixed(frame.init, flags))
    fixedpoint.rule(
        reachable(*t.values()), [reachable(*s.values()), frame.fixed(frame.trans, flags)]
    )
    try:
        budget.arm(fixedpoint)
    except OutOfBudget as spent:
        return str(spent)
    before = _rlimit_count(fixedpoint)
    started = time.perf_counter()
    try:
        outcome = fixedpoint.query(z3.And(reachable(*s.values()), frame.fixed(bad, flags)))
        if os.environ.get("SPACER_LOG"):
            print(f"    spacer {outcome} {time.perf_counter() - started:.2f}s", flush=True)
    except z3.Z3Exception as error:
        budget.charge(_rlimit_count(fixedpoint) - before)
        return f"Spacer stopped: {_message(error, budget)}"
    budget.charge(_rlimit_count(fixedpoint) - before)
    if outcome == z3.unsat:
        return "unreachable"
    if outcome == z3.sat:
        return "reachable"
    return f"Spacer gave up: {_reason(fixedpoint.reason_unknown(), budget)}"


def _solver(ctx: z3.Context) -> z3.Solver:
    return z3.SolverFor("QF_LIA", ctx=ctx)


def _check(solver: z3.Solver, budget: Budget, assumptions: list[z3.ExprRef]) -> z3.CheckSatResult | str:
    """sat, unsat, or the reason the call stopped (a limit, with the option to raise)."""
    try:
        budget.arm(solver)
    except OutOfBudget as spent:
        return str(spent)
    before = _rlimit_count(solver)
    started = time.perf_counter()
    outcome = solver.check(*assumptions)
    import os
    if os.environ.get("SPACER_LOG"):
        print(f"      check {outcome} {time.perf_counter() - started:.3f}s", flush=True)
    budget.charge(_rlimit_count(solver) - before)
    if outcome == z3.unknown:
        return _reason(solver.reason_unknown(), budget)
    return outcome


def _rlimit_count(target: z3.Solver | z3.Fixedpoint) -> int:
    stats = target.statistics()
    for key in stats.keys():
        if key == "rlimit count":
            value = stats.get_key_value(key)
            return int(value)
    return 0


def _reason(text: str, budget: Budget) -> str:
    if text in ("canceled", "timeout"):
        return "ran out of time (--timeout or --max-seconds)"
    if text == "max. resource limit exceeded":
        if budget.left <= 0:
            return f"ran out of the property's resource budget (--total-rlimit {budget.limits.total_rlimit})"
        return f"ran out of resources (--rlimit {budget.limits.rlimit})"
    return text


def _message(error: z3.Z3Exception, budget: Budget) -> str:
    value = error.value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return _reason(text, budget)
