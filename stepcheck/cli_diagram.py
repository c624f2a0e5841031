"""The `stepcheck diagram` command: a spec's status diagram and escalation ladders.

Parses arguments, loads the spec, optionally asks the checker for one property's
counterexample to highlight, and writes DOT, SVG, PNG or Mermaid. Exit 0 when the
diagrams are written, 2 for a bad spec, bad arguments or a missing Graphviz.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

import click

from stepcheck.checker.engines import Limits
from stepcheck.cli_budget import budget_of, max_seconds_option
from stepcheck.cli_common import load_all
from stepcheck.cli_types import Seconds, default_start
from stepcheck.diagrams.dot import status_diagram
from stepcheck.diagrams.ladders import ladder_diagram
from stepcheck.diagrams.mermaid import status_mermaid
from stepcheck.diagrams.parts import tier_map, tier_parts
from stepcheck.diagrams.render import render
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import Trace
from stepcheck.verification import run_verify

__all__ = ["diagram"]

_EXTENSIONS: Final = {"dot": "dot", "svg": "svg", "png": "png", "mermaid": "mmd"}


@click.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(_EXTENSIONS)),
    default="svg",
    show_default=True,
    help="svg and png need Graphviz's dot; dot and mermaid are text and need nothing",
)
@click.option(
    "--highlight",
    "property_id",
    metavar="PROPERTY",
    help="run the checker on this property and draw its counterexample",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write the status diagram here",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="write DIR/<authority>.<ext> (the whole diagram); for Graphviz formats also "
    "DIR/<authority>-tiers.<ext> (how a case moves between tiers), "
    "DIR/<authority>-tier-<tier>.<ext> per tier, and "
    "DIR/<authority>-ladder-<escalation>.<ext> per ladder",
)
@click.option(
    "--timeout",
    type=Seconds(0.001),
    default=30.0,
    show_default=True,
    help="seconds each solver call may take when --highlight runs the checker",
)
@max_seconds_option("with --highlight, a property not decided by then has no trace to draw")
def diagram(  # noqa: PLR0917 (click passes every option as a parameter)
    spec_path: Path,
    output_format: str,
    property_id: str | None,
    output: Path | None,
    out_dir: Path | None,
    timeout: float,
    max_seconds: float | None,
) -> None:
    """Draw SPEC's statuses and events (and its escalation ladders) as Graphviz or Mermaid.

    With neither -o nor --out-dir, text (dot, mermaid, svg) goes to standard output.
    Mermaid draws the status diagram only; ladders are Graphviz.
    """
    if output is not None and out_dir is not None:
        raise click.UsageError("give -o FILE or --out-dir DIR, not both")
    if output_format == "png" and output is None and out_dir is None:
        raise click.UsageError("png is binary: give -o FILE or --out-dir DIR")
    check_writable([output] if output is not None else [], out_dir)
    spec = _load_one(spec_path)
    trace = (
        _highlight_trace(spec, property_id, timeout, max_seconds)
        if property_id is not None
        else None
    )
    if out_dir is not None:
        _write_all(spec, trace, output_format, out_dir)
        return
    data = _status_bytes(spec, trace, output_format)
    if output is not None:
        write_file(output, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def _load_one(spec_path: Path) -> ProtocolSpec:
    # Imported here because stepcheck.cli imports this module to register the command.

    specs = load_all((spec_path,))
    if len(specs) != 1:
        raise click.BadParameter(
            f"'{spec_path}' holds {len(specs)} specs; give one spec file", param_hint="SPEC"
        )
    return specs[0]


def _highlight_trace(
    spec: ProtocolSpec, property_id: str, timeout: float, max_seconds: float | None
) -> Trace | None:
    """The counterexample of one property, or None (with a note) when it has none."""
    known = sorted(prop.id for prop in spec.properties)
    if property_id not in known:
        raise click.BadParameter(
            f"'{spec.authority.id}' has no property '{property_id}'; its properties: "
            + ", ".join(known),
            param_hint="--highlight",
        )
    limits = Limits(timeout_ms=max(1, int(timeout * 1000)))
    report = run_verify(
        [spec],
        properties=(property_id,),
        limits=limits,
        progress=False,
        start=default_start(),
        budget=budget_of(max_seconds),
    )
    result = report.results[0]
    if result.trace is None:
        click.echo(
            f"stepcheck: note: property '{property_id}' is {result.verdict.value}, "
            "so there is no counterexample to highlight",
            err=True,
        )
    return result.trace


def _status_bytes(spec: ProtocolSpec, trace: Trace | None, output_format: str) -> bytes:
    if output_format == "mermaid":
        return status_mermaid(spec, highlight=trace).encode("utf-8")
    graph = status_diagram(spec, highlight=trace)
    if output_format == "dot":
        return str(graph.source).encode("utf-8")
    return render(graph, output_format)


def _write_all(spec: ProtocolSpec, trace: Trace | None, output_format: str, out_dir: Path) -> None:
    """The status diagram and, for Graphviz formats, the same in parts a page can hold
    (the tier map and one part per tier) and one file per escalation ladder."""
    extension = _EXTENSIONS[output_format]
    files = {f"{spec.authority.id}.{extension}": _status_bytes(spec, trace, output_format)}
    if output_format != "mermaid":
        authority = spec.authority.id
        graphs = {f"{authority}-tiers": tier_map(spec)}
        graphs |= {f"{authority}-tier-{part.tier.value}": part.graph for part in tier_parts(spec)}
        for escalation in sorted(spec.escalations, key=lambda escalation: escalation.id):
            graphs[f"{authority}-ladder-{escalation.id}"] = ladder_diagram(spec, escalation.id)
        for stem, graph in graphs.items():
            data = (
                graph.source.encode("utf-8")
                if output_format == "dot"
                else render(graph, output_format)
            )
            files[f"{stem}.{extension}"] = data
    for name, data in files.items():
        write_file(out_dir / name, data)
        click.echo(str(out_dir / name), err=True)
    sys.stderr.flush()
