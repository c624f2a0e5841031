"""The search for a disagreement: directed cases to every step, then random walks.

First the oracle lists every transition and refusal its own search can reach
(`oracle/targets.py`), adds runs that take a step on the last day a re-referral
window or dispute limit allows, at a meeting sitting a bank holiday moved, or a
minute before a meeting's time of day (`oracle/edges.py`), and replays each on the system: a step
eleven moves deep, or sent in a status its `from` leaves out, is tried once for
certain rather than by luck. Then Hypothesis draws random cases (`oracle/strategies.py`,
swarm testing and wrong-status steps included) for the interactions no list names.

The first disagreement is replayed on a fresh system: if it disagrees again it is
shrunk to a minimal run (`machine.minimised`); if not, it is reported as seen, marked
"did not reproduce" (a system that is not deterministic, broke part way or answered
at the timeout). Nothing Hypothesis raises about such a system (`Flaky*`, exception
groups) reaches the person running the test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, datetime

from attrs import evolve, frozen
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from stepcheck.oracle.calendar_rules import Sittings
from stepcheck.oracle.coverage import Coverage, Target
from stepcheck.oracle.edges import (
    early_sitting_runs,
    edge_runs,
    holiday_runs,
    moved_sitting_runs,
    overdue_runs,
)
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.machine import (
    Disagreement,
    Finding,
    SideBySide,
    closed,
    minimised,
    replay,
)
from stepcheck.oracle.strategies import Step, Wait, from_spec, jumped
from stepcheck.oracle.system import System
from stepcheck.oracle.targets import (
    DEFAULT_MAX_STATES,
    Reach,
    TargetRun,
    limit_days,
    reachable,
)
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["Exploration", "explore", "reach_of"]


@frozen(kw_only=True)
class Exploration:
    """What `explore` did: directed and random cases run, the finding, the coverage."""

    directed: int
    runs: int
    finding: Finding | None
    coverage: Coverage


def explore(
    spec: ProtocolSpec,
    factory: Callable[[], System],
    *,
    examples: int,
    seed: int,
    steps: int,
    reading: Reading = Reading.MUST,
    meetings: Mapping[str, date] | None = None,
    max_states: int = DEFAULT_MAX_STATES,
    directed: bool = True,
) -> Exploration:
    """Directed cases to every reachable step (unless `directed` is False), then
    `examples` random cases of up to `steps` actions; the first disagreement, settled
    (see the module's docstring)."""
    executor = Executor(spec, reading=reading, meetings=meetings)
    anchors = tuple(sorted((meetings or {}).items()))
    reach = reach_of(spec, reading, anchors, max_states)
    exercised: set[Target] = set()

    def covered() -> Coverage:
        return Coverage.of(
            reach.transitions,
            reach.refusals,
            exercised,
            states=reach.states,
            complete=reach.complete,
        )

    def settle(finding: Finding) -> Finding:
        return _settled(spec, factory, finding, reading=reading, meetings=meetings)

    runs = reach.runs if directed else ()
    for number, run in enumerate(runs, start=1):
        found = _directed(executor, factory, run, exercised)
        if found is not None:
            return Exploration(directed=number, runs=0, finding=settle(found), coverage=covered())
    walks, found = 0, None
    if examples > 0:  # none: the directed cases only
        walks, found = _random(
            spec, executor, factory, exercised, examples=examples, seed=seed, steps=steps
        )
    return Exploration(
        directed=len(runs),
        runs=walks,
        finding=None if found is None else settle(found),
        coverage=covered(),
    )


@functools.lru_cache(maxsize=16)
def reach_of(
    spec: ProtocolSpec,
    reading: Reading,
    anchors: tuple[tuple[str, date], ...],
    max_states: int,
) -> Reach:
    """The oracle's targets for one spec and settings (`oracle/targets.py`).

    Kept for the process, since they never change and take seconds to find: a test
    suite that checks several systems against one spec searches once.
    """
    meetings = dict(anchors) or None
    executor = Executor(spec, reading=reading, meetings=meetings)
    periodic = from_spec(spec, steps=executor.steps).periodic
    reach = reachable(executor, _sittings(executor), periodic=periodic, max_states=max_states)
    edges = (
        edge_runs(executor, reach.taken)
        + moved_sitting_runs(executor, reach.taken)
        + early_sitting_runs(executor, reach.taken)
        + overdue_runs(executor, reach.taken)
        + holiday_runs(executor, reach.taken)
    )
    return evolve(reach, runs=reach.runs + edges)


def _directed(
    executor: Executor,
    factory: Callable[[], System],
    run: TargetRun,
    exercised: set[Target],
) -> Finding | None:
    """One directed case on a fresh system: its steps, then its probes."""
    system, pair = None, None
    try:
        system = _made(executor, factory, run.status, run.start)
        pair = SideBySide(executor, system, status=run.status, at=run.start)
        for step, moment in run.sent():
            pair.take(step, moment)
    except Disagreement as found:
        return found.finding
    finally:
        if pair is not None:
            exercised.update(pair.exercised)
        if system is not None:
            closed(system)
    return None


def _random(
    spec: ProtocolSpec,
    executor: Executor,
    factory: Callable[[], System],
    exercised: set[Target],
    *,
    examples: int,
    seed: int,
    steps: int,
) -> tuple[int, Finding | None]:
    """Hypothesis's random cases: how many ran, and the disagreement it settled on."""
    moves = from_spec(spec, steps=executor.steps)
    sittings = _sittings(executor)
    runs = 0
    first: list[Finding] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(start=moves.starts(), data=st.data())
    def run(start: tuple[str, datetime], data: st.DataObject) -> None:
        nonlocal runs
        runs += 1
        left_out = data.draw(moves.swarm())
        system, pair = None, None
        try:
            system = _made(executor, factory, *start)
            pair = SideBySide(executor, system, status=start[0], at=start[1])
            for _ in range(steps):
                taken = frozenset(pair.taken)
                action = data.draw(moves.actions(pair.case.status, pair.enabled(), taken, left_out))
                match action:
                    case Step(step=step):
                        pair.take(step, pair.now)
                    case Wait():
                        limits = limit_days(pair.case)
                        pair.take_time(jumped(pair.now, action, sittings, limits))
        except Disagreement as found:
            if not first:
                first.append(found.finding)
            raise
        finally:
            if pair is not None:
                exercised.update(pair.exercised)
            if system is not None:
                closed(system)

    try:
        run()
    except Disagreement as found:
        return runs, found.finding
    except (HypothesisException, BaseExceptionGroup):
        # Hypothesis could not replay what it saw (a system that is not deterministic,
        # broke part way, answered at the timeout): report the first thing seen.
        if first:
            return runs, first[0]
        raise
    return runs, first[0] if first else None


def _sittings(executor: Executor) -> Callable[[str], Sittings | None]:
    """The sittings of each periodic meeting, as the executor holds them."""
    return dict(executor.index.sittings).get


def _made(executor: Executor, factory: Callable[[], System], status: str, at: datetime) -> System:
    """A fresh system; one that cannot be made part way through is a fault, not a crash."""
    try:
        return factory()
    except Exception as error:
        fault = f"a fresh system could not be made: {type(error).__name__}: {error}"
        raise Disagreement(
            Finding(
                status=status,
                start=at,
                steps=(),
                differences=(f"fault: {fault}",),
                system_view=None,
                oracle_view=executor.start(at=at, status=status).view,
                fault=fault,
            )
        ) from error


def _settled(
    spec: ProtocolSpec,
    factory: Callable[[], System],
    finding: Finding,
    *,
    reading: Reading,
    meetings: Mapping[str, date] | None,
) -> Finding:
    """`finding` minimised if it disagrees again on a fresh system, else marked unreproduced."""
    unreproduced = evolve(finding, reproduced=False)
    try:
        again = replay(
            spec,
            factory,
            status=finding.status,
            at=finding.start,
            steps=finding.steps,
            reading=reading,
            meetings=meetings,
        )
        if again is None or (again.steps, again.differences) != (
            finding.steps,
            finding.differences,
        ):
            return unreproduced
        return minimised(spec, factory, again, reading=reading, meetings=meetings)
    except Exception:  # the system could not even be made again
        return unreproduced
