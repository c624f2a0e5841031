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
from datetime import date

from attrs import evolve

from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.sentences import summarise
from stepcheck.checker.witness import violation_shown
from stepcheck.oracle.realise import Mismatch
from stepcheck.oracle.retime import Retimed, date_trace
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["date_counterexamples"]


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
    for result in report.results:
        spec = by_path.get(result.spec)
        if result.trace is None or spec is None:
            results.append(result)
            continue
        results.append(_dated(result, spec, model_of(spec, result.reading), start))
    return evolve(report, results=tuple(results))


def _dated(
    result: PropertyResult, spec: ProtocolSpec, model: ExplicitModel, start: date
) -> PropertyResult:
    assert result.trace is not None, "only traces are dated"
    found = date_trace(spec, result.trace, reading=result.reading, start=start, comply=True)
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
    why_not = violation_shown(model, spec.property_by_id(result.property), found.trace)
    if why_not is not None:
        return _not_replayed(
            result, spec, f"dated from {found.start.isoformat()} on the real calendar, {why_not}"
        )
    return evolve(result, trace=found.trace, dated_from=found.start)


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
