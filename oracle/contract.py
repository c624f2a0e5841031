"""The in-process contract, checked at run time: what `start` and `apply` must return.

A Python system is typed (`oracle/system.py`), but nothing stops one returning a dict,
a due date as a string or a `datetime`, or `accepted` as 1. Each answer is checked
before it is compared, and a wrong one is a fault of that step ("apply('allocate')
returned ...; expected ..."), reported like any other, never a traceback or a
misleading difference. The contract:

- `start(status=, at=)` returns a `CaseView`;
- `apply(step, at=)` returns a `Reply(accepted: bool, view: CaseView)`;
- a `CaseView` holds `status`, `owner`, `co_owner` (str: ids from the spec, `none`
  when nobody), `allocated` (bool), `due` (deadline id -> `datetime.date`, the last
  day it may be met, not a datetime) and `disputes` (ladder id -> level id, str).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from stepcheck.oracle.system import SystemFault
from stepcheck.oracle.types import CaseView, Reply

__all__ = ["checked_reply", "checked_view"]


def checked_view(value: object, call: str) -> CaseView:
    """`value` if it is a well-typed `CaseView`; else `SystemFault` saying what is wrong."""
    if not isinstance(value, CaseView):
        raise SystemFault(f"{call} returned {_kind(value)}; expected a CaseView")
    for name in ("status", "owner", "co_owner"):
        if not isinstance(getattr(value, name), str):
            raise SystemFault(f"{call}: view.{name} is {_kind(getattr(value, name))}; expected str")
    if not isinstance(value.allocated, bool):
        raise SystemFault(f"{call}: view.allocated is {_kind(value.allocated)}; expected bool")
    _mapping(value.due, f"{call}: view.due", _is_day, "a datetime.date (a day, not a datetime)")
    _mapping(value.disputes, f"{call}: view.disputes", _is_text, "a level id (str)")
    return value


def checked_reply(value: object, call: str) -> Reply:
    """`value` if it is a well-typed `Reply`; else `SystemFault` saying what is wrong."""
    if not isinstance(value, Reply):
        raise SystemFault(f"{call} returned {_kind(value)}; expected a Reply(accepted=, view=)")
    if not isinstance(value.accepted, bool):
        raise SystemFault(f"{call}: reply.accepted is {_kind(value.accepted)}; expected bool")
    checked_view(value.view, call)
    return value


def _mapping(value: object, where: str, good: object, expected: str) -> None:
    assert callable(good)
    if not isinstance(value, Mapping):
        raise SystemFault(f"{where} is {_kind(value)}; expected a mapping")
    for key, item in value.items():
        if not isinstance(key, str):
            raise SystemFault(f"{where} has a key {_kind(key)}; expected an id (str)")
        if not good(item):
            raise SystemFault(f"{where}[{key!r}] is {_kind(item)}; expected {expected}")


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _kind(value: object) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"a {type(value).__name__} ({shown})"
