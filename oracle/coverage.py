"""What a test of a system exercised, against what the protocol lets a case reach.

A *transition* is a step the oracle accepts in a status (each event from each status
it can fire in); a *refusal* is a step the oracle refuses in a status. The reachable
ones come from the oracle's own search (`oracle/targets.py`); the exercised ones are
every step sent to both sides. The report leads with the two percentages and lists
what was never reached, so "agrees" never hides "was not asked".
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

__all__ = ["Coverage", "Target"]

_LISTED = 12  # never-reached targets listed by name; the rest are counted


@frozen(order=True)
class Target:
    """A step in a status: accepted there by the oracle (`accepted`), or refused there."""

    step: str
    status: str
    accepted: bool

    def __str__(self) -> str:
        return f"{self.step} in {self.status}"


@frozen(kw_only=True)
class Coverage:
    """Reachable targets, those exercised, and how far the search for them went.

    `complete` is False when the oracle's search stopped at its state limit: then
    "reachable" counts what it found, which may be fewer than there are, and the report
    says so ("not shown: search bound N"), since the bound is a count of states and the
    same on every machine.
    """

    transitions: frozenset[Target]
    refusals: frozenset[Target]
    exercised: frozenset[Target]
    states: int
    complete: bool

    @classmethod
    def of(
        cls,
        transitions: Iterable[Target],
        refusals: Iterable[Target],
        exercised: Iterable[Target],
        *,
        states: int,
        complete: bool,
    ) -> Coverage:
        """Coverage, counting anything exercised but not found by the search as reachable."""
        seen = frozenset(exercised)
        return cls(
            transitions=frozenset(transitions) | {t for t in seen if t.accepted},
            refusals=frozenset(refusals) | {t for t in seen if not t.accepted},
            exercised=seen,
            states=states,
            complete=complete,
        )

    def missed(self, *, accepted: bool) -> tuple[Target, ...]:
        """The reachable transitions (or refusals) never exercised, sorted."""
        pool = self.transitions if accepted else self.refusals
        return tuple(sorted(pool - self.exercised))

    def percent(self, *, accepted: bool) -> float:
        """The share of reachable transitions (or refusals) exercised, 0-100."""
        pool = self.transitions if accepted else self.refusals
        if not pool:
            return 100.0
        return 100.0 * len(pool & self.exercised) / len(pool)

    def lowest(self) -> float:
        """The lower of the two percentages (what `--min-coverage` compares)."""
        return min(self.percent(accepted=True), self.percent(accepted=False))

    def lines(self) -> list[str]:
        """The coverage report: the two counts, then what was never reached."""
        lines = ["coverage:"]
        for accepted, name in ((True, "transitions"), (False, "refusals")):
            pool = self.transitions if accepted else self.refusals
            done = len(pool & self.exercised)
            lines.append(
                f"  {name}: {done} of {len(pool)} reachable exercised "
                f"({_pct(self.percent(accepted=accepted))})"
            )
            missed = self.missed(accepted=accepted)
            if missed:
                shown = ", ".join(str(target) for target in missed[:_LISTED])
                more = f", and {len(missed) - _LISTED} more" if len(missed) > _LISTED else ""
                lines.append(f"    never exercised: {shown}{more}")
        if self.complete:
            lines.append(
                f"  (reachable: found by the oracle searching {self.states} states, all of them)"
            )
        else:
            lines.append(
                f"  (reachable: found by the oracle searching {self.states} states; "
                f"not shown: search bound {self.states}, so a step only reachable past "
                "it is not counted)"
            )
        return lines

    def as_json(self) -> dict[str, object]:
        """The coverage as plain data (sorted lists), for JSON output."""
        pools = {True: self.transitions, False: self.refusals}
        return {
            kind: {
                "reachable": len(pools[accepted]),
                "exercised": len(pools[accepted] & self.exercised),
                "percent": round(self.percent(accepted=accepted), 1),
                "never_exercised": [
                    {"step": target.step, "status": target.status}
                    for target in self.missed(accepted=accepted)
                ],
            }
            for kind, accepted in (("transitions", True), ("refusals", False))
        } | {"states_searched": self.states, "search_complete": self.complete}


def _pct(value: float) -> str:
    return f"{value:.1f}%" if value < 100 else "100%"
