"""The `verify` command's work: every property decided (in parallel, within the run's
budget, from the cache when unchanged), dated on the real calendar, in a fixed order.

Each property is one task: decide it (`checker.verify.decide_property`, or take the
decision from the cache), word it, then replay and date its counterexample in the
oracle's executor (`dating.py`). Tasks run in worker processes (`jobs`), and their
results are put back in spec and property order, so the report never depends on
which worker finished first. With `max_seconds`, solver calls stop at the run's
deadline and workers still busy a little before it are stopped: what they were
deciding becomes `unknown`, naming the budget, and every output is still written.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from attrs import evolve, frozen

from stepcheck.checker.cache import DecisionCache, decision_key
from stepcheck.checker.derived import DERIVED
from stepcheck.checker.derived_urgent import question_spec
from stepcheck.checker.engines import Limits
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.structure import check_structure
from stepcheck.checker.tiers import combine_present
from stepcheck.checker.verify import Decision, Models, decide_property, dress
from stepcheck.dating import date_counterexamples
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.readings import tier_readings
from stepcheck.spec.timing import Timing, timing

__all__ = ["Budget", "default_jobs", "run_verify", "with_options", "without_timings"]

# Share of the run's budget kept back: workers' solver calls stop this much before the
# end, and busy workers are stopped at the end less three quarters of it; the rest is
# for putting the report together and writing it, on a busy machine too.
_RESERVE = 0.2
_POLL_SECONDS = 0.05


@frozen(kw_only=True)
class Budget:
    """The whole run's wall-clock budget: `seconds` from `started` (a monotonic time)."""

    seconds: float
    started: float

    def at(self, share: float) -> float:
        """The monotonic time when `share` of the budget is used."""
        return self.started + self.seconds * share


def default_jobs() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)))


Progress = Callable[[int, int, PropertyResult], None]


def run_verify(
    specs: Sequence[ProtocolSpec],
    *,
    properties: Sequence[str],
    limits: Limits,
    progress: bool,
    start: date,
    jobs: int = 1,
    budget: Budget | None = None,
    cache: Path | None = None,
    derived: Limits | None = None,
) -> Report:
    """Verify `specs` (the properties named, or all) and date every counterexample.

    With `progress`, one line per property on stderr as it is decided. `derived`: the
    limits of the derived questions, when not the same as the others'.
    """
    readings = [tier_readings(spec) for spec in specs]
    expanded: list[ProtocolSpec] = []
    places: list[list[int]] = []  # for each spec, its readings' places in `expanded`
    for spec, its in zip(specs, readings, strict=True):
        places.append(list(range(len(expanded), len(expanded) + max(1, len(its)))))
        expanded.extend([reading.spec for reading in its] or [spec])
    tasks = [
        (index, prop.id)
        for index, spec in enumerate(expanded)
        for prop in spec.properties
        if not properties or prop.id in properties
    ]
    if budget is not None:
        limits = evolve(limits, deadline=budget.at(1 - _RESERVE))
        if derived is not None:
            derived = evolve(derived, deadline=limits.deadline)
    _TIMINGS.clear()  # keyed by the spec's place in this run: a new run, new keys
    _MODELS.clear()
    context = _Context(
        specs=tuple(expanded), limits=limits, start=start, cache=cache, derived=derived
    )
    shown = _shower(len(tasks)) if progress else None
    if jobs <= 1 and budget is None:
        results = _inline(context, tasks, shown)
    else:
        results = _pooled(context, tasks, max(1, jobs), budget, shown)
    if shown is not None and tasks:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    findings = [finding for spec in specs for finding in check_structure(spec)]
    ordered = []
    for spec, its, where in zip(specs, readings, places, strict=True):
        for prop in spec.properties:
            if properties and prop.id not in properties:
                continue
            decided = [results.get((index, prop.id)) for index in where]
            combined = combine_present(spec, its, decided)
            if combined is not None:  # a property of a document left out in every reading
                ordered.append(combined)
    return Report(
        results=tuple(ordered),
        findings=tuple(sorted(findings, key=lambda d: d.sort_key())),
    )


def with_options(report: Report, options: tuple[str, ...]) -> Report:
    """The same report with each result knowing the non-default options it was decided
    under, so its reproduce command repeats them."""
    if not options:
        return report
    return evolve(report, results=tuple(evolve(r, options=options) for r in report.results))


def without_timings(report: Report) -> Report:
    """The same report with every `seconds` set to 0, so that output is reproducible."""
    return evolve(report, results=tuple(evolve(result, seconds=0.0) for result in report.results))


