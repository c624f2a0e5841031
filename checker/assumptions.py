"""What a verdict took for granted, in words (`PropertyResult.assumptions`).

A proof in the finite model holds for runs in which people comply: time does not pass
while a must deadline is due and can be met, or while a dispute's time limit has run
out and it can move on (SEMANTICS, "Ticks"). Properties about states are also checked
on runs where deadlines may be missed; a proof there needs no such assumption. And the
model counts whole working days, so a limit written in hours is read as the working
days it can span; the oracle's executor checks clock hours on dated runs.
"""

from __future__ import annotations

from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Verdict
from stepcheck.checker.slicing import SAFETY
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import Direction, Modality, Property, ProtocolSpec
from stepcheck.spec.timing import Timing

__all__ = ["assumptions", "time_limits"]


def assumptions(
    spec: ProtocolSpec,
    prop: Property,
    outcome: Outcome,
    times: Timing,
    missed: Outcome | None,
) -> tuple[str, ...]:
    """The assumptions behind `outcome`, each one sentence; none for a violation."""
    if outcome.verdict is not Verdict.PROVED or outcome.vacuous:
        return ()
    found: list[str] = []
    limits = time_limits(spec, times)
    if prop.kind in SAFETY:
        if missed is not None and missed.verdict is Verdict.VIOLATED and limits:
            found.append(
                "Holds only while people meet the deadlines and time limits they can meet "
                f"({_listed(limits)}); when one is missed it can fail, as the run shown after "
                "the verdict does."
            )
        elif missed is not None and missed.verdict is Verdict.UNKNOWN and limits:
            found.append(
                "Assumes people meet the deadlines and time limits they can meet "
                f"({_listed(limits)}); whether it holds when one is missed was not decided "
                f"({missed.reason})."
            )
    elif limits:
        found.append(
            "Assumes people meet the deadlines and time limits they can meet, so that time "
            f"does not run past them ({_listed(limits)})."
        )
    within = prop.within
    if isinstance(within, Duration) and within.unit is Unit.HOURS and prop.id in times.within:
        hi = times.within[prop.id][1]
        found.append(
            f"'{within}' is counted as at most {hi} working day{'s' if hi != 1 else ''}: the "
            "checker counts whole working days, not clock hours; the oracle's executor "
            "checks clock hours on dated runs."
        )
    return tuple(found)


def time_limits(spec: ProtocolSpec, times: Timing) -> list[str]:
    """The must deadlines and the escalation limits that hold time back in the model
    (none: runs where people miss them are the runs where they comply)."""
    deadlines = [
        d.id
        for d in spec.deadlines
        if d.id in times.deadlines
        and d.direction is Direction.AFTER
        and d.modality is Modality.MUST
    ]
    ladders = [
        ladder.id
        for ladder in spec.escalations
        if ladder.id in times.disputes
        or any((ladder.id, level.id) in times.levels for level in ladder.levels)
    ]
    return deadlines + [f"escalation '{ladder}'" for ladder in ladders]


def _listed(names: list[str]) -> str:
    quoted = [name if name.startswith("escalation") else f"'{name}'" for name in names]
    if len(quoted) <= 6:
        return ", ".join(quoted)
    return ", ".join(quoted[:5]) + f" and {len(quoted) - 5} more"
