"""`stepcheck diff`: what changed in meaning between two versions of some specs.

Exit codes, as for `verify`: 0 nothing got worse, 1 something got worse (in the areas
`--fail-on` names), 2 bad input (an invalid spec, with its located diagnostics; a
revision git does not know, in one line), 3 nothing got worse but some comparison
could not be decided within the limits.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from stepcheck.checker.cache import default_folder
from stepcheck.checker.diff_model import Gate
from stepcheck.checker.diff_writers import DIFF_FORMATS, render_diff
from stepcheck.checker.engines import Limits
from stepcheck.cli_budget import budget_of, max_seconds_option
from stepcheck.cli_common import EXIT_BAD_INPUT
from stepcheck.cli_types import Seconds, StartDate
from stepcheck.diffing import diff_specs
from stepcheck.outputs import check_writable, write_file
from stepcheck.sources_git import from_git, from_paths, paired
from stepcheck.spec.diagnostics import SpecInvalid, render_diagnostics
from stepcheck.verification import default_jobs

__all__ = ["diff_command"]


def _gates(value: str) -> frozenset[Gate]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    known = {gate.value: gate for gate in Gate}
    wrong = [name for name in names if name not in known]
    if wrong:
        raise click.BadParameter(
            f"{', '.join(map(repr, wrong))}: choose from {', '.join(known)}",
            param_hint="--fail-on",
        )
    return frozenset(known[name] for name in names)


@click.command(name="diff")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REV",
    help="compare each PATH with the same path at git revision REV (e.g. main, HEAD~1)",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(DIFF_FORMATS)),
    default="text",
    show_default=True,
    help="text for people, markdown for a pull request, json and sarif for CI",
)
@click.option(
    "--fail-on",
    default="verdict,behaviour,finding",
    show_default=True,
    help="what makes the exit code 1 when it got worse (element changes count as behaviour)",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="write here instead of standard output"
)
@click.option(
    "--start-date", type=StartDate(), help="the date case stories start on  [default: today]"
)
@click.option("--rlimit", type=click.IntRange(min=1), default=Limits().rlimit, show_default=True)
@click.option(
    "--total-rlimit", type=click.IntRange(min=1), default=Limits().total_rlimit, show_default=True
)
@click.option(
    "--depth", type=click.IntRange(min=1, max=10_000), default=Limits().max_depth, show_default=True
)
@click.option("--timeout", type=Seconds(0.001), help="wall-clock safety net per solver call")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), help="[default: the cores]")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-cache", is_flag=True, help="decide every property afresh, and keep nothing")
@max_seconds_option("verdicts and behaviour not decided by then are 'unknown' (exit 3)")
def diff_command(  # noqa: PLR0917 (click passes every option as a parameter)
    paths: tuple[Path, ...],
    base: str | None,
    output_format: str,
    fail_on: str,
    output: Path | None,
    start_date: date | None,
    rlimit: int,
    total_rlimit: int,
    depth: int,
    timeout: float | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    max_seconds: float | None,
) -> None:
    """Show what changed in meaning between two versions of a spec (or folders of them).

    `stepcheck diff OLD NEW` compares files or folders (specs paired by authority);
    `stepcheck diff --base REV PATH...` compares PATH with itself at git revision REV.
    Reports verdicts that moved, behaviour newly possible or no longer possible
    (decided with Z3), deadlines, meetings, ladders and windows changed, and findings
    new or fixed, each with its YAML line. Wording, comments and order are not changes.

    Exit 0 when nothing got worse, 1 when something did, 2 on bad input, 3 when
    nothing got worse but some comparison could not be decided.
    """
    gates = _gates(fail_on)
    if base is None and len(paths) != 2:
        raise click.UsageError("give OLD and NEW, or --base REV and the paths to compare")
    try:
        if base is not None:
            old, new = from_git(base, paths), from_paths(paths)
        else:
            old, new = from_paths(paths[:1]), from_paths(paths[1:])
    except SpecInvalid as invalid:
        click.echo(render_diagnostics(invalid.diagnostics), err=True, nl=False)
        sys.exit(EXIT_BAD_INPUT)
    if output is not None:
        check_writable([output], None)
    limits = Limits(
        rlimit=rlimit,
        total_rlimit=total_rlimit,
        max_depth=depth,
        timeout_ms=None if timeout is None else max(1, int(timeout * 1000)),
    )
    report = diff_specs(
        paired(old, new),
        limits=limits,
        start=start_date if start_date is not None else date.today(),
        jobs=jobs if jobs is not None else default_jobs(),
        cache=None if no_cache else (cache_dir or default_folder()),
        progress=sys.stderr.isatty(),
        budget=budget_of(max_seconds),
    )
    text = render_diff(report, output_format, gates)
    if output is not None:
        write_file(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(gates))
