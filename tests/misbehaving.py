"""Systems under test that misbehave the ways real ones do, for the oracle's tests.

Each wraps the clean example service (`examples.casework.app`) and goes wrong in
one way: it breaks part way through a run, answers differently on replay, or calls
`sys.exit()`. Counters live in each factory, so every test starts afresh and the
misbehaviour falls on the same call every time (the tests are deterministic).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

from attrs import evolve

from examples.casework.app import InProcessCasework, factory
from stepcheck.oracle.types import CaseView, Reply

__all__ = ["breaks_after", "exits", "exits_on", "wrong_every"]


class _Wrapped:
    """The clean service, with `misstep` deciding each answer after the fact (and
    `opening`, if given, checked before a case is opened)."""

    def __init__(
        self,
        inner: InProcessCasework,
        misstep: Callable[[str, Reply], Reply],
        opening: Callable[[], None] | None = None,
    ) -> None:
        self.inner, self.misstep, self.opening = inner, misstep, opening

    def start(self, *, status: str, at: datetime) -> CaseView:
        if self.opening is not None:
            self.opening()
        return self.inner.start(status=status, at=at)

    def apply(self, step: str, *, at: datetime) -> Reply:
        return self.misstep(step, self.inner.apply(step, at=at))

    def close(self) -> None:
        self.inner.close()


def breaks_after(calls: int) -> Callable[[], _Wrapped]:
    """A system whose every call fails once `calls` steps have been sent to it in all
    (a server that went down part way through the run)."""
    sent = [0]

    def opening() -> None:
        if sent[0] > calls:
            raise ConnectionError("connection refused")

    def misstep(step: str, reply: Reply) -> Reply:
        sent[0] += 1
        if sent[0] > calls:
            raise ConnectionError("connection reset by peer")
        return reply

    return lambda: _Wrapped(factory([]), misstep, opening)


def wrong_every(period: int, *, after_cases: int = 0) -> Callable[[], _Wrapped]:
    """A system that answers one step in `period` with the wrong status, counting steps
    over the whole run (so the same steps replayed do not fail the same way), once
    `after_cases` cases have been opened."""
    sent, made = [0], [0]

    def misstep(step: str, reply: Reply) -> Reply:
        if made[0] <= after_cases:
            return reply
        sent[0] += 1
        if sent[0] % period:
            return reply
        return Reply(accepted=reply.accepted, view=evolve(reply.view, status="nowhere"))

    def make() -> _Wrapped:
        made[0] += 1
        return _Wrapped(factory([]), misstep)

    return make


def exits_on(step_name: str) -> Callable[[], _Wrapped]:
    """A system that calls `sys.exit(3)` when asked to take `step_name`."""

    def misstep(step: str, reply: Reply) -> Reply:
        if step == step_name:
            sys.exit(3)
        return reply

    return lambda: _Wrapped(factory([]), misstep)


def exits() -> _Wrapped:
    """`exits_on("allocate")`, for the command line (`python:misbehaving:exits`)."""
    return exits_on("allocate")()
