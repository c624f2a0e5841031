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

import os
import sys
import time
from collections.abc import Iterator

import z3
from attrs import frozen

from stepcheck.checker.encode import TICK, WAIT
from stepcheck.checker.results import Strength
from stepcheck.checker.system import Flags, Frame, Unrolling
from stepcheck.spec.trace import Trace

__all__ = [
    "Bmc",
    "Budget",
    "LassoBmc",
    "Limits",
    "Reached",
    "Undecided",
    "Unreachable",
    "charged_check",
    "shares",
    "spacer",
    "stopped_by_clock",
]


@frozen(kw_only=True)
class Limits:
    """Deterministic limits per property, and an optional wall-clock safety net.

    `rlimit` is Z3's resource count for one solver call, `total_rlimit` for all of a
    property's calls; `max_depth` the most steps a bounded search unrolls;
    `explicit_states` the most states the explorer visits when the engines run out
    (`checker/exhaustive.py`; 0: never). `timeout_ms`
    (None: no clock) stops any one call after that long, and `deadline` (a
    `time.monotonic()` value) stops everything then; either makes the answer
    `unknown`, and they are the only limits that depend on the machine.
    """

    rlimit: int = 50_000_000
    total_rlimit: int = 400_000_000
    first_rlimit: int = 8_000_000
    quick_depth: int = 8
    middle_depth: int = 24
    max_depth: int = 60
    explicit_states: int = 20_000
    timeout_ms: int | None = None
    deadline: float | None = None
    option_prefix: str = ""
    """How the options that set `total_rlimit` and `explicit_states` are named in
    messages: "" for the spec's own properties, "derived-" for the derived questions,
    which have a budget of their own (`--derived-total-rlimit`)."""


class OutOfBudget(Exception):
    """The property's resource budget or the run's deadline is spent."""


class Budget:
    """What is left of a property's limits; each solver call is charged what it used."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.total_rlimit
        self.used = 0
        self.armed = 0

    def arm(self, target: z3.Solver | z3.Fixedpoint, rlimit: int | None = None) -> None:
        """Set the call's limits on a solver or fixedpoint, or raise `OutOfBudget`."""
        if self.left <= 0:
            raise OutOfBudget(
                "the property's resource budget is spent "
                f"(--{self.limits.option_prefix}total-rlimit {self.limits.total_rlimit})"
            )
        cap = self.limits.rlimit if rlimit is None else min(rlimit, self.limits.rlimit)
        self.armed = min(cap, self.left)
        target.set("rlimit", self.armed)
        timeout = self._timeout_ms()
        if timeout is not None:
            target.set("timeout", timeout)

    def charge(self, used: int) -> None:
        self.left -= max(used, 0)
        self.used += max(used, 0)

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
    """Shortest runs into `bad` (a term over the frame's `s`), one unrolling for all flags.

    It remembers, per flags, how many steps are known to hold no bad run, and starts
    a later search after them: a reading with more rules binding has fewer runs
    (`fewer_runs`), so what is clean under fewer rules is clean under more."""

    def __init__(self, frame: Frame, bad: z3.BoolRef, budget: Budget) -> None:
        self.frame, self.budget = frame, budget
        self.solver = _solver(frame.ctx)
        self.unrolling = Unrolling(frame, self.solver)
        self._bad = bad
        self._bad_at: list[z3.ExprRef] = []
        self._clean: dict[Flags, int] = {}

    def clean(self, flags: Flags) -> int:
        """The most steps known to hold no bad run under `flags` (-1: none known)."""
        return max([-1, *(n for known, n in self._clean.items() if fewer_runs(flags, known))])

    def search(self, flags: Flags, depth: int, allowance: int | None = None) -> Answer:
        """The shortest run of at most `depth` steps into a bad state under `flags`.

        `allowance` caps the resources the whole search may use; when it runs out the
        answer is `Undecided`, and a later search resumes at the first unsettled length.
        """
        assumptions = self.frame.assumptions(flags)
        used = 0
        for i in range(self.clean(flags) + 1, depth + 1):
            while self.unrolling.depth < i:
                self.unrolling.extend()
            left = None if allowance is None else allowance - used
            if left is not None and left <= 0:
                return Undecided(reason=f"bounded search at depth {i}: this round's share is spent")
            outcome, spent = charged_check(
                self.solver, self.budget, [*assumptions, self._bad_in(i)], left
            )
            used += spent
            if outcome == z3.sat:
                return Reached(trace=self._found(self.solver.model(), i))
            if outcome != z3.unsat:
                return Undecided(reason=f"{self._what} at depth {i}: {outcome}")
            self._clean[flags] = i
        return Unreachable(strength=Strength.BOUNDED, depth=depth)

    _what = "bounded search"

    def _found(self, model: z3.ModelRef, length: int) -> Trace:
        return self.unrolling.trace(model, length)

    def _bad_in(self, i: int) -> z3.ExprRef:
        while len(self._bad_at) <= i:
            state = self.unrolling.states[len(self._bad_at)]
            self._bad_at.append(self.frame.at(self._bad, state))
        return self._bad_at[i]


