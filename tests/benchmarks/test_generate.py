"""The scaling benchmark's generated specs are valid specs (no timing is asserted here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from stepcheck.checker.structure import check_structure
from stepcheck.spec.loader import load_spec_text

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def _generate_module() -> ModuleType:
    # `benchmarks` is not an installed package and the repository root is not on
    # sys.path under pytest, so load the generator from its file.
    spec = importlib.util.spec_from_file_location("benchmarks_generate", GENERATE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generate_module()


@pytest.mark.parametrize(
    ("statuses", "teams", "timers"),
    [(3, 1, 0), (4, 2, 0), (8, 2, 2), (4, 8, 4), (16, 3, 8), (32, 32, 8)],
)
def test_generated_spec_loads_with_requested_sizes(statuses, teams, timers):
    """A generated spec loads and has the statuses, owners and deadlines asked for."""
    text = generate.generate_spec(statuses=statuses, teams=teams, timers=timers)

    spec = load_spec_text(text, "<generated>")

    assert len(spec.statuses) == statuses
    assert len(spec.teams) == teams
    assert len([owner for owner in spec.owners if owner.team is not None]) == 2 * teams
    assert len(spec.deadlines) == timers
    assert sorted(p.id for p in spec.properties) == [
        "cp_step_down_requires_meeting",
        "escalation_terminates",
        "no_unowned_case",
    ]


def test_generated_spec_has_no_structural_findings():
    """Every generated status is reachable and can reach the final status."""
    spec = load_spec_text(generate.generate_spec(statuses=8, teams=2, timers=4), "<generated>")

    assert check_structure(spec) == []


def test_generated_text_is_deterministic():
    """The same sizes give the same text, so a size names one spec."""
    first = generate.generate_spec(statuses=8, teams=4, timers=2)

    assert generate.generate_spec(statuses=8, teams=4, timers=2) == first


def test_too_few_statuses_is_rejected():
    """A chain needs an initial status, a child-protection status and the final one."""
    with pytest.raises(ValueError, match="statuses >= 3"):
        generate.generate_spec(statuses=2, teams=1, timers=0)
