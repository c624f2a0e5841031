"""The differential soak: Z3 against the explorer on many random specs, across the cores.

Usage: python -m benchmarks.soak [--examples N] [--shards K] [--parallel P] [--seed S]
                                 [--only z3|verify]

Runs `tests/checker/test_differential.py -k agree` (or, with `--only`, just the Z3
engines against the explorer, or just `verify` against it: on this machine 10,000 of
the first take about an hour, and the 5,000 of the second, which decides as `verify`
does, about two more) as K shards, P processes at a time (default: one per core),
shard i with Hypothesis seed S+i and N/K examples, so the run is reproducible and the
shards draw different specs. Each shard's log goes to out/soak/shard-<i>.log, and a
line for it is added to out/soak/shards.md the moment it ends, so a soak stopped part
way still records every shard it finished; more shards than cores (`--shards 10`)
make that record finer, and a later run with `--seed` continues with new seeds. The
summary (printed as markdown for BENCHMARKS.md) gives the passing examples Hypothesis
reports per test, summed over the shards, and the wall time. Exit status 1 if any
shard failed: a disagreement, with the failing spec in its log.
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
from typing import TextIO

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


def run_soak(
    examples: int,
    shards: int,
    seed: int,
    folder: Path,
    *,
    only: str = "all",
    parallel: int | None = None,
) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "shards.md"
    record.write_text(
        "| shard | seed | examples | passing | exit | minutes |\n|---|---:|---:|---|---:|---:|\n"
    )
    started = time.monotonic()
    waiting = list(range(shards))
    running: dict[int, tuple[subprocess.Popen[bytes], TextIO, float]] = {}
    codes: dict[int, int] = {}
    at_once = max(1, parallel or os.cpu_count() or 1)
    while waiting or running:
        while waiting and len(running) < at_once:
            index = waiting.pop(0)
            env = dict(os.environ, STEPCHECK_DIFFERENTIAL_EXAMPLES=str(examples // shards))
            log = (folder / f"shard-{index + 1}.log").open("w", encoding="utf-8")
            process = subprocess.Popen(
                _shard_command(seed + index, only), stdout=log, stderr=subprocess.STDOUT, env=env
            )
            running[index] = (process, log, time.monotonic())
        time.sleep(1)
        for index, (process, log, began) in list(running.items()):
            code = process.poll()
            if code is None:
                continue
            log.close()
            del running[index]
            codes[index] = code
            counts = passing_examples((folder / f"shard-{index + 1}.log").read_text("utf-8"))
            passing = ", ".join(f"{test} {n:,}" for test, n in sorted(counts.items()))
            with record.open("a", encoding="utf-8") as out:
                out.write(
                    f"| {index + 1} | {seed + index} | {examples // shards} | {passing} | "
                    f"{code} | {(time.monotonic() - began) / 60:.1f} |\n"
                )
    seconds = time.monotonic() - started
    totals: Counter[str] = Counter()
    for index in range(shards):
        totals += passing_examples((folder / f"shard-{index + 1}.log").read_text(encoding="utf-8"))
    failed = [index + 1 for index, code in sorted(codes.items()) if code != 0]
    print(f"## Differential soak ({machine_line()})\n")
    print(
        f"`python -m benchmarks.soak --examples {examples} --shards {shards} --seed {seed}"
        f" --only {only}`"
        f" — {shards} shards, {at_once} at a time, Hypothesis seeds {seed}..{seed + shards - 1},"
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
    parser.add_argument("--parallel", type=int, default=None, help="shards at a time")
    args = parser.parse_args()
    shards = max(1, args.shards)
    sys.exit(
        run_soak(args.examples, shards, args.seed, args.out, only=args.only, parallel=args.parallel)
    )


if __name__ == "__main__":
    main()
