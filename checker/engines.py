"""Is a bad state reachable? Bounded model checking for traces, Spacer (CHC) for proofs.

`reach` answers with a `Reached` (the shortest trace BMC finds), an `Unreachable`
(`unbounded` when Spacer found an inductive invariant; `bounded` with the depth when
only BMC finished), or an `Undecided` with the reason. Every solver call has a
timeout and a resource limit; running out is never reported as a proof.
"""

from __future__ import annotations

import z3
from attrs import evolve, frozen

from stepcheck.checker.encode import Encoding, StateTerms
from stepcheck.checker.results import Strength
from stepcheck.checker.watch import Bad, NoWatch, ResponseWatch, Watch
from stepcheck.spec.trace import StepKind, Trace, TraceStep

__all__ = [
    "Limits",
    "Reached",
    "Undecided",
    "Unreachable",
    "bmc",
    "bmc_lasso",
    "fresh_context",
    "reach",
    "spacer",
]


@frozen(kw_only=True)
class Limits:
    """Budgets for one question: per solver call, and how deep BMC may go."""

    timeout_ms: int = 30_000
    rlimit: int = 50_000_000
    quick_depth: int = 12
    max_depth: int = 60


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


def fresh_context() -> None:
    """Start Z3's default context afresh, so that a question's answer does not depend on
    what the process asked before (Z3 picks among equally short traces by the order in
    which terms were first built). Terms built before stay valid in their old context.
    """
    z3.z3._main_ctx = None  # z3py keeps its default context here; main_ctx() remakes it


def reach(
    encoding: Encoding, bad: Bad, watch: Watch | None = None, limits: Limits | None = None
) -> Answer:
    """Search for a reachable state where `bad` holds.

    Shallow BMC first (most traces are short), then Spacer for a proof, then deep BMC
    when Spacer finds the state reachable or gives up.
    """
    limits = limits if limits is not None else Limits()
    quick = bmc(encoding, bad, watch, limits, limits.quick_depth)
    if isinstance(quick, Reached):
        return quick
    proof = spacer(encoding, bad, watch, limits)
    if proof == "unreachable":
        return Unreachable(strength=Strength.UNBOUNDED)
    deep = bmc(encoding, bad, watch, limits, limits.max_depth)
    if isinstance(deep, Reached):
        return deep
    if proof == "reachable":
        return Undecided(
            reason=(
                f"Spacer found the state reachable, but no run of at most {limits.max_depth} steps"
            )
        )
    if isinstance(deep, Unreachable):
        return Unreachable(strength=Strength.BOUNDED, depth=limits.max_depth)
    return Undecided(reason=f"{proof}; {deep.reason}")


def _solver(limits: Limits) -> z3.Solver:
    solver = z3.SolverFor("QF_LIA")
    solver.set("timeout", limits.timeout_ms)
    solver.set("rlimit", limits.rlimit)
    return solver


def bmc(encoding: Encoding, bad: Bad, watch: Watch | None, limits: Limits, depth: int) -> Answer:
    """The shortest run (up to `depth` steps) into a bad state, by unrolling."""
    observer: Watch = watch if watch is not None else NoWatch()
    unrolling = _Unrolling(encoding, observer, limits)
    solver, states, steps = unrolling.solver, unrolling.states, unrolling.steps
    for i in range(depth + 1):
        outcome = solver.check(bad(encoding, states[i]))
        if outcome == z3.sat:
            return Reached(trace=_trace(encoding, solver.model(), states, steps))
        if outcome == z3.unknown:
            return Undecided(reason=f"bounded search at depth {i}: {_unknown(solver)}")
        if i == depth:
            break
        unrolling.extend()
    return Unreachable(strength=Strength.BOUNDED, depth=depth)


def bmc_lasso(encoding: Encoding, watch: ResponseWatch, limits: Limits, depth: int) -> Answer:
    """The shortest lasso (up to `depth` steps) that stays pending round a loop with a tick.

    Liveness to safety by unrolling: at each length `k`, some earlier state `j` equals
    state `k` (observer's count aside), the watch is pending at every state from `j`
    to `k`, and one of the steps between is a tick. Unreachable here only means "no
    lasso this short"; the caller decides what that is worth.
    """
    unrolling = _Unrolling(encoding, watch, limits)
    solver, states, steps = unrolling.solver, unrolling.states, unrolling.steps
    tick = encoding.labels.index((StepKind.TICK, None))
    names = [name for name in states[0] if name != "watch:k"]
    for k in range(1, depth + 1):
        t = unrolling.extend()
        loops = [
            z3.And(
                *(states[j][name] == t[name] for name in names),
                *(states[i]["watch:pending"] for i in range(j, k + 1)),
                z3.Or([steps[i] == tick for i in range(j, k)]),
            )
            for j in range(k)
        ]
        outcome = solver.check(z3.Or(loops))
        if outcome == z3.sat:
            model = solver.model()
            start = next(j for j, loop in enumerate(loops) if z3.is_true(model.eval(loop)))
            return Reached(trace=evolve(_trace(encoding, model, states, steps), loop_start=start))
        if outcome == z3.unknown:
            return Undecided(reason=f"lasso search at length {k}: {_unknown(solver)}")
    return Unreachable(strength=Strength.BOUNDED, depth=depth)


