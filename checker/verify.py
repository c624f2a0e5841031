"""`verify`: every property of every spec, decided, replayed and cited; plus the findings.

    report = verify([load_spec("spec/authorities/devon.yaml")])
    report.exit_code  # 0 all proved, 1 a violation, 3 only unknowns

Each property is decided under the must reading; a violation is re-checked under the
should reading to tell whether following the should-rules would avoid it. Every
trace is replayed in the explicit explorer before it is reported; one that does not
replay is reported as `unknown`, never shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from attrs import evolve

from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Limits, fresh_context
from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.lasso import lasso_finder
from stepcheck.checker.properties import Outcome, decide
from stepcheck.checker.results import Bound, PropertyResult, Report, Verdict
from stepcheck.checker.sentences import summarise
from stepcheck.checker.slicing import SAFETY, concretize, slice_timing
from stepcheck.checker.structure import check_structure
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.model import Property, ProtocolSpec, Reading, Source
from stepcheck.spec.timing import Timing, timing
from stepcheck.spec.trace import StepKind, Trace

__all__ = ["Limits", "verify", "verify_property"]

Progress = Callable[[ProtocolSpec, Property], None]


def verify(
    specs: Iterable[ProtocolSpec],
    *,
    properties: Sequence[str] = (),
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> Report:
    """Decide the properties (all, or those named) of every spec, and collect findings."""
    limits = limits if limits is not None else Limits()
    results: list[PropertyResult] = []
    findings = []
    for spec in specs:
        times = timing(spec)
        findings.extend(check_structure(spec))
        for prop in spec.properties:
            if properties and prop.id not in properties:
                continue
            if progress is not None:
                progress(spec, prop)
            results.append(verify_property(spec, prop, limits=limits, times=times))
    return Report(
        results=tuple(results), findings=tuple(sorted(findings, key=lambda d: d.sort_key()))
    )


def verify_property(
    spec: ProtocolSpec, prop: Property, *, limits: Limits | None = None, times: Timing | None = None
) -> PropertyResult:
    """Decide one property: must reading first, then the should reading after a violation."""
    limits = limits if limits is not None else Limits()
    times = times if times is not None else timing(spec)
    started = time.perf_counter()
    outcome = _checked(spec, prop, Reading.MUST, limits, times)
    should_only = False
    if outcome.verdict is Verdict.VIOLATED:
        should_only = _checked(spec, prop, Reading.SHOULD, limits, times).verdict is Verdict.PROVED
    seconds = time.perf_counter() - started
    return _result(spec, prop, outcome, should_only=should_only, seconds=seconds)


def _checked(
    spec: ProtocolSpec, prop: Property, reading: Reading, limits: Limits, times: Timing
) -> Outcome:
    fresh_context()
    explicit = ExplicitModel(spec, reading)
    outcome = None
    if prop.kind in SAFETY:
        sliced = decide(
            Encoding(spec, reading, slice_timing(spec, prop, reading, times)),
            prop,
            limits,
            lasso_finder(explicit),
        )
        if sliced.trace is None:
            outcome = sliced
        else:
            concrete = concretize(explicit, sliced.trace)
            outcome = evolve(sliced, trace=concrete) if concrete is not None else None
    if outcome is None:
        outcome = decide(Encoding(spec, reading, times), prop, limits, lasso_finder(explicit))
    if outcome.trace is None:
        return outcome
    replayed = replay(explicit, outcome.trace)
    if replayed.ok:
        return outcome
    return Outcome(
        verdict=Verdict.UNKNOWN,
        reason=f"the counterexample did not replay at step {replayed.index}: {replayed.reason}",
    )


def _result(
    spec: ProtocolSpec, prop: Property, outcome: Outcome, *, should_only: bool, seconds: float
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
        summary=summarise(spec, prop, outcome, should_only=should_only),
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
