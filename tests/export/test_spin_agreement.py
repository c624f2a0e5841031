"""SPIN against the explicit explorer on random small specs and the explorer's fixtures.

For every safety property, in either reading, with people complying or missing
deadlines: SPIN's verdict on the exported Promela is the explorer's; every trail SPIN
finds replays in the explorer and shows the property failing; and where the property
holds, SPIN stored exactly the explorer's states (and its own start state), so the two
models agree state by state, not only on the answer.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spin_checks import explorer_agrees, needs_spin
from strategies.specs import small_specs

from stepcheck.checker.explore import ExplicitModel, StateSpaceTooLarge, explicit_verdict
from stepcheck.checker.promela import SAFETY_KINDS
from stepcheck.checker.spin import SpinLimits, check_with_spin
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Reading

# Tiny models: compiling without optimisation saves a second per run, a small hash
# table the time pan takes to clear it, and keeping write-only variables makes SPIN
# store exactly the explorer's states.
_LIMITS = SpinLimits(optimise="-O0", hash_bits=18, seconds=60.0, hide_write_only=False)
# A long run: STEPCHECK_SPIN_EXAMPLES=1000 (the normal suite runs 15, under a minute).
_EXAMPLES = int(os.environ.get("STEPCHECK_SPIN_EXAMPLES", "15"))
_FIXTURES = sorted(
    [
        *Path("tests/fixtures/specs/explore").glob("*.yaml"),
        Path("tests/fixtures/specs/valid/example.yaml"),
    ]
)

pytestmark = [needs_spin, pytest.mark.slow]


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=small_specs(),
    reading=st.sampled_from(Reading),
    comply=st.booleans(),
    shorten=st.booleans(),
)
def test_spin_and_explorer_agree_on_random_specs(
    text: str, reading: Reading, comply: bool, shorten: bool
):
    """On a random spec, SPIN and the explorer agree on every safety property; first
    trails and shortened ones both replay."""
    spec = load_spec_text(text, "<random>")
    model = ExplicitModel(spec, reading, comply=comply)
    safety = [prop for prop in spec.properties if prop.kind in SAFETY_KINDS]
    try:
        explicit_verdict(model, safety[0], max_states=50_000)
    except StateSpaceTooLarge:
        return  # rare; every property explores the same model

    limits = attrs.evolve(_LIMITS, shorten_trail=shorten)
    for prop in safety:
        result = check_with_spin(spec, prop, reading=reading, comply=comply, limits=limits)
        explorer_agrees(model, prop, result)


@pytest.mark.parametrize("path", _FIXTURES, ids=lambda path: path.stem)
@pytest.mark.parametrize("reading", list(Reading), ids=lambda reading: reading.value)
@pytest.mark.parametrize("comply", [True, False], ids=["comply", "missed"])
def test_spin_and_explorer_agree_on_fixtures(path: Path, reading: Reading, comply: bool):
    """On each explorer fixture, SPIN and the explorer agree on every safety property."""
    spec = load_spec(path)
    model = ExplicitModel(spec, reading, comply=comply)

    for prop in spec.properties:
        if prop.kind in SAFETY_KINDS:
            result = check_with_spin(spec, prop, reading=reading, comply=comply, limits=_LIMITS)
            explorer_agrees(model, prop, result)
