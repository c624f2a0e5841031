"""Test a system against the oracle: the one call behind `stepcheck test` and the plugin.

    outcome = check_system(load_spec("spec/authorities/devon.yaml"), factory, seed=1)
    assert outcome.agrees, outcome.report

Hypothesis drives the system and the reference executor side by side
(`oracle/machine.py`); the first disagreement is shrunk to a minimal run and
rendered as a reproduction (`oracle/repro.py`). A system that cannot be reached or
loaded raises `SystemUnavailable` before any run, so "nothing was tested" is never
mistaken for "agrees".
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.machine import Finding, explore
from stepcheck.oracle.repro import RunSettings, render_finding
from stepcheck.oracle.system import SystemFactory, SystemFault, SystemUnavailable
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_STEPS", "Outcome", "check_system"]

DEFAULT_EXAMPLES = 100
DEFAULT_STEPS = 30
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

    @property
    def exit_code(self) -> int:
        """0 when the system agrees, 1 when it disagrees."""
        return 0 if self.agrees else 1


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

    Raises:
        SystemUnavailable: the system cannot be made or reached; nothing was tested.
    """
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
    )
    settings = RunSettings(
        spec_path=spec.path,
        target=target,
        seed=chosen,
        examples=examples,
        steps=steps,
        reading=reading,
        meetings=meetings,
    )
    if explored.finding is None:
        report = (
            f"AGREES: {explored.runs} case(s) of up to {steps} actions, the system and the "
            f"oracle agreed on every step (spec {spec.path}, seed {chosen})\n"
        )
        return Outcome(agrees=True, runs=explored.runs, seed=chosen, finding=None, report=report)
    return Outcome(
        agrees=False,
        runs=explored.runs,
        seed=chosen,
        finding=explored.finding,
        report=render_finding(explored.finding, settings),
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
        system.close()
