"""What every command shares: exit codes, the shipped authorities, loading specs or exiting 2."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stepcheck.spec.diagnostics import Diagnostic, render_diagnostics
from stepcheck.spec.loader import gather_spec_files, shipped_folder
from stepcheck.spec.model import ProtocolSpec
from stepcheck.validation import validate_files, validate_paths

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "EXIT_VIOLATED",
    "load_all",
    "load_some",
    "shipped_authorities",
    "tier_option",
]

EXIT_OK = 0
EXIT_VIOLATED = 1
EXIT_BAD_INPUT = 2
EXIT_UNKNOWN = 3

tier_option = click.option(
    "--tier",
    "tiers",
    multiple=True,
    metavar="STATUS=TIER",
    help="where the document leaves a status's tier open, the one reading to follow "
    "(repeatable; `verify` checks every reading)",
)


def shipped_authorities() -> Path:
    """The folder of the authority specs that ship with stepcheck."""
    return shipped_folder()


def load_some(paths: tuple[Path, ...]) -> tuple[list[ProtocolSpec], list[Diagnostic]]:
    """Load every spec that loads (default: the shipped ones), and the diagnostics of
    every path or spec that does not, so one broken spec does not stop the others."""
    results = validate_paths(paths or (shipped_authorities(),))
    bad = sorted((d for result in results for d in result.diagnostics), key=Diagnostic.sort_key)
    return [result.spec for result in results if result.spec is not None], bad


def load_all(paths: tuple[Path, ...]) -> list[ProtocolSpec]:
    """Load every spec (default: the shipped ones); on any invalid one, or a path that
    is missing or a folder with no spec, print all diagnostics (located) and exit 2."""
    files, bad = gather_spec_files(paths or (shipped_authorities(),))
    results = validate_files(files)
    bad += [d for result in results for d in result.diagnostics]
    if bad:
        click.echo(render_diagnostics(bad), err=True, nl=False)
        sys.exit(EXIT_BAD_INPUT)
    return [result.spec for result in results if result.spec is not None]
