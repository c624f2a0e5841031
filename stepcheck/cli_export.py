"""The `stepcheck export` command: a spec's finite model for another model checker.

Parses arguments, loads the spec and writes the model; today the one format is
Promela, for SPIN (`checker.promela`). Exit 0 when the model is written, 2 for a bad
spec, an unknown property or one that is not a safety property.
"""

from __future__ import annotations

from pathlib import Path

import click

from stepcheck.checker.promela import SAFETY_KINDS, to_promela
from stepcheck.cli_common import load_all, tier_option
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.model import Property, ProtocolSpec, Reading
from stepcheck.spec.readings import choose_reading

__all__ = ["export_command"]


@click.command("export")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["promela"]),
    default="promela",
    show_default=True,
    help="promela: a program for the SPIN model checker",
)
@click.option(
    "--property",
    "property_id",
    metavar="ID",
    help="assert this safety property (no_unowned_case, cp_step_down_requires_meeting, "
    "requires_meeting or invariant kind); without it, the model alone",
)
@click.option(
    "--reading",
    type=click.Choice([reading.value for reading in Reading]),
    default=Reading.MUST.value,
    show_default=True,
    help="which rules bind: must-rules, or must- and should-rules",
)
@click.option(
    "--missed-deadlines",
    is_flag=True,
    help="let time pass when a deadline or limit is due (by default people comply)",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="write here")
@tier_option
def export_command(  # noqa: PLR0917 (click passes every option as a parameter)
    spec_path: Path,
    output_format: str,
    property_id: str | None,
    reading: str,
    missed_deadlines: bool,
    output: Path | None,
    tiers: tuple[str, ...],
) -> None:
    """Write SPEC's finite model (spec/SEMANTICS.md) for another model checker.

    The Promela program checks one safety property with assertions; run it with
    `spin -a model.pml && gcc -DSAFETY -o pan pan.c && ./pan`. Without -o it goes
    to standard output.
    """
    assert output_format == "promela", "click allows only the formats listed"
    if output is not None:
        check_writable([output])
    spec = choose_reading(_one_spec(spec_path), tiers)
    prop = _safety_property(spec, property_id) if property_id is not None else None
    text = to_promela(spec, prop, reading=Reading(reading), comply=not missed_deadlines)
    if output is None:
        click.echo(text, nl=False)
        return
    write_file(output, text)


def _one_spec(spec_path: Path) -> ProtocolSpec:
    specs = load_all((spec_path,))
    if len(specs) != 1:
        raise StepcheckError(f"'{spec_path}' holds {len(specs)} specs; give one spec file")
    return specs[0]


def _safety_property(spec: ProtocolSpec, property_id: str) -> Property:
    """The property `property_id` of `spec`, which must be a safety property."""
    safety = sorted(prop.id for prop in spec.properties if prop.kind in SAFETY_KINDS)
    known = {prop.id: prop for prop in spec.properties}
    if property_id not in known:
        raise StepcheckError(
            f"'{spec.authority.id}' has no property '{property_id}'; "
            f"its safety properties: {', '.join(safety) or 'none'}"
        )
    prop = known[property_id]
    if prop.kind not in SAFETY_KINDS:
        raise StepcheckError(
            f"property '{property_id}' ({prop.kind.value}) is not a safety property, so "
            f"Promela assertions cannot state it; safety properties of "
            f"'{spec.authority.id}': {', '.join(safety) or 'none'}"
        )
    return prop
