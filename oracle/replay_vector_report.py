"""`replay_compiled` on the vector engine: the same report, from the lockstep's arrays.

After the lockstep (`replay_vector.Lockstep`) every clean case has its state and time
after each row; its report is built from them as `CompiledSpec.play` builds it: a
timeline entry where (status, owner) changes, stretches with no responsible owner
(only for cases that ever had none), and each `after` deadline still running at the
end with its due date. Cases that left the lockstep are played by the executor engine
(`replay_engine.case_played`) from their rows, made back into `LogRow`s, in case-id
order. Logs recording facts, and specs the lockstep does not model, go to the
compiled engine whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Final

import numpy as np
import numpy.typing as npt
from attrs import evolve

from stepcheck.oracle.replay_case_table import Numbers
from stepcheck.oracle.replay_cases import CaseReports, CleanCases, Named
from stepcheck.oracle.replay_columns import ColumnLog, Ints, local_time
from stepcheck.oracle.replay_compiled import CompiledSpec, replay_compiled
from stepcheck.oracle.replay_engine import (
    CasesPlayed,
    RowsSorted,
    assemble_with,
    case_played,
    rule_index,
)
from stepcheck.oracle.replay_model import Finding, OpenObligation, ReplayReport
from stepcheck.oracle.replay_pages import without_cycle_collection
from stepcheck.oracle.replay_timeline import timeline
from stepcheck.oracle.replay_unowned import Stretches, stretches
from stepcheck.oracle.replay_vector import DAY, Lockstep
from stepcheck.oracle.replay_vector_sort import SortedColumns, sort_columns
from stepcheck.oracle.replay_vector_table import Unsupported, VectorTable
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["replay_vector"]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ROWS: Final = 65_536
"""Cases whose clocks `_obligations` gathers at once (a few MB)."""


def replay_vector(
    spec: ProtocolSpec,
    log: ColumnLog,
    *,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
    table: VectorTable | None = None,
) -> ReplayReport:
    """`replay_compiled.replay_compiled` on the vector engine: the same report. `table`
    is a compiled table of `spec` under `reading` to go on filling (benchmarks keep one
    across runs); by default a fresh one."""
    if log.has_facts:
        return replay_compiled(spec, log.to_read(), reading=reading, as_of=as_of)
    table = table or VectorTable(CompiledSpec(rule_index(spec, reading)))
    rules = table.compiled.rules
    cases = sort_columns(rules, log, as_of)
    try:
        with without_cycle_collection():
            lockstep = Lockstep(table, log, cases)
            lockstep.run()
            played, clean = _played(lockstep, cases.end)
    except Unsupported:
        return replay_compiled(spec, log.to_read(), reading=reading, as_of=as_of)
    sorted_rows = RowsSorted(malformed=cases.malformed, cases={}, end=cases.end)
    report = assemble_with(spec, log.files, log.size, reading, sorted_rows, [played], log.order_of)
    return evolve(report, cases=CaseReports(report.cases, [clean]))


def _played(lockstep: Lockstep, end: datetime | None) -> tuple[CasesPlayed, CleanCases]:
    """The unclean cases' reports and findings, the rows out of order, and the clean
    cases as arrays."""
    final = lockstep.finish(end)
    lockstep.entries.refresh_states()
    cases, log = lockstep.cases, lockstep.log
    count = len(lockstep.order)
    place_of = np.empty(count, np.int64)
    place_of[lockstep.order] = np.arange(count)
    clean = ~lockstep.unclean[place_of]
    reports = []
    findings: list[Finding] = []
    unclean_cases = np.flatnonzero(~clean).tolist()
    names = log.case_names
    for case in sorted(unclean_cases, key=lambda c: names[int(cases.cases[c])]):
        lo, size = int(cases.first[case]), int(cases.length[case])
        rows = log.rows_of(cases.rows[lo : lo + size].tolist())
        report, found = case_played(
            lockstep.compiled.rules, names[int(cases.cases[case])], rows, end
        )
        reports.append(report)
        findings += found
    played = CasesPlayed(
        findings=tuple(findings), out_of_order=cases.out_of_order, cases=tuple(reports)
    )
    return played, _clean_cases(lockstep, cases, clean, place_of, final)


def _clean_cases(
    lockstep: Lockstep,
    cases: SortedColumns,
    clean: npt.NDArray[np.bool_],
    place_of: Ints,
    final: Ints,
) -> CleanCases:
    """`CompiledSpec.play`'s reports of the clean cases as arrays: the timeline's rows
    found in one compiled pass (`replay_timeline`); only unowned stretches are walked,
    for the cases that need it."""
    entries, layout, log = lockstep.entries, lockstep.layout, lockstep.log
    statuses, owners = layout.statuses, layout.owners
    state = lockstep.state_of
    kept = np.flatnonzero(clean)
    opened = lockstep.opened[place_of]
    # a case ever without a responsible owner (`needs`) has its stretches walked
    change_at, bounds, needs = timeline(
        (cases.first, cases.length, clean, opened),
        state,
        (entries.status_of * len(owners) + entries.owner_of, entries.responsible_of),
    )
    orders = cases.rows[change_at]
    changed_state = state[change_at]
    here = place_of[kept]
    last = lockstep.state[here]
    walked = np.flatnonzero(needs[kept])
    chosen = kept[walked]
    found = stretches(
        (
            walked,
            cases.first[chosen],
            cases.length[chosen],
            opened[chosen],
            log.local[cases.rows[cases.first[chosen]]],
            final[here[walked]],
        ),
        (lockstep.state_of, lockstep.at_of),
        (entries.owner_of, entries.responsible_of),
        (lockstep.calendar.counts, np.int64(lockstep.calendar.first)),
    )
    opener, has_open = _obligations(lockstep, here, final)
    status_of = _narrow(entries.status_of, len(statuses))
    owner_of = _narrow(entries.owner_of, len(owners))
    return CleanCases(
        names=Named(_narrow(cases.cases, len(log.case_names))[kept], log.case_names),
        rows=_narrow(cases.length[kept], len(log.local)),
        status=Named(status_of[last], statuses),
        owner=Named(owner_of[last], owners),
        bounds=_narrow(bounds, len(change_at)),
        at=lockstep.at_of[change_at],
        file=Named(_narrow(log.file_of[orders], len(log.file_names)), log.file_names),
        row=_narrow(log.row[orders], _largest(log.row)),
        line=_narrow(log.line[orders], _largest(log.line)),
        entry_status=Named(status_of[changed_state], statuses),
        entry_owner=Named(owner_of[changed_state], owners),
        opened=opener,
        has_open=has_open,
        unowned=Stretches(found, owners, local_time),
        local_time=local_time,
    )


def _narrow(values: Ints, bound: int) -> Numbers:
    """`values` in 32 bits when none reaches `bound` and it fits them, else as they
    are: a long log's report holds every share's clean cases at once (Hertfordshire's
    10M-row log: 2.5 million cases, 3.9 million timeline entries)."""
    return values.astype(np.int32) if bound < 2**31 else values


def _largest(values: Ints) -> int:
    """One more than the largest of `values` (1 when none)."""
    return int(values.max(initial=0)) + 1


def _obligations(
    lockstep: Lockstep, here: Ints, final: Ints
) -> tuple[Callable[[int], tuple[OpenObligation, ...]], npt.NDArray[np.bool_]]:
    """Per clean case (at lockstep places `here`): its `after` deadlines still running at
    the end of the log, made when asked, and whether it has any. Only those cases' due
    days are kept for the asking, not the share's whole (cases x deadlines) arrays: a
    long log's report holds every share's answers at once."""
    timed = lockstep.compiled._index.timed
    after = [
        (where, deadline)
        for where, deadline in enumerate(timed)
        if deadline.id in lockstep.compiled._after
    ]
    columns = np.array([where for where, _ in after], np.int64)
    # whole rows, `_ROWS` cases at a time: a case's clocks lie side by side, so a
    # column at a time reads each row's memory once per column, and every row at once
    # is a share's worth of memory
    running = np.empty((len(here), len(columns)), np.bool_)
    for first in range(0, len(here), _ROWS):
        rows = lockstep.start[here[first : first + _ROWS]]
        np.not_equal(rows.take(columns, axis=1), lockstep.none, out=running[first : first + _ROWS])
    has_open = running.any(axis=1).reshape(-1)  # an array to the type checker
    kept = np.flatnonzero(has_open)
    running, by = running[kept], lockstep.by[np.ix_(here[kept], columns)]
    day = final[here[kept]] // DAY
    passed = lockstep.calendar.passed

    def opener(k: int) -> tuple[OpenObligation, ...]:
        at = int(np.searchsorted(kept, k))
        if at == len(kept) or kept[at] != k:
            return ()
        return tuple(
            OpenObligation(
                deadline=deadline.id,
                obligation=deadline.obligation,
                by=date.fromordinal(int(by[at, column]) + _EPOCH_ORDINAL),
                overdue=bool(passed(by[at : at + 1, column], day[at : at + 1])[0]),
            )
            for column, (_, deadline) in enumerate(after)
            if running[at, column]
        )

    return opener, has_open
