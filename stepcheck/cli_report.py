"""The `stepcheck report` and `stepcheck compare` commands: the reviewer's HTML page and the
side-by-side comparison of authorities.

`report` renders `stepcheck verify --format json` output (a file given with
`--results`, checked against the checker's published schema, or a fresh verification
run) with `diagrams.report`; `compare` prints `diagrams.compare` as text or Markdown.
Both load their specs the way `verify` does: any invalid spec prints every diagnostic
and exits 2.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import click

from stepcheck import __version__
from stepcheck.checker.cache import default_folder
from stepcheck.checker.engines import Limits
from stepcheck.checker.writers import write
from stepcheck.cli_common import load_all
from stepcheck.cli_types import StartDate, default_start
from stepcheck.diagrams.compare import compare, render_markdown, render_text
from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import Results, read_results
from stepcheck.diagrams.report_svg import svg_renderer
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.files import FileRefused, read_input
from stepcheck.spec.model import ProtocolSpec
from stepcheck.verification import default_jobs, run_verify, without_timings

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
def report_command(
    paths: tuple[Path, ...], output: Path, results: Path | None, start_date: date | None
) -> None:
    """Write the policy reviewer's report: one self-contained HTML file.

    Verdicts with the quoted rules, dated case stories, findings, diagrams and a
    comparison of the authorities. With no PATH, reports on the shipped authorities.
    Exit 0 when every property is proved, 1 when any is violated, 2 on bad input,
    3 when none is violated but some could not be decided.
    """
    check_writable([output])
    specs = load_all(paths)
    if results is not None:
        found = _read_results_file(results, specs)
        if start_date is not None and start_date != found.start_date:
            raise click.BadParameter(
                f"the results file's stories start on {found.start_date.isoformat()}; "
                "verify again with this date, or leave --start-date out",
                param_hint="--start-date",
            )
    else:
        found = _verify(specs, start_date if start_date is not None else default_start())
    if shutil.which("dot") is None:
        click.echo("stepcheck report: note: Graphviz's dot is not installed; no diagrams", err=True)
    page = render_report(found, specs, version=__version__, renderer=svg_renderer())
    write_file(output, page)
    click.echo(f"stepcheck report: wrote {output}")
    sys.exit(_exit_code(found, specs))


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


def _read_results_file(path: Path, specs: list[ProtocolSpec]) -> Results:
    """The results in `path`, which must be valid and cover every spec that has properties."""
    try:
        text = read_input(path).decode("utf-8")
    except FileRefused as refused:
        raise StepcheckError(f"cannot read the results file {path}: {refused.reason}") from None
    except UnicodeDecodeError:
        raise StepcheckError(f"cannot read the results file {path}: it is not UTF-8 text") from None
    found = read_results(text, _schema(), name=str(path))
    files = {Path(result.spec).resolve() for result in found.results}
    authorities = {result.authority for result in found.results}
    missing = [
        spec.path
        for spec in specs
        if spec.properties
        and Path(spec.path).resolve() not in files
        and spec.authority.id not in authorities
    ]
    if missing:
        raise StepcheckError(
            f"{path} has no results for {', '.join(missing)}; "
            "run 'stepcheck verify --format json' on those specs too"
        )
    return found


def _verify(specs: list[ProtocolSpec], start: date) -> Results:
    """Verify `specs` here, and read the JSON the checker writes, as a results file would be."""
    report = without_timings(
        run_verify(
            specs,
            properties=(),
            limits=Limits(),
            progress=sys.stderr.isatty(),
            start=start,
            jobs=default_jobs(),
            cache=default_folder(),
        )
    )
    text = write(report, "json", specs={spec.path: spec for spec in specs}, start=start)
    return read_results(text, _schema(), name="the verification run")


def _schema() -> dict[str, Any]:
    schema = resources.files("stepcheck.checker.writers").joinpath("verify-output.schema.json")
    loaded: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    return loaded


def _exit_code(found: Results, specs: list[ProtocolSpec]) -> int:
    """As `verify`: 1 for any violation, else 3 for any unknown, else 0 (over these specs)."""
    paths = {Path(spec.path).resolve() for spec in specs}
    authorities = {spec.authority.id for spec in specs}
    verdicts = {
        r.verdict
        for r in found.results
        if Path(r.spec).resolve() in paths or r.authority in authorities
    }
    if "violated" in verdicts:
        return 1
    return 3 if "unknown" in verdicts else 0
