"""Time the loader, the calendar and the checker, printed as markdown for BENCHMARKS.md.

Usage: python -m benchmarks [--only loader|checker|scaling|family|oracle|search|spin|replay]
                            [--repeat N] [--budget SECONDS] [--smoke]
                            [--spin-seconds SECONDS] [--spin-memory-mb MB]
                            [--replay-cases N] [--replay-workers N]

- loader: load each shipped authority, and working-day arithmetic; best of N (default 5);
- checker: every property of every shipped authority, one run each, default limits;
- scaling: `stepcheck validate` and `stepcheck verify` as subprocesses on generated
  specs grown one axis at a time (statuses, teams, timers, ladder levels, booleans,
  events), then on all at once; verify gets a whole-run budget (--budget, default 60 s
  per spec); at most about 25 minutes;
- family: the same on one case holding K = 1..6 children;
- oracle: the reference executor's cost per step on each shipped authority, 1,000
  random runs of 50 steps, and dating 50-step traces over 10 years (best of N);
- search: the oracle's search of each shipped authority within its default bound
  (transitions, refusals, states, finished or not), and the example system's planted
  bugs caught by `stepcheck test`'s defaults for each of 5 seeds;
- spin: SPIN on the exported Promela beside the checker, every safety property of
  each shipped authority, one run each, with a wall-clock and memory limit for SPIN;
- replay: rows per second reading and replaying a clean simulated log of each shipped
  authority (--replay-cases cases, default 500; best of N, at most 3) by the executor,
  compiled and vector engines, beside
  `--engine dask` on a local cluster of --replay-workers processes (default 2) and
  PM4Py's token-based replay of the same log (each skipped, with a note, when missing).

Without --only, all eight run in that order; the checker, scaling and spin sections take
minutes. --smoke runs scaling and family on a few small specs, to see them work in
about a minute.
"""

from __future__ import annotations

import argparse

from benchmarks.checker import run_checker, run_commands
from benchmarks.common import machine_line
from benchmarks.loader import run_loader
from benchmarks.oracle import run_oracle
from benchmarks.oracle_search import run_oracle_search
from benchmarks.replay import run_replay
from benchmarks.scaling import FULL, SMOKE, run_family, run_scaling
from benchmarks.spin import run_spin
from stepcheck.checker.engines import Limits
from stepcheck.checker.spin import SpinLimits

SECTIONS = ("loader", "checker", "scaling", "family", "oracle", "search", "spin", "replay")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=SECTIONS, help="run one section (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="loader runs per row (best of)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="scaling, family: verify's wall-clock budget per spec, in seconds",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="scaling, family: a few small specs only"
    )
    parser.add_argument(
        "--spin-seconds", type=float, default=120.0, help="spin: seconds pan may search"
    )
    parser.add_argument(
        "--spin-memory-mb", type=int, default=4096, help="spin: pan's memory limit (-DMEMLIM)"
    )
    parser.add_argument(
        "--replay-cases", type=int, default=500, help="replay: cases in each simulated log"
    )
    parser.add_argument(
        "--replay-workers", type=int, default=2, help="replay: local Dask worker processes"
    )
    args = parser.parse_args()
    print(machine_line())
    print(flush=True)
    sections = (args.only,) if args.only else SECTIONS
    plan = SMOKE if args.smoke else FULL
    if "loader" in sections:
        run_loader(args.repeat)
    if "checker" in sections:
        run_checker(Limits())
        run_commands(args.repeat)
    if "scaling" in sections:
        run_scaling(args.budget, plan)
    if "family" in sections:
        run_family(args.budget, plan)
    if "oracle" in sections:
        run_oracle(args.repeat)
    if "search" in sections:
        run_oracle_search()
    if "spin" in sections:
        run_spin(SpinLimits(seconds=args.spin_seconds, memory_mb=args.spin_memory_mb))
    if "replay" in sections:
        run_replay(min(args.repeat, 3), args.replay_cases, args.replay_workers)


if __name__ == "__main__":
    main()
