"""Tiers a document leaves open (`tier: [targeted, cp]`, `tier: unspecified`): reading
them, and the located errors for their misuse. What they mean is in `spec/readings.py`."""

from __future__ import annotations

from math import prod
from typing import Any

from stepcheck.spec.model import UNSPECIFIED, Source, Status, Tier
from stepcheck.spec.reader import SpecReader
from stepcheck.spec.readings import MAX_READINGS
from stepcheck.spec.yamlread import Path

__all__ = ["check_readings", "open_tiers"]


def open_tiers(
    r: SpecReader, status_id: str, path: Path, raw: Any, sources: tuple[Source, ...]
) -> tuple[Tier, ...]:
    """The tiers a status's document leaves open, lowest first; () for one tier.

    An open tier is a claim about what the document does not say, so it must quote the
    text that leaves it open."""
    if isinstance(raw, str) and raw != UNSPECIFIED.value:
        return ()
    if not any(source.quote for source in sources):
        r.problem(
            "SPEC130",
            f"status '{status_id}' leaves its tier open but quotes no text that does",
            (*path, "tier"),
            hint="add a source with the words that leave the tier open, e.g. "
            "source: {doc: protocol, quote: 'single specialist, targeted or universal "
            "service'}; or give the one tier the text names",
        )
    chosen = list(Tier) if raw == UNSPECIFIED.value else [Tier(value) for value in raw]
    order = list(Tier)
    return tuple(sorted(chosen, key=lambda tier: (tier.rank, order.index(tier))))


def check_readings(r: SpecReader, statuses: tuple[Status, ...]) -> None:
    """Every reading of the open tiers is verified, so their number is bounded."""
    open_statuses = [status for status in statuses if status.tier_open]
    count = prod(len(status.tier_open) for status in open_statuses)
    if count <= MAX_READINGS:
        return
    last = open_statuses[-1]
    r.problem(
        "SPEC131",
        f"the open tiers of {', '.join(repr(s.id) for s in open_statuses)} give "
        f"{count} readings, more than the {MAX_READINGS} that are each verified",
        ("statuses", last.id, "tier"),
        hint="list the tiers the text allows instead of 'unspecified' "
        "(e.g. tier: [targeted, cp]); every reading is a full verification",
    )
