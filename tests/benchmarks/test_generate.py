"""The scaling benchmark's generated specs are valid specs of the sizes their names say.

No timing is asserted here. The largest spec of each axis is loaded once; the one with
10,000 events takes seconds, so it is marked slow and loaded once, with every other
axis at its largest too.
"""

from __future__ import annotations

import attrs
import pytest

from benchmarks.family import FAMILY_PROPERTIES, family_event_count, generate_family_spec
from benchmarks.generate import BASE, PROPERTIES, Sizes, generate_spec
from benchmarks.scaling import COMBINED, GRID, SMOKE
from stepcheck.checker.structure import check_structure
from stepcheck.spec.expr import BoolType, EnumType
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import ProtocolSpec


def _load(sizes: Sizes) -> ProtocolSpec:
    return load_spec_text(generate_spec(**attrs.asdict(sizes)), f"<{sizes.label()}>")


def _assert_sizes(spec: ProtocolSpec, sizes: Sizes) -> None:
    assert len(spec.statuses) == sizes.statuses
    assert len(spec.teams) == sizes.teams
    assert len([owner for owner in spec.owners if owner.team is not None]) == 2 * sizes.teams
    assert len(spec.deadlines) == sizes.timers
    assert [len(ladder.levels) for ladder in spec.escalations] == [sizes.levels]
    assert len([v for v in spec.variables if isinstance(v.type, BoolType)]) == sizes.booleans
    assert len(spec.events) == sizes.event_count()
    assert tuple(p.id for p in spec.properties) == PROPERTIES


def _largest(axis: str) -> Sizes:
    return attrs.evolve(BASE, **{axis: GRID[axis][-1]})


@pytest.mark.parametrize(
    "sizes",
    [
        BASE,
        Sizes(statuses=3, teams=1, timers=0, levels=1),
        Sizes(statuses=8, teams=2, timers=2, booleans=3, events=60),
        Sizes(statuses=32, teams=32, timers=8, levels=12, booleans=8),
        *SMOKE.combined,
    ],
    ids=Sizes.label,
)
def test_small_generated_spec_loads_with_requested_sizes(sizes):
    """A generated spec loads and has the statuses, owners, deadlines, levels, checks,
    events and properties asked for."""
    _assert_sizes(_load(sizes), sizes)


@pytest.mark.parametrize("axis", list(GRID))
def test_largest_size_of_each_axis_loads(axis):
    """The top of each sweep (100 statuses, 50 teams, 30 timers, 200 levels, 64
    booleans) is a valid spec of that size, each loaded in well under a second; the
    events axis is loaded at 1,000 here (about 1 s) and at 10,000 below."""
    sizes = _largest(axis)
    if axis == "events":
        sizes = attrs.evolve(sizes, events=1_000)

    _assert_sizes(_load(sizes), sizes)


@pytest.mark.slow
def test_largest_combined_spec_loads():
    """Every axis at its largest at once (10,000 events, about 10,600 lines) is a valid
    spec, every event distinct: about 11 s, the cost of the events axis's largest row."""
    sizes = COMBINED[-1]
    assert sizes.events == GRID["events"][-1]
    assert all(getattr(sizes, axis) == GRID[axis][-1] for axis in GRID)

    spec = _load(sizes)

    _assert_sizes(spec, sizes)
    assert len({event.id for event in spec.events}) == 10_000


def test_generated_spec_has_no_structural_findings():
    """Every generated status is reachable and can reach the final status, no deadline
    disagrees with another, whatever axis grows."""
    sizes = Sizes(statuses=8, teams=3, timers=6, levels=4, booleans=2, events=50)

    assert check_structure(_load(sizes)) == []


def test_extra_events_leave_cp_only_with_the_handover_meeting():
    """The events axis must not break cp_step_down_requires_meeting: every event out of
    a cp status to a lower tier is guarded on the handover meeting."""
    spec = _load(Sizes(statuses=6, teams=2, events=200))
    tier = {status.id: status.tier for status in spec.statuses}

    leaving_cp = [
        event
        for event in spec.events
        if event.target is not None
        and tier[event.target].value != "cp"
        and any(tier[s].value == "cp" for s in event.sources_from)
    ]

    assert leaving_cp
    for event in leaving_cp:
        assert any("held(handover)" in guard.text for guard in event.guards), event.id


@pytest.mark.parametrize("sizes", [BASE, Sizes(statuses=9, teams=4, timers=5, booleans=2)])
def test_generated_text_is_deterministic(sizes):
    """The same sizes give the same text, so a size names one spec."""
    first = generate_spec(**attrs.asdict(sizes))

    assert generate_spec(**attrs.asdict(sizes)) == first


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"statuses": 2, "teams": 1, "timers": 0}, "statuses >= 3"),
        ({"statuses": 4, "teams": 1, "timers": 0, "levels": 0}, "levels >= 1"),
        ({"statuses": 4, "teams": 2, "timers": 0, "events": 10}, "at least 11 events"),
    ],
)
def test_impossible_sizes_are_rejected(arguments, message):
    """A chain needs an initial status, a cp status and the final one; a ladder needs a
    level; the events axis cannot go below what the other axes need."""
    with pytest.raises(ValueError, match=message):
        generate_spec(**arguments)


@pytest.mark.parametrize("children", [1, 2, 3, 6])
def test_family_spec_loads_with_one_enum_and_one_flag_per_child(children):
    """A family of K children has K enum variables, K plan flags, the events its count
    says, four family statuses and the four family properties."""
    spec = load_spec_text(generate_family_spec(children=children), "<family>")

    enums = [v for v in spec.variables if isinstance(v.type, EnumType)]
    assert [v.id for v in enums] == [f"child_{i}" for i in range(1, children + 1)]
    assert len(spec.variables) == 2 * children
    assert len(spec.events) == family_event_count(children)
    assert len(spec.statuses) == 4
    assert tuple(p.id for p in spec.properties) == FAMILY_PROPERTIES
    assert check_structure(spec) == []


def test_family_text_is_deterministic_and_grows_with_children():
    """Same K, same text; one more child, a longer text."""
    assert generate_family_spec(children=4) == generate_family_spec(children=4)
    assert len(generate_family_spec(children=5)) > len(generate_family_spec(children=4))


def test_family_needs_a_child():
    """A family has at least one child."""
    with pytest.raises(ValueError, match="children >= 1"):
        generate_family_spec(children=0)
