"""`replay_engine.sort_out` over columns: malformed rows, cases and their row order.

The same rules as the row engine, with numpy: a row naming an event, status or owner
the spec lacks is malformed (checked in that order, with the same reasons); among the
others a row with the case, instant and event of an earlier one is a duplicate of the
first of them; the rest are grouped by case and sorted by (instant, reading order).
A row earlier than the latest row read before it in its case is out of order. Only
the malformed and out-of-order rows become Python objects.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt
from attrs import frozen

from stepcheck.oracle.replay_columns import ColumnLog, Ints, local_time
from stepcheck.oracle.replay_index import RuleIndex
from stepcheck.oracle.replay_model import OutOfOrder
from stepcheck.oracle.replay_rows import Malformed
from stepcheck.oracle.replay_sort_kernel import group_cases

__all__ = ["SortedColumns", "last_replayable", "sort_columns"]


@frozen(kw_only=True, eq=False)
class SortedColumns:
    """A log's replayable rows as cases: `rows` lists row orders case by case (cases in
    order of `case_names` code, rows by instant then reading order); case `i` holds
    `rows[first[i]:first[i] + length[i]]`."""

    malformed: tuple[Malformed, ...]
    out_of_order: tuple[OutOfOrder, ...]
    rows: Ints
    cases: Ints
    first: Ints
    length: Ints
    step: Ints
    """Per row (by reading order): the spec step's index in `RuleIndex.executor.steps`."""
    status: Ints
    """Per row: the recorded status's index among the spec's statuses, -1 if none."""
    owner: Ints
    end: datetime | None


def last_replayable(rules: RuleIndex, log: ColumnLog) -> int | None:
    """The latest local time (microseconds) of a readable row whose names the spec has:
    `sort_columns`' end of the log (a duplicate has the time of the row it repeats)."""
    index = rules.executor.index
    known = log.readable.copy()
    for codes, names, spec_names in (
        (log.event, log.event_names, rules.executor.steps),
        (log.status, log.status_names, index.statuses),
        (log.owner, log.owner_names, index.owners),
    ):
        table = _codes(names, list(spec_names))
        if (table == -2).any():  # usually every name is the spec's: no row to look up
            known &= table[codes] != -2
    if known.all():
        return int(log.local.max()) if len(known) else None
    return int(log.local[known].max()) if known.any() else None


def _codes(names: tuple[str, ...], known: list[str]) -> Ints:
    """Each name's index in `known`, -2 when unknown; a trailing -1 keeps -1 as -1."""
    index = {name: code for code, name in enumerate(known)}
    return np.array([index.get(name, -2) for name in names] + [-1], np.int64)


def _unknown(codes: Ints, reason: str, found: dict[int, str]) -> None:
    """Set `reason` for every row whose code is -2 (a name the spec does not have)."""
    for order in np.flatnonzero(codes == -2).tolist():
        found.setdefault(order, reason)


