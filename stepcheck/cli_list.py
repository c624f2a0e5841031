"""`stepcheck list`: the authority specs that ship with stepcheck, by the name a command
accepts in place of a path (`stepcheck verify devon`)."""

from __future__ import annotations

import click

from stepcheck.spec.loader import load_spec, shipped_folder, shipped_names

__all__ = ["list_command"]


@click.command(name="list")
def list_command() -> None:
    """List the shipped authorities: each name can be given wherever a spec path can."""
    for name in shipped_names():
        spec = load_spec(shipped_folder() / f"{name}.yaml")
        click.echo(f"{name:<16} {spec.authority.name}")
