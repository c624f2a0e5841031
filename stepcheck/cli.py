"""The `stepcheck` command line: parses arguments, calls the library, sets the exit code.

Exit codes: 0 all proved / valid, 1 a violation, 2 bad input or usage, 3 only
unknowns. A `StepcheckError` is printed as one clear line, never as a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from stepcheck import __version__
from stepcheck import coverage as coverage_report
from stepcheck.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_VIOLATED,
    load_all,
    shipped_authorities,
)
from stepcheck.cli_diagram import diagram
from stepcheck.cli_export import export_command
from stepcheck.cli_list import list_command
from stepcheck.cli_report import compare_command, report_command
from stepcheck.cli_test import test_command
from stepcheck.cli_verify import verify_command
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.validation import VALIDATE_FORMATS, render_validation, validate_paths

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
    type=click.Choice(list(VALIDATE_FORMATS)),
    default="text",
    show_default=True,
    help="text for people; json, sarif, junit for CI; github: workflow annotations",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="write here instead of standard output"
)
def validate(paths: tuple[Path, ...], output_format: str, output: Path | None) -> None:
    """Load spec files (or folders of them) and report every problem with its location.

    With no PATH, validates the shipped authorities. A path that does not exist, or a
    folder with no spec, is reported like an invalid spec. Exit 0 when every spec is
    valid, 2 when any is not.
    """
    if output is not None:
        check_writable([output], None)
    results = validate_paths(paths or (shipped_authorities(),))
    text = render_validation(results, output_format)
    if output is not None:
        write_file(output, text)
    else:
        click.echo(text, nl=False)
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


def _not_built(name: str, summary: str, issue: str) -> Callable[..., NoReturn]:
    def command(args: tuple[str, ...]) -> NoReturn:
        del args
        click.echo(f"stepcheck {name}: not built yet ({issue}); nothing was checked.", err=True)
        sys.exit(EXIT_BAD_INPUT)

    command.__doc__ = f"{summary} (not built yet: {issue})."
    return command


_PLANNED = {
    "replay": ("Replay a system's log against a spec", "the oracle issue"),
    "diff": ("Show what changed between two versions of a spec", "the checker issue"),
}

for _name, (_summary, _issue) in _PLANNED.items():
    cli.command(
        name=_name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )(click.argument("args", nargs=-1, type=click.UNPROCESSED)(_not_built(_name, _summary, _issue)))

cli.add_command(verify_command)
cli.add_command(report_command)
cli.add_command(compare_command)
cli.add_command(diagram)
cli.add_command(test_command)
cli.add_command(export_command)
cli.add_command(list_command)


def main() -> None:
    """Entry point of the `stepcheck` script."""
    if "" in sys.argv[1:]:
        # click reads an empty PATH as ".", so `validate ""` checked the current folder.
        click.echo("stepcheck: error: an argument is empty ('')", err=True)
        sys.exit(EXIT_BAD_INPUT)
    cli(prog_name="stepcheck")
