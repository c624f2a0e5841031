"""A system and the reference executor, driven side by side and compared after every step.

`SideBySide` runs one case on both and raises `Disagreement` at the first step where
they differ in acceptance or in the case's view (status, owner, co-owner,
allocation, due dates, open disputes), or where the system answers with a fault.
`replay` runs a fixed list of steps that way (what a reproduction calls) and
`minimised` drops the steps a disagreement does not need; `oracle/search.py` chooses
the steps. Whatever a system does wrong while answering (an exception, a timeout,
`sys.exit()`) is a fault of that step, reported like any other difference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import NoReturn

from attrs import frozen

from stepcheck.oracle.contract import checked_reply, checked_view
from stepcheck.oracle.coverage import Target
from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.system import System, SystemFault
from stepcheck.oracle.types import CaseView, Refusal, Rejected
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = [
    "Disagreement",
    "Finding",
    "SideBySide",
    "closed",
    "minimised",
    "replay",
]

# A system that calls sys.exit() must not end the test as if it had passed; Ctrl-C
# (KeyboardInterrupt) is the person running the test, so it is left to stop the run.
_FAULTS = (Exception, SystemExit)
_FIELDS = ("status", "owner", "co_owner", "allocated", "due", "disputes")


@frozen(kw_only=True)
class Finding:
    """The first step where a system and the oracle differ, and the run that led there.

    `steps` holds every step sent, the last being the one that disagreed (none when
    the case disagreed as soon as it was opened).
    """

    status: str
    start: datetime
    steps: tuple[tuple[str, datetime], ...]
    differences: tuple[str, ...]
    system_view: CaseView | None
    oracle_view: CaseView
    system_accepted: bool | None = None
    oracle_accepted: bool | None = None
    refusals: tuple[Refusal, ...] = ()
    fault: str | None = None
    reproduced: bool = True
    """False when replaying the same steps on a fresh system did not disagree again."""


class Disagreement(AssertionError):
    """Raised inside a run at the first disagreement; carries the `Finding`."""

    def __init__(self, finding: Finding) -> None:
        super().__init__("; ".join(finding.differences))
        self.finding = finding


class SideBySide:
    """One case, opened on both sides, that takes the same steps at the same moments."""

    def __init__(
        self,
        executor: Executor,
        system: System,
        *,
        status: str,
        at: datetime,
    ) -> None:
        self.executor, self.system = executor, system
        self.status, self.start = status, at
        self.sent: list[tuple[str, datetime]] = []
        self.clock = at
        self.taken: set[str] = set()
        self.exercised: set[Target] = set()
        self.case: Case = executor.start(at=at, status=status)
        try:
            view = checked_view(system.start(status=status, at=at), f"start({status!r})")
        except _FAULTS as error:  # whatever the system does wrong is a finding
            self._fail((f"fault: {_fault(error)}",), None, fault=_fault(error))
        differences = _differences(view, self.case.view)
        if differences:
            self._fail(differences, view)

    @property
    def now(self) -> datetime:
        """The moment the next step is sent at."""
        return self.clock

    def take_time(self, moment: datetime) -> None:
        """Let time pass until `moment`; neither side is told until the next step."""
        self.clock = max(self.clock, moment)

    def enabled(self) -> tuple[str, ...]:
        """The steps the oracle accepts now."""
        return tuple(self.executor.enabled(self.case, at=self.clock))

    def take(self, step: str, at: datetime) -> None:
        """Send `step` at `at` to both sides; raise `Disagreement` if they differ."""
        self.sent.append((step, at))
        self.clock = max(self.clock, at)
        result = self.executor.apply(self.case, step, at=at)
        expected = result.accepted
        refusals = result.refusals if isinstance(result, Rejected) else ()
        self.exercised.add(Target(step, self.case.status, expected))
        try:
            reply = checked_reply(self.system.apply(step, at=at), f"apply({step!r})")
        except _FAULTS as error:  # whatever the system does wrong is a finding
            fault = _fault(error)
            self._fail((f"fault: {fault}",), None, fault=fault, oracle=result.view)
        self.case = result.case
        if expected:
            self.taken.add(step)
        differences = _differences(reply.view, result.view)
        if reply.accepted != expected:
            said = "accepted" if reply.accepted else "rejected"
            oracle = "accepts" if expected else "rejects"
            differences = (f"acceptance: the system {said} '{step}'; the oracle {oracle} it",)
            differences += _differences(reply.view, result.view)
        if differences:
            self._fail(
                differences,
                reply.view,
                accepted=(reply.accepted, expected),
                refusals=refusals,
                oracle=result.view,
            )

    def _fail(
        self,
        differences: tuple[str, ...],
        system_view: CaseView | None,
        *,
        fault: str | None = None,
        accepted: tuple[bool, bool] | None = None,
        refusals: tuple[Refusal, ...] = (),
        oracle: CaseView | None = None,
    ) -> NoReturn:
        raise Disagreement(
            Finding(
                status=self.status,
                start=self.start,
                steps=tuple(self.sent),
                differences=differences,
                system_view=system_view,
                oracle_view=oracle if oracle is not None else self.case.view,
                system_accepted=accepted[0] if accepted else None,
                oracle_accepted=accepted[1] if accepted else None,
                refusals=refusals,
                fault=fault,
            )
        )


def replay(
    spec: ProtocolSpec,
    factory: Callable[[], System],
    *,
    status: str,
    at: datetime,
    steps: Sequence[tuple[str, datetime]],
    reading: Reading = Reading.MUST,
    meetings: Mapping[str, date] | None = None,
) -> Finding | None:
    """Run `steps` on a fresh system and the oracle; the first disagreement, or None."""
    executor = Executor(spec, reading=reading, meetings=meetings)
    system = factory()
    try:
        pair = SideBySide(executor, system, status=status, at=at)
        for step, moment in steps:
            pair.take(step, moment)
    except Disagreement as found:
        return found.finding
    finally:
        closed(system)
    return None


def minimised(
    spec: ProtocolSpec,
    factory: Callable[[], System],
    finding: Finding,
    *,
    reading: Reading = Reading.MUST,
    meetings: Mapping[str, date] | None = None,
) -> Finding:
    """`finding` with every step left out that the same disagreement does not need.

    Hypothesis shrinks the choices it made; a choice indexes the steps enabled at the
    time, so leaving one out can change the steps after it. This pass works on the
    concrete steps instead: it drops one step at a time while the run still ends in
    the same kind of disagreement at the same last step, until none can go.
    """
    best = finding
    shrinking = True
    while shrinking:
        shrinking = False
        for index in range(len(best.steps) - 1):
            fewer = best.steps[:index] + best.steps[index + 1 :]
            again = replay(
                spec,
                factory,
                status=best.status,
                at=best.start,
                steps=fewer,
                reading=reading,
                meetings=meetings,
            )
            if again is not None and _same_kind(again, best):
                best, shrinking = again, True
                break
    return best


def _same_kind(found: Finding, wanted: Finding) -> bool:
    return found.steps[-1:] == wanted.steps[-1:] and _fields(found) == _fields(wanted)


def _fields(finding: Finding) -> tuple[str, ...]:
    return tuple(difference.partition(":")[0] for difference in finding.differences)


def closed(system: System) -> None:
    """Close `system`, ignoring what its `close` raises: closing is clean-up, not a step
    of the protocol, and an error there must not hide the disagreement being reported."""
    with contextlib.suppress(*_FAULTS):
        system.close()


def _fault(error: BaseException) -> str:
    if isinstance(error, SystemFault):
        return str(error)
    if isinstance(error, SystemExit):
        return f"the system tried to exit the process (sys.exit({error.code!r}))"
    return f"the system raised {type(error).__name__}: {error}"


def _differences(system: CaseView, oracle: CaseView) -> tuple[str, ...]:
    found = []
    for name in _FIELDS:
        theirs, ours = getattr(system, name), getattr(oracle, name)
        if theirs != ours:
            found.append(
                f"{name}: the system says {_shown(theirs)}; the oracle says {_shown(ours)}"
            )
    return tuple(found)


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "none"
        return ", ".join(f"{key} {_shown(item)}" for key, item in value.items())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"'{value}'"
