"""A service in-process, as a stepcheck `System`: the adapter both examples share.

It is the only place an example touches stepcheck: it turns a service's answers (plain
dictionaries, dates as ISO text) into `CaseView`s. Each example's `app.py` names its
service and the environment variable its planted bugs come from on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from stepcheck.oracle.types import CaseView, Reply

__all__ = ["InProcess", "Service", "bugs_from", "view_of"]


class Service(Protocol):
    """What an example service offers: open a case, apply a step to it."""

    def open_case(self, status: str) -> Any: ...

    def apply(self, case: Any, step: str, at: datetime) -> tuple[bool, Any]: ...


class InProcess:
    """One case of `service`, driven directly (no HTTP)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.case: Any = None

    def start(self, *, status: str, at: datetime) -> CaseView:
        del at  # opening a case does not depend on the moment
        self.case = self.service.open_case(status)
        return view_of(self.case.view())

    def apply(self, step: str, *, at: datetime) -> Reply:
        assert self.case is not None, "start a case first"
        accepted, self.case = self.service.apply(self.case, step, at)
        return Reply(accepted=accepted, view=view_of(self.case.view()))

    def close(self) -> None:
        self.case = None


def bugs_from(variable: str, bugs: Iterable[str] | None) -> list[str]:
    """The planted bugs asked for, else those named in `$variable` (comma-separated)."""
    if bugs is not None:
        return list(bugs)
    return [name for name in os.environ.get(variable, "").split(",") if name]


def view_of(data: Mapping[str, object]) -> CaseView:
    """A service's view of a case as the oracle's `CaseView`."""
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
