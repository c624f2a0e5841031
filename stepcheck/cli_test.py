"""`stepcheck test`: drive a system and the oracle side by side and report the first difference.

Exit codes: 0 the system agreed on every step, 1 a disagreement (printed as a
minimal reproduction, or a system that misbehaved: not deterministic, broke part
way, timed out, tried to exit the process) or less coverage than `--min-coverage`,
2 bad input (spec, options) or a system that cannot be loaded or reached. Ctrl-C
stops the run with exit 130 and no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stepcheck.cli_common import EXIT_BAD_INPUT, tier_option
from stepcheck.cli_types import Seconds
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.http_system import http_factory
from stepcheck.oracle.repro import DEFAULT_EXAMPLES, DEFAULT_STEPS, DEFAULT_TIMEOUT
from stepcheck.oracle.system import SystemFactory, SystemUnavailable, load_factory
from stepcheck.spec.diagnostics import render_diagnostics
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.readings import choose_reading
from stepcheck.validation import validate_files

if TYPE_CHECKING:
    from stepcheck.oracle.testing import Outcome

__all__ = ["test_command"]


@click.command(name="test")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option(
    "--sut",
    required=True,
    metavar="URL|python:module:factory",
    help="the system under test: an HTTP base URL speaking the wire format (oracle/WIRE.md), "
    "or python:module:factory, imported with the current directory on sys.path (as uvicorn does)",
)
@click.option(
    "--examples",
    type=click.IntRange(min=0),
    default=DEFAULT_EXAMPLES,
    show_default=True,
    help="how many random cases to try after the directed ones (0: directed cases only)",
)
@click.option(
    "--seed", type=int, help="random seed, to repeat a run  [default: a fresh one, shown]"
)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=DEFAULT_STEPS,
    show_default=True,
    help="the most steps and time jumps in one case",
)
@click.option(
    "--reading",
    type=click.Choice([reading.value for reading in Reading]),
    default=Reading.MUST.value,
    show_default=True,
    help="which rules the system enforces: must only, or must and should",
)
@click.option(
    "--meeting",
    "meetings",
    multiple=True,
    metavar="ID=YYYY-MM-DD",
    help="a day a periodic meeting sits in the system (repeatable)  "
    "[default: weekly and fortnightly meetings sit on Mondays]",
)
@click.option(
    "--timeout",
    type=Seconds(0.001),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="seconds an HTTP system may take to answer one request",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="fail (exit 1) when less than PCT% of the reachable transitions, or of the "
    "refusals, was exercised",
)
@click.option(
    "--directed/--no-directed",
    default=True,
    show_default=True,
    help="first send a short case to every step the oracle can reach; "
    "--no-directed runs the random cases only",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json: verdict, coverage and the finding as one JSON object",
)
@tier_option
def test_command(  # noqa: PLR0917 - click passes every option as a parameter
    spec_path: Path,
    sut: str,
    examples: int,
    seed: int | None,
    steps: int,
    reading: str,
    meetings: tuple[str, ...],
    timeout: float,
    min_coverage: float | None,
    directed: bool,
    output_format: str,
    tiers: tuple[str, ...],
) -> None:
    """Test a system against the oracle: SPEC's reference executor drives it step by step.

    Directed cases reach every step the oracle can reach, then random cases follow;
    the report ends with the transitions and refusals exercised. Exit 0 when the
    system agrees on every step, 1 on a disagreement (printed with a minimal
    reproduction) or too little coverage, 2 on bad input or an unreachable system.
    """
    if examples == 0 and not directed:
        raise click.BadParameter(
            "0 with --no-directed would test nothing; give a number of random cases",
            param_hint="--examples",
        )
    check_system = _oracle()
    spec = choose_reading(_load(spec_path), tiers)
    anchors = _anchors(meetings, spec)
    factory = _factory(sut, timeout)
    try:
        outcome = check_system(
            spec,
            factory,
            examples=examples,
            seed=seed,
            steps=steps,
            reading=Reading(reading),
            meetings=anchors,
            target=sut,
            timeout=timeout,
            min_coverage=min_coverage,
            directed=directed,
        )
    except SystemUnavailable as error:
        click.echo(f"stepcheck test: error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except SystemExit:
        # a last guard: a system that exits outside a step must not read as "agrees"
        click.echo("stepcheck test: error: the system under test tried to exit the process")
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("stepcheck test: interrupted; nothing was reported", err=True)
        sys.exit(130)
    _print(outcome, output_format)
    sys.exit(outcome.exit_code)


def _oracle() -> Callable[..., Outcome]:
    """The oracle's test driver, which needs Hypothesis: an optional dependency
    (`pip install 'stepcheck[oracle]'`), so the other commands do without it."""
    try:
        from stepcheck.oracle.testing import check_system  # noqa: PLC0415
    except ImportError as missing:
        if missing.name not in ("hypothesis", "pytest"):
            raise
        click.echo(
            f"stepcheck test: error: testing a system needs {missing.name}, which is not "
            "installed; install it with: pip install 'stepcheck[oracle]'",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    return check_system


def _print(outcome: Outcome, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(outcome.as_json(), indent=2, sort_keys=True))
    else:
        click.echo(outcome.report, nl=False)


def _load(path: Path) -> ProtocolSpec:
    (result,) = validate_files([path])
    if result.spec is None:
        click.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
        sys.exit(EXIT_BAD_INPUT)
    return result.spec


def _factory(sut: str, timeout: float) -> SystemFactory:
    if sut.startswith(("http://", "https://")):
        return lambda: http_factory(sut, timeout=timeout)
    if sut.startswith("python:"):
        try:
            return load_factory(sut)
        except SystemUnavailable as error:
            click.echo(f"stepcheck test: error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    raise click.BadParameter(
        f"{sut!r} is neither an http(s):// URL nor python:module:factory", param_hint="--sut"
    )


def _anchors(meetings: tuple[str, ...], spec: ProtocolSpec) -> dict[str, date] | None:
    known = {meeting.id for meeting in spec.meetings}
    anchors = {}
    for text in meetings:
        name, _, day = text.partition("=")
        if name not in known:
            raise click.BadParameter(
                f"no meeting {name!r}; known: {', '.join(sorted(known))}", param_hint="--meeting"
            )
        try:
            anchors[name] = date.fromisoformat(day)
        except ValueError:
            raise click.BadParameter(
                f"{text!r} is not ID=YYYY-MM-DD", param_hint="--meeting"
            ) from None
    if anchors:
        try:
            Executor(spec, meetings=anchors)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--meeting") from None
    return anchors or None
