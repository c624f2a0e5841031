"""Time the loader, the calendar and the checker, printed as markdown for BENCHMARKS.md.

Usage: python -m benchmarks [--only loader|checker|scaling|oracle|spin] [--repeat N]
                            [--timeout-ms MS] [--wall-cap SECONDS]
                            [--spin-seconds SECONDS] [--spin-memory-mb MB]

- loader: load each shipped authority, and working-day arithmetic; best of N (default 5);
- checker: every property of every shipped authority, one run each, default limits;
- scaling: every property of generated specs of growing size, one run each, with a
  per-solver-call timeout and a wall-clock cap per property;
- oracle: the reference executor's cost per step on each shipped authority, 1,000
  random runs of 50 steps, and dating 50-step traces over 10 years (best of N);
- spin: SPIN on the exported Promela beside the checker, every safety property of
  each shipped authority, one run each, with a wall-clock and memory limit for SPIN.

Without --only, all five run in that order. The checker and spin sections take minutes.
"""

from __future__ import annotations

import argparse

from benchmarks.checker import run_checker
from benchmarks.common import machine_line
from benchmarks.loader import run_loader
from benchmarks.oracle import run_oracle
from benchmarks.scaling import run_scaling
from benchmarks.spin import run_spin
from stepcheck.checker.engines import Limits
from stepcheck.checker.spin import SpinLimits

SECTIONS = ("loader", "checker", "scaling", "oracle", "spin")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=SECTIONS, help="run one section (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="loader runs per row (best of)")
    parser.add_argument(
        "--timeout-ms",
        type=int,
        default=10_000,
        help="scaling: solver timeout per call (the checker section uses the default limits)",
    )
    parser.add_argument(
        "--wall-cap", type=float, default=60.0, help="scaling: seconds allowed per property"
    )
    parser.add_argument(
        "--spin-seconds", type=float, default=120.0, help="spin: seconds pan may search"
    )
    parser.add_argument(
        "--spin-memory-mb", type=int, default=4096, help="spin: pan's memory limit (-DMEMLIM)"
    )
    args = parser.parse_args()
    print(machine_line())
    print(flush=True)
    sections = (args.only,) if args.only else SECTIONS
    if "loader" in sections:
        run_loader(args.repeat)
    if "checker" in sections:
        run_checker(Limits())
    if "scaling" in sections:
        run_scaling(Limits(timeout_ms=args.timeout_ms), args.wall_cap)
    if "oracle" in sections:
        run_oracle(args.repeat)
    if "spin" in sections:
        run_spin(SpinLimits(seconds=args.spin_seconds, memory_mb=args.spin_memory_mb))


if __name__ == "__main__":
    main()
