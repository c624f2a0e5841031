"""Deciding one property under one reading: the questions each kind asks the engines.

Safety properties (`no_unowned_case`, `invariant`, `cp_step_down_requires_meeting`,
`leads_to` with `within`) are one reachability question each. Response properties
(`escalation_terminates`, `leads_to` without `within`) ask whether a pending stretch
can last `K` working days: if not, the exact worst case is found by bisection; if so,
a lasso that keeps the case pending for ever is sought from the stem's last state.
"""

from __future__ import annotations

from collections.abc import Callable

import z3
from attrs import evolve, frozen

from stepcheck.checker.encode import Encoding, StateTerms
from stepcheck.checker.engines import (
    Limits,
    Reached,
    Undecided,
    Unreachable,
    bmc,
    bmc_lasso,
    reach,
    spacer,
)
from stepcheck.checker.results import Strength, Verdict
from stepcheck.checker.watch import Bad, ResponseWatch, StepDownWatch, Watch
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr import Call, Expr, Not
from stepcheck.spec.model import Property, PropertyKind
from stepcheck.spec.trace import Trace

__all__ = ["LassoFinder", "Outcome", "decide"]

LassoFinder = Callable[[Trace, Expr], Trace | None]
"""Extends a stem to a lasso on which `goal` stays false for ever, or None."""


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


def decide(encoding: Encoding, prop: Property, limits: Limits, lasso: LassoFinder) -> Outcome:
    """The verdict on `prop` under the encoding's reading."""
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            return _safety(encoding, _unowned, None, limits)
        case PropertyKind.INVARIANT:
            holds = _required(prop.holds, prop)
            return _safety(encoding, lambda e, s: z3.Not(e.terms.holds(holds, s)), None, limits)
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
            return _step_down(encoding, prop, limits)
        case PropertyKind.LEADS_TO:
            trigger, goal = _required(prop.trigger, prop), _required(prop.goal, prop)
            if prop.id in encoding.timing.within:
                return _bounded_response(
                    encoding, trigger, goal, encoding.timing.within[prop.id][1], limits
                )
            return _response(encoding, trigger, goal, limits, lasso)
        case PropertyKind.ESCALATION_TERMINATES:
            return _escalations(encoding, prop, limits, lasso)


def _required(expr: Expr | None, prop: Property) -> Expr:
    if expr is None:
        raise ValueError(f"property '{prop.id}' lacks an expression the loader requires")
    return expr


def _unowned(encoding: Encoding, s: StateTerms) -> z3.BoolRef:
    spec, terms = encoding.spec, encoding.terms
    open_statuses = [status.id for status in spec.statuses if not status.final]
    responsible = [owner.id for owner in spec.owners if owner.responsible]
    return z3.And(
        terms.is_status(s, open_statuses), z3.Not(terms.owner_kind_in(s, "owner", responsible))
    )


def _safety(encoding: Encoding, bad: Bad, watch: Watch | None, limits: Limits) -> Outcome:
    answer = reach(encoding, bad, watch, limits)
    if isinstance(answer, Reached):
        return Outcome(verdict=Verdict.VIOLATED, trace=answer.trace)
    if isinstance(answer, Unreachable):
        return Outcome(verdict=Verdict.PROVED, strength=answer.strength, depth=answer.depth)
    return Outcome(verdict=Verdict.UNKNOWN, reason=answer.reason)


def _step_down(encoding: Encoding, prop: Property, limits: Limits) -> Outcome:
    watch = StepDownWatch(prop)
    outcome = _safety(encoding, lambda _e, s: s["watch:bad_step"] == True, watch, limits)  # noqa: E712
    if outcome.verdict is not Verdict.PROVED:
        return outcome
    anyway = StepDownWatch(
        Property(
            id=prop.id, kind=prop.kind, tiers=prop.tiers, to_tiers=prop.to_tiers, span=prop.span
        )
    )
    happens = reach(encoding, lambda _e, s: s["watch:bad_step"] == True, anyway, limits)  # noqa: E712
    return Outcome(
        verdict=outcome.verdict,
        strength=outcome.strength,
        depth=outcome.depth,
        vacuous=isinstance(happens, Unreachable) and happens.strength is Strength.UNBOUNDED,
    )


def _pending(at_least: int) -> Bad:
    return lambda _e, s: z3.And(s["watch:pending"] == True, s["watch:k"] >= at_least)  # noqa: E712


def _bounded_response(
    encoding: Encoding, trigger: Expr, goal: Expr, hi: int, limits: Limits
) -> Outcome:
    watch = ResponseWatch(trigger=trigger, goal=goal, cap=hi + 1)
    outcome = _safety(encoding, _pending(hi + 1), watch, limits)
    if outcome.verdict is not Verdict.PROVED:
        return outcome
    triggered = reach(encoding, _pending(0), watch, limits)
    vacuous = isinstance(triggered, Unreachable) and triggered.strength is Strength.UNBOUNDED
    return Outcome(
        verdict=Verdict.PROVED,
        strength=outcome.strength,
        depth=outcome.depth,
        working_days=None if vacuous else hi,
        vacuous=vacuous,
    )


