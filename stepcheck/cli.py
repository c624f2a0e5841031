"""The `stepcheck` command line: parses arguments, calls the library, sets the exit code.

Exit codes: 0 all proved / valid, 1 a violation, 2 bad input or usage, 3 only
unknowns. A `StepcheckError` is printed as one clear line, never as a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from stepcheck import STARTED, __version__
from stepcheck import coverage as coverage_report
from stepcheck.checker.cache import default_folder
from stepcheck.checker.derived import DERIVED, DERIVED_PREFIX, HOLDING_PREFIX, with_derived
from stepcheck.checker.engines import Limits
from stepcheck.checker.writers import FORMATS, Detail, write
from stepcheck.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_VIOLATED,
    load_all,
    shipped_authorities,
)
from stepcheck.cli_diagram import diagram
from stepcheck.cli_diff import diff_command
from stepcheck.cli_export import export_command
from stepcheck.cli_report import compare_command, report_command
from stepcheck.cli_test import test_command
from stepcheck.cli_types import Seconds, StartDate
from stepcheck.colour import CHOICES, colourise, wants_colour
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.loader import find_spec_files
from stepcheck.validation import render_json, render_text, validate_files
from stepcheck.verification import Budget, default_jobs, run_verify, without_timings

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "EXIT_VIOLATED",
    "main",
    "shipped_authorities",
]


class _Group(click.Group):
    """Turns user-fixable errors into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StepcheckError as error:
            click.echo(f"stepcheck: error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stepcheck")
def cli() -> None:
    """Check children's-services case-transfer protocols written as stepcheck specs."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for CI",
)
def validate(paths: tuple[Path, ...], output_format: str) -> None:
    """Load spec files (or folders of them) and report every problem with its location.

    With no PATH, validates the shipped authorities. Exit 0 when every spec is valid,
    2 when any is not.
    """
    files = find_spec_files(paths or (shipped_authorities(),))
    results = validate_files(files)
    click.echo(render_json(results) if output_format == "json" else render_text(results), nl=False)
    sys.exit(EXIT_OK if all(result.ok for result in results) else EXIT_BAD_INPUT)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option("--details", is_flag=True, help="also list the encoded and out-of-scope rule ids")
@click.option(
    "--all",
    "require_all",
    is_flag=True,
    help="also fail when a digest document is encoded by none of the specs",
)
def coverage(paths: tuple[Path, ...], output_format: str, details: bool, require_all: bool) -> None:
    """Show, per document, which seed-digest rules are encoded, out of scope, or missing.

    With no PATH, reports on the shipped authorities. Exit 0 when every rule is
    accounted for, 1 when any is missing, 2 when a spec is invalid.
    """
    report = coverage_report.coverage_of(load_all(paths))
    match output_format:
        case "json":
            click.echo(coverage_report.render_json(report), nl=False)
        case "markdown":
            click.echo(coverage_report.render_markdown(report), nl=False)
        case _:
            click.echo(coverage_report.render_text(report, details=details), nl=False)
    complete = all(row.complete for row in report)
    if require_all and coverage_report.uncovered_documents(report):
        complete = False
    sys.exit(EXIT_OK if complete else EXIT_VIOLATED)


@cli.command()
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
    help="text for people; json, junit, sarif for CI; markdown for reviews; summary: verdicts",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="write here instead of standard output"
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="also write the report in every format to DIR/verify.{txt,json,xml,sarif,md}",
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
    f"({DERIVED_PREFIX}<deadline>), and how long can a case sit in each holding status "
    f"({HOLDING_PREFIX}<status>)? Naming one with --property is enough",
)
def verify(
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
) -> None:
    """Prove or refute every property of each spec, and list the consistency findings.

    With no PATH, verifies the shipped authorities. Exit 0 when every property is
    proved, 1 when any is violated, 2 on bad input, 3 when none is violated but some
    could not be decided. Verdicts depend only on the input and the deterministic
    limits (--rlimit, --total-rlimit, --depth), never on how busy the machine is;
    --max-seconds and --timeout are safety nets that turn what they stop into 'unknown'.
    """
    budget = Budget(seconds=max_seconds, started=STARTED) if max_seconds is not None else None
    specs = load_all(paths)
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
    start = start_date if start_date is not None else date.today()
    writes = [path for path in (output,) if path is not None]
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
    )
    if no_timings:
        report = without_timings(report)
    if quiet and verbose:
        raise click.BadParameter("choose one of --quiet and --verbose", param_hint="-q/-v")
    detail = Detail.QUIET if quiet else Detail.VERBOSE if verbose else Detail.NORMAL
    by_path = {spec.path: spec for spec in specs}
    text = write(report, output_format, specs=by_path, start=start, detail=detail)
    if out_dir is not None:
        for fmt, suffix in _SUFFIXES.items():
            rendered = write(report, fmt, specs=by_path, start=start)
            write_file(out_dir / f"verify.{suffix}", rendered)
    if output is not None:
        write_file(output, text)
    else:
        coloured = output_format == "text" and wants_colour(colour, sys.stdout)
        click.echo(colourise(text) if coloured else text, nl=False, color=coloured)
    sys.exit(report.exit_code)


_SUFFIXES = {"text": "txt", "json": "json", "junit": "xml", "sarif": "sarif", "markdown": "md"}
# --out-dir writes these; `summary` is the head of the markdown one.


def _not_built(name: str, summary: str, issue: str) -> Callable[..., NoReturn]:
    def command(args: tuple[str, ...]) -> NoReturn:
        del args
        click.echo(f"stepcheck {name}: not built yet ({issue}); nothing was checked.", err=True)
        sys.exit(EXIT_BAD_INPUT)

    command.__doc__ = f"{summary} (not built yet: {issue})."
    return command


_PLANNED = {
    "replay": ("Replay a system's log against a spec", "the oracle issue"),
}

for _name, (_summary, _issue) in _PLANNED.items():
    cli.command(
        name=_name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )(click.argument("args", nargs=-1, type=click.UNPROCESSED)(_not_built(_name, _summary, _issue)))

cli.add_command(report_command)
cli.add_command(compare_command)
cli.add_command(diagram)
cli.add_command(test_command)
cli.add_command(export_command)
cli.add_command(diff_command)


def main() -> None:
    """Entry point of the `stepcheck` script."""
    cli(prog_name="stepcheck")