class _Unrolling:
    """An incremental unrolling: initial states, then one transition per `extend`."""

    def __init__(self, encoding: Encoding, watch: Watch, limits: Limits) -> None:
        self.encoding, self.watch = encoding, watch
        self.solver = _solver(limits)
        self.states = [_state(encoding, watch, "0")]
        self.steps: list[z3.ArithRef] = []
        first = self.states[0]
        self.solver.add(
            encoding.init(first), watch.init(encoding, first), _domain(encoding, watch, first)
        )

    def extend(self) -> StateTerms:
        """Add one step; returns the new last state."""
        i = len(self.steps)
        s, t = self.states[-1], _state(self.encoding, self.watch, str(i + 1))
        step = z3.Int(f"step@{i}")
        self.solver.add(
            self.encoding.transition(s, t, step),
            self.watch.update(self.encoding, s, t, step),
            _domain(self.encoding, self.watch, t),
        )
        self.states.append(t)
        self.steps.append(step)
        return t


def spacer(encoding: Encoding, bad: Bad, watch: Watch | None, limits: Limits) -> str:
    """'unreachable', 'reachable', or the reason Spacer gave up (an inductive proof, no trace)."""
    observer: Watch = watch if watch is not None else NoWatch()
    fixedpoint = z3.Fixedpoint()
    fixedpoint.set(engine="spacer")
    fixedpoint.set("timeout", limits.timeout_ms)
    fixedpoint.set("rlimit", limits.rlimit)
    s, t = _state(encoding, observer, "s"), _state(encoding, observer, "t")
    step = z3.Int("step")
    sorts = [term.sort() for term in s.values()]
    reachable = z3.Function("reachable", *sorts, z3.BoolSort())
    fixedpoint.register_relation(reachable)
    fixedpoint.declare_var(*s.values(), *t.values(), step)
    init = z3.And(encoding.init(s), observer.init(encoding, s), _domain(encoding, observer, s))
    fixedpoint.rule(reachable(*s.values()), init)
    moves = z3.And(
        encoding.transition(s, t, step),
        observer.update(encoding, s, t, step),
        _domain(encoding, observer, t),
    )
    fixedpoint.rule(reachable(*t.values()), [reachable(*s.values()), moves])
    try:
        outcome = fixedpoint.query(z3.And(reachable(*s.values()), bad(encoding, s)))
    except z3.Z3Exception as error:
        return f"Spacer stopped: {_message(error)}"
    if outcome == z3.unsat:
        return "unreachable"
    if outcome == z3.sat:
        return "reachable"
    return f"Spacer gave up: {fixedpoint.reason_unknown()}"


def _unknown(solver: z3.Solver) -> str:
    reason = str(solver.reason_unknown())
    if reason in ("canceled", "max. resource limit exceeded", "timeout"):
        return "ran out of time or resources (--timeout, --rlimit)"
    return reason


def _message(error: z3.Z3Exception) -> str:
    value = error.value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if text in ("canceled", "max. resource limit exceeded"):
        return "ran out of time or resources (--timeout, --rlimit)"
    return text


def _state(encoding: Encoding, watch: Watch, tag: str) -> StateTerms:
    state = encoding.state(tag)
    for var in watch.vars:
        state[var.name] = (
            z3.Bool(f"{var.name}@{tag}") if var.is_bool else z3.Int(f"{var.name}@{tag}")
        )
    return state


def _domain(encoding: Encoding, watch: Watch, s: StateTerms) -> z3.BoolRef:
    ints = [z3.And(s[v.name] >= v.lo, s[v.name] <= v.hi) for v in watch.vars if not v.is_bool]
    return z3.And(encoding.domain(s), *ints)


def _trace(
    encoding: Encoding, model: z3.ModelRef, states: list[StateTerms], steps: list[z3.ArithRef]
) -> Trace:
    trace_steps = []
    day = 0
    for i, step in enumerate(steps):
        value = model.eval(step, model_completion=True)
        assert isinstance(value, z3.IntNumRef)
        kind, name = encoding.labels[value.as_long()]
        day += kind is StepKind.TICK
        trace_steps.append(
            TraceStep(kind=kind, name=name, day=day, state=encoding.decode(model, states[i + 1]))
        )
    return Trace(initial=encoding.decode(model, states[0]), steps=tuple(trace_steps))
