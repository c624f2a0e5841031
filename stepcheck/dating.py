"""Every counterexample replayed by the oracle's executor and dated on the real calendar.

The checker works in working days and lets every timer start at any length its wording
allows ("1 month" is 16 to 23 working days) and every meeting sit on any day its
cadence allows. A trace it finds is a run of that model; before it is shown, the
oracle's executor must replay it from a real start date, with the lengths that date
gives (`oracle.retime.date_trace`), and the replayed run must still replay in the
explorer and still show the property failing (`checker.witness`). The story is then
told from that date. A trace no start date reproduces is not evidence of a real
failure: the verdict becomes `unknown`, with the reason.

This lives in the top-level package because it joins the checker and the oracle,
which never import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from attrs import evolve

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.sentences import summarise
from stepcheck.checker.witness import violation_shown
from stepcheck.oracle.calendar_rules import limit_from, passed
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import Mismatch
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.shorten import shortest
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import PREVIOUS_OWNER, Property, PropertyKind, ProtocolSpec, Reading
from stepcheck.spec.trace import StepKind, Trace

__all__ = ["date_counterexamples"]

_LATE_NOTE = (
    "the story's steps happen late in their working day (at 23:00 on the last day before "
    "the next working day, so a Friday's at 23:00 on Sunday), where a limit in hours or "
    "calendar days lasts longest; at 09:00 the calendar cuts such a limit short and the "
    "run does not happen"
)


def date_counterexamples(report: Report, specs: Sequence[ProtocolSpec], start: date) -> Report:
    """`report` with each trace replayed and dated from `start` on, or made `unknown`."""
    by_path = {spec.path: spec for spec in specs}
    models: dict[tuple[str, Reading], ExplicitModel] = {}

    def model_of(spec: ProtocolSpec, reading: Reading) -> ExplicitModel:
        key = (spec.path, reading)
        if key not in models:
            models[key] = ExplicitModel(spec, reading)
        return models[key]

    results = []
    for found in report.results:
        spec = by_path.get(found.spec)
        result = found
        if spec is not None and found.when_missed is not None:
            result = _dated_missed(found, spec, start)
        if result.trace is None or spec is None:
            results.append(result)
            continue
        results.append(_dated(result, spec, model_of(spec, result.reading), start))
    return evolve(report, results=tuple(results))


def _dated_missed(result: PropertyResult, spec: ProtocolSpec, start: date) -> PropertyResult:
    """The missed-deadline run on the calendar; the executor never holds time back, so it
    replays such runs as they are. One no date reproduces is dropped with a note."""
    assert result.when_missed is not None, "only results with such a run get here"
    model = ExplicitModel(spec, result.reading, comply=False)
    followed = followed_rules(spec, result.when_missed, result.reading) or frozenset()
    runner = Executor(spec, result.reading).following(followed)
    found = date_trace(
        spec, result.when_missed, reading=result.reading, start=start, executor=runner
    )
    prop = spec.property_by_id(result.property)
    if (
        isinstance(found, Retimed)
        and replay(model, found.trace).ok
        and violation_shown(model, prop, found.trace) is None
    ):
        return evolve(result, when_missed=found.trace, when_missed_from=found.start)
    note = (
        "a run in which a deadline is missed and the property fails exists in the checker's "
        "model, but the oracle's executor could not date it on the real calendar"
    )
    return evolve(result, when_missed=None, assumptions=(*result.assumptions, note))


def _dated(
    result: PropertyResult, spec: ProtocolSpec, model: ExplicitModel, start: date
) -> PropertyResult:
    assert result.trace is not None, "only traces are dated"
    followed = followed_rules(spec, result.trace, result.reading)
    if followed is None:
        return _not_replayed(
            result,
            spec,
            "it follows a re-referral rule the reading does not enforce only some times",
        )
    runner = Executor(spec, result.reading).following(followed)
    found = date_trace(
        spec, result.trace, reading=result.reading, start=start, comply=True, executor=runner
    )
    if not isinstance(found, Retimed):
        return _not_replayed(result, spec, f"{found.reason}{_mismatch(found.mismatch)}")
    replayed = replay(model, found.trace)
    if not replayed.ok:
        return _not_replayed(
            result,
            spec,
            f"the run dated from {found.start.isoformat()} leaves the checker's model at "
            f"step {replayed.index}: {replayed.reason}",
        )
    prop = spec.property_by_id(result.property)
    why_not = _why_not_shown(model, prop, found)
    if why_not is not None:
        return _not_replayed(
            result, spec, f"dated from {found.start.isoformat()} on the real calendar, {why_not}"
        )

    def shows(run: Retimed) -> bool:
        return replay(model, run.trace).ok and _why_not_shown(model, prop, run) is None

    found = shortest(spec, found, reading=result.reading, executor=runner, shows=shows)
    assumptions = (*result.assumptions, _LATE_NOTE) if found.late else result.assumptions
    return evolve(result, trace=found.trace, dated_from=found.start, assumptions=assumptions)


def _why_not_shown(model: ExplicitModel, prop: Property, found: Retimed) -> str | None:
    """Why the dated run does not show `prop` failing; None when it does."""
    why_not = violation_shown(model, prop, found.trace)
    if why_not is not None and _late_on_calendar(model, prop, found):
        return None
    return why_not


def followed_rules(spec: ProtocolSpec, trace: Trace, reading: Reading) -> frozenset[str] | None:
    """The re-referral rules the reading does not enforce that the trace follows (it
    routes the case as they say); None when it follows one at some times only, which
    the executor, following a rule throughout a run or not at all, cannot replay."""
    followed: set[str] = set()
    ignored: set[str] = set()
    for index, step in enumerate(trace.steps):
        if step.kind is not StepKind.EVENT:
            continue
        before = trace.state_before(index)
        for rule in spec.rereferrals:
            if rule.event != step.name or reading.enforces(rule.modality):
                continue
            if before.get(f"window:{rule.id}") is None:
                continue
            routed = (
                before.get(f"window_owner:{rule.id}")
                if rule.route_to == PREVIOUS_OWNER
                else rule.route_to
            )
            (followed if step.state.get("owner") == routed else ignored).add(rule.id)
    if followed & ignored:
        return None
    return frozenset(followed)


def _late_on_calendar(model: ExplicitModel, prop: Property, found: Retimed) -> bool:
    """A bounded `leads_to` is seen failing on the dates themselves: the case is still
    waiting once the limit, counted on the calendar from when the wait began, has passed.

    The model's limit is the most working days the wording can mean over any start date
    ("2 weeks" is up to 10), so a dated run can break the real limit (7 working days
    over Christmas) without exceeding the model's; the calendar decides then.
    """
    within = prop.within
    if prop.kind is not PropertyKind.LEADS_TO or not isinstance(within, Duration):
        return False
    trigger, goal = prop.trigger, prop.goal
    assert trigger is not None, "leads_to has 'from'"
    assert goal is not None, "leads_to has 'to'"
    moments = {step.index: step.at for step in found.steps}
    states = [found.trace.initial, *(step.state for step in found.trace.steps)]
    waiting_since: datetime | None = None
    for index, state in enumerate(states):
        at = moments.get(index - 1) if index else (found.steps[0].at if found.steps else None)
        if at is None:
            continue
        if model.holds(goal, state):
            waiting_since = None
            continue
        if waiting_since is None and model.holds(trigger, state):
            waiting_since = at
        if waiting_since is not None:
            limit = limit_from(waiting_since, within, unstated_days_as=Unit.WORKING_DAYS)
            if passed(limit.by, at):
                return True
    return False


def _not_replayed(result: PropertyResult, spec: ProtocolSpec, why: str) -> PropertyResult:
    reason = (
        "the checker's working-day model has a failing run, but the oracle's executor "
        f"could not replay it on the real calendar ({why})"
    )
    return evolve(
        result,
        verdict=Verdict.UNKNOWN,
        summary=summarise(
            spec,
            spec.property_by_id(result.property),
            Outcome(verdict=Verdict.UNKNOWN, reason=reason),
            should_only=False,
        ),
        trace=None,
        dated_from=None,
        should_only=False,
        reason=reason,
    )


def _mismatch(mismatch: Mismatch | None) -> str:
    return f"; {mismatch.words()}" if mismatch is not None else ""