def _response(
    encoding: Encoding,
    trigger: Expr,
    goal: Expr,
    limits: Limits,
    lasso: LassoFinder,
    *,
    expected: int | None = None,
) -> Outcome:
    """Lasso first (cheap when it exists), then a proof that pending stretches are short.

    `expected` is a bound the spec's own limits suggest (a ladder's levels added up);
    it is tried as the cap before the generous one, since small caps prove fast.
    """
    generous = encoding.timing.longest + _static_extra(encoding) + 2
    caps = sorted({generous} | ({expected + 1} if expected is not None else set()))
    found = _lasso_from_stems(
        encoding, ResponseWatch(trigger=trigger, goal=goal, cap=caps[-1]), goal, limits, lasso
    )
    if found is not None:
        return Outcome(verdict=Verdict.VIOLATED, trace=found)
    short = bmc_lasso(
        encoding, ResponseWatch(trigger=trigger, goal=goal, cap=caps[-1]), limits, _SHORT_LASSO
    )
    if isinstance(short, Reached):
        return Outcome(verdict=Verdict.VIOLATED, trace=short.trace)
    reason = ""
    for cap in caps:
        watch = ResponseWatch(trigger=trigger, goal=goal, cap=cap)
        long_wait = spacer(encoding, _pending(cap), watch, limits)
        if long_wait == "unreachable":
            return _worst_case(encoding, watch, cap, limits)
        reason = long_wait
    searched = bmc_lasso(encoding, watch, limits, limits.max_depth)
    if isinstance(searched, Reached):
        return Outcome(verdict=Verdict.VIOLATED, trace=searched.trace)
    if reason == "reachable":
        reason = f"a case can stay pending for {caps[-1]} working days"
    searched_for = _searched(searched)
    return Outcome(
        verdict=Verdict.UNKNOWN,
        reason=f"{reason}, but no run that stays pending for ever was found ({searched_for})",
    )


def _searched(answer: Unreachable | Undecided) -> str:
    if isinstance(answer, Undecided):
        return answer.reason
    return f"no lasso of at most {answer.depth} steps"


def _lasso_from_stems(
    encoding: Encoding, watch: ResponseWatch, goal: Expr, limits: Limits, lasso: LassoFinder
) -> Trace | None:
    """Short runs into a pending state (just triggered, and a day later), extended to lassos."""
    for days in (0, 1):
        stem = bmc(encoding, _pending(days), watch, limits, limits.quick_depth)
        if isinstance(stem, Reached):
            found = lasso(stem.trace, goal)
            if found is not None:
                return found
    return None


def _ladder_bound(encoding: Encoding, ladder_id: str) -> int | None:
    """The working days a ladder's own limits allow, if every level has one and no loop."""
    ladder = encoding.terms.ladder(ladder_id)
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


def _worst_case(encoding: Encoding, watch: ResponseWatch, cap: int, limits: Limits) -> Outcome:
    """Bisect for the most ticks a pending stretch can hold (proved below `cap`)."""
    lowest_unreachable, highest_reachable = cap, -1
    while lowest_unreachable - highest_reachable > 1:
        middle = (lowest_unreachable + highest_reachable) // 2
        answer = spacer(encoding, _pending(middle), watch, limits)
        if answer == "reachable":
            highest_reachable = middle
        elif answer == "unreachable":
            lowest_unreachable = middle
        else:
            return Outcome(
                verdict=Verdict.UNKNOWN, reason=f"while bounding the worst case: {answer}"
            )
    if highest_reachable < 0:
        return Outcome(verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, vacuous=True)
    return Outcome(
        verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, working_days=highest_reachable
    )


def _escalations(encoding: Encoding, prop: Property, limits: Limits, lasso: LassoFinder) -> Outcome:
    ladders = prop.escalations or tuple(ladder.id for ladder in encoding.spec.escalations)
    if not ladders:
        return Outcome(verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, vacuous=True)
    outcomes = []
    for ladder_id in ladders:
        opened = Call(predicate="escalating", argument=ladder_id, span=_SPAN)
        expected = _ladder_bound(encoding, ladder_id)
        outcome = _response(
            encoding, opened, Not(operand=opened, span=_SPAN), limits, lasso, expected=expected
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


_SPAN = SourceSpan(file="<checker>", line=0, column=0)
# A lasso whose stem the walk misses is often short; look that far before Spacer's caps.
_SHORT_LASSO = 16
