"""A replay report's cases, in case-id order: explicit reports, and clean cases kept as
arrays until a writer asks for one.

The vector engine (`replay_vector_report`) ends with every clean case's timeline,
final status and owner, open obligations and unowned stretches as numpy arrays; a
million-row log has about a hundred thousand cases, and making each a `CaseReport`
costs more than replaying them. `CaseReports` is the report's sequence of cases: the
cases with findings as the executor engine reported them, the clean ones made on
demand from `CleanCases`, so a writer that reads only the count and the cases with
something open (text, Markdown, SARIF, the violations CSV) makes only those.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import overload

import numpy as np
import numpy.typing as npt
from attrs import frozen

from stepcheck.oracle.replay_case_table import CaseIds, Numbers, prefix
from stepcheck.oracle.replay_model import (
    CaseReport,
    OpenObligation,
    TimelineEntry,
    UnownedInterval,
)
from stepcheck.oracle.replay_rows import RowPlace

__all__ = ["CaseReports", "CleanCases", "Named", "notable_cases"]

Ints = npt.NDArray[np.int64]


class Named(Sequence[str]):
    """Names by code, looked up when read: a column of a million codes is not made into
    a million list items unless a writer reads them all."""

    def __init__(self, codes: Numbers, names: Sequence[str]) -> None:
        self._codes, self._names = codes, names

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return Named(self._codes[index], self._names)
        return str(self._names[self._codes[index]])

    def __iter__(self) -> Iterator[str]:
        return iter(self.take(slice(None)))

    def take(self, positions: Ints | slice) -> list[str]:
        """The names at `positions`, as a list."""
        names = self._names
        if isinstance(names, CaseIds):  # decoded in bulk
            return names.take(self._codes[positions])
        return [names[code] for code in self._codes[positions].tolist()]

    def prefixes(self, positions: Ints) -> npt.NDArray[np.uint64]:
        """`CaseIds.prefixes` of the names at `positions`."""
        names = self._names
        if isinstance(names, CaseIds):  # read from the ids' bytes, no string made
            return names.prefixes(self._codes[positions])
        return _prefixes([names[code] for code in self._codes[positions].tolist()])


@frozen(kw_only=True, eq=False)
class CleanCases:
    """The clean cases' reports as arrays, case k's timeline at `bounds[k]:bounds[k+1]`."""

    names: Sequence[str]
    rows: Numbers
    status: Sequence[str]
    owner: Sequence[str]
    bounds: Numbers
    at: Ints
    """Each timeline entry's wall time, microseconds since 1970."""
    file: Sequence[str]
    row: Numbers
    line: Numbers
    entry_status: Sequence[str]
    entry_owner: Sequence[str]
    opened: Callable[[int], tuple[OpenObligation, ...]]
    """Case k's obligations still open at the end of the log (asked only when `has_open`)."""
    has_open: npt.NDArray[np.bool_]
    unowned: Mapping[int, tuple[UnownedInterval, ...]]
    """Case k's unowned stretches, for the cases that have any."""
    local_time: Callable[[int], datetime]

    def __len__(self) -> int:
        return len(self.names)

    def report(self, k: int) -> CaseReport:
        """Case k's `CaseReport`, as `CompiledSpec.play` would have made it."""
        lo, hi = int(self.bounds[k]), int(self.bounds[k + 1])
        timeline = tuple(
            TimelineEntry(
                at=self.local_time(at),
                place=RowPlace(file=self.file[e], row=row, line=line),
                status=self.entry_status[e],
                owner=self.entry_owner[e],
            )
            for e, at, row, line in zip(
                range(lo, hi),
                self.at[lo:hi].tolist(),
                self.row[lo:hi].tolist(),
                self.line[lo:hi].tolist(),
                strict=True,
            )
        )
        return CaseReport(
            case=self.names[k],
            rows=int(self.rows[k]),
            status=self.status[k],
            owner=self.owner[k],
            timeline=timeline,
            open=self.opened(k) if self.has_open[k] else (),
            unowned=self.unowned.get(k, ()),
        )

    def notable(self) -> npt.NDArray[np.bool_]:
        """Per case: something open or an unowned stretch."""
        found = self.has_open.copy()
        found[list(self.unowned)] = True
        return found


