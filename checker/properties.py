"""Deciding one property under one set of flags: the questions each kind asks the engines.

Safety properties (`no_unowned_case`, `invariant`, `cp_step_down_requires_meeting`,
`leads_to` with `within`) are one reachability question each. Response properties
(`escalation_terminates`, `leads_to` without `within`) ask whether a pending stretch
can last `K` working days: if not, the exact worst case is found by bisection; if so,
a lasso that keeps the case pending for ever is sought from the stem's last state.

A `Decider` holds, per property, the systems and questions already built, so that
asking again under other flags (the should reading; missed deadlines) reuses them.
"""

from __future__ import annotations

from collections.abc import Callable

import z3
from attrs import evolve, frozen

from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import (
    Bmc,
    Budget,
    LassoBmc,
    Reached,
    Undecided,
    Unreachable,
    shares,
    spacer,
)
from stepcheck.checker.fold import BoolLike, conj, negate
from stepcheck.checker.reach import Reachability
from stepcheck.checker.results import Strength, Verdict
from stepcheck.checker.system import Flags, System
from stepcheck.checker.watch import ResponseWatch, StepDownWatch, Watch
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr import Call, Expr, Not
from stepcheck.spec.model import Property, PropertyKind
from stepcheck.spec.trace import Trace

__all__ = ["Decider", "LassoFinder", "Outcome"]

LassoFinder = Callable[[Trace, Expr, Flags, bool], Trace | None]
"""Extends a stem to a lasso on which `goal` stays false for ever (under the flags), or
None; quickly, or (the last argument) thoroughly."""

Answer = Reached | Unreachable | Undecided


@frozen(kw_only=True)
class Outcome:
    """A verdict before it is dressed as a `PropertyResult`."""

    verdict: Verdict
    strength: Strength | None = None
    working_days: int | None = None
    depth: int | None = None
    trace: Trace | None = None
    reason: str | None = None
    vacuous: bool = False
    subject: str | None = None


