"""Realistic audit logs made by the reference executor, with violations planted on request.

Each case starts on a working day in a random initial status (opened as replay will
open it, `replay_engine.opening`) and takes random enabled steps in office hours, a
few hours to a few working days apart (a step at a meeting with a time of day only
from that time, as the executor enables it), never letting an enforced deadline pass (a
step that meets a running deadline is preferred) and stopping at a final status.
The log is cut back to the last moment the case owes nothing, so a clean log
replays with no finding at any end date. Everything follows from the seed.

Planted violations (`PLANT_KINDS`), each in its own case and listed with its row:

- `from`: an event the case's status does not allow, taken anyway (`Executor.force`);
- `guard`: an event whose only obstacle is a guard, taken anyway;
- `deadline`: the case left untouched until the working day after a due date.

Each plant is made so that replay reports exactly it: one refusal, or one deadline
running. A plant the case cannot take (no such event, no deadline) is skipped, and
the sidecar lists only the plants the log holds.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Final

from attrs import frozen

from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.replay_engine import opening
from stepcheck.oracle.replay_rows import LONDON
from stepcheck.oracle.types import Rejected
from stepcheck.spec.model import Direction, ProtocolSpec, Reading
from stepcheck.spec.workdays import is_working_day, next_working_day

__all__ = ["PLANT_KINDS", "Plant", "SimRow", "Simulated", "render_log", "render_plants", "simulate"]

PLANT_KINDS: Final = ("from", "guard", "deadline")
DEFAULT_START: Final = date(2026, 1, 5)
_OPEN: Final = time(9, 0)
_DAY_MINUTES: Final = 8 * 60


@frozen(kw_only=True)
class SimRow:
    """One simulated row: case, local wall time, step, and the status and owner after it."""

    case: str
    local: datetime
    event: str
    status: str
    owner: str


@frozen(kw_only=True)
class Plant:
    """A planted violation: the row (1-based, in the written log) and the rule it breaks."""

    case: str
    row: int
    kind: str
    element: str


@frozen(kw_only=True)
class Simulated:
    """A simulated log, rows in time order, and the violations planted in it."""

    rows: tuple[SimRow, ...]
    plants: tuple[Plant, ...]
    seed: int


def simulate(
    spec: ProtocolSpec,
    *,
    cases: int,
    seed: int,
    plants: Sequence[str] = (),
    reading: Reading = Reading.SHOULD,
    start: date = DEFAULT_START,
) -> Simulated:
    """`cases` cases of `spec` from `seed`; every third case carries one of `plants` in turn."""
    executor = Executor(spec, reading)
    rows: list[tuple[SimRow, str | None, str | None]] = []
    for number in range(cases):
        rng = random.Random(f"{seed}:{number}")
        kind = plants[(number // 3) % len(plants)] if plants and number % 3 == 0 else None
        rows += _one_case(executor, rng, f"C{number + 1:05d}", kind, start)
    rows.sort(key=lambda item: (item[0].local, item[0].case))
    found = tuple(
        Plant(case=row.case, row=position, kind=kind, element=element)
        for position, (row, kind, element) in enumerate(rows, start=1)
        if kind is not None and element is not None
    )
    return Simulated(rows=tuple(row for row, _, _ in rows), plants=found, seed=seed)


def render_log(simulated: Simulated, log_format: str = "csv") -> str:
    """The log in the canonical columns (`case,time,event,status,owner`), times with offsets."""
    lines = []
    for row in simulated.rows:
        when = row.local.replace(tzinfo=LONDON).isoformat()
        if log_format == "jsonl":
            fields = {"case": row.case, "time": when, "event": row.event}
            fields |= {"status": row.status, "owner": row.owner}
            lines.append(json.dumps(fields, sort_keys=True))
        else:
            lines.append(f"{row.case},{when},{row.event},{row.status},{row.owner}")
    header = [] if log_format == "jsonl" else ["case,time,event,status,owner"]
    return "\n".join([*header, *lines]) + "\n"


def render_plants(simulated: Simulated) -> str:
    """The sidecar: the seed and every planted violation, as JSON."""
    body = {
        "seed": simulated.seed,
        "plants": [
            {"case": p.case, "row": p.row, "kind": p.kind, "element": p.element}
            for p in simulated.plants
        ],
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


_Step = tuple[SimRow, str | None, str | None]


def _one_case(
    executor: Executor, rng: random.Random, case_id: str, plant: str | None, start: date
) -> list[_Step]:
    """One case's rows, with the plant (kind, element) on the row that carries it, cut back
    to the last row after which no enforced deadline is running."""
    begin = _office_time(rng, start + timedelta(days=rng.randrange(300)))
    initial = [status.id for status in executor.spec.statuses if status.initial]
    case = executor.start(at=begin, status=rng.choice(initial))
    steps: list[_Step] = []
    safe = 0
    for count in range(rng.randint(3, 12)):
        planted = None
        if plant is not None and count >= 1 and not any(kind for _, kind, _ in steps):
            planted = _plant(executor, rng, case, plant)
        if planted is not None:
            step, case, (kind, element) = planted
            steps.append((_row(case_id, case, step), kind, element))
        else:
            at = _next_time(executor, rng, case) if count else begin
            chosen = None if at is None else _choose(executor, rng, case, at)
            if chosen is None:
                break
            step, case = chosen
            if not count:  # open the case as replay will, from the first row alone
                case = executor.apply(opening(executor, step, begin), step, at=begin).case
            steps.append((_row(case_id, case, step), None, None))
        if not _owing(executor, case):
            safe = len(steps)
        if executor.index.statuses[case.status].final:
            break
    return steps[:safe]


def _row(case_id: str, case: Case, step: str) -> SimRow:
    return SimRow(case=case_id, local=case.now, event=step, status=case.status, owner=case.owner)


def _choose(
    executor: Executor, rng: random.Random, case: Case, at: datetime
) -> tuple[str, Case] | None:
    """A random enabled step at `at`, preferring one that meets a running deadline."""
    enabled = executor.enabled(case, at)
    if not enabled:
        return None
    owed = {step for due in case.due for step in due.obligation}
    meeting = [
        step
        for step in enabled
        if step in owed
        or (step in executor.index.events and executor.index.events[step].target in owed)
    ]
    pool = meeting if meeting and rng.random() < 0.8 else list(enabled)
    step = rng.choice(pool)
    return step, executor.apply(case, step, at=at).case


_Planted = tuple[str, Case, tuple[str, str]]
"""The step taken, the case after it, and (kind, element) of the violation planted."""


def _plant(executor: Executor, rng: random.Random, case: Case, kind: str) -> _Planted | None:
    """A step breaking exactly one rule of `kind`, taken anyway; None if the case has none."""
    if kind == "deadline":
        return _plant_deadline(executor, rng, case)
    at = _next_time(executor, rng, case)
    if at is None:
        return None
    candidates = []
    for step in sorted(executor.index.events):
        result = executor.apply(case, step, at=at)
        if (
            isinstance(result, Rejected)
            and len(result.refusals) == 1
            and result.refusals[0].kind == kind
        ):
            candidates.append(step)
    if not candidates:
        return None
    step = rng.choice(candidates)
    forced = executor.force(case, step, at=at)
    if forced is None:
        return None
    return step, forced, (kind, step)


def _plant_deadline(executor: Executor, rng: random.Random, case: Case) -> _Planted | None:
    """The next step on the working day after the due date of the one enforced deadline
    running (None unless exactly one runs, so that replay finds exactly one)."""
    running = [due for due in case.due if _enforced(executor, due.deadline)]
    if len(running) != 1:
        return None
    late = datetime.combine(next_working_day(running[0].by), _OPEN) + timedelta(
        minutes=rng.randrange(_DAY_MINUTES)
    )
    chosen = _choose(executor, rng, case, max(late, case.now + timedelta(minutes=1)))
    if chosen is None:
        return None
    step, after = chosen
    return step, after, ("deadline", running[0].deadline)


def _next_time(executor: Executor, rng: random.Random, case: Case) -> datetime | None:
    """A later moment in office hours, before any enforced deadline running would pass."""
    gap = timedelta(minutes=rng.choice((30, 90, 240, 60 * 24, 60 * 24 * 3)) + rng.randrange(60))
    at = case.now + gap
    if not is_working_day(at.date()) or not _OPEN <= at.time() <= time(17, 0):
        at = _office_time(rng, next_working_day(at.date()) if at.time() > _OPEN else at.date())
    for due in case.due:
        if _enforced(executor, due.deadline):
            limit = due.ends if due.ends is not None else datetime.combine(due.by, time(16, 59))
            at = min(at, limit)
    if at <= case.now:
        return None
    return at


def _office_time(rng: random.Random, day: date) -> datetime:
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, _OPEN) + timedelta(minutes=rng.randrange(_DAY_MINUTES))


def _owing(executor: Executor, case: Case) -> bool:
    return any(_enforced(executor, due.deadline) for due in case.due)


def _enforced(executor: Executor, deadline: str) -> bool:
    found = next(d for d in executor.index.timed if d.id == deadline)
    return found.direction is Direction.AFTER and executor.index.reading.enforces(found.modality)
