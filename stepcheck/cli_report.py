"""The `stepcheck report` and `stepcheck compare` commands: the reviewer's HTML page and the
side-by-side comparison of authorities.

`report` renders `stepcheck verify --format json` output (a file given with
`--results`, checked against the checker's published schema, or a fresh verification
run) with `diagrams.report`; `compare` prints `diagrams.compare` as text or Markdown.
Both load their specs the way `verify` does: any invalid spec prints every diagnostic
and exits 2.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from stepcheck.checker.cache import default_folder
from stepcheck.cli_budget import budget_of, max_seconds_option
from stepcheck.cli_common import load_all
from stepcheck.cli_types import StartDate, default_start
from stepcheck.diagrams.compare import compare, render_markdown, render_text
from stepcheck.outputs import check_writable, write_file
from stepcheck.reporting import (
    has_diagrams,
    read_results_file,
    report_exit_code,
    report_page,
    verified_results,
)
from stepcheck.spec.assume import assume_all, parse_assumptions
from stepcheck.verification import default_jobs

__all__ = ["compare_command", "report_command"]


@click.command(name="report")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/report.html"),
    show_default=True,
    help="the HTML file to write",
)
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    help="render this 'stepcheck verify --format json' file instead of verifying again",
)
@click.option(
    "--start-date",
    type=StartDate(),
    help="the date case stories start on, when verifying here  [default: today]",
)
@click.option(
    "--assume",
    "assumptions",
    multiple=True,
    metavar="DOC=present|absent",
    help="as for verify: decide a conditional or superseded document (repeatable)",
)
@max_seconds_option("what is left undecided is 'unknown'")
def report_command(  # noqa: PLR0917 (click passes every option as a parameter)
    paths: tuple[Path, ...],
    output: Path,
    results: Path | None,
    start_date: date | None,
    assumptions: tuple[str, ...],
    max_seconds: float | None,
) -> None:
    """Write the policy reviewer's report: one self-contained HTML file.

    Verdicts with the quoted rules, dated case stories, findings, diagrams and a
    comparison of the authorities. With no PATH, reports on the shipped authorities.
    Exit 0 when every property is proved, 1 when any is violated, 2 on bad input,
    3 when none is violated but some could not be decided.
    """
    check_writable([output])
    specs = load_all(paths)
    specs = assume_all(specs, parse_assumptions(assumptions, specs))
    if results is not None:
        found = read_results_file(results, specs)
        if start_date is not None and start_date != found.start_date:
            raise click.BadParameter(
                f"the results file's stories start on {found.start_date.isoformat()}; "
                "verify again with this date, or leave --start-date out",
                param_hint="--start-date",
            )
    else:
        found = verified_results(
            specs,
            start_date if start_date is not None else default_start(),
            jobs=default_jobs(),
            cache=default_folder(),
            progress=sys.stderr.isatty(),
            budget=budget_of(max_seconds),
        )
    if not has_diagrams():
        click.echo("stepcheck report: note: Graphviz's dot is not installed; no diagrams", err=True)
    write_file(output, report_page(found, specs))
    click.echo(f"stepcheck report: wrote {output}")
    sys.exit(report_exit_code(found, specs))


@click.command(name="compare")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
)
def compare_command(paths: tuple[Path, ...], output_format: str) -> None:
    """Compare authorities side by side, from their specs.

    Meeting cadence, decision deadlines, re-referral windows, step-down meetings,
    escalation ladders and final authorities, holding states and their limits; each
    entry with the rule it comes from, and "not stated" where the document is silent.
    With no PATH, compares the shipped authorities. Exit 0, or 2 on bad input.
    """
    comparison = compare(load_all(paths))
    rendered = (
        render_markdown(comparison) if output_format == "markdown" else render_text(comparison)
    )
    click.echo(rendered, nl=False)
