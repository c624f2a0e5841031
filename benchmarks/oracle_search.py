"""The oracle's search and what `stepcheck test` catches with default settings.

- per shipped authority (should reading): transitions and refusals the search finds
  within its default bound, the states it expanded, whether it finished, its CPU time;
- per example system: its planted bugs caught by `check_system` with default settings
  for each of 5 seeds, and the clean system's coverage.
"""

from __future__ import annotations

import functools
import time

from benchmarks.common import AUTHORITIES
from examples.casework.app import factory
from examples.casework.service import BUGS
from stepcheck.oracle.search import reach_of
from stepcheck.oracle.targets import DEFAULT_MAX_STATES
from stepcheck.oracle.testing import check_system
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

__all__ = ["run_oracle_search"]

SEEDS = (1, 2, 3, 4, 5)


def run_oracle_search(max_states: int = DEFAULT_MAX_STATES) -> None:
    """Print two markdown tables: the search per authority, bugs caught per seed."""
    print("| authority | transitions | refusals | states | finished | CPU s |")
    print("|---|---:|---:|---:|---|---:|")
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        spec = load_spec(path)
        began = time.process_time()
        reach = reach_of(spec, Reading.SHOULD, (), max_states)
        seconds = time.process_time() - began
        print(
            f"| {path.stem} | {len(reach.transitions)} | {len(reach.refusals)} | "
            f"{reach.states:,} | {'yes' if reach.complete else 'no (bound)'} | {seconds:.1f} |",
            flush=True,
        )
    print()
    _examples()


def _examples() -> None:
    spec = load_spec(AUTHORITIES / "devon.yaml")
    print("| example | seed | bugs caught | clean: agrees | clean: transitions | clean: refusals |")
    print("|---|---:|---:|---|---:|---:|")
    for seed in SEEDS:
        caught = sum(
            not check_system(
                spec, functools.partial(factory, [bug]), seed=seed, reading=Reading.SHOULD
            ).agrees
            for bug in sorted(BUGS)
        )
        clean = check_system(spec, factory, seed=seed, reading=Reading.SHOULD)
        cover = clean.coverage
        print(
            f"| devon (examples/casework) | {seed} | {caught}/{len(BUGS)} | {clean.agrees} | "
            f"{len(cover.transitions & cover.exercised)}/{len(cover.transitions)} | "
            f"{len(cover.refusals & cover.exercised)}/{len(cover.refusals)} |",
            flush=True,
        )
