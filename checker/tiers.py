"""Verdicts and findings decided in every reading of the tiers a document leaves open.

A status may say `tier: [targeted, cp]` or `tier: unspecified`: the engines read one
tier per status, so each property and each structural check is decided in every
reading (`spec.readings.tier_readings`) and the answers are put together here:

- a verdict the same in every reading is that verdict, saying it was decided in each;
- a verdict the readings disagree on is the worst of them (violated, then unknown),
  with the reading's trace, and says which reading gives which ("holds if 'x' is
  targeted; violated if 'x' is cp"): never a plain pass;
- a finding present in some readings only says in which;
- every status with an open tier is a finding of its own (SPEC232).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attrs import evolve

from stepcheck.checker.results import PropertyResult, Strength, Verdict
from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import ProtocolSpec, Status
from stepcheck.spec.readings import TierReading, open_statuses, tier_words

__all__ = [
    "combine_present",
    "combine_results",
    "in_every_reading",
    "open_tier_findings",
    "reading_listing",
]

_WORST = {Verdict.PROVED: 0, Verdict.UNKNOWN: 1, Verdict.VIOLATED: 2}
_EACH = {
    Verdict.PROVED: "it holds",
    Verdict.VIOLATED: "it is violated",
    Verdict.UNKNOWN: "it is undecided",
}
_WORDS = {Verdict.PROVED: "holds", Verdict.VIOLATED: "violated", Verdict.UNKNOWN: "undecided"}


def reading_listing(readings: Sequence[TierReading], verdicts: Sequence[Verdict]) -> str:
    """ "holds if 'x' is targeted; violated if 'x' is cp", verdicts in a fixed order."""
    parts = []
    for verdict in (Verdict.PROVED, Verdict.VIOLATED, Verdict.UNKNOWN):
        which = [r.words() for r, v in zip(readings, verdicts, strict=True) if v is verdict]
        if which:
            parts.append(f"{_WORDS[verdict]} if {' or '.join(which)}")
    return "; ".join(parts)


def combine_results(
    spec: ProtocolSpec, readings: Sequence[TierReading], results: Sequence[PropertyResult]
) -> PropertyResult:
    """One property's verdict over every reading (`results[i]` decided in `readings[i]`)."""
    verdicts = [result.verdict for result in results]
    listing = reading_listing(readings, verdicts)
    seconds = round(sum(result.seconds for result in results), 3)
    if len(set(verdicts)) == 1:
        chosen = _weakest(results)
        if len(readings) == 1:
            note = f"Decided {_left_out(readings[0])}."
        else:
            note = (
                f"Decided in every reading of {_what_open(readings)} "
                f"({_open_words(spec, readings)}): {_EACH[verdicts[0]]} in each."
            )
        return evolve(chosen, assumptions=(*chosen.assumptions, note), seconds=seconds)
    chosen = max(results, key=lambda result: _WORST[result.verdict])
    index = results.index(chosen)
    what = _what_open(readings)
    changes = _changes_with(readings, verdicts)
    note = (
        f"The verdict depends on {what}: {listing}. "
        f"The {chosen.verdict.value} reading is shown ({readings[index].words()})."
    )
    said = f"changes with {changes}" if changes else "depends on the tier the document leaves open"
    return evolve(
        chosen,
        summary=f"{chosen.summary} This {said}: {listing}.",
        assumptions=(*chosen.assumptions, note),
        seconds=seconds,
    )


def combine_present(
    spec: ProtocolSpec,
    readings: Sequence[TierReading],
    results: Sequence[PropertyResult | None],
) -> PropertyResult | None:
    """One property's verdict over the readings it exists in (`results[i]` is None where
    reading i dropped it: it comes from a document absent there, `spec/assume.py`); it
    says where it exists. None when it exists in no reading (a superseded document's)."""
    if not readings:
        return results[0]
    kept = [(reading, r) for reading, r in zip(readings, results, strict=True) if r is not None]
    if not kept:
        return None
    if len(kept) == len(readings):
        return combine_results(spec, readings, [r for _, r in kept])
    # in one reading only, its words are the note below; in several, say how they agree
    combined = (
        kept[0][1]
        if len(kept) == 1
        else combine_results(spec, [k for k, _ in kept], [r for _, r in kept])
    )
    where = " or ".join(reading.words() for reading, _ in kept)
    note = (
        f"This property exists only where {where}: it comes from a document that "
        "applies only then, and is decided there."
    )
    return evolve(combined, assumptions=(*combined.assumptions, note))


