"""Test a system against the oracle: the one call behind `stepcheck test` and the plugin.

    outcome = check_system(load_spec("spec/authorities/devon.yaml"), factory, seed=1)
    assert outcome.agrees, outcome.report

Directed cases to every reachable step, then Hypothesis's random cases, drive the
system and the reference executor side by side (`oracle/search.py`); the first
disagreement is shrunk to a minimal run and rendered as a reproduction
(`oracle/repro.py`). Every report ends with what was exercised (`oracle/coverage.py`),
and `min_coverage` turns too little of it into a failure. A system that cannot be
reached or loaded raises `SystemUnavailable` before any run, so "nothing was tested"
is never mistaken for "agrees".
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.coverage import Coverage
from stepcheck.oracle.explain import explain
from stepcheck.oracle.machine import Finding, closed
from stepcheck.oracle.repro import (
    DEFAULT_EXAMPLES,
    DEFAULT_STEPS,
    DEFAULT_TIMEOUT,
    RunSettings,
    render_finding,
)
from stepcheck.oracle.search import explore
from stepcheck.oracle.system import SystemFactory, SystemFault, SystemUnavailable
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.readings import choose_reading

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_STEPS", "Outcome", "check_system"]

_PROBE_AT = datetime(2026, 1, 5, 9, 0)


@frozen(kw_only=True)
class Outcome:
    """The result of testing a system: it agrees, or the minimal disagreement found.

    `report` is what a person reads: a one-line summary when the system agrees, the
    reproduction (`oracle/repro.py`) when it does not.
    """

    agrees: bool
    runs: int
    seed: int
    finding: Finding | None
    report: str
    coverage: Coverage
    directed: int = 0
    covered_enough: bool = True

    @property
    def exit_code(self) -> int:
        """0 when the system agrees and coverage is enough, 1 otherwise."""
        return 0 if self.agrees and self.covered_enough else 1

    def as_json(self) -> dict[str, object]:
        """The outcome as plain data: verdict, counts, coverage, the finding's differences."""
        finding = self.finding
        return {
            "agrees": self.agrees,
            "covered_enough": self.covered_enough,
            "seed": self.seed,
            "directed_cases": self.directed,
            "random_cases": self.runs,
            "coverage": self.coverage.as_json(),
            "finding": None
            if finding is None
            else {
                "status": finding.status,
                "start": finding.start.isoformat(),
                "steps": [[step, at.isoformat()] for step, at in finding.steps],
                "differences": list(finding.differences),
                "reproduced": finding.reproduced,
            },
        }


def check_system(
    spec: ProtocolSpec,
    system_factory: SystemFactory,
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int | None = None,
    steps: int = DEFAULT_STEPS,
    reading: Reading = Reading.MUST,
    meetings: Mapping[str, date] | None = None,
    target: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    min_coverage: float | None = None,
    directed: bool = True,
) -> Outcome:
    """Run `examples` random cases of up to `steps` actions on the system and the oracle.

    Args:
        spec: the protocol the system implements.
        system_factory: makes a fresh `System` for each case.
        examples: how many cases Hypothesis tries (more finds rarer bugs).
        seed: the random seed; a fresh one (shown in the report) when None.
        steps: the most actions (steps and time jumps) in one case.
        reading: which rules the system enforces: `must` only, or `must` and `should`.
        meetings: a day each periodic meeting sits, as the system schedules it.
        target: how the command line names the system, for the reproduction.
        timeout: the HTTP timeout the system was made with, for the reproduction.
        min_coverage: the least share (0-100) of reachable transitions and of
            refusals that must be exercised; below it the outcome fails (exit 1).
        directed: whether directed cases to every reachable step run first; without
            them only random cases run (to compare, or to save time on a slow system).

    Raises:
        SystemUnavailable: the system cannot be made or reached; nothing was tested.
        ReadingNotChosen: `spec` leaves a tier open; pass one reading
            (`spec.readings.choose_reading`), as the oracle follows one.
    """
    spec = choose_reading(spec, ())
    chosen = random.SystemRandom().randrange(2**32) if seed is None else seed
    _probe(spec, system_factory)
    explored = explore(
        spec,
        system_factory,
        examples=examples,
        seed=chosen,
        steps=steps,
        reading=reading,
        meetings=meetings,
        directed=directed,
    )
    settings = RunSettings(
        spec_path=spec.path,
        target=target,
        seed=chosen,
        examples=examples,
        steps=steps,
        reading=reading,
        meetings=meetings,
        timeout=timeout,
        min_coverage=min_coverage,
        directed=directed,
    )
    coverage = explored.coverage
    enough = min_coverage is None or coverage.lowest() >= min_coverage
    cases = f"{explored.runs} random case(s) of up to {steps} actions"
    if directed:
        cases = f"{explored.directed} directed case(s) to every reachable step and {cases}"
    short = (
        []
        if enough
        else [
            f"COVERAGE TOO LOW: {coverage.lowest():.1f}% of the reachable steps exercised, "
            f"below --min-coverage {min_coverage:g}"
        ]
    )
    if explored.finding is None:
        report = (
            f"AGREES: {cases}; the system and the oracle agreed on every step "
            f"(spec {spec.path}, seed {chosen})\n"
        )
        report += "\n".join([*coverage.lines(), *short]) + "\n"
    else:
        stopped = "  (the search stopped at this disagreement)"
        why = explain(spec, explored.finding, reading=reading, meetings=meetings)
        notes = [*why, *coverage.lines(), stopped, *short]
        report = render_finding(explored.finding, settings, notes)
    return Outcome(
        agrees=explored.finding is None,
        runs=explored.runs,
        seed=chosen,
        finding=explored.finding,
        report=report,
        coverage=coverage,
        directed=explored.directed,
        covered_enough=enough,
    )


def _probe(spec: ProtocolSpec, system_factory: SystemFactory) -> None:
    """Open one case before searching, so an unreachable system is reported as such."""
    initial = next((status.id for status in spec.statuses if status.initial), None)
    if initial is None:
        raise SystemUnavailable(f"{spec.path}: the spec has no initial status to open a case in")
    system = system_factory()
    try:
        system.start(status=initial, at=_PROBE_AT)
    except SystemFault:
        pass  # it answered: a wrong answer is a finding of the search, not unavailability
    finally:
        closed(system)
