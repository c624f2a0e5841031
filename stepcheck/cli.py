"""The `stepcheck` command line: parses arguments, calls the library, sets the exit code.

Exit codes: 0 all proved / valid, 1 a violation, 2 bad input or usage, 3 only
unknowns. A `StepcheckError` is printed as one clear line, never as a traceback.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any, Final

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
from stepcheck.digest import read_inventory
from stepcheck.oracle.replay_pages import without_cycle_collection
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.validation import (
    VALIDATE_FORMATS,
    render_validation,
    validate_paths,
    with_findings,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "EXIT_VIOLATED",
    "main",
    "shipped_authorities",
]


_ELSEWHERE: Final = {
    "compare": ("stepcheck.cli_report", "compare_command"),
    "diagram": ("stepcheck.cli_diagram", "diagram"),
    "diff": ("stepcheck.cli_diff", "diff_command"),
    "export": ("stepcheck.cli_export", "export_command"),
    "list": ("stepcheck.cli_list", "list_command"),
    "replay": ("stepcheck.cli_replay", "replay_command"),
    "report": ("stepcheck.cli_report", "report_command"),
    "simulate": ("stepcheck.cli_replay", "simulate_command"),
    "test": ("stepcheck.cli_test", "test_command"),
    "verify": ("stepcheck.cli_verify", "verify_command"),
}
"""The commands defined in modules of their own: name -> (module, attribute). Each module
is imported only when its command is run or listed (`--help`), so `stepcheck replay`
does not load the checker, z3, networkx or the diagram writers that it never uses."""


class _Group(click.Group):
    """Turns user-fixable errors into one line on stderr and exit code 2, and loads the
    commands of `_ELSEWHERE` when they are first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click's signature
        return sorted({*self.commands, *_ELSEWHERE})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _ELSEWHERE:
            self._load(cmd_name)
        elif cmd_name not in self.commands:
            # click suggests the nearest names from `self.commands` ("Did you mean"),
            # so an unknown name loads every command, as the eager group had them all
            for name in _ELSEWHERE:
                self._load(name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> None:
        if name not in self.commands:
            module, attribute = _ELSEWHERE[name]
            self.add_command(getattr(_imported(module), attribute), name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StepcheckError as error:
            click.echo(f"stepcheck: error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)


def _imported(module: str) -> Any:
    """The module, imported with the cycle collector paused, and everything alive then
    kept out of later collections (`gc.freeze`). A module's classes and functions live
    as long as the process; importing a command's modules (numba's among them) ran
    about 270 collections that found nothing to free, and each later full collection
    walked them all again (0.18 s of a one-row replay's 1 s, 0.05 s since)."""
    if module in sys.modules:  # imported already (a test's process): nothing to pause
        return sys.modules[module]
    with without_cycle_collection():
        try:
            return import_module(module)
        finally:
            gc.freeze()


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
@click.option(
    "--no-findings",
    is_flag=True,
    help="do not show the structural findings (warnings) about specs that load",
)
def validate(
    paths: tuple[Path, ...], output_format: str, output: Path | None, no_findings: bool
) -> None:
    """Load spec files (or folders of them) and report every problem with its location.

    With no PATH, validates the shipped authorities. A path that does not exist, or a
    folder with no spec, is reported like an invalid spec. For specs that load, the
    structural findings `verify` lists (dead ends, holding statuses with no time limit,
    ...) are shown as warnings. Exit 0 when every spec is valid, whatever the findings;
    2 when any is not.
    """
    if output is not None:
        check_writable([output], None)
    results = validate_paths(paths or (shipped_authorities(),))
    if not no_findings:
        results = with_findings(results)
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
    help="also fail when an inventory document is encoded by none of the specs",
)
@click.option(
    "--digest",
    "digests",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="a rule inventory (.md table, .csv or .json with id, document, section, quote) "
    "to check against instead of the shipped seed digest (repeatable)",
)
def coverage(
    paths: tuple[Path, ...],
    output_format: str,
    details: bool,
    require_all: bool,
    digests: tuple[Path, ...],
) -> None:
    """Show, per document, which inventory rules are encoded, out of scope, or missing.

    With no PATH, reports on the shipped authorities, against the shipped seed digest
    unless --digest is given. Exit 0 when every rule is accounted for, 1 when any is
    missing, 2 when a spec is invalid or a document has no rule inventory (not checked).
    """
    rules = read_inventory(digests) if digests else None
    report = coverage_report.coverage_of(load_all(paths), rules)
    match output_format:
        case "json":
            click.echo(coverage_report.render_json(report, rules), nl=False)
        case "markdown":
            click.echo(coverage_report.render_markdown(report, rules), nl=False)
        case _:
            text = coverage_report.render_text(report, details=details, rules=rules)
            click.echo(text, nl=False)
    if not coverage_report.checked(report):
        sys.exit(EXIT_BAD_INPUT)
    complete = all(row.complete for row in report)
    if require_all and coverage_report.uncovered_documents(report, rules):
        complete = False
    sys.exit(EXIT_OK if complete else EXIT_VIOLATED)


def main() -> None:
    """Entry point of the `stepcheck` script."""
    # At exit the interpreter's last garbage collections walk every object still
    # alive, Numba's many among them (about 0.15 s after a vector replay), only to free
    # memory the system takes back anyway. Frozen objects are skipped. Registered
    # before a command loads its modules, this runs after their exit handlers; files
    # are closed and temporary folders removed as before.
    atexit.register(gc.freeze)
    # numpy's OpenBLAS starts a thread per core when numpy loads, which spin a while
    # waiting for work that never comes: no command calls numpy's linear algebra
    # (about 0.09 s of CPU per `replay --engine vector`). Set before numpy loads, and
    # only when the user has not chosen.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "" in sys.argv[1:]:
        # click reads an empty PATH as ".", so `validate ""` checked the current folder.
        click.echo("stepcheck: error: an argument is empty ('')", err=True)
        sys.exit(EXIT_BAD_INPUT)
    cli(prog_name="stepcheck")
