"""The differential soak: Z3 against the explorer on many random specs, across the cores.

Usage: python -m benchmarks.soak [--examples N] [--shards K] [--seed S] [--only z3|verify]

Runs `tests/checker/test_differential.py -k agree` (or, with `--only`, just the Z3
engines against the explorer, or just `verify` against it: on this machine 10,000 of
the first take about an hour, and the 5,000 of the second, which decides as `verify`
does, about two more) in K processes at once (default: one
per core), shard i with Hypothesis seed S+i and N/K examples, so the run is
reproducible and the shards draw different specs. Each shard's log goes to
out/soak/shard-<i>.log; the summary (printed as markdown for BENCHMARKS.md) gives the
passing examples Hypothesis reports per test, summed over the shards, and the wall
time. Exit status 1 if any shard failed: a disagreement, with the failing spec in its
log.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import machine_line

_TEST = "tests/checker/test_differential.py"
# Hypothesis statistics: "tests/...py::test_name:" then, per phase, a line
# "    - N passing, 0 failing, and 0 invalid test cases".
_TEST_LINE = re.compile(r"::(test_\w+):")
_PASSING = re.compile(r"- (\d+) passing, (\d+) failing")


_ONLY = {
    "all": "agree",
    "z3": "test_z3_and_explorer_agree",
    "verify": "test_verify_and_explorer_agree",
}


def _shard_command(seed: int, only: str = "all") -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--hypothesis-show-statistics",
        f"--hypothesis-seed={seed}",
        _TEST,
        "-k",
        _ONLY[only],
    ]


def passing_examples(log: str) -> Counter[str]:
    """Passing examples per test, summed over the phases, from a shard's statistics."""
    counts: Counter[str] = Counter()
    current = None
    for line in log.splitlines():
        test = _TEST_LINE.search(line)
        if test:
            current = test.group(1)
            continue
        passing = _PASSING.search(line)
        if current and passing:
            counts[current] += int(passing.group(1))
    return counts


def run_soak(examples: int, shards: int, seed: int, folder: Path, only: str = "all") -> int:
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running = []
    for index in range(shards):
        env = dict(os.environ, STEPCHECK_DIFFERENTIAL_EXAMPLES=str(examples // shards))
        log = (folder / f"shard-{index + 1}.log").open("w", encoding="utf-8")
        process = subprocess.Popen(
            _shard_command(seed + index, only), stdout=log, stderr=subprocess.STDOUT, env=env
        )
        running.append((process, log))
    codes = []
    for process, log in running:
        codes.append(process.wait())
        log.close()
    seconds = time.monotonic() - started
    totals: Counter[str] = Counter()
    for index in range(shards):
        totals += passing_examples((folder / f"shard-{index + 1}.log").read_text(encoding="utf-8"))
    failed = [index + 1 for index, code in enumerate(codes) if code != 0]
    print(f"## Differential soak ({machine_line()})\n")
    print(
        f"`python -m benchmarks.soak --examples {examples} --shards {shards} --seed {seed}"
        f" --only {only}`"
        f" — {shards} shards, Hypothesis seeds {seed}..{seed + shards - 1},"
        f" {examples // shards} examples each, {seconds / 60:.1f} min wall time.\n"
    )
    print("| test | passing examples |")
    print("|---|---:|")
    for test in sorted(totals):
        print(f"| `{test}` | {totals[test]:,} |")
    print()
    if failed:
        print(f"**Shards {failed} failed** — see {folder}/shard-<i>.log for the spec.")
        return 1
    print("0 disagreements.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--shards", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/soak"))
    parser.add_argument("--only", choices=sorted(_ONLY), default="all")
    args = parser.parse_args()
    sys.exit(run_soak(args.examples, max(1, args.shards), args.seed, args.out, args.only))


if __name__ == "__main__":
    main()
