"""A property's decision, and the same decision dressed as a result for people.

`checker.verify` decides (`Decision`: what the engines found, under which reading);
`dress` words it (`checker/sentences.py`), cites the rules its story uses, lists what
the verdict assumed (`checker/assumptions.py`), what another document decides
(`checker/externals.py`) and the routes the document leaves undefined
(`checker/routes.py`), and places it on the property's line. A `Decision` depends only
on the model, the property and the limits, so it is what the cache keeps.
"""

from __future__ import annotations

from attrs import frozen

from stepcheck.checker.assumptions import assumptions
from stepcheck.checker.externals import followed_outside
from stepcheck.checker.precedence import relied_on
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Bound, PropertyResult, Verdict
from stepcheck.checker.routes import open_routes, route_words
from stepcheck.checker.sentences import formula_text, summarise
from stepcheck.checker.unforced import wait_enders
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.model import Property, ProtocolSpec, Reading, Source
from stepcheck.spec.timing import Timing
from stepcheck.spec.trace import StepKind, Trace

__all__ = ["Decision", "dress"]


@frozen(kw_only=True)
class Decision:
    """What the engines found about one property, before it is worded and located.

    `outcome` is the must reading's (people comply with due deadlines); `should_only`
    says a violation there goes away under the should reading; `missed` is the must
    reading's outcome when deadlines may be missed, asked after a proof about states.
    A decision depends only on the spec's model, the property and the limits, so it
    can be cached (`checker/cache.py`).
    """

    outcome: Outcome
    should_only: bool = False
    missed: Outcome | None = None
    resources: int = 0
    """Z3's resource count for all the property's solver calls (the same on every machine)."""
    cause: str | None = None
    """For a derived deadline question that fails: what stood in the way, in words."""
    reading: Reading = Reading.MUST
    """The reading `outcome` is under (the should reading only for a should deadline's
    derived question)."""
    unordered: Outcome | None = None
    """After a proof in a spec with must precedence rules: the must reading's outcome
    without them, which says whether the proof relies on them (`checker/precedence.py`)."""


def dress(
    spec: ProtocolSpec, prop: Property, decision: Decision, *, times: Timing, seconds: float
) -> PropertyResult:
    """The decision as a result: sentences, citations and the spans of the rules involved."""
    return _result(
        spec,
        prop,
        decision.outcome,
        should_only=decision.should_only,
        seconds=seconds,
        times=times,
        missed=decision.missed,
        cause=decision.cause,
        reading=decision.reading,
        unordered=decision.unordered,
    )


def _result(
    spec: ProtocolSpec,
    prop: Property,
    outcome: Outcome,
    *,
    should_only: bool,
    seconds: float,
    times: Timing,
    missed: Outcome | None,
    cause: str | None = None,
    reading: Reading = Reading.MUST,
    unordered: Outcome | None = None,
) -> PropertyResult:
    citations, rules = _evidence(spec, prop, outcome.trace)
    bound = None
    if outcome.verdict is Verdict.PROVED:
        bound = Bound(working_days=outcome.working_days, depth=outcome.depth)
    return PropertyResult(
        authority=spec.authority.id,
        spec=spec.path,
        property=prop.id,
        kind=prop.kind,
        verdict=outcome.verdict,
        summary=summarise(
            spec,
            prop,
            outcome,
            should_only=should_only,
            fails_when_missed=missed is not None and missed.trace is not None,
            cause=cause,
            unforced=wait_enders(spec, prop, outcome.trace, reading),
        ),
        strength=outcome.strength,
        bound=bound,
        seconds=round(seconds, 3),
        trace=outcome.trace,
        citations=citations,
        reason=outcome.reason,
        vacuous=outcome.vacuous,
        should_only=should_only,
        span=prop.span,
        rules=rules,
        assumptions=assumptions(spec, prop, outcome, times, missed)
        + relied_on(spec, unordered)
        + followed_outside(spec, outcome.trace)
        + _undefined(spec),
        when_missed=missed.trace if missed is not None else None,
        reading=reading,
        subject=outcome.subject,
        formula=formula_text(prop),
    )


def _undefined(spec: ProtocolSpec) -> tuple[str, ...]:
    """A verdict checked on the defined routes only, when the document admits others."""
    routes = open_routes(spec)
    if not routes:
        return ()
    named = ", ".join(route_words(route) for route in routes)
    return (
        f"Checked on every route the document defines; it also admits {named}, which it "
        "does not define, so what they would do is not checked.",
    )


def _evidence(
    spec: ProtocolSpec, prop: Property, trace: Trace | None
) -> tuple[tuple[Source, ...], tuple[SourceSpan, ...]]:
    """The property's citations, then those of every rule the trace uses, without repeats."""
    elements: list[tuple[tuple[Source, ...], SourceSpan]] = [(prop.sources, prop.span)]
    if trace is not None:
        before = trace.initial
        for step in trace.steps:
            if step.kind is StepKind.EVENT and step.name is not None:
                event = spec.event_by_id(step.name)
                elements.append((event.sources, event.span))
            elif step.kind in (StepKind.ESCALATE, StepKind.DECIDE) and step.name is not None:
                ladder = spec.escalation_by_id(step.name)
                level = step.state.get(f"dispute:{ladder.id}") or before.get(f"dispute:{ladder.id}")
                item = ladder.level_by_id(str(level)) if level else ladder
                elements.append((item.sources, item.span))
            for deadline in spec.deadlines:
                key = f"deadline:{deadline.id}"
                if step.state.get(key) == -1 and before.get(key) != -1:
                    elements.append((deadline.sources, deadline.span))
            before = step.state
    citations: list[Source] = []
    spans: list[SourceSpan] = []
    for sources, span in elements:
        citations.extend(source for source in sources if source not in citations)
        if span not in spans:
            spans.append(span)
    return tuple(citations), tuple(spans)