def sort_columns(
    rules: RuleIndex, log: ColumnLog, as_of: datetime | None, *, reference: bool = False
) -> SortedColumns:
    """Set malformed rows apart and sort the rest into cases; the end of the log is
    `as_of`, else the last local time of a replayable row. The grouping is compiled
    (`replay_sort_kernel`); `reference` does it with numpy sorts instead."""
    index = rules.executor.index
    steps = _codes(log.event_names, list(rules.executor.steps))
    statuses = _codes(log.status_names, list(index.statuses))
    owners = _codes(log.owner_names, list(index.owners))
    readable = log.readable
    step = np.where(readable, steps[log.event], 0)
    status = np.where(readable, statuses[log.status], -1)
    owner = np.where(readable, owners[log.owner], -1)
    reasons: dict[int, str] = {}
    _unknown(step, "unknown event: not an event of the spec", reasons)
    _unknown(status, "unknown status: not a status of the spec", reasons)
    _unknown(owner, "unknown owner: not an owner of the spec", reasons)
    good = readable.copy()
    if reasons:
        good[np.fromiter(reasons, np.int64)] = False
    if reference:
        _duplicates(log, good, step, reasons)
        kept = np.flatnonzero(good)
        rows = kept[np.lexsort((kept, log.instant[kept], log.case[kept]))]
        cases, first, length = np.unique(log.case[rows], return_index=True, return_counts=True)
        out_of_order = _out_of_order(log, kept)
    else:
        duplicate_of, rows, (cases, first, length), late = group_cases(
            log.case, log.instant, step, good, len(log.case_names)
        )
        for order, earlier in zip(*_found(duplicate_of), strict=True):
            place = log.place(earlier)
            reasons[order] = (
                f"duplicate of row {place.row} of {place.file} (same case, time and event)"
            )
            good[order] = False
        kept = np.flatnonzero(good)
        out_of_order = tuple(
            OutOfOrder(
                place=log.place(row), case=log.case_names[log.case[row]], after=log.place(latest)
            )
            for row, latest in zip(late[0].tolist(), late[1].tolist(), strict=True)
        )
    malformed = {order: log.malformed[order] for order in log.malformed}
    for order, reason in reasons.items():
        malformed[order] = Malformed(
            place=log.place(order),
            order=order,
            reason=reason,
            case=log.case_names[log.case[order]],
        )
    end = as_of
    if end is None and len(kept):
        end = local_time(log.local[kept].max())
    return SortedColumns(
        malformed=tuple(malformed[order] for order in sorted(malformed)),
        out_of_order=out_of_order,
        rows=rows,
        cases=cases,
        first=first,
        length=length,
        step=step,
        status=status,
        owner=owner,
        end=end,
    )


def _found(duplicate_of: Ints) -> tuple[list[int], list[int]]:
    """The duplicate rows and the row each repeats."""
    rows = np.flatnonzero(duplicate_of >= 0)
    return rows.tolist(), duplicate_of[rows].tolist()


def _duplicates(
    log: ColumnLog, good: npt.NDArray[np.bool_], step: Ints, reasons: dict[int, str]
) -> None:
    """Mark each good row repeating the (case, instant, event) of an earlier good row."""
    kept = np.flatnonzero(good)
    if not len(kept):
        return
    ordered = kept[np.lexsort((kept, step[kept], log.instant[kept], log.case[kept]))]
    same = (
        (log.case[ordered[1:]] == log.case[ordered[:-1]])
        & (log.instant[ordered[1:]] == log.instant[ordered[:-1]])
        & (step[ordered[1:]] == step[ordered[:-1]])
    )
    if not same.any():
        return
    starts = np.concatenate(([True], ~same))
    group_first = ordered[np.maximum.accumulate(np.where(starts, np.arange(len(ordered)), 0))]
    for position in np.flatnonzero(~starts).tolist():
        order = int(ordered[position])
        earlier = log.place(int(group_first[position]))
        reasons[order] = (
            f"duplicate of row {earlier.row} of {earlier.file} (same case, time and event)"
        )
        good[order] = False


def _out_of_order(log: ColumnLog, kept: Ints) -> tuple[OutOfOrder, ...]:
    """Rows earlier than the latest row read before them in their case (`out_of_order`)."""
    if not len(kept):
        return ()
    by_case = kept[np.lexsort((kept, log.case[kept]))]
    case = log.case[by_case]
    instant = log.instant[by_case]
    ranks = np.unique(instant, return_inverse=True)[1].reshape(-1)
    keyed = case * (len(instant) + 1) + ranks
    before = np.maximum.accumulate(keyed)
    late = np.flatnonzero((keyed[1:] < before[:-1]) & (case[1:] == case[:-1])) + 1
    found = []
    for position in late.tolist():
        found.append(_one_out_of_order(log, by_case, position))
    return tuple(found)


def _one_out_of_order(log: ColumnLog, by_case: Ints, position: int) -> OutOfOrder:
    """The row at `position` and the latest row read before it in its case."""
    case = log.case[by_case[position]]
    latest = -1
    start = position
    while start > 0 and log.case[by_case[start - 1]] == case:
        start -= 1
    for index in range(start, position):
        order = by_case[index]
        if latest < 0 or log.instant[order] >= log.instant[latest]:
            latest = int(order)
    row = int(by_case[position])
    return OutOfOrder(place=log.place(row), case=log.case_names[case], after=log.place(latest))
