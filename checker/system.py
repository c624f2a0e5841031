"""An encoding and an observer as one transition system, and its copies for the engines.

`System` joins an `Encoding` and a `Watch` once: initial states, and one step over
the canonical states `s`, `t` and the step's inputs. Each question an engine answers
runs on a `Frame`: the system translated into a fresh Z3 context, so that its answer
(which trace, which model, when a resource limit runs out) depends on nothing asked
before it in the process. An `Unrolling` instantiates the step relation at depth `i`
by renaming (`z3.substitute`), never by building it again.

    system = System(encoding, watch)
    frame = system.frame(bad)          # bad: a term over system.s
    unrolling = Unrolling(frame, solver)
"""

from __future__ import annotations

import z3
from attrs import frozen

from stepcheck.checker.encode import WAIT, Encoding, Label, StateTerms, StateVar
from stepcheck.checker.encode_wait import ticks_of_wait
from stepcheck.checker.fold import BoolLike, as_bool, conj
from stepcheck.checker.watch import NoWatch, Watch
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["Flags", "Frame", "System", "Unrolling"]


@frozen(kw_only=True)
class Flags:
    """Which rules bind in a question: should-rules (`should`), and whether people comply
    with due deadlines and limits, blocking time until they act (`comply`)."""

    should: bool = False
    comply: bool = True


class System:
    """An encoding with an observer: `init` and `trans` over `s`, `inputs` and `t`."""

    def __init__(self, encoding: Encoding, watch: Watch | None = None) -> None:
        observer: Watch = watch if watch is not None else NoWatch()
        ctx = encoding.ctx
        self.encoding = encoding
        self.vars: tuple[StateVar, ...] = encoding.vars + observer.vars
        self.s: StateTerms = dict(encoding.s)
        self.t: StateTerms = dict(encoding.t)
        for var in observer.vars:
            self.s[var.name] = var.constant(var.name, ctx)
            self.t[var.name] = var.constant(f"{var.name}'", ctx)
        watched = observer.vars
        self.init = as_bool(
            conj(
                encoding.init,
                observer.init(encoding, self.s),
                (v.within(self.s[v.name]) for v in watched),
            ),
            ctx,
        )
        updates = observer.updates(encoding, self.s, self.t)
        self.trans = as_bool(
            conj(
                encoding.trans,
                (self.t[v.name] == updates[v.name] for v in watched),
                (v.within(self.t[v.name]) for v in watched),
            ),
            ctx,
        )

    @property
    def labels(self) -> tuple[Label, ...]:
        return self.encoding.labels

    def frame(self, *extra: BoolLike) -> Frame:
        """The system, and `extra` terms over it, in a fresh context of their own."""
        source = self.encoding.ctx
        ctx = z3.Context()
        inputs = self.encoding.inputs
        terms = z3.AstVector(ctx=source)
        originals = [
            self.init,
            self.trans,
            self.encoding.terms.should,
            self.encoding.terms.comply,
            *self.s.values(),
            *self.t.values(),
            *inputs.values(),
            *(as_bool(term, source) for term in extra),
        ]
        for term in originals:
            terms.push(term)
        copied = list(terms.translate(ctx))
        init, trans, should, comply = copied[:4]
        rest = copied[4:]
        n = len(self.s)
        s = dict(zip(self.s, rest[:n], strict=True))
        t = dict(zip(self.t, rest[n : 2 * n], strict=True))
        rest = rest[2 * n :]
        ins = dict(zip(inputs, rest[: len(inputs)], strict=True))
        return Frame(
            system=self,
            ctx=ctx,
            init=init,
            trans=trans,
            should=should,
            comply=comply,
            s=s,
            t=t,
            inputs=ins,
            extra=tuple(rest[len(inputs) :]),
        )


