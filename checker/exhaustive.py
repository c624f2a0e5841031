"""The last resort for a small model: the explicit explorer decides what Z3 could not.

When the engines run out of their resource limits on a property, the explorer
(`checker/explore*.py`, the same semantics, cross-checked against the engines on
random specs) visits every state of the finite model, up to `Limits.explicit_states`
(`--explicit-states`, 20,000 by default: about 3 s on a shipped spec). A
model that small is decided outright: proved (for every run, with the worst case of a
response) or violated with its run. A larger one stays `unknown`, and the reason says
the search stopped too. The limit is a count of states, so the outcome is the same on
every machine; it is not tried once the run's time budget is spent.
"""

from __future__ import annotations

import time

from attrs import evolve

from stepcheck.checker.engines import Limits, stopped_by_clock
from stepcheck.checker.explore import ExplicitModel, explicit_verdict
from stepcheck.checker.explore_search import StateSpaceTooLarge
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Strength, Verdict
from stepcheck.spec.model import Property, PropertyKind
from stepcheck.spec.trace import Trace

__all__ = ["exhaustively"]


def exhaustively(model: ExplicitModel, prop: Property, outcome: Outcome, limits: Limits) -> Outcome:
    """`outcome`, or, when it is `unknown`, the explorer's verdict if the model is small."""
    if outcome.verdict is not Verdict.UNKNOWN or limits.explicit_states <= 0:
        return outcome
    if stopped_by_clock(outcome.reason):
        return outcome  # a wall-clock limit gives `unknown`, whatever else could decide
    if limits.deadline is not None and time.monotonic() >= limits.deadline:
        return outcome
    try:
        found = explicit_verdict(model, prop, max_states=limits.explicit_states)
    except StateSpaceTooLarge:
        return evolve(
            outcome,
            reason=f"{outcome.reason}; a search of every state stopped at "
            f"{limits.explicit_states:,} states "
            f"(--{limits.option_prefix}explicit-states {limits.explicit_states})",
        )
    if found.verdict is Verdict.PROVED:
        return Outcome(
            verdict=Verdict.PROVED, strength=Strength.UNBOUNDED, working_days=found.bound
        )
    return Outcome(verdict=found.verdict, trace=found.trace, subject=_subject(prop, found.trace))


def _subject(prop: Property, trace: Trace | None) -> str | None:
    """The ladder whose dispute stays open, for `escalation_terminates`."""
    if prop.kind is not PropertyKind.ESCALATION_TERMINATES or trace is None:
        return None
    for key, value in sorted(trace.final.items()):
        if key.startswith("dispute:") and value is not None:
            ladder = key.removeprefix("dispute:")
            if not prop.escalations or ladder in prop.escalations:
                return ladder
    return None
