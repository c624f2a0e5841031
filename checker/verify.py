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

from stepcheck.checker.assumptions import time_limits
from stepcheck.checker.derived import eager_applies, eager_spec, waits_past
from stepcheck.checker.derived_cause import Cause, why_missed
from stepcheck.checker.derived_margin import worst_case
from stepcheck.checker.derived_urgent import longest_wait, question_spec, reached_by_own_steps
from stepcheck.checker.dress import Decision, dress
from stepcheck.checker.encodings import encoding_of
from stepcheck.checker.engines import Budget, Limits, debug
from stepcheck.checker.exhaustive import exhaustively
from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.externals import (
    decided_outside,
    depends_on,
    held_outside,
    steps_depend,
    steps_outside,
    without_steps_outside,
)
from stepcheck.checker.lasso import lasso_finder
from stepcheck.checker.precedence import binding_rules
from stepcheck.checker.properties import Decider, Outcome
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.slicing import SAFETY, concretize, slice_timing, sliceable
from stepcheck.checker.structure import check_structure
from stepcheck.checker.system import Flags
from stepcheck.checker.tiers import combine_present
from stepcheck.checker.witness import violation_shown
from stepcheck.spec.model import (
    Deadline,
    Modality,
    Property,
    PropertyKind,
    ProtocolSpec,
    Reading,
)
from stepcheck.spec.readings import tier_readings
from stepcheck.spec.timing import Timing, timing

__all__ = [
    "MISSED",
    "MUST",
    "SHOULD",
    "Decision",
    "Limits",
    "Models",
    "decide_property",
    "dress",
    "verify",
    "verify_property",
]

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
        findings.extend(check_structure(spec))
        readings = tier_readings(spec)
        decided: dict[str, list[PropertyResult | None]] = {}
        for index, each in enumerate([reading.spec for reading in readings] or [spec]):
            times = timing(each)
            models = Models(each)
            for prop in each.properties:
                if properties and prop.id not in properties:
                    continue
                if progress is not None:
                    progress(each, prop)
                result = verify_property(each, prop, limits=limits, times=times, models=models)
                decided.setdefault(prop.id, [None] * max(1, len(readings)))[index] = result
        none: list[PropertyResult | None] = [None] * max(1, len(readings))
        for prop in spec.properties:  # a reading without a property's document drops it
            combined = combine_present(spec, readings, decided.get(prop.id, none))
            if combined is not None:
                results.append(combined)
    return Report(
        results=tuple(results), findings=tuple(sorted(findings, key=lambda d: d.sort_key()))
    )


def verify_property(
    spec: ProtocolSpec,
    prop: Property,
    *,
    limits: Limits | None = None,
    times: Timing | None = None,
    models: Models | None = None,
) -> PropertyResult:
    """Decide one property (`decide_property`) and say what the decision means."""
    asked = question_spec(spec, prop)
    if asked is not spec:  # the question brings a clock of its own
        spec, times, models = asked, timing(asked), Models(asked)
    times = times if times is not None else timing(spec)
    started = time.perf_counter()
    decision = decide_property(spec, prop, limits=limits, times=times, models=models)
    return dress(spec, prop, decision, times=times, seconds=time.perf_counter() - started)


def decide_property(
    spec: ProtocolSpec,
    prop: Property,
    *,
    limits: Limits | None = None,
    times: Timing | None = None,
    models: Models | None = None,
) -> Decision:
    """Decide one property under the must reading (people comply with due deadlines).

    After a violation, the should reading says whether following the should-rules too
    would avoid it. After a proof of a property about states, the same question is asked
    of runs where deadlines and limits may be missed: a proof there needs no assumption
    about compliance; a failure there is shown as what happens when one is missed.
    """
    limits = limits if limits is not None else Limits()
    asked = question_spec(spec, prop)
    if asked is not spec:
        spec, times, models = asked, timing(asked), Models(asked)
    times = times if times is not None else timing(spec)
    models = models if models is not None else Models(spec)
    budget = Budget(limits)
    if prop.deadline is not None:
        eager = eager_spec(spec, prop.deadline)
        checker = _Checker(eager, prop, times, budget, Models(eager))
        return _decide_deadline(checker, prop.deadline, budget=budget, limits=limits)
    checker = _Checker(spec, prop, times, budget, models)
    outcome = checker.checked(MUST)
    if prop.kind is PropertyKind.ESCALATION_TERMINATES:
        outcome = _own_part(spec, prop, outcome, budget, models)
    outcome = _own_steps(spec, prop, outcome, budget, models)
    should_only = False
    missed: Outcome | None = None
    if outcome.verdict is Verdict.VIOLATED:
        should_only = not _also_under(models(SHOULD), prop, outcome) and (
            checker.checked(SHOULD, vacuity=False).verdict is Verdict.PROVED
        )
    elif (
        outcome.verdict is Verdict.PROVED
        and prop.kind in SAFETY
        and not outcome.vacuous
        and time_limits(spec, times)
    ):
        missed = checker.checked(MISSED, vacuity=False)
    unordered: Outcome | None = None
    if outcome.verdict is Verdict.PROVED and not outcome.vacuous and binding_rules(spec):
        plain = evolve(spec, precedence=())
        unordered = _Checker(plain, prop, times, budget, Models(plain)).checked(MUST, vacuity=False)
    debug(f"property {spec.authority.id} {prop.id} used {budget.used}")
    return Decision(
        outcome=outcome,
        should_only=should_only,
        missed=missed,
        resources=budget.used,
        unordered=unordered,
    )