class Decider:
    """The questions about one property of one encoding, under any flags, on one budget."""

    def __init__(
        self, encoding: Encoding, prop: Property, budget: Budget, lasso: LassoFinder
    ) -> None:
        self.encoding, self.prop, self.budget, self.lasso = encoding, prop, budget, lasso
        self._systems: dict[object, System] = {}
        self._questions: dict[object, Reachability] = {}
        self._lasso_searches: dict[object, LassoBmc] = {}
        self.vacuity = True

    def decide(self, flags: Flags, *, vacuity: bool = True) -> Outcome:
        """The verdict on the property under `flags`; with `vacuity`, a proof also says
        whether what it is about can happen at all (one more question)."""
        self.vacuity = vacuity
        prop, timing = self.prop, self.encoding.timing
        match prop.kind:
            case PropertyKind.NO_UNOWNED_CASE:
                return self._safety("unowned", None, self._unowned, flags)
            case PropertyKind.INVARIANT:
                holds = _required(prop.holds, prop)
                return self._safety(
                    "invariant", None, lambda s: negate(self.encoding.terms.holds(holds, s)), flags
                )
            case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING | PropertyKind.REQUIRES_MEETING:
                return self._step_down(flags)
            case PropertyKind.LEADS_TO:
                trigger, goal = _required(prop.trigger, prop), _required(prop.goal, prop)
                if prop.id in timing.within:
                    return self._bounded_response(trigger, goal, timing.within[prop.id][1], flags)
                return self._response(trigger, goal, flags)
            case PropertyKind.ESCALATION_TERMINATES:
                return self._escalations(flags)

    # -- building blocks ----------------------------------------------------------------

    def _system(self, key: object, watch: Watch | None) -> System:
        if key not in self._systems:
            self._systems[key] = System(self.encoding, watch)
        return self._systems[key]

    def _question(
        self, key: object, watch: Watch | None, bad: Callable[[dict[str, z3.ExprRef]], BoolLike]
    ) -> Reachability:
        if key not in self._questions:
            system = self._system(("system", *_key_of(key)), watch)
            name = f"{self.prop.id}:{key}:{len(self.encoding.timing.deadlines)}"
            self._questions[key] = Reachability(system, bad(system.s), self.budget, name=name)
        return self._questions[key]

    def _unowned(self, s: dict[str, z3.ExprRef]) -> BoolLike:
        spec, terms = self.encoding.spec, self.encoding.terms
        open_statuses = [status.id for status in spec.statuses if not status.final]
        responsible = [owner.id for owner in spec.owners if owner.responsible]
        return conj(
            terms.is_status(s, open_statuses), negate(terms.owner_kind_in(s, "owner", responsible))
        )

    def _safety(
        self,
        key: str,
        watch: Watch | None,
        bad: Callable[[dict[str, z3.ExprRef]], BoolLike],
        flags: Flags,
    ) -> Outcome:
        return _outcome(self._question(key, watch, bad).ask(flags))

    def _step_down(self, flags: Flags) -> Outcome:
        prop = self.prop
        outcome = self._safety("step_down", StepDownWatch(prop), _bad_step, flags)
        if outcome.verdict is not Verdict.PROVED or not self.vacuity:
            return outcome
        anyway = StepDownWatch(evolve(prop, meetings=()))
        happens = self._question("step_down_anyway", anyway, _bad_step).ask(flags)
        return evolve(outcome, vacuous=_never(happens))

    def _bounded_response(self, trigger: Expr, goal: Expr, hi: int, flags: Flags) -> Outcome:
        watch = ResponseWatch(trigger=trigger, goal=goal, cap=hi + 1)
        outcome = self._safety(f"late:{hi + 1}", watch, _pending(hi + 1), flags)
        if outcome.verdict is not Verdict.PROVED or not self.vacuity:
            return outcome
        triggered = self._question(f"late:0:{hi + 1}", watch, _pending(0)).ask(flags)
        vacuous = _never(triggered)
        return evolve(outcome, working_days=None if vacuous else hi, vacuous=vacuous)

    def _response(
        self, trigger: Expr, goal: Expr, flags: Flags, *, expected: int | None = None, tag: str = ""
    ) -> Outcome:
        """Lasso or proof, in rounds of growing shares, as `Reachability` does for states.

        First the cheap lasso walk from short stems; then, each round, the bounded lasso
        search resumes deeper and Spacer tries to prove that no pending stretch reaches a
        cap (`expected`, a bound the spec's own limits suggest, is tried before the
        generous cap: small caps prove fast). A proof leads to the exact worst case.
        """
        timing, limits = self.encoding.timing, self.budget.limits
        generous = timing.longest + _static_extra(self.encoding) + 2
        caps = sorted({generous} | ({expected + 1} if expected is not None else set()))
        widest = ResponseWatch(trigger=trigger, goal=goal, cap=caps[-1])
        found = self._lasso_from_stems(widest, goal, flags, tag, thorough=False)
        if found is not None:
            return Outcome(verdict=Verdict.VIOLATED, trace=found)
        lassos = self._lassos(("lassos", tag, caps[-1]), widest)
        proofs: dict[int, str] = {}
        searched: Answer = Undecided(reason="not searched")
        for round_, share in enumerate(shares(limits)):
            last_round = share == limits.rlimit
            depth = (_SHORT_LASSO, limits.middle_depth)[round_] if round_ < 2 else None
            depth = limits.max_depth if depth is None else min(depth, limits.max_depth)
            cleared = lassos.clean(flags)
            if cleared < depth:
                searched = lassos.search(flags, depth, allowance=share)
                if isinstance(searched, Reached):
                    return Outcome(verdict=Verdict.VIOLATED, trace=searched.trace)
            if round_ == 0:
                found = self._lasso_from_stems(widest, goal, flags, tag, thorough=True)
                if found is not None:
                    return Outcome(verdict=Verdict.VIOLATED, trace=found)
            for cap in caps:
                if cap in proofs and not _retry(proofs[cap]):
                    continue
                capped = self._system(
                    ("response", tag, cap), ResponseWatch(trigger=trigger, goal=goal, cap=cap)
                )
                frame = capped.frame(_pending(cap)(capped.s))
                proofs[cap] = spacer(frame, _bool(frame.extra[0]), flags, self.budget, rlimit=share)
                if proofs[cap] == "unreachable":
                    return self._worst_case(capped, cap, flags)
            search_over = lassos.clean(flags) >= limits.max_depth or (
                last_round and lassos.clean(flags) == cleared
            )
            proofs_over = last_round or not any(_retry(p) for p in proofs.values())
            if (search_over and proofs_over) or self.budget.left <= 0:
                break
        reason = proofs.get(caps[-1], "")
        if reason == "reachable":
            reason = f"a case can stay pending for {caps[-1]} working days"
        return Outcome(
            verdict=Verdict.UNKNOWN,
            reason=f"{reason}, but no run that stays pending for ever was found "
            f"({_searched(searched)})",
        )

    def _lassos(self, key: object, watch: ResponseWatch) -> LassoBmc:
        """The lasso search on the widest observer, kept across flags and rounds."""
        if key not in self._lasso_searches:
            system = self._system(("response", *_key_of(key)[1:]), watch)
            self._lasso_searches[key] = LassoBmc(system.frame(), self.budget)
        return self._lasso_searches[key]

    def _lasso_from_stems(
        self, watch: ResponseWatch, goal: Expr, flags: Flags, tag: str, *, thorough: bool
    ) -> Trace | None:
        """Short runs into a pending state (just triggered, and a day later), extended to lassos."""
        for days in (0, 1):
            stem = self._stem(watch, days, flags, tag)
            if isinstance(stem, Reached):
                found = self.lasso(stem.trace, goal, flags, thorough)
                if found is not None:
                    return found
        return None

    def _stem(self, watch: ResponseWatch, days: int, flags: Flags, tag: str) -> Answer:
        question = self._question(("stem", tag, watch.cap, days), watch, _pending(days))
        return question.bmc.search(flags, self.budget.limits.quick_depth)

    def _worst_case(self, system: System, cap: int, flags: Flags) -> Outcome:
        """The most working days a pending stretch can last, proved below `cap`.

        The top candidate (`cap - 1`) first, since the spec's own limits usually make it
        the answer; then bisection. A candidate is settled by a short bounded search when
        a run reaches it, else by Spacer (which also proves it cannot be reached).
        """
        lowest_unreachable, highest_reachable = cap, -1
        middle = cap - 1
        while lowest_unreachable - highest_reachable > 1:
            answer = self._stretch(system, middle, flags)
            if answer == "reachable":
                highest_reachable = middle
            elif answer == "unreachable":
                lowest_unreachable = middle
            else:
                return Outcome(
                    verdict=Verdict.UNKNOWN, reason=f"while bounding the worst case: {answer}"
                )
            middle = (lowest_unreachable + highest_reachable) // 2
        if highest_reachable < 0:
            return Outcome(verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, vacuous=True)
        return Outcome(
            verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, working_days=highest_reachable
        )

    def _stretch(self, system: System, days: int, flags: Flags) -> str:
        """Whether a pending stretch can last `days`: 'reachable', 'unreachable' or why not."""
        frame = system.frame(_pending(days)(system.s))
        bad = _bool(frame.extra[0])
        limits = self.budget.limits
        found = Bmc(frame, bad, self.budget).search(
            flags, min(_SHORT_LASSO, limits.max_depth), allowance=limits.first_rlimit
        )
        if isinstance(found, Reached):
            return "reachable"
        return spacer(frame, bad, flags, self.budget)

    def _escalations(self, flags: Flags) -> Outcome:
        spec = self.encoding.spec
        ladders = self.prop.escalations or tuple(ladder.id for ladder in spec.escalations)
        if not ladders:
            return Outcome(verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, vacuous=True)
        outcomes = []
        for ladder_id in ladders:
            opened = Call(predicate="escalating", argument=ladder_id, span=_SPAN)
            expected = _ladder_bound(self.encoding, ladder_id)
            outcome = self._response(
                opened, Not(operand=opened, span=_SPAN), flags, expected=expected, tag=ladder_id
            )
            if outcome.verdict is Verdict.VIOLATED:
                return evolve(outcome, subject=ladder_id)  # one counterexample is the verdict
            outcomes.append(evolve(outcome, subject=ladder_id))
        for outcome in outcomes:
            if outcome.verdict is Verdict.UNKNOWN:
                return outcome
        proved = [o for o in outcomes if not o.vacuous]
        strengths = {o.strength for o in outcomes}
        return Outcome(
            verdict=Verdict.PROVED,
            strength=Strength.BOUNDED if Strength.BOUNDED in strengths else Strength.UNBOUNDED,
            working_days=max((o.working_days or 0 for o in proved), default=None),
            vacuous=not proved,
        )