def fewer_runs(stricter: Flags, looser: Flags) -> bool:
    """Every run under `stricter` is a run under `looser` (more rules bind in `stricter`)."""
    return stricter.should >= looser.should and stricter.comply >= looser.comply


class LassoBmc(Bmc):
    """The shortest lasso that stays pending round a loop with a tick, one unrolling for
    all flags, resumable like `Bmc`.

    Liveness to safety by unrolling: at length `k`, some earlier state `j` equals state
    `k` (the observer's count aside), the watch is pending at every state from `j` to
    `k`, and one of the steps between is a tick or a wait. Unreachable here only means
    "no lasso this short"; the caller decides what that is worth.
    """

    _what = "lasso search"

    def __init__(self, frame: Frame, budget: Budget) -> None:
        super().__init__(frame, z3.BoolVal(False, frame.ctx), budget)
        self._ticks = [frame.system.labels.index(TICK), frame.system.labels.index(WAIT)]
        self._names = [name for name in frame.s if name != "watch:k"]
        self._loops: dict[int, list[z3.BoolRef]] = {0: []}

    def _bad_in(self, i: int) -> z3.ExprRef:
        if i not in self._loops:
            states = self.unrolling.states
            steps = [ins["in:step"] for ins in self.unrolling.inputs]
            last = states[i]
            self._loops[i] = [
                z3.And(
                    *(states[j][name] == last[name] for name in self._names),
                    *(states[n]["watch:pending"] for n in range(j, i + 1)),
                    z3.Or([steps[n] == tick for n in range(j, i) for tick in self._ticks]),
                )
                for j in range(i)
            ]
        loops = self._loops[i]
        return z3.Or(loops) if loops else z3.BoolVal(False, self.frame.ctx)

    def _found(self, model: z3.ModelRef, length: int) -> Trace:
        loops = self._loops[length]
        start = next(j for j, loop in enumerate(loops) if z3.is_true(model.eval(loop)))
        return self.unrolling.trace(model, length, loop_start=start)