def _own_part(
    spec: ProtocolSpec, prop: Property, outcome: Outcome, budget: Budget, models: Models
) -> Outcome:
    """A dispute that stays open for ever only at a level handed to another document is
    `unknown (depends on ...)`, unless the spec's own part also lets one stay open: asked
    of the spec in which that document decides at once, shown by a run that replays here
    and repeats at a level of the spec's own. Anything less stays unknown: never wrong."""
    held = held_outside(spec, outcome)
    if held is None:
        return outcome
    own = decided_outside(spec)
    ladders = prop.escalations or tuple(ladder.id for ladder in spec.escalations)
    # The other ladders first: a violation there is found without proving the held one.
    ordered = (*(i for i in ladders if i != held[0]), held[0])
    asked = evolve(prop, escalations=ordered)
    inside = _Checker(own, asked, timing(own), budget, Models(own)).checked(MUST)
    if (
        inside.verdict is Verdict.VIOLATED
        and inside.trace is not None
        and _also_under(models(MUST), prop, inside)
        and held_outside(spec, inside) is None
    ):
        return inside
    return depends_on(spec, held[0], held[1], inside)


def _own_steps(
    spec: ProtocolSpec,
    prop: Property,
    outcome: Outcome,
    budget: Budget,
    models: Models,
    *,
    flags: Flags | None = None,
) -> Outcome:
    """A violation whose run takes a step that follows another document is asked again
    of the spec without such steps (`checker/externals.py`): kept when the spec's own
    steps break it too, by a run that replays here; otherwise `unknown (depends on ...)`."""
    if outcome.verdict is not Verdict.VIOLATED:
        return outcome
    steps = steps_outside(spec, outcome.trace)
    if not steps:
        return outcome
    flags = flags if flags is not None else MUST
    own = without_steps_outside(spec)
    inside = _Checker(own, prop, timing(own), budget, Models(own)).checked(flags)
    if (
        inside.verdict is Verdict.VIOLATED
        and inside.trace is not None
        and _also_under(models(flags), prop, inside)
        and not steps_outside(spec, inside.trace)
    ):
        return inside
    if (
        inside.verdict is Verdict.PROVED
        and prop.urgent is not None
        and not reached_by_own_steps(spec, prop.urgent)
    ):
        inside = evolve(inside, vacuous=True)  # no case gets there without those steps
    return steps_depend(spec, steps, inside)


