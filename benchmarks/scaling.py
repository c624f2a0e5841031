"""How `stepcheck validate` and `stepcheck verify` grow with the size of a spec.

Each axis of `generate.py` (statuses, teams, timers, ladder levels, booleans, events)
is swept from the small base spec with the others held at the base, then a few specs
grow on every axis at once; `family.py`'s specs grow in the number of children. Each
spec is written to a temporary file and run through both commands as subprocesses
(`runs.py`), so a row is what a user waits for. The claim under test is that no input
makes verify run past its budget: every row says whether verify finished within
budget × 1.1 plus its start-up (validate's time for the same file, plus the checker's
imports).

One markdown table per axis, rows printed as they finish; the base spec is run once and
shown at the top of every axis table. The 21 scaling specs at the default 60 s took 19
minutes on the 2-core machine with 10 of them stopped at their cap (without
`--max-seconds`, see `runs.py`); every one spending its whole budget would take about
27. The family table is 6 more specs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import attrs

from benchmarks.family import FAMILY_PROPERTIES, family_event_count, generate_family_spec
from benchmarks.generate import BASE, PROPERTIES, Sizes, generate_spec
from benchmarks.runs import KILL_GRACE, SpecRun, budget_option, run_spec

__all__ = ["CHILDREN", "COMBINED", "GRID", "SMOKE", "run_family", "run_scaling"]

GRID: dict[str, tuple[int, ...]] = {
    "statuses": (12, 32, 100),
    "teams": (8, 20, 50),
    "timers": (4, 12, 30),
    "levels": (12, 50, 200),
    "booleans": (8, 24, 64),
    "events": (100, 1_000, 10_000),
}
"""Per axis, the sizes after the base's own (4 statuses, 2 teams, 0 timers, 3 levels,
0 booleans, 11 events)."""

COMBINED = (
    Sizes(statuses=25, teams=12, timers=8, levels=25, booleans=8, events=500),
    Sizes(statuses=100, teams=50, timers=30, levels=200, booleans=64, events=10_000),
)
"""Specs grown on every axis at once, the last one the largest of each."""

CHILDREN = (1, 2, 3, 4, 5, 6)


@attrs.frozen(kw_only=True)
class Plan:
    """What one run sweeps: the full grid, or `SMOKE` to see the machinery work."""

    grid: dict[str, tuple[int, ...]]
    combined: tuple[Sizes, ...]
    children: tuple[int, ...]


FULL = Plan(grid=GRID, combined=COMBINED, children=CHILDREN)
SMOKE = Plan(
    grid={
        "statuses": (5,),
        "teams": (3,),
        "timers": (1,),
        "levels": (4,),
        "booleans": (1,),
        "events": (20,),
    },
    combined=(Sizes(statuses=5, teams=3, timers=1, levels=4, booleans=1, events=30),),
    children=(1, 2),
)
"""One small step per axis, one combined spec, families of 1 and 2: to see it work."""


def run_scaling(budget: float, plan: Plan = FULL) -> None:
    """Print the axis tables and the combined table for `plan`."""
    started = time.perf_counter()
    specs = 1 + sum(len(v) for v in plan.grid.values()) + len(plan.combined)
    _print_heading("scaling: generated specs, one axis at a time", budget, specs)
    cache: dict[Sizes, SpecRun] = {}
    for axis, values in plan.grid.items():
        table = _Table([axis, "lines"] + ([] if axis == "events" else ["events"]), PROPERTIES)
        print(f"#### {axis} (the other axes at the base)")
        print()
        table.header()
        for sizes in (BASE, *(attrs.evolve(BASE, **{axis: value}) for value in values)):
            if sizes not in cache:
                cache[sizes] = _run_sizes(sizes, budget)
            run = cache[sizes]
            events = str(sizes.event_count())
            value = events if axis == "events" else str(getattr(sizes, axis))
            table.row([value, str(run.lines)] + ([] if axis == "events" else [events]), run)
        table.notes()
    if plan.combined:
        names = [f.name for f in attrs.fields(Sizes)]
        table = _Table([*names, "lines"], PROPERTIES)
        print("#### every axis at once")
        print()
        table.header()
        for sizes in plan.combined:
            run = _run_sizes(sizes, budget)
            cells = [str(getattr(sizes, n)) for n in names[:-1]] + [str(sizes.event_count())]
            table.row([*cells, str(run.lines)], run, where=sizes.label())
        table.notes()
    print(f"scaling section: {time.perf_counter() - started:.0f} s wall clock")
    print()


def run_family(budget: float, plan: Plan = FULL) -> None:
    """Print the family table: one case holding K children, K in `plan.children`."""
    started = time.perf_counter()
    _print_heading("scaling: families of K children in one case", budget, len(plan.children))
    table = _Table(["children", "lines", "events"], FAMILY_PROPERTIES)
    table.header()
    for children in plan.children:
        run = run_spec(generate_family_spec(children=children), f"family_{children}", budget)
        table.row([str(children), str(run.lines), str(family_event_count(children))], run)
    table.notes()
    print(f"family section: {time.perf_counter() - started:.0f} s wall clock")
    print()


def _run_sizes(sizes: Sizes, budget: float) -> SpecRun:
    return run_spec(generate_spec(**attrs.asdict(sizes)), f"generated_{sizes.label()}", budget)


def _print_heading(title: str, budget: float, specs: int) -> None:
    option = budget_option()
    fallback = (
        ""
        if option == "--max-seconds"
        else f" (this checkout's verify has no --max-seconds, so --timeout bounds each "
        f"solver call and a run is killed {KILL_GRACE:.0f} s past its allowance)"
    )
    print(f"### {title}")
    print()
    print(
        f"Each spec: `stepcheck validate FILE`, then `stepcheck verify FILE --format json "
        f"--no-timings {option} {budget:g}`{fallback}, one run each, wall-clock seconds. "
        f"Within budget: verify took at most {budget:g} × 1.1 s plus validate's time plus "
        f"2 s of imports. {specs} specs; at most about "
        f"{specs * (budget * 1.1 + 10) / 60:.0f} min if every one spends its budget."
    )
    print(flush=True)


class _Table:
    """A markdown table whose rows are printed as they come, and the notes after it."""

    def __init__(self, leading: Sequence[str], properties: Sequence[str]) -> None:
        self.leading = list(leading)
        self.properties = list(properties)
        self.first_verify: float | None = None
        self.notes_seen: list[str] = []

    def header(self) -> None:
        columns = [*self.leading, "validate s", "verify s", "verify × first"]
        columns += [*self.properties, "within budget"]
        print("| " + " | ".join(columns) + " |")
        aligns = ["---:"] * (len(self.leading) + 3) + ["---"] * (len(self.properties) + 1)
        print("|" + "|".join(aligns) + "|", flush=True)

    def row(self, leading: Sequence[str], run: SpecRun, where: str | None = None) -> None:
        if self.first_verify is None:
            self.first_verify = run.verify_seconds
        ratio = run.verify_seconds / self.first_verify if self.first_verify > 0 else 0.0
        at_least = "> " if run.killed else ""  # a killed run would have taken longer
        found = {v.prop: v for v in run.verdicts}
        cells = [
            *leading,
            f"{run.validate_seconds:.2f}" + ("" if run.validate_ok else " (invalid)"),
            f"{at_least}{run.verify_seconds:.2f}",
            f"{at_least}{ratio:.1f}",
            *(found[p].cell() if p in found else "—" for p in self.properties),
            _within(run),
        ]
        print("| " + " | ".join(cells) + " |", flush=True)
        where = where or f"{self.leading[0]} {leading[0]}"
        if run.problem is not None:
            self.notes_seen.append(f"{where}: {run.problem}")
        self.notes_seen += [
            f"{where}, {v.prop}: {v.reason}" for v in run.verdicts if v.verdict == "unknown"
        ]
        self.notes_seen += [
            f"{where}, {v.prop}: {v.cell()} (no column for it)"
            for v in run.verdicts
            if v.prop not in self.properties
        ]

    def notes(self) -> None:
        print()
        if self.notes_seen:
            print("not decided:")
            for line in self.notes_seen:
                print(f"- {line}")
            print()


def _within(run: SpecRun) -> str:
    if run.within_budget:
        return f"yes (≤ {run.allowance:.0f} s)"
    if run.problem is not None:
        return f"no: {run.problem.split(':', 1)[0]}"
    return f"no ({run.verify_seconds:.0f} s > {run.allowance:.0f} s)"