def spacer(
    frame: Frame, bad: z3.BoolRef, flags: Flags, budget: Budget, *, rlimit: int | None = None
) -> str:
    """'unreachable', 'reachable', or why Spacer gave up (an inductive proof, no trace)."""
    ctx = frame.ctx
    fixedpoint = z3.Fixedpoint(ctx=ctx)
    fixedpoint.set(engine="spacer")
    s, t = frame.s, frame.t
    sorts = [term.sort() for term in s.values()]
    reachable = z3.Function("reachable", *sorts, z3.BoolSort(ctx))
    fixedpoint.register_relation(reachable)
    fixedpoint.declare_var(*s.values(), *t.values(), *frame.inputs.values())
    fixedpoint.rule(reachable(*s.values()), frame.fixed(frame.init, flags))
    single_days = frame.inputs["in:step"] != frame.system.labels.index(WAIT)
    fixedpoint.rule(
        reachable(*t.values()),
        [reachable(*s.values()), frame.fixed(frame.trans, flags), single_days],
    )
    try:
        budget.arm(fixedpoint, rlimit)
    except OutOfBudget as spent:
        return str(spent)
    before = _rlimit_count(fixedpoint)
    started = time.perf_counter()
    try:
        outcome = fixedpoint.query(z3.And(reachable(*s.values()), frame.fixed(bad, flags)))
    except z3.Z3Exception as error:
        used = _rlimit_count(fixedpoint) - before
        budget.charge(used)
        _log("spacer", flags, "stopped", used, started)
        return f"Spacer stopped: {_message(error, budget, used)}"
    used = _rlimit_count(fixedpoint) - before
    budget.charge(used)
    _log("spacer", flags, str(outcome), used, started)
    if outcome == z3.unsat:
        return "unreachable"
    if outcome == z3.sat:
        return "reachable"
    return f"Spacer gave up: {_reason(fixedpoint.reason_unknown(), budget, used)}"


def _solver(ctx: z3.Context) -> z3.Solver:
    return z3.SolverFor("QF_LIA", ctx=ctx)


def charged_check(
    solver: z3.Solver, budget: Budget, assumptions: list[z3.ExprRef], rlimit: int | None = None
) -> tuple[z3.CheckSatResult | str, int]:
    """sat, unsat, or the reason the call stopped; and the resources it used."""
    try:
        budget.arm(solver, rlimit)
    except OutOfBudget as spent:
        return str(spent), 0
    before = _rlimit_count(solver)
    started = time.perf_counter()
    outcome = solver.check(*assumptions)
    used = _rlimit_count(solver) - before
    budget.charge(used)
    _log("check", None, str(outcome), used, started)
    if outcome == z3.unknown:
        return _reason(solver.reason_unknown(), budget, used), used
    return outcome, used


def _log(engine: str, flags: Flags | None, outcome: str, used: int, started: float) -> None:
    seconds = time.perf_counter() - started
    debug(f"{engine} {outcome} {used} {seconds:.3f}s {flags or ''}")


def debug(line: str) -> None:
    """With STEPCHECK_DEBUG_ENGINES set, a line on stderr (for tuning the engines)."""
    if os.environ.get("STEPCHECK_DEBUG_ENGINES"):
        print(line, file=sys.stderr, flush=True)


def _rlimit_count(target: z3.Solver | z3.Fixedpoint) -> int:
    stats = target.statistics()
    names = stats.keys()
    for key in names:
        if key == "rlimit count":
            value = stats.get_key_value(key)
            return int(value)
    return 0


def stopped_by_clock(reason: str | None) -> bool:
    """Whether an `unknown` came from a wall-clock limit (--timeout, --max-seconds)."""
    text = reason or ""
    return "ran out of time" in text or "time budget is spent" in text


def _reason(text: str, budget: Budget, used: int) -> str:
    """Why a call stopped, naming the limit and the option that raises it.

    Z3 says "canceled" both for its resource limit and for a timeout; the resources
    the call used tell them apart."""
    if text in ("max. resource limit exceeded", "canceled", "timeout"):
        if used < budget.armed and text != "max. resource limit exceeded":
            return "ran out of time (--timeout or --max-seconds)"
        if budget.left <= 0:
            return (
                "ran out of the property's resource budget "
                f"(--{budget.limits.option_prefix}total-rlimit {budget.limits.total_rlimit})"
            )
        return f"ran out of resources (--rlimit {budget.armed})"
    return text


def _message(error: z3.Z3Exception, budget: Budget, used: int) -> str:
    value = error.value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return _reason(text, budget, used)


def shares(limits: Limits) -> Iterator[int]:
    """Each round's resource share: growing 4x up to the per-call limit, then level."""
    share = min(limits.first_rlimit, limits.rlimit)
    while share < limits.rlimit:
        yield share
        share *= 4
    while True:
        yield limits.rlimit
