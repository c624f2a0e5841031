"""SPIN beside stepcheck on the shipped authorities: never a disagreement.

For each safety property of each shipped spec (must reading, people comply), SPIN
searches the exported model within a depth, memory and time bound. A violation it finds
must replay in the explorer, show the property failing, and be one stepcheck does not
claim to have proved; a complete search without errors must be one stepcheck proves.
Where SPIN does not finish (the state space is too large for the bounds), it says so,
and there is nothing to compare.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spin_checks import needs_spin, trace_checked

from stepcheck.checker.explore import ExplicitModel
from stepcheck.checker.promela import SAFETY_KINDS
from stepcheck.checker.results import Verdict
from stepcheck.checker.spin import SpinLimits, SpinOutcome, check_with_spin
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

AUTHORITIES = sorted(Path("spec/authorities").glob("*.yaml"))
# -O1 compiles in a few seconds and searches Devon's 3.8 million states in about half a
# minute; the two properties SPIN cannot finish run out of memory or time here (a
# search stopped by a limit compares nothing, so a longer one only costs time).
_LIMITS = SpinLimits(optimise="-O1", seconds=50.0, memory_mb=2048)
_CASES = [
    (path, prop.id)
    for path in AUTHORITIES
    for prop in load_spec(path).properties
    if prop.kind in SAFETY_KINDS
]

pytestmark = [needs_spin, pytest.mark.slow]


@pytest.mark.parametrize(
    ("path", "property_id"), _CASES, ids=[f"{path.stem}-{prop}" for path, prop in _CASES]
)
def test_spin_never_disagrees_with_stepcheck(path, property_id, record_property):
    """SPIN's violations are real and not proved by stepcheck; its complete searches are proofs."""
    spec = load_spec(path)
    prop = spec.property_by_id(property_id)

    result = check_with_spin(spec, prop, limits=_LIMITS)

    record_property("spin", f"{result.outcome.value}, complete {result.complete}, {result.limit}")
    if result.outcome is SpinOutcome.VIOLATED:
        trace_checked(ExplicitModel(spec, Reading.MUST), prop, result)
        assert verify_property(spec, prop).verdict is not Verdict.PROVED
    elif result.outcome is SpinOutcome.NO_ERRORS and result.complete:
        assert verify_property(spec, prop).verdict is Verdict.PROVED
    else:
        assert result.limit in ("depth", "memory", "time")
