"""Readings of a spec whose document leaves some statuses' tiers open, or whose
documents apply only conditionally.

    for reading in tier_readings(spec):
        reading.spec      # the same spec with every open tier fixed, every document decided
        reading.words()   # "'ehp_open' is targeted and 'annexes' is absent"

A status may say `tier: [targeted, cp]` or `tier: unspecified` (every tier). No engine
reads such a status: each reading is a spec in which every open tier is fixed to one
of its choices, and a property or finding that depends on the tier is decided in every
reading. A verdict the readings disagree on is reported as such ("holds if 'x' is
targeted; violated if 'x' is cp"), never as a plain pass. Readings are in a fixed
order: statuses in spec order, each status's tiers lowest first.

Conditional documents (`applies: conditional`) are one more choice each, present then
absent, and superseded ones are absent unless assumed present (`spec/assume.py` drops
the rules of absent documents): the same mechanism, so a verdict that changes with a
document says so as one that changes with a tier does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product
from typing import Final

from attrs import evolve, frozen

from stepcheck.spec.assume import assume, document_words, undecided
from stepcheck.spec.diagnostics import InternalError, StepcheckError
from stepcheck.spec.model import ProtocolSpec, Status, Tier

__all__ = [
    "MAX_READINGS",
    "ReadingNotChosen",
    "TierReading",
    "choose_reading",
    "open_statuses",
    "require_closed",
    "tier_readings",
]

MAX_READINGS: Final = 32
"""The most readings a spec may have: each is a full verification."""


@frozen(kw_only=True)
class TierReading:
    """One reading: the tier chosen for each open status, whether each conditional or
    superseded document is present, and the spec it gives."""

    choices: tuple[tuple[str, Tier], ...]
    spec: ProtocolSpec
    documents: tuple[tuple[str, bool], ...] = ()
    """Each conditional document still undecided, and whether it is present here."""
    left_out: tuple[str, ...] = ()
    """The documents left out in every reading: superseded ones not assumed present,
    and those `--assume` made absent."""

    def words(self) -> str:
        """ "'ehp_open' is targeted and 'annexes' is absent"."""
        tiers = [f"'{status}' is {tier_words(tier)}" for status, tier in self.choices]
        documents = [document_words(doc, present) for doc, present in self.documents]
        return " and ".join([*tiers, *documents])


def tier_words(tier: Tier) -> str:
    return tier.value.replace("_", " ")


def open_statuses(spec: ProtocolSpec) -> tuple[Status, ...]:
    """The statuses whose tier the document leaves open, in spec order."""
    return tuple(status for status in spec.statuses if status.tier_open)


def tier_readings(spec: ProtocolSpec) -> tuple[TierReading, ...]:
    """Every reading of the open tiers and conditional documents, or () when the spec
    leaves nothing open and holds no conditional or superseded document undecided."""
    opened = open_statuses(spec)
    conditional = undecided(spec)
    left_out = tuple(
        d.id
        for d in spec.documents
        if d.assumed is False or (d.superseded_by is not None and d.assumed is None)
    )
    if not opened and not conditional and not left_out:
        return ()
    readings = []
    for chosen in product(*(status.tier_open for status in opened)):
        choices = tuple(zip((status.id for status in opened), chosen, strict=True))
        fixed = _fixed(spec, dict(choices))
        for present in product(*((True, False) for _ in conditional)):
            documents = tuple(zip((d.id for d in conditional), present, strict=True))
            readings.append(
                TierReading(
                    choices=choices,
                    spec=assume(fixed, dict(documents)),
                    documents=documents,
                    left_out=left_out,
                )
            )
    return tuple(readings)


def require_closed(spec: ProtocolSpec, who: str) -> None:
    """An engine reads one tier per status: given an open one it would check only one
    reading and call it the whole, so that is our bug, not the user's."""
    opened = open_statuses(spec)
    if opened:
        raise InternalError(
            f"{who} was given '{opened[0].id}', whose tier is open; "
            "pass each of spec.readings.tier_readings(spec) instead"
        )


def choose_reading(spec: ProtocolSpec, chosen: Sequence[str]) -> ProtocolSpec:
    """The spec in the one reading `chosen` names (`STATUS=TIER` each), for the commands
    that follow one reading (the executor's `test`, `replay`, `simulate`; `export`).
    They follow the spec as written otherwise: conditional documents present,
    superseded ones absent (`spec.assume.assume` with no assumptions).

    Raises:
        ReadingNotChosen: an open tier is not chosen, or a choice is not one of its tiers.
    """
    opened = {status.id: status for status in open_statuses(spec)}
    if not opened and not chosen:
        return assume(spec, {})
    fixed: dict[str, Tier] = {}
    for text in chosen:
        status_id, _, tier_text = text.partition("=")
        status = opened.get(status_id.strip())
        if status is None:
            raise ReadingNotChosen(
                f"--tier {text}: '{status_id.strip()}' is not a status whose tier the "
                f"document leaves open; those are: {_listing(opened.values())}"
            )
        tier = next((t for t in status.tier_open if t.value == tier_text.strip()), None)
        if tier is None:
            raise ReadingNotChosen(
                f"--tier {text}: the tier of '{status.id}' is one of "
                f"{', '.join(t.value for t in status.tier_open)}"
            )
        fixed[status.id] = tier
    missing = [status for status_id, status in opened.items() if status_id not in fixed]
    if missing:
        raise ReadingNotChosen(
            f"the document leaves the tier of {_listing(missing)} open, and this command "
            "follows one reading: choose it with --tier STATUS=TIER (e.g. --tier "
            f"{missing[0].id}={missing[0].tier_open[0].value}; in Python, "
            "stepcheck.spec.readings.choose_reading); `verify` checks every reading"
        )
    return assume(_fixed(spec, fixed), {})


def _fixed(spec: ProtocolSpec, fixed: dict[str, Tier]) -> ProtocolSpec:
    statuses = tuple(
        evolve(status, tier=fixed[status.id], tier_open=(), tier_unspecified=False)
        if status.id in fixed
        else status
        for status in spec.statuses
    )
    return evolve(spec, statuses=statuses)


class ReadingNotChosen(StepcheckError):
    """A command that follows one reading was not told which (exit 2)."""


def _listing(statuses: Iterable[Status]) -> str:
    return "; ".join(
        f"'{status.id}' ({', '.join(t.value for t in status.tier_open)})" for status in statuses
    )
