"""The Somerset service in-process, as a stepcheck `System`
(`python:examples.somerset_cases.app:factory`).

This adapter is the only place the example touches stepcheck: it turns the service's
answers into `CaseView`s. Planted bugs come from `factory(bugs=...)` or, for the
command line, from the `SOMERSET_BUGS` environment variable (comma-separated).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from examples.somerset_cases.service import Case, Somerset
from stepcheck.oracle.types import CaseView, Reply

__all__ = ["InProcessSomerset", "factory"]


class InProcessSomerset:
    """One case of the service, driven directly (no HTTP)."""

    def __init__(self, bugs: Iterable[str] = ()) -> None:
        self.service = Somerset(bugs)
        self.case: Case | None = None

    def start(self, *, status: str, at: datetime) -> CaseView:
        del at  # opening a case does not depend on the moment
        self.case = self.service.open_case(status)
        return _view(self.case.view())

    def apply(self, step: str, *, at: datetime) -> Reply:
        assert self.case is not None, "start a case first"
        accepted, self.case = self.service.apply(self.case, step, at)
        return Reply(accepted=accepted, view=_view(self.case.view()))

    def close(self) -> None:
        self.case = None


def factory(bugs: Iterable[str] | None = None) -> InProcessSomerset:
    """A fresh in-process service, with the planted bugs asked for (default: none)."""
    if bugs is None:
        bugs = [name for name in os.environ.get("SOMERSET_BUGS", "").split(",") if name]
    return InProcessSomerset(bugs)


def _view(data: Mapping[str, object]) -> CaseView:
    due = data["due"]
    disputes = data["disputes"]
    assert isinstance(due, dict)
    assert isinstance(disputes, dict)
    return CaseView(
        status=str(data["status"]),
        owner=str(data["owner"]),
        co_owner=str(data["co_owner"]),
        allocated=bool(data["allocated"]),
        due={name: date.fromisoformat(day) for name, day in due.items()},
        disputes=disputes,
    )