@frozen(kw_only=True)
class _Context:
    """What every task needs; workers inherit it when they are forked."""

    specs: tuple[ProtocolSpec, ...]
    limits: Limits
    start: date
    cache: Path | None
    derived: Limits | None = None
    """The limits of the derived questions (`checker/derived.py`); None: `limits`."""

    def limits_for(self, prop_id: str) -> Limits:
        if self.derived is not None and prop_id.startswith(DERIVED):
            return self.derived
        return self.limits


Task = tuple[int, str]
_SHARED: dict[str, _Context] = {}
"""The run's context, set before workers are forked (they inherit it)."""
_TIMINGS: dict[int, Timing] = {}
_MODELS: dict[int, Models] = {}


def _decided(context: _Context, task: Task) -> PropertyResult:
    """One property: decided (or found in the cache), worded, and dated."""
    index, prop_id = task
    spec = context.specs[index]
    prop = spec.property_by_id(prop_id)
    asked = question_spec(spec, prop)
    if asked is spec:
        if index not in _TIMINGS:  # once per spec, not once per property
            _TIMINGS[index], _MODELS[index] = timing(spec), Models(spec)
        times, models = _TIMINGS[index], _MODELS[index]
    else:  # the question brings a clock of its own: its own model
        spec, times, models = asked, timing(asked), Models(asked)
    started = time.perf_counter()
    store = DecisionCache(context.cache) if context.cache is not None else None
    limits = context.limits_for(prop_id)
    key = decision_key(spec, prop, times, limits) if store is not None else ""
    decision = store.get(key) if store is not None else None
    if decision is None:
        decision = decide_property(spec, prop, limits=limits, times=times, models=models)
        if store is not None:
            store.put(key, decision)
    result = dress(spec, prop, decision, times=times, seconds=time.perf_counter() - started)
    dated = date_counterexamples(Report(results=(result,)), [spec], context.start).results[0]
    return evolve(dated, seconds=round(time.perf_counter() - started, 3))


def _inline(
    context: _Context, tasks: list[Task], shown: Progress | None
) -> dict[Task, PropertyResult]:
    results = {}
    for done, task in enumerate(tasks, start=1):
        results[task] = _decided(context, task)
        if shown is not None:
            shown(done, len(tasks), results[task])
    return results


def _worker(task: Task) -> tuple[Task, PropertyResult]:
    return task, _decided(_SHARED["context"], task)


def _pooled(
    context: _Context,
    tasks: list[Task],
    jobs: int,
    budget: Budget | None,
    shown: Progress | None,
) -> dict[Task, PropertyResult]:
    """Tasks in `jobs` forked workers; at the budget's end, the rest become `unknown`."""
    _SHARED["context"] = context
    results: dict[Task, PropertyResult] = {}
    stop = budget.at(1 - _RESERVE * 3 / 4) if budget is not None else None
    pool = multiprocessing.get_context("fork").Pool(min(jobs, max(1, len(tasks))))
    try:
        pending = [pool.apply_async(_worker, (task,)) for task in tasks]
        while pending and (stop is None or time.monotonic() < stop):
            ready = [job for job in pending if job.ready()]
            for job in ready:
                task, result = job.get()
                results[task] = result
                pending.remove(job)
                if shown is not None:
                    shown(len(results), len(tasks), result)
            if not ready:
                time.sleep(_POLL_SECONDS)
    finally:
        pool.terminate()
        pool.join()
        _SHARED.clear()
    for task in tasks:
        if task not in results:
            results[task] = _out_of_time(context, task, budget)
    return results


def _out_of_time(context: _Context, task: Task, budget: Budget | None) -> PropertyResult:
    index, prop_id = task
    spec = context.specs[index]
    seconds = budget.seconds if budget is not None else 0
    reason = (
        f"not decided within the run's time budget (--max-seconds {seconds:g}); "
        "raise --max-seconds, or check fewer properties at a time"
    )
    decision = Decision(outcome=Outcome(verdict=Verdict.UNKNOWN, reason=reason))
    prop = spec.property_by_id(prop_id)
    times = _TIMINGS.setdefault(index, timing(spec))
    return dress(spec, prop, decision, times=times, seconds=0.0)


def _shower(total: int) -> Progress:
    """Each property's verdict on its own line as it is decided, with the time elapsed
    (a terminal only: the report itself never holds a wall-clock time)."""
    began = time.monotonic()
    width = len(str(total))

    def show(done: int, count: int, result: PropertyResult) -> None:
        del count
        elapsed = int(time.monotonic() - began)
        sys.stderr.write(
            f"\r\x1b[K[{done:>{width}}/{total} {elapsed // 60}:{elapsed % 60:02d}] "
            f"{result.authority}: {result.property} {result.verdict.value} "
            f"({result.seconds:.1f} s)\n"
        )
        sys.stderr.flush()

    return show
