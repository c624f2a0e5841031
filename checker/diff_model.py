"""What a semantic diff of two versions of a spec found, as data; writers only format it.

A `Change` is one item a reviewer reads: a verdict that moved, behaviour newly possible
or no longer possible, a deadline, meeting, ladder or window that changed, a finding
new or fixed. Each says in words what changed, whether it got worse, the old and new
value, the rule it rests on and the YAML line (in NEW, or in OLD for a removal).

Exit codes follow `verify`: 0 nothing got worse, 1 something got worse (in the areas
`--fail-on` names), 2 bad input (raised before a `DiffReport` exists), 3 nothing got
worse but some comparison could not be decided (a verdict or a reachability question
left `unknown`), so CI never reads "could not tell" as "no change".
"""

from __future__ import annotations

from enum import Enum

from attrs import frozen

from stepcheck.spec.diagnostics import SourceSpan

__all__ = ["Area", "Change", "DiffReport", "Gate", "Pair"]


class Area(Enum):
    """Where a change was found, in the order a report shows them."""

    VERDICT = "verdict"
    BEHAVIOUR = "behaviour"
    ELEMENT = "element"
    FINDING = "finding"


class Gate(Enum):
    """What `--fail-on` can name: element changes count as behaviour."""

    VERDICT = "verdict"
    BEHAVIOUR = "behaviour"
    FINDING = "finding"


_GATE_OF = {
    Area.VERDICT: Gate.VERDICT,
    Area.BEHAVIOUR: Gate.BEHAVIOUR,
    Area.ELEMENT: Gate.BEHAVIOUR,
    Area.FINDING: Gate.FINDING,
}


@frozen(kw_only=True)
class Change:
    """One semantic change in one authority.

    `headline` is the sentence a reviewer reads first; `old` and `new` the values in
    words (None where the element is absent); `worse` whether it counts against the
    change; `unknown` that the comparison itself could not be decided. `span` is the
    YAML line it is about (`side` says which version: "new", or "old" for a removal).
    `key` orders changes and identifies them across runs.
    """

    area: Area
    authority: str
    headline: str
    worse: bool
    key: str
    old: str | None = None
    new: str | None = None
    rules: tuple[str, ...] = ()
    quote: str | None = None
    span: SourceSpan | None = None
    side: str = "new"
    detail: tuple[str, ...] = ()
    unknown: bool = False

    @property
    def gate(self) -> Gate:
        return _GATE_OF[self.area]

    def sort_key(self) -> tuple[str, int, int, str]:
        """Authority, area, worse first, then the stable key."""
        return (self.authority, list(Area).index(self.area), 0 if self.worse else 1, self.key)


@frozen(kw_only=True)
class Pair:
    """One authority's two versions (a path is None where the spec was added or removed)."""

    authority: str
    old: str | None
    new: str | None
    same_model: bool = False


@frozen(kw_only=True)
class DiffReport:
    """Every change over every pair of specs, sorted, and the pairs compared."""

    pairs: tuple[Pair, ...]
    changes: tuple[Change, ...]

    def worse(self, gates: frozenset[Gate]) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.worse and c.gate in gates)

    @property
    def unknowns(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.unknown)

    def exit_code(self, gates: frozenset[Gate]) -> int:
        """1 worse (in `gates`), else 3 when some comparison is unknown, else 0."""
        if self.worse(gates):
            return 1
        if self.unknowns:
            return 3
        return 0