def _decide_deadline(
    checker: _Checker, deadline_id: str, *, budget: Budget, limits: Limits
) -> Decision:
    """A derived "can this deadline be met?" question, under the reading that enforces
    the deadline (a should deadline binds only when the should-rules are followed), with
    people complying: a violation is a conflict with the rest of the protocol.

    When the run found misses the deadline only because the case moved on to where it
    cannot be met, a run that makes people wait past the limit where it can be met (a
    meeting that does not sit in time, a guard, a minimum wait) is looked for too, with
    a quarter of the budget, and shown instead: that is the sharper conflict. A run that
    takes a step following another document is asked again without such steps, as for
    any property (`_own_steps`)."""
    spec, models = checker.spec, checker.models
    deadline = spec.deadline_by_id(deadline_id)
    flags = MUST if deadline.modality is Modality.MUST else SHOULD
    outcome = checker.checked(flags)
    cause = _cause(models(flags), deadline, outcome)
    waiting = waits_past(spec, checker.prop)
    sharpening = 0
    if cause is not None and cause.kind == "moved" and waiting is not None:
        part = Budget(evolve(limits, total_rlimit=limits.total_rlimit // 4))
        sharper = _Checker(spec, waiting, checker.times, part, models).checked(flags)
        sharpening = part.used
        found = _cause(models(flags), deadline, sharper)
        if found is not None and found.kind == "wait":
            outcome, cause = sharper, found
    kept = _own_steps(spec, checker.prop, outcome, budget, models, flags=flags)
    if kept is not outcome:  # the run found needs another document's steps
        outcome = kept
        cause = _cause(models(flags), deadline, kept)
    resources = budget.used + sharpening
    if outcome.verdict is Verdict.PROVED and not outcome.vacuous and eager_applies(deadline):
        worst = worst_case(models(flags), deadline_id, max_states=limits.explicit_states)
        outcome = evolve(outcome, working_days=worst)
    wait = None
    if outcome.verdict is Verdict.VIOLATED and checker.prop.urgent is not None:
        wait = longest_wait(spec, checker.prop, max_states=limits.explicit_states)
    debug(f"property {spec.authority.id} met_in_time:{deadline_id} used {resources}")
    return Decision(
        outcome=outcome,
        resources=resources,
        cause=_worded(cause, urgent=checker.prop.urgent is not None, wait=wait),
        reading=Reading.SHOULD if flags.should else Reading.MUST,
    )


def _worded(cause: Cause | None, *, urgent: bool, wait: str | None = None) -> str | None:
    """What stood in the way, for the summary: an urgent-route question's clock is the
    question's own, so its due day is left out, and how long the wait can be is said."""
    if cause is None:
        return None
    if not urgent:
        return cause.text
    lead = f"for {wait}" if wait else "into the next working day"
    return f"{lead}: {cause.detail or cause.text}"


def _cause(model: ExplicitModel, deadline: Deadline, outcome: Outcome) -> Cause | None:
    if outcome.verdict is not Verdict.VIOLATED or outcome.trace is None:
        return None
    return why_missed(model, deadline, outcome.trace)


def _also_under(model: ExplicitModel, prop: Property, outcome: Outcome) -> bool:
    """The violation's own run is a run of `model` too (it breaks no rule that model
    adds), so it is a violation there: no need to ask the engines again."""
    trace = outcome.trace
    return (
        trace is not None
        and replay(model, trace).ok
        and violation_shown(model, prop, trace) is None
    )


MUST = Flags(should=False, comply=True)
SHOULD = Flags(should=True, comply=True)
MISSED = Flags(should=False, comply=False)
"""The must reading, the should reading, and the must reading when deadlines may be missed."""


class Models:
    """The explicit model of one spec under each reading, made when first needed, so that
    properties of one spec share their explored states."""

    def __init__(self, spec: ProtocolSpec) -> None:
        self.spec = spec
        self._models: dict[Flags, ExplicitModel] = {}

    def __call__(self, flags: Flags) -> ExplicitModel:
        if flags not in self._models:
            reading = Reading.SHOULD if flags.should else Reading.MUST
            self._models[flags] = ExplicitModel(self.spec, reading, comply=flags.comply)
        return self._models[flags]


class _Checker:
    """One property's questions: on the slice (safety), then on the full model."""

    def __init__(
        self, spec: ProtocolSpec, prop: Property, times: Timing, budget: Budget, models: Models
    ) -> None:
        self.spec, self.prop, self.models, self.times = spec, prop, models, times
        finder = lasso_finder(models)
        self.full = Decider(encoding_of(spec, times), prop, budget, finder)
        self.sliced: Decider | None = None
        if sliceable(prop, times):
            kept = slice_timing(spec, prop, Reading.SHOULD, times)
            self.sliced = Decider(encoding_of(spec, kept), prop, budget, finder)

    def checked(self, flags: Flags, *, vacuity: bool = True) -> Outcome:
        """The outcome under `flags`; without `vacuity`, a proof is not also checked for
        being vacuous (when only the verdict matters)."""
        explicit = self.models(flags)
        outcome = None
        if self.sliced is not None:
            sliced = self.sliced.decide(flags, vacuity=vacuity)
            if sliced.trace is None:
                outcome = sliced
            else:
                concrete = concretize(explicit, sliced.trace)
                outcome = evolve(sliced, trace=concrete) if concrete is not None else None
        if outcome is None:
            outcome = self.full.decide(flags, vacuity=vacuity)
        outcome = exhaustively(explicit, self.prop, outcome, self.full.budget.limits)
        if outcome.trace is None:
            return outcome
        replayed = replay(explicit, outcome.trace)
        if replayed.ok:
            return outcome
        return Outcome(
            verdict=Verdict.UNKNOWN,
            reason=f"the counterexample did not replay at step {replayed.index}: {replayed.reason}",
        )
