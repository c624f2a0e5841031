"""`--max-seconds`, the whole command's wall-clock budget, for every command that runs
the checker: `verify`, `report`, `diff` and `diagram --highlight`. It counts from when
stepcheck was imported (`stepcheck.STARTED`), so loading the specs is inside it; what
the checker has not decided when it ends is `unknown`, naming the budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

import stepcheck
from stepcheck.cli_types import Seconds
from stepcheck.verification import Budget

__all__ = ["budget_of", "max_seconds_option"]

_F = TypeVar("_F", bound=Callable[..., Any])


def max_seconds_option(what: str) -> Callable[[_F], _F]:
    """The `--max-seconds` option; `what` says what the command does within it."""
    return click.option(
        "--max-seconds",
        type=Seconds(0.1),
        help=f"wall-clock budget for the whole command; {what} "
        "[default: none, only the deterministic limits]",
    )


def budget_of(max_seconds: float | None) -> Budget | None:
    """The run's budget from `--max-seconds`, counted from stepcheck's import."""
    if max_seconds is None:
        return None
    return Budget(seconds=max_seconds, started=stepcheck.STARTED)