class CaseReports(Sequence[CaseReport]):
    """Every case's report in case-id order; clean ones made when they are read. Case
    ids are distinct across `explicit` and every group of clean cases."""

    def __init__(self, explicit: Sequence[CaseReport], clean: Sequence[CleanCases]) -> None:
        self._explicit = tuple(explicit)
        self._clean = tuple(clean)
        self._starts = np.cumsum([len(self._explicit)] + [len(c) for c in self._clean]).tolist()

    @cached_property
    def _names(self) -> list[str]:
        names = [report.case for report in self._explicit]
        for group in self._clean:
            names += group.names
        return names

    def _name(self, where: int) -> str:
        found = self._where(where)
        return found.case if isinstance(found, CaseReport) else found[0].names[found[1]]

    @cached_property
    def _order(self) -> list[int]:
        """Every case's place among explicit then clean cases, in case-id order (sorted
        when first needed: a text report lists only the notable cases)."""
        return sorted(range(len(self._names)), key=self._names.__getitem__)

    @classmethod
    def merged(cls, parts: Sequence[Sequence[CaseReport]]) -> CaseReports:
        """The cases of several reports of disjoint cases, as one report's."""
        explicit: list[CaseReport] = []
        clean: list[CleanCases] = []
        for part in parts:
            if isinstance(part, CaseReports):
                explicit += part._explicit
                clean += part._clean
            else:
                explicit += part
        return cls(explicit, clean)

    def __len__(self) -> int:
        return int(self._starts[-1])

    @overload
    def __getitem__(self, index: int) -> CaseReport: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[CaseReport]: ...
    def __getitem__(self, index: int | slice) -> CaseReport | Sequence[CaseReport]:
        if isinstance(index, slice):
            return [self.made(where) for where in self._order[index]]
        return self.made(self._order[index])

    def __iter__(self) -> Iterator[CaseReport]:
        return (self.made(where) for where in self._order)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def parts(self) -> Iterator[CaseReport | tuple[CleanCases, int]]:
        """In case-id order, each case's report, or for a clean case its group and index."""
        for where in self._order:
            yield self._where(where)

    def _where(self, where: int) -> CaseReport | tuple[CleanCases, int]:
        if where < len(self._explicit):
            return self._explicit[where]
        group = bisect_right(self._starts, where) - 1
        return self._clean[group], where - self._starts[group]

    def made(self, where: int) -> CaseReport:
        """The report of the case at place `where` among explicit then clean cases."""
        found = self._where(where)
        return found if isinstance(found, CaseReport) else found[0].report(found[1])

    def notable(self) -> Sequence[CaseReport]:
        """The cases with something open or an unowned stretch, in case-id order."""
        places = [where for where, r in enumerate(self._explicit) if r.open or r.unowned]
        parts: list[tuple[Sequence[str], Ints]] = [
            ([self._explicit[where].case for where in places], np.arange(len(places)))
        ]
        for group, start in zip(self._clean, self._starts, strict=False):
            ks = np.flatnonzero(group.notable())
            places += (ks + start).tolist()
            parts.append((group.names, ks))
        return _Picked(self, places, parts)


class _Picked(Sequence[CaseReport]):
    """Some of a `CaseReports`, by place among its explicit then clean cases, in case-id
    order, made when read. The first few (what a text report lists) are picked by the
    first eight bytes of their ids (`CaseIds.prefixes`), then only the ids that could
    be among them are made into strings and sorted; the whole order is sorted only
    when something else is read."""

    def __init__(
        self, cases: CaseReports, places: list[int], parts: list[tuple[Sequence[str], Ints]]
    ) -> None:
        self._cases, self._places, self._parts = cases, places, parts

    @cached_property
    def _names(self) -> list[str]:
        return [name for group, ks in self._parts for name in _taken(group, ks)]

    @cached_property
    def _sorted(self) -> list[int]:
        return [self._places[i] for i in sorted(range(len(self._places)), key=self._key)]

    def _key(self, i: int) -> str:
        return self._names[i]

    def _first(self, count: int) -> list[int]:
        """The places of the first `count` in case-id order. An id whose prefix is above
        the count-th smallest prefix has at least `count` ids before it, so only those
        at or below it can be among the first; ties of prefix are all kept, and sorted
        by the whole id as `sorted` would (stably, by place)."""
        prefixes = np.concatenate(
            [
                group.prefixes(ks) if isinstance(group, Named) else _prefixes(_taken(group, ks))
                for group, ks in self._parts
            ]
        )
        bound = np.partition(prefixes, count - 1)[count - 1]
        candidates = np.flatnonzero(prefixes <= bound).tolist()
        names = self._some_names(candidates)
        chosen = sorted(range(len(candidates)), key=names.__getitem__)[:count]
        return [self._places[candidates[i]] for i in chosen]

    def _some_names(self, indices: list[int]) -> list[str]:
        """The names of the picked cases at `indices` (ascending) alone."""
        found: list[str] = []
        lower = 0
        wanted = np.array(indices, np.int64)
        for group, ks in self._parts:
            upper = lower + len(ks)
            inside = wanted[(wanted >= lower) & (wanted < upper)] - lower
            found += _taken(group, ks[inside])
            lower = upper
        return found

    def __len__(self) -> int:
        return len(self._places)

    @overload
    def __getitem__(self, index: int) -> CaseReport: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[CaseReport]: ...
    def __getitem__(self, index: int | slice) -> CaseReport | Sequence[CaseReport]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._places))
            if start == 0 and step == 1 and stop > 0 and stop * 8 < len(self._places):
                return [self._cases.made(place) for place in self._first(stop)]
            return [self._cases.made(p) for p in self._sorted[index]]
        return self._cases.made(self._sorted[index])


def _taken(names: Sequence[str], ks: Ints) -> list[str]:
    """`names[k]` for each of `ks` (a `Named` decodes them in bulk)."""
    if isinstance(names, Named):
        return names.take(ks)
    return [names[k] for k in ks.tolist()]


def _prefixes(names: Sequence[str]) -> npt.NDArray[np.uint64]:
    """`CaseIds.prefixes` of names given as text."""
    return np.array([prefix(name) for name in names], np.uint64)


def notable_cases(cases: Sequence[CaseReport], *, timelines: bool) -> Sequence[CaseReport]:
    """The cases a text or Markdown report lists: all with `timelines`, else those with
    something open or an unowned stretch."""
    if timelines:
        return cases
    if isinstance(cases, CaseReports):
        return cases.notable()
    return [case for case in cases if case.open or case.unowned]
