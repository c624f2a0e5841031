"""`stepcheck verify`: the options, loading what loads, and writing every format.

The work is in `verification.py` (deciding and dating) and `checker.writers` (the
formats); this module turns options into limits, records the options that differ
from the defaults so every reproduce command repeats them, compares with a baseline,
and sets the exit code.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click
from attrs import evolve

from stepcheck import STARTED
from stepcheck.checker.baseline import compare, read_baseline, render_baseline
from stepcheck.checker.cache import default_folder
from stepcheck.checker.derived import (
    DERIVED,
    DERIVED_EXPLICIT_STATES,
    DERIVED_PREFIX,
    DERIVED_TOTAL_RLIMIT,
    HOLDING_PREFIX,
    URGENT_PREFIX,
    derived_limits,
    with_derived,
)
from stepcheck.checker.engines import Limits
from stepcheck.checker.writers import FORMATS, Detail, write
from stepcheck.cli_common import load_some
from stepcheck.cli_types import Seconds, StartDate, default_start
from stepcheck.colour import CHOICES, colourise, wants_colour
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.verification import Budget, default_jobs, run_verify, with_options, without_timings

__all__ = ["verify_command"]


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--property", "properties", multiple=True, help="check only this property id (repeatable)"
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people; json, junit, sarif for CI; markdown for reviews; summary: "
    "verdicts; pr: a pull-request comment; github: workflow annotations on the YAML lines",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="write here instead of standard output"
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="also write the report in every format to DIR/verify.{txt,json,xml,sarif,md,pr.md}",
)
@click.option(
    "--start-date",
    type=StartDate(),
    help="the date case stories start on  [default: today]",
)
@click.option(
    "--rlimit",
    type=click.IntRange(min=1),
    default=Limits().rlimit,
    show_default=True,
    help="Z3 resource limit per solver call (deterministic: the same on every machine)",
)
@click.option(
    "--total-rlimit",
    type=click.IntRange(min=1),
    default=Limits().total_rlimit,
    show_default=True,
    help="Z3 resource limit for all of one property's solver calls (deterministic)",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1, max=10_000),
    default=Limits().max_depth,
    show_default=True,
    help="the most steps the bounded search unrolls",
)
@click.option(
    "--explicit-states",
    type=click.IntRange(min=0, max=10_000_000),
    default=Limits().explicit_states,
    show_default=True,
    help="when the solver runs out, the most states an explicit search of every state "
    "may visit to decide a small model (deterministic; 0: never)",
)
@click.option(
    "--derived-total-rlimit",
    type=click.IntRange(min=1),
    default=DERIVED_TOTAL_RLIMIT,
    show_default=True,
    help="--total-rlimit for each derived question (--derived); never more than --total-rlimit",
)
@click.option(
    "--derived-explicit-states",
    type=click.IntRange(min=0, max=10_000_000),
    default=DERIVED_EXPLICIT_STATES,
    show_default=True,
    help="--explicit-states for each derived question (--derived); never more than "
    "--explicit-states",
)
@click.option(
    "--max-seconds",
    type=Seconds(0.1),
    help="wall-clock budget for the whole run; what is left undecided is 'unknown' "
    "[default: none, only the deterministic limits]",
)
@click.option(
    "--timeout",
    type=Seconds(0.001),
    help="wall-clock safety net for each solver call; running out gives 'unknown' [default: none]",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1, max=256),
    help="properties decided at once, in separate processes  [default: the cores available]",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="where decisions are kept between runs  [default: $STEPCHECK_CACHE_DIR, "
    "$XDG_CACHE_HOME/stepcheck or ~/.cache/stepcheck]",
)
@click.option("--no-cache", is_flag=True, help="decide every property afresh, and keep nothing")
@click.option(
    "--no-timings",
    is_flag=True,
    help="leave solver times out, so the output is the same on every run (golden files, diffs)",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="text format: only the summary (verdicts, the problems to raise first, counts)",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="text format: also every working day of a case story on its own row",
)
@click.option(
    "--color",
    "colour",
    type=click.Choice(CHOICES),
    default="auto",
    show_default=True,
    help="colour verdicts and severities: auto is on a terminal unless NO_COLOR is set",
)
@click.option(
    "--derived",
    is_flag=True,
    help="also ask what no property asks: can every must and should deadline be met "
    f"({DERIVED_PREFIX}<deadline>), how long can a case sit in each holding status "
    f"({HOLDING_PREFIX}<status>), and does a case on an urgent route wait "
    f"({URGENT_PREFIX}<status>)? Naming one with --property is enough",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="accepted problems (from --write-baseline): each problem is reported as new or "
    "unchanged, and the exit code counts only new ones",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="record this run's violations, unknowns and findings as accepted, by fingerprint",
)
@click.option(
    "--job-summary",
    is_flag=True,
    help="also append the pull-request summary (--format pr) to $GITHUB_STEP_SUMMARY",
)
def verify(  # noqa: PLR0917 (click passes every option as a parameter)
    paths: tuple[Path, ...],
    properties: tuple[str, ...],
    output_format: str,
    output: Path | None,
    out_dir: Path | None,
    start_date: date | None,
    rlimit: int,
    total_rlimit: int,
    depth: int,
    explicit_states: int,
    derived_total_rlimit: int,
    derived_explicit_states: int,
    max_seconds: float | None,
    timeout: float | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    no_timings: bool,
    quiet: bool,
    verbose: bool,
    colour: str,
    derived: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
    job_summary: bool,
) -> None:
    """Prove or refute every property of each spec, and list the consistency findings.

    With no PATH, verifies the shipped authorities. Exit 0 when every property is
    proved, 1 when any is violated, 2 on bad input, 3 when none is violated but some
    could not be decided. A spec that cannot be loaded does not stop the others: its
    problems are reported in every format, and the exit code is 2. With --baseline,
    only problems the baseline does not accept count (a new finding as a violation).
    Verdicts depend only on the input and the deterministic limits (--rlimit,
    --total-rlimit, --depth), never on how busy the machine is; --max-seconds and
    --timeout are safety nets that turn what they stop into 'unknown'.
    """
    budget = Budget(seconds=max_seconds, started=STARTED) if max_seconds is not None else None
    accepted = read_baseline(baseline_file) if baseline_file is not None else None
    summary_file = _summary_file() if job_summary else None
    specs, broken = load_some(paths)
    if derived or any(name.startswith(DERIVED) for name in properties):
        specs = [with_derived(spec) for spec in specs]
    known = {prop.id for spec in specs for prop in spec.properties}
    unknown_ids = sorted(set(properties) - known)
    if unknown_ids:
        raise click.BadParameter(
            f"no spec has a property {', '.join(map(repr, unknown_ids))}", param_hint="--property"
        )
    limits = Limits(
        rlimit=rlimit,
        total_rlimit=total_rlimit,
        max_depth=depth,
        explicit_states=explicit_states,
        timeout_ms=None if timeout is None else max(1, int(timeout * 1000)),
    )
    start = start_date if start_date is not None else default_start()
    writes = [path for path in (output, write_baseline, summary_file) if path is not None]
    check_writable(writes, out_dir)
    report = run_verify(
        specs,
        properties=properties,
        limits=limits,
        progress=sys.stderr.isatty(),
        start=start,
        jobs=jobs if jobs is not None else default_jobs(),
        budget=budget,
        cache=None if no_cache else (cache_dir or default_folder()),
        derived=derived_limits(limits, derived_total_rlimit, derived_explicit_states),
    )
    if no_timings:
        report = without_timings(report)
    asked = _options(limits) + _derived_options(derived_total_rlimit, derived_explicit_states)
    report = with_options(evolve(report, inputs=tuple(broken)), asked)
    by_path = {spec.path: spec for spec in specs}
    if write_baseline is not None:
        write_file(write_baseline, render_baseline(report, by_path))
    if accepted is not None and baseline_file is not None:
        report = compare(report, by_path, accepted, str(baseline_file))
    if quiet and verbose:
        raise click.BadParameter("choose one of --quiet and --verbose", param_hint="-q/-v")
    detail = Detail.QUIET if quiet else Detail.VERBOSE if verbose else Detail.NORMAL
    text = write(report, output_format, specs=by_path, start=start, detail=detail)
    if out_dir is not None:
        for fmt, suffix in _SUFFIXES.items():
            rendered = write(report, fmt, specs=by_path, start=start)
            write_file(out_dir / f"verify.{suffix}", rendered)
    if summary_file is not None:
        with summary_file.open("a", encoding="utf-8") as summary:
            summary.write(write(report, "pr", specs=by_path, start=start))
    if output is not None:
        write_file(output, text)
    else:
        coloured = output_format == "text" and wants_colour(colour, sys.stdout)
        click.echo(colourise(text) if coloured else text, nl=False, color=coloured)
    sys.exit(report.exit_code)


verify_command = verify

_SUFFIXES = {
    "text": "txt",
    "json": "json",
    "junit": "xml",
    "sarif": "sarif",
    "markdown": "md",
    "pr": "pr.md",
}
# --out-dir writes these; `summary` is the head of the markdown one, `github` is for a
# workflow's log only.


def _options(limits: Limits) -> tuple[str, ...]:
    """The limit options that differ from the defaults, as a command line says them."""
    default = Limits()
    given = [
        ("--rlimit", limits.rlimit, default.rlimit),
        ("--total-rlimit", limits.total_rlimit, default.total_rlimit),
        ("--depth", limits.max_depth, default.max_depth),
        ("--explicit-states", limits.explicit_states, default.explicit_states),
    ]
    options = [f"{name} {value}" for name, value, usual in given if value != usual]
    if limits.timeout_ms is not None:
        options.append(f"--timeout {limits.timeout_ms / 1000:g}")
    return tuple(options)


def _derived_options(total_rlimit: int, explicit_states: int) -> tuple[str, ...]:
    """The derived questions' limit options that differ from their defaults."""
    given = [
        ("--derived-total-rlimit", total_rlimit, DERIVED_TOTAL_RLIMIT),
        ("--derived-explicit-states", explicit_states, DERIVED_EXPLICIT_STATES),
    ]
    return tuple(f"{name} {value}" for name, value, usual in given if value != usual)


def _summary_file() -> Path:
    """Where GitHub Actions collects a job's summary."""
    named = os.environ.get("GITHUB_STEP_SUMMARY", "")
    if not named:
        raise StepcheckError(
            "--job-summary: GITHUB_STEP_SUMMARY is not set (GitHub Actions sets it in a "
            "job); use --format pr -o FILE elsewhere"
        )
    return Path(named)