@frozen(kw_only=True)
class Frame:
    """A `System` (and the question's own terms, `extra`) in one fresh context."""

    system: System
    ctx: z3.Context
    init: z3.BoolRef
    trans: z3.BoolRef
    should: z3.BoolRef
    comply: z3.BoolRef
    s: StateTerms
    t: StateTerms
    inputs: dict[str, z3.ExprRef]
    extra: tuple[z3.ExprRef, ...]

    def assumptions(self, flags: Flags) -> list[z3.BoolRef]:
        """The flags as solver assumptions."""
        return [
            self.should if flags.should else z3.Not(self.should),
            self.comply if flags.comply else z3.Not(self.comply),
        ]

    def fixed(self, term: z3.ExprRef, flags: Flags) -> z3.ExprRef:
        """`term` with the flags replaced by their values (for Spacer)."""
        return z3.substitute(
            term,
            (self.should, z3.BoolVal(flags.should, self.ctx)),
            (self.comply, z3.BoolVal(flags.comply, self.ctx)),
        )

    def at(self, term: z3.ExprRef, state: StateTerms) -> z3.ExprRef:
        """`term` (over `s`) in another state."""
        return z3.substitute(term, *[(self.s[name], state[name]) for name in self.s])

    def state(self, tag: str) -> StateTerms:
        return {v.name: v.constant(f"{v.name}@{tag}", self.ctx) for v in self.system.vars}


class Unrolling:
    """Initial states, then one step per `extend`, asserted in `solver` (flags left free)."""

    def __init__(self, frame: Frame, solver: z3.Solver) -> None:
        self.frame, self.solver = frame, solver
        self.states: list[StateTerms] = [frame.state("0")]
        self.inputs: list[dict[str, z3.ExprRef]] = []
        solver.add(frame.at(frame.init, self.states[0]))

    @property
    def depth(self) -> int:
        return len(self.inputs)

    def extend(self) -> StateTerms:
        """Add one step; returns the new last state."""
        frame, i = self.frame, len(self.inputs)
        s, t = self.states[-1], frame.state(str(i + 1))
        ins = {
            name: (z3.Bool if z3.is_bool(term) else z3.Int)(f"{name}@{i}", frame.ctx)
            for name, term in frame.inputs.items()
        }
        pairs = [(frame.s[name], s[name]) for name in s]
        pairs += [(frame.t[name], t[name]) for name in t]
        pairs += [(frame.inputs[name], ins[name]) for name in ins]
        self.solver.add(z3.substitute(frame.trans, *pairs))
        self.states.append(t)
        self.inputs.append(ins)
        return t

    def trace(self, model: z3.ModelRef, length: int, loop_start: int | None = None) -> Trace:
        """The model's run of `length` steps, as a trace; a wait is shown as its ticks."""
        encoding, labels = self.frame.system.encoding, self.frame.system.labels
        steps: list[TraceStep] = []
        starts: list[int] = []
        day = 0
        before: State = encoding.decode(model, self.states[0])
        for i in range(length):
            kind, name = labels[_value(model, self.inputs[i]["in:step"])]
            after: State = encoding.decode(model, self.states[i + 1])
            starts.append(len(steps))
            if (kind, name) == WAIT:
                days = _value(model, self.inputs[i]["in:wait"])
                for state in ticks_of_wait(before, after, days, encoding.periods, encoding.floors):
                    day += 1
                    steps.append(TraceStep(kind=StepKind.TICK, name=None, day=day, state=state))
            else:
                day += kind is StepKind.TICK
                steps.append(TraceStep(kind=kind, name=name, day=day, state=after))
            before = after
        initial = encoding.decode(model, self.states[0])
        loop = None if loop_start is None else starts[loop_start]
        return Trace(initial=initial, steps=tuple(steps), loop_start=loop)


def _value(model: z3.ModelRef, term: z3.ExprRef) -> int:
    value = model.eval(term, model_completion=True)
    assert isinstance(value, z3.IntNumRef)
    return int(value.as_long())
