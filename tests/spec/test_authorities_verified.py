"""The checker decides every mission property of every shipped authority.

Each verdict is `proved` (with its strength) or `violated` with a trace that has
replayed in the explicit explorer (`verify_property` replays every trace and turns
one that does not replay into `unknown`, so "decided" includes "replayed").
"""

from __future__ import annotations

import pytest

from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec

AUTHORITIES = ("somerset", "devon", "hertfordshire", "buckinghamshire")
MISSION = ("escalation_terminates", "no_unowned_case", "cp_step_down_requires_meeting")


@pytest.mark.parametrize("prop_id", MISSION)
@pytest.mark.parametrize("authority", AUTHORITIES)
def test_mission_property_is_decided(authority, prop_id):
    spec = load_spec(f"spec/authorities/{authority}.yaml")

    result = verify_property(spec, spec.property_by_id(prop_id))

    assert result.verdict is not Verdict.UNKNOWN, result.reason
    if result.verdict is Verdict.VIOLATED:
        assert result.trace is not None
        assert result.citations, "a violation cites the rules its story uses"
    else:
        assert result.strength is not None
