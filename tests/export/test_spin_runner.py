"""Running SPIN: each answer it can give, its limits, and a clear error without SPIN."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spin_checks import needs_spin, trace_checked

from stepcheck.checker import spin as spin_module
from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.spin import SpinLimits, SpinOutcome, SpinUnavailable, check_with_spin
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Reading
from stepcheck.spec.trace import StepKind

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
REREFERRAL = "tests/fixtures/specs/explore/rereferral.yaml"
_QUICK = SpinLimits(optimise="-O0", hash_bits=18, seconds=60.0)


@needs_spin
def test_a_violation_comes_back_as_a_trace_the_explorer_replays():
    """The re-referral fixture's unowned case: SPIN's trail, shortened, is the explorer's,
    closing the case and re-referring it into the intake tray."""
    spec = load_spec(REREFERRAL)
    prop = spec.property_by_id("no_unowned_case")

    result = check_with_spin(spec, prop, limits=_QUICK)

    assert result.outcome is SpinOutcome.VIOLATED
    assert result.trace is not None
    assert [step.label for step in result.trace.steps] == [
        (StepKind.EVENT, "close_case"),
        (StepKind.EVENT, "rerefer"),
    ]
    assert result.trace.final["owner"] == "intake_tray"
    trace_checked(ExplicitModel(spec, Reading.MUST), prop, result)
    assert set(result.seconds) == {"generate", "compile", "run", "shorten"}


@needs_spin
def test_without_shortening_the_first_trail_replays_too():
    """The first depth-first trail, kept as it is, is a run of the explorer's model too."""
    spec = load_spec(EXAMPLE)
    prop = spec.property_by_id("cp_step_down_requires_meeting")
    limits = SpinLimits(optimise="-O0", hash_bits=18, shorten_trail=False)

    result = check_with_spin(spec, prop, limits=limits)

    trace_checked(ExplicitModel(spec, Reading.MUST), prop, result)
    assert "shorten" not in result.seconds


@needs_spin
def test_a_violation_in_the_initial_state_is_a_trace_without_steps():
    """A case that starts unowned violates the property before any step."""
    text = Path(REREFERRAL).read_text(encoding="utf-8")
    spec = load_spec_text(text.replace("owner: worker, initial", "initial"), "<unowned start>")

    result = check_with_spin(spec, spec.property_by_id("no_unowned_case"), limits=_QUICK)

    assert result.outcome is SpinOutcome.VIOLATED
    assert result.trace is not None
    assert result.trace.steps == ()
    assert result.trace.initial["owner"] == "unspecified"


@needs_spin
def test_a_complete_search_without_errors_counts_states():
    """The example's no_unowned_case holds: SPIN searched everything and says how much."""
    spec = load_spec(EXAMPLE)

    result = check_with_spin(spec, spec.property_by_id("no_unowned_case"), limits=_QUICK)

    assert result.outcome is SpinOutcome.NO_ERRORS
    assert result.complete
    assert result.limit is None
    assert result.states is not None
    assert result.states > 1000
    assert result.depth is not None


@needs_spin
def test_a_shallow_depth_bound_leaves_the_search_incomplete():
    """No errors within a depth bound that cuts the search is no errors, not complete."""
    spec = load_spec(EXAMPLE)
    limits = SpinLimits(optimise="-O0", hash_bits=18, depth=50)

    result = check_with_spin(spec, spec.property_by_id("no_unowned_case"), limits=limits)

    assert result.outcome is SpinOutcome.NO_ERRORS
    assert not result.complete
    assert result.limit == "depth"


@needs_spin
@pytest.mark.parametrize(
    ("limits", "limit"),
    [
        (SpinLimits(optimise="-O0", hash_bits=18, seconds=0.001), "time"),
        (SpinLimits(optimise="-O0", hash_bits=22, memory_mb=1), "memory"),
    ],
    ids=["time", "memory"],
)
def test_running_out_of_time_or_memory_is_not_finishing(limits, limit):
    """pan stopped by the wall clock or by -DMEMLIM did not finish, and says which."""
    spec = load_spec(EXAMPLE)

    result = check_with_spin(spec, spec.property_by_id("no_unowned_case"), limits=limits)

    assert result.outcome is SpinOutcome.DID_NOT_FINISH
    assert result.limit == limit


@pytest.mark.parametrize("missing", ["spin", "gcc"])
def test_missing_spin_or_gcc_is_a_clear_error(monkeypatch, missing):
    """Without SPIN or gcc on PATH the answer is an error naming the program, no traceback."""
    found = shutil.which

    def which(name: str) -> str | None:
        return None if name == missing else found(name)

    monkeypatch.setattr(spin_module.shutil, "which", which)
    spec = load_spec(EXAMPLE)

    with pytest.raises(SpinUnavailable, match=f"'{missing}' is not installed"):
        check_with_spin(spec, spec.property_by_id("no_unowned_case"))