def _required(expr: Expr | None, prop: Property) -> Expr:
    if expr is None:
        raise ValueError(f"property '{prop.id}' lacks an expression the loader requires")
    return expr


def _key_of(key: object) -> tuple[object, ...]:
    return key if isinstance(key, tuple) else (key,)


def _bool(term: z3.ExprRef) -> z3.BoolRef:
    assert isinstance(term, z3.BoolRef)
    return term


def _outcome(answer: Answer) -> Outcome:
    if isinstance(answer, Reached):
        return Outcome(verdict=Verdict.VIOLATED, trace=answer.trace)
    if isinstance(answer, Unreachable):
        return Outcome(verdict=Verdict.PROVED, strength=answer.strength, depth=answer.depth)
    return Outcome(verdict=Verdict.UNKNOWN, reason=answer.reason)


def _never(answer: Answer) -> bool:
    return isinstance(answer, Unreachable) and answer.strength is Strength.UNBOUNDED


def _bad_step(s: dict[str, z3.ExprRef]) -> BoolLike:
    return s["watch:bad_step"] == True  # noqa: E712


def _pending(at_least: int) -> Callable[[dict[str, z3.ExprRef]], BoolLike]:
    return lambda s: z3.And(s["watch:pending"] == True, s["watch:k"] >= at_least)  # noqa: E712