def _what_open(readings: Sequence[TierReading]) -> str:
    tiers = bool(readings[0].choices)
    documents = len({reading.documents for reading in readings}) > 1
    if tiers and documents:
        return "the tiers the document leaves open and the documents that apply"
    return "the documents that apply" if documents else "the tiers the document leaves open"


def _changes_with(readings: Sequence[TierReading], verdicts: Sequence[Verdict]) -> str:
    """ "document 'annexes'": each conditional document two readings differing only in
    it give different verdicts for, in spec order; "" when none does."""
    found = []
    for position, (doc_id, _) in enumerate(readings[0].documents):
        seen: dict[object, set[Verdict]] = {}
        for reading, verdict in zip(readings, verdicts, strict=True):
            rest = (
                reading.choices,
                reading.documents[:position],
                reading.documents[position + 1 :],
            )
            seen.setdefault(rest, set()).add(verdict)
        if any(len(both) > 1 for both in seen.values()):
            found.append(f"document '{doc_id}'")
    return " and ".join(found)


def _left_out(reading: TierReading) -> str:
    """ "without the rules only the superseded 'sv_2019' gives" (one reading: nothing open,
    only superseded documents left out), or the reading's words."""
    if reading.choices or reading.documents or not reading.left_out:
        return f"with {reading.words()}"
    names = " and ".join(repr(doc) for doc in reading.left_out)
    plural = len(reading.left_out) > 1
    return f"without the rules only {names} {'give' if plural else 'gives'} (left out)"


def _weakest(results: Sequence[PropertyResult]) -> PropertyResult:
    """Of equal verdicts, the one that claims least: a bounded proof before an unbounded
    one, the shallowest bound, the longest worst case; the first reading on a tie."""

    def claim(result: PropertyResult) -> tuple[int, int, int]:
        bound = result.bound
        bounded = 0 if result.strength is Strength.BOUNDED else 1
        depth = bound.depth if bound is not None and bound.depth is not None else 1 << 30
        days = bound.working_days if bound is not None and bound.working_days is not None else 0
        return (bounded, depth, -days)

    return min(results, key=claim)


def in_every_reading(
    spec: ProtocolSpec,
    readings: Sequence[TierReading],
    check: Callable[[ProtocolSpec], list[Diagnostic]],
) -> list[Diagnostic]:
    """The findings of `check` in every reading; one found in some readings only says in
    which ("only if 'x' is cp"); then a finding for each status with an open tier."""
    found = [check(reading.spec) for reading in readings]
    merged: dict[Diagnostic, list[int]] = {}
    for index, diagnostics in enumerate(found):
        for diagnostic in diagnostics:
            merged.setdefault(diagnostic, []).append(index)
    out = []
    for diagnostic, where in merged.items():
        if len(where) == len(readings):
            out.append(diagnostic)
            continue
        words = " or ".join(readings[i].words() for i in where)
        out.append(evolve(diagnostic, message=f"{diagnostic.message} (only if {words})"))
    return sorted([*out, *open_tier_findings(spec)], key=Diagnostic.sort_key)


def open_tier_findings(spec: ProtocolSpec) -> list[Diagnostic]:
    """Each status whose tier the document leaves open."""
    return [_open(status) for status in open_statuses(spec)]


def _open(status: Status) -> Diagnostic:
    said = (
        "does not say its tier"
        if status.tier_unspecified
        else f"leaves its tier open ({_choices(status)})"
    )
    return finding(
        "SPEC232",
        f"the document {said} for status '{status.id}': every property and finding that "
        "depends on the tier is decided in each reading, and says so where they differ",
        status.span,
        status.sources,
        "the document should say which tier (and so which service) a case here is in",
        subject=f"status:{status.id}",
    )


def _choices(status: Status) -> str:
    return " or ".join(tier_words(tier) for tier in status.tier_open)


def _open_words(spec: ProtocolSpec, readings: Sequence[TierReading]) -> str:
    tiers = [f"'{status.id}' is {_choices(status)}" for status in open_statuses(spec)]
    documents = []
    for position, (doc_id, _) in enumerate(readings[0].documents):
        states = {reading.documents[position][1] for reading in readings}
        words = " or ".join(
            "present" if state else "absent" for state in sorted(states, reverse=True)
        )
        documents.append(f"'{doc_id}' is {words}")
    if readings[0].left_out:
        documents.append(f"{' and '.join(repr(d) for d in readings[0].left_out)} left out")
    return "; ".join([*tiers, *documents])
