"""The Somerset service in-process, as a stepcheck `System`
(`python:examples.somerset_cases.app:factory`).

The adapter is `examples/in_process.py`. Planted bugs come from `factory(bugs=...)` or,
for the command line, from the `SOMERSET_BUGS` environment variable (comma-separated).
"""

from __future__ import annotations

from collections.abc import Iterable

from examples.in_process import InProcess, bugs_from
from examples.somerset_cases.service import Somerset

__all__ = ["InProcessSomerset", "factory"]


class InProcessSomerset(InProcess):
    """One case of the Somerset service, driven directly (no HTTP)."""

    def __init__(self, bugs: Iterable[str] = ()) -> None:
        super().__init__(Somerset(bugs))


def factory(bugs: Iterable[str] | None = None) -> InProcessSomerset:
    """A fresh in-process service, with the planted bugs asked for (default: none)."""
    return InProcessSomerset(bugs_from("SOMERSET_BUGS", bugs))