def _retry(proof: str) -> bool:
    """Spacer stopped for want of resources: a larger share may settle it."""
    return "ran out of" in proof


def _searched(answer: Answer) -> str:
    if isinstance(answer, Undecided):
        return answer.reason
    return f"no lasso of at most {answer.depth} steps" if isinstance(answer, Unreachable) else ""


def _ladder_bound(encoding: Encoding, ladder_id: str) -> int | None:
    """The working days a ladder's own limits allow, if every level has one and no loop."""
    ladder = encoding.terms.ladders[ladder_id]
    levels = len(encoding.spec.escalation_by_id(ladder_id).levels)
    if len(ladder.limits) < levels:
        return None
    longest: dict[int, int] = {}
    for level in reversed(range(levels)):
        following = ladder.successor.get(level)
        if following is not None and following <= level:
            return None
        longest[level] = ladder.limits[level][1] + (
            longest[following] if following is not None else 0
        )
    return longest[0] if levels else None


def _static_extra(encoding: Encoding) -> int:
    """Working days a chain of dispute levels can add beyond any single timer."""
    levels = sum(hi for _, hi in encoding.timing.levels.values())
    disputes = sum(hi for _, hi in encoding.timing.disputes.values())
    return levels + disputes


_SPAN = SourceSpan(file="<checker>", line=0, column=0)
# A lasso whose stem the walk misses is often short; look that far before Spacer's caps.
_SHORT_LASSO = 16
