"""The status diagram in parts: the tier map, one part per tier, and their arrow tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from attrs import evolve

from stepcheck.diagrams.parts import tier_map, tier_parts
from stepcheck.diagrams.style import kind_group, tier_order
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import EventKind, ProtocolSpec, Tier

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
SPECS = [EXAMPLE, *sorted(Path("spec/authorities").glob("*.yaml"))]
GOLDEN = Path("tests/golden/diagrams")


def test_example_parts_match_golden(golden):
    """The example's tier map and parts are exactly their golden DOT text."""
    spec = load_spec(EXAMPLE)
    drawn = [tier_map(spec, lambda tier: f"#part-{tier.value}").source]
    drawn += [part.graph.source for part in tier_parts(spec)]

    golden.check(GOLDEN / "example-parts.dot", "\n".join(drawn))


def _moves(spec: ProtocolSpec) -> set[tuple[str, str, str]]:
    """Every (event, from, to) step that changes the status; `any` for `from: any`."""
    return {(event, source, target) for event, source, target, _ in _kinded_moves(spec)}


def _kinded_moves(spec: ProtocolSpec) -> set[tuple[str, str, str, EventKind]]:
    moves = set()
    for event in spec.events:
        for source in event.sources_from or ("any",):
            if event.target is not None and event.target != source:
                moves.add((event.id, source, event.target, event.kind))
    return moves


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_every_step_is_in_the_parts_of_both_its_tiers(path):
    """Nothing is lost by cutting: each step that moves a case is an arrow in the part of
    the tier it leaves and of the tier it enters, and nowhere else; each step that
    keeps the case where it is is listed in its status; every tier has its part."""
    spec = load_spec(path)
    tier_of = {status.id: status.tier for status in spec.statuses}
    parts = tier_parts(spec)
    assert [part.tier for part in parts] == tier_order(tier_of.values())
    for event, source, target in _moves(spec):
        tiers = {tier_of[target]} | ({tier_of[source]} if source != "any" else set())
        holding = {
            part.tier
            for part in parts
            for arrow in part.arrows
            if (event, source, target) in arrow.steps
        }
        assert holding == tiers, (event, source, target)
    for part in parts:
        numbers = [arrow.number for arrow in part.arrows]
        assert numbers == list(range(1, len(numbers) + 1))
        for arrow in part.arrows:
            assert f"label=<<b>{arrow.number}</b>>" in part.graph.source
            assert len({kind_group(event.kind) for event in arrow.events}) == 1
            assert {event.modality for event in arrow.events} == {arrow.modality}
    for event in spec.events:
        for source in event.sources_from:
            if event.target in (None, source):
                part = next(p for p in parts if p.tier is tier_of[source])
                assert f"<b>{event.id}</b>" in part.graph.source, (event.id, source)


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_the_tier_map_counts_every_move_between_tiers(path):
    """Each map arrow's number is how many events move a case between those tiers in
    that way, and each tier box links to its part."""
    spec = load_spec(path)
    tier_of = {status.id: status.tier for status in spec.statuses}
    crossing = {
        ("any" if source == "any" else tier_of[source], tier_of[target], kind_group(kind), event)
        for event, source, target, kind in _kinded_moves(spec)
        if source == "any" or tier_of[source] is not tier_of[target]
    }
    source = tier_map(spec, lambda tier: f"#part-{tier.value}").source
    counted = [int(n) for n in re.findall(r' -> \S+ \[.*?label="?(\d+)"?', source)]
    assert sum(counted) == len(crossing)
    for tier in set(tier_of.values()):
        assert f'href="#part-{tier.value}"' in source


def test_a_step_that_keeps_the_case_and_gives_way_says_so_in_its_part():
    """A step listed inside its status's box (it keeps the case there) still says which
    route pre-empts it."""
    loaded = load_spec(Path("tests/fixtures/specs/valid/precedence.yaml"))
    spec = evolve(loaded, precedence=(evolve(loaded.precedence[0], over=("raise_concerns",)),))

    (cin,) = (part for part in tier_parts(spec) if part.tier is Tier.CIN)
    assert "<b>raise_concerns</b> (gives way to urgent_step_up)" in cin.graph.source
