"""What the SPIN tests share: when to skip, and what agreeing with the explorer means."""

from __future__ import annotations

import shutil

import pytest

from stepcheck.checker.explore import ExplicitModel, explicit_verdict, replay
from stepcheck.checker.results import Verdict
from stepcheck.checker.spin import SpinOutcome, SpinResult
from stepcheck.checker.witness import violation_shown
from stepcheck.spec.model import Property

__all__ = ["needs_spin", "trace_checked"]

needs_spin = pytest.mark.skipif(
    shutil.which("spin") is None or shutil.which("gcc") is None,
    reason="SPIN or gcc is not installed (scripts/system-deps.sh installs spin on Debian)",
)


def trace_checked(model: ExplicitModel, prop: Property, result: SpinResult) -> None:
    """A SPIN violation's trail is a run of the explorer's model that shows `prop` failing."""
    assert result.outcome is SpinOutcome.VIOLATED
    assert result.trace is not None
    replayed = replay(model, result.trace)
    assert replayed.ok, (prop.id, replayed)
    assert violation_shown(model, prop, result.trace) is None, prop.id


def explorer_agrees(model: ExplicitModel, prop: Property, result: SpinResult) -> None:
    """SPIN's complete answer is the explorer's verdict; a proof visits the same states.

    SPIN (run with `hide_write_only=False`) stores every configuration of the finite
    model and one state more: its process before the initial step.
    """
    reference = explicit_verdict(model, prop, max_states=50_000)
    if result.outcome is SpinOutcome.VIOLATED:
        assert reference.verdict is Verdict.VIOLATED, (prop.id, reference)
        trace_checked(model, prop, result)
        return
    assert result.outcome is SpinOutcome.NO_ERRORS, (prop.id, result)
    assert result.complete, (prop.id, result)
    assert reference.verdict is Verdict.PROVED, (prop.id, reference.trace)
    assert result.states == reference.states + 1, (prop.id, result.states, reference.states)
