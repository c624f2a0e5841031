"""Which days a periodic meeting may sit on, for re-timing a trace (`retime.py`).

A meeting whose document names no day may sit on any day its cadence allows: each
weekday for a weekly one, each of ten for a fortnightly one, each day of the month
for a monthly one. A trace's events at a meeting must all fall on its sittings; this
module lists the choices and keeps those that fit, cheaply, before any replay.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from stepcheck.oracle.calendar_rules import Sittings, sittings_of
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.realise import Mismatch
from stepcheck.spec.citations import long_date
from stepcheck.spec.model import CadenceKind
from stepcheck.spec.trace import StepKind, Trace
from stepcheck.spec.workdays import is_working_day

__all__ = [
    "Choice",
    "chosen_days",
    "executor_with",
    "free_meeting",
    "meeting_choices",
    "meeting_days",
    "meeting_events",
]

Choice = tuple[date | None, Sittings]
"""A day a meeting sits from (None: as the executor has it), and the sittings it gives."""

_FREE_KINDS = (CadenceKind.WEEKLY, CadenceKind.FORTNIGHTLY, CadenceKind.MONTHLY)
_QUIET_WEEK = date(2000, 1, 10)


def meeting_events(executor: Executor, trace: Trace) -> dict[str, list[tuple[int, int]]]:
    """For each periodic meeting, the (step index, working-day offset) of the events at it."""
    found: dict[str, list[tuple[int, int]]] = {}
    offset = 0
    for index, step in enumerate(trace.steps):
        offset += step.kind is StepKind.TICK
        event = executor.index.events.get(step.name or "") if step.kind is StepKind.EVENT else None
        if event is not None and event.at is not None and event.at in executor.index.sittings:
            found.setdefault(event.at, []).append((index, offset))
    return found


def free_meeting(executor: Executor, meeting: str) -> bool:
    cadence = executor.spec.meeting_by_id(meeting).cadence
    return cadence.kind in _FREE_KINDS and cadence.weekday is None


def meeting_choices(executor: Executor, meeting: str) -> list[Choice]:
    """The sittings a meeting without a named day may have: the executor's own first."""
    cadence = executor.spec.meeting_by_id(meeting).cadence
    own = executor.index.sittings[meeting]
    found: list[Choice] = [(None, own)]
    for anchor in _anchors(cadence.kind):
        sittings = sittings_of(cadence, anchor)
        if sittings is not None and sittings != own:
            found.append((anchor, sittings))
    return found


def _anchors(kind: CadenceKind) -> list[date]:
    """One day for each way the meeting may sit, in a stretch with no bank holiday."""
    if kind is CadenceKind.MONTHLY:
        return [_working_day_of_month(day) for day in range(1, 29)]
    weeks = 1 if kind is CadenceKind.WEEKLY else 2
    return [
        _QUIET_WEEK + timedelta(days=7 * week + day) for week in range(weeks) for day in range(5)
    ]


def _working_day_of_month(day: int) -> date:
    """The first date from January 2000 on with this day of the month that is a working day."""
    for months in itertools.count():
        found = date(2000 + months // 12, 1 + months % 12, day)
        if is_working_day(found):
            return found
    raise AssertionError("unreachable")


def meeting_days(
    base: Executor,
    events: Mapping[str, list[tuple[int, int]]],
    choices: Mapping[str, list[Choice]],
    days: Sequence[date],
    position: int,
) -> Iterator[tuple[date | None, ...] | Mismatch]:
    """The meeting days to try from `days[position]`: every event at a meeting on a sitting.

    Yields the first mismatch instead when no choice fits, so the search can report it.
    """
    fitting: list[list[date | None]] = []
    for meeting, at in events.items():
        options = choices.get(meeting, [(None, base.index.sittings[meeting])])
        kept = [anchor for anchor, sittings in options if _sits_all(sittings, at, days, position)]
        if not kept:
            yield _not_sitting(meeting, options[0][1], at, days, position)
            return
        if meeting in choices:
            fitting.append(kept)
    yield from itertools.product(*fitting)


def _sits_all(
    sittings: Sittings, at: list[tuple[int, int]], days: Sequence[date], position: int
) -> bool:
    return all(sittings.sits(days[position + offset]) for _, offset in at)


def _not_sitting(
    meeting: str,
    sittings: Sittings,
    at: list[tuple[int, int]],
    days: Sequence[date],
    position: int,
) -> Mismatch:
    index, offset = next(
        (index, offset) for index, offset in at if not sittings.sits(days[position + offset])
    )
    return Mismatch(
        start=days[position],
        index=index,
        field="step",
        expected=f"'{meeting}' sits",
        actual=f"'{meeting}' does not sit on {long_date(days[position + offset])}",
    )


def executor_with(
    base: Executor, choices: Mapping[str, list[Choice]], combination: tuple[date | None, ...]
) -> Executor:
    chosen = chosen_days(choices, combination)
    return base.with_meetings(chosen) if chosen else base


def chosen_days(
    choices: Mapping[str, list[Choice]], combination: tuple[date | None, ...]
) -> dict[str, date]:
    return {
        meeting: anchor
        for meeting, anchor in zip(choices, combination, strict=True)
        if anchor is not None
    }
