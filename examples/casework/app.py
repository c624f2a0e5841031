"""The service in-process, as a stepcheck `System` (`python:examples.casework.app:factory`).

The adapter is `examples/in_process.py`. Planted bugs come from `factory(bugs=...)` or,
for the command line, from the `CASEWORK_BUGS` environment variable (comma-separated).
"""

from __future__ import annotations

from collections.abc import Iterable

from examples.casework.service import Casework
from examples.in_process import InProcess, bugs_from

__all__ = ["InProcessCasework", "factory"]


class InProcessCasework(InProcess):
    """One case of the service, driven directly (no HTTP)."""

    def __init__(self, bugs: Iterable[str] = ()) -> None:
        super().__init__(Casework(bugs))


def factory(bugs: Iterable[str] | None = None) -> InProcessCasework:
    """A fresh in-process service, with the planted bugs asked for (default: none)."""
    return InProcessCasework(bugs_from("CASEWORK_BUGS", bugs))
