"""Every step of a protocol, and a short dated run that reaches it.

Random walks rarely reach a step eleven moves deep, or send a step in a status its
`from` leaves out. So before any random case, the oracle searches its own executor
from each initial status and lists two kinds of target:

- a **transition**: a step the executor accepts in a status (each event from each
  status it can fire in, and each dispute step);
- a **refusal**: a step the executor refuses in a status (a wrong status, or a guard
  that does not hold there).

Each target comes with the first run that reaches it: concrete steps at concrete
moments, which `oracle/search.py` replays on the system. A refusal is sent once for
each different set of rules that refuses it (consent missing; consent given but no
meeting held), since a system may check one rule and forget another.

The search is best first, with three ranks. First a state that came closer to a
step not yet accepted in its status (fewer of the rules that refuse it, or a set of
them no earlier state improved on; then its successors go first), or a state that
shows a fact new in its status (an owner, a variable's value, a meeting held, a
dispute's level, an open window): so a step behind six guards, or a status only a
dispute opened elsewhere reaches, is found by meeting its conditions one at a time.
Within a rank it expands first the statuses it has expanded least, then shorter runs
(Somerset, 3,000 states: 332 transitions, against 237 before this guidance and 217
breadth first). Time passes by the jumps the random walks use (the next working day,
the next sitting of each meeting, a week, several weeks) and to the first working day
after each running time limit, so targets behind a meeting, a closed window or an
overdue deadline six months away are found too. States are told apart by what the
case holds and which steps it enables, not by their dates, which keeps the search
small; it stops after `max_states` states, a count, never a clock, so its answer is
the same on every machine, and the coverage report names the bound when it is reached.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Hashable
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.calendar_rules import Sittings
from stepcheck.oracle.coverage import Target
from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.strategies import Jump, Wait, jumped
from stepcheck.oracle.types import Rejected, StepResult
from stepcheck.spec.model import ANY_STATUS

__all__ = ["DEFAULT_MAX_STATES", "Reach", "TargetRun", "limit_days", "reachable"]

DEFAULT_MAX_STATES = 3000
_START = datetime(2026, 1, 5, 9, 0)  # a Monday morning, clear of bank holidays
_DAY_AFTER = Wait(Jump.DAY_AFTER)


@frozen(kw_only=True)
class TargetRun:
    """A dated run from an initial status: its steps, then `probes` sent at `at`.

    The probes are refusals first seen in the state the steps reach (after any wait);
    each leaves the case where it is, so they are sent one after another.
    """

    status: str
    start: datetime
    steps: tuple[tuple[str, datetime], ...]
    probes: tuple[str, ...] = ()
    at: datetime | None = None

    def sent(self) -> tuple[tuple[str, datetime], ...]:
        """Every step the run sends, probes included, with its moment."""
        moment = self.at or (self.steps[-1][1] if self.steps else self.start)
        return self.steps + tuple((probe, moment) for probe in self.probes)


@frozen(kw_only=True)
class Reach:
    """What the search found: the targets, and runs that exercise all of them.

    `complete` is False when the search stopped at `max_states` with states left.
    """

    transitions: frozenset[Target]
    refusals: frozenset[Target]
    runs: tuple[TargetRun, ...]
    states: int
    complete: bool
    taken: tuple[TargetRun, ...] = ()
    """The first run to each transition, whether or not `runs` holds it on its own; and
    one more for each other set of re-referral windows open when it was taken (who they
    send the case back to), since a window that sends it back to the team that would
    take it anyway cannot show a routing mistake (`oracle/edges.py` dates these)."""


@frozen
class _Node:
    case: Case
    status: str
    start: datetime
    steps: tuple[tuple[str, datetime], ...]


def reachable(
    executor: Executor,
    sittings: Callable[[str], Sittings | None],
    *,
    periodic: tuple[str, ...] = (),
    max_states: int = DEFAULT_MAX_STATES,
) -> Reach:
    """Search the executor best first (see the module's docstring); the targets and a
    short run to each.

    Args:
        executor: the reference executor (its reading and meeting days).
        sittings: a periodic meeting's sittings, as the random walks' jumps use them.
        periodic: the meetings worth waiting for.
        max_states: the most distinct states expanded.
    """
    waits = (
        Wait(Jump.NEXT_WORKING_DAY),
        *(Wait(Jump.NEXT_MEETING, meeting) for meeting in periodic),
        Wait(Jump.WEEK),
        Wait(Jump.WEEKS, weeks=4),
        Wait(Jump.WEEKS, weeks=14),
    )
    initial = [status.id for status in executor.spec.statuses if status.initial]
    queue: list[tuple[int, int, int, int, _Node]] = []
    expanded: Counter[str] = Counter()
    order = itertools.count()
    atoms: set[Hashable] = set()
    closest: dict[Hashable, list[frozenset[Hashable]]] = {}

    def push(node: _Node, closer: int = 0) -> None:
        """Queue a state: closer to a step first (0), then new facts (1), then the rest."""
        fresh = _atoms(node.case) - atoms
        atoms.update(fresh)
        tier = 2 - max(closer, 1 if fresh else 0)
        rank = (tier, expanded[node.case.status], len(node.steps), next(order))
        heapq.heappush(queue, (*rank, node))

    for status in initial:
        push(_Node(executor.start(at=_START, status=status), status, _START, ()))
    seen: set[Hashable] = set()
    queued = {entry[4].case for entry in queue}
    possible: dict[str, tuple[str, ...]] = {}
    first: dict[Target, _Node] = {}
    routed: dict[tuple[Target, Hashable], _Node] = {}
    reasons: set[tuple[Target, Hashable]] = set()
    probes: dict[_Node, list[str]] = {}
    states = 0
    while queue and states < max_states:
        node = heapq.heappop(queue)[4]
        status = node.case.status
        results = [
            (step, executor.apply(node.case, step, at=node.case.now))
            for step in possible.get(status, executor.steps)
        ]
        key = _key(node.case, tuple(step for step, result in results if result.accepted))
        if key in seen:
            continue
        seen.add(key)
        states += 1
        expanded[status] += 1
        if status not in possible:
            possible[status] = tuple(
                step for step in executor.steps if _may_fire(executor, step, status)
            )
        closer = _closer(status, results, closest, first)
        for step, result in results:
            target = Target(step, status, result.accepted)
            _note(first, routed, target, node)
            if not result.accepted and (why := (target, _why(result))) not in reasons:
                reasons.add(why)
                probes.setdefault(node, []).append(step)
            if result.accepted and result.case not in queued:
                queued.add(result.case)
                moved = (*node.steps, (step, node.case.now))
                push(_Node(result.case, node.status, node.start, moved), closer)
        for later in _later(node.case, waits, sittings):
            waited = executor.advance(node.case, later)
            if waited not in queued:
                queued.add(waited)
                push(_Node(waited, node.status, node.start, node.steps), closer)
    return Reach(
        transitions=frozenset(target for target in first if target.accepted),
        refusals=frozenset(target for target in first if not target.accepted),
        runs=_runs(first, probes),
        states=states,
        complete=not queue,
        taken=_taken(first, routed),
    )


def _note(
    first: dict[Target, _Node],
    routed: dict[tuple[Target, Hashable], _Node],
    target: Target,
    node: _Node,
) -> None:
    """Keep the first state each target was reached in, and for a transition also the
    first with each other set of open windows' owners."""
    first.setdefault(target, node)
    if target.accepted and node.case.windows:
        routed.setdefault((target, _owners(node.case)), node)


def _taken(
    first: dict[Target, _Node], routed: dict[tuple[Target, Hashable], _Node]
) -> tuple[TargetRun, ...]:
    """The first run to each transition, then one per other set of open windows' owners."""
    nodes = [(target, node) for target, node in sorted(first.items()) if target.accepted]
    nodes += [
        (target, node)
        for (target, _), node in sorted(routed.items(), key=_routed_order)
        if node is not first[target]
    ]
    return tuple(
        TargetRun(
            status=node.status, start=node.start, steps=(*node.steps, (target.step, node.case.now))
        )
        for target, node in nodes
    )


def _owners(case: Case) -> Hashable:
    """The open re-referral windows and who each sends the case back to."""
    return tuple(sorted((clock.rule, clock.owner) for clock in case.windows))


def _routed_order(item: tuple[tuple[Target, Hashable], _Node]) -> tuple[Target, str]:
    (target, owners), _ = item
    return target, repr(owners)


def _runs(first: dict[Target, _Node], probes: dict[_Node, list[str]]) -> tuple[TargetRun, ...]:
    """Runs that between them send every target: one per accepted target whose run is
    not the start of a longer one already chosen, plus the refusals' probes."""
    chosen: list[TargetRun] = []
    accepted = sorted(
        ((node, target) for target, node in first.items() if target.accepted),
        key=lambda pair: (-len(pair[0].steps), pair[1]),
    )
    for node, target in accepted:
        steps = (*node.steps, (target.step, node.case.now))
        if any(_starts(run, node.status, steps) for run in chosen):
            continue
        chosen.append(TargetRun(status=node.status, start=node.start, steps=steps))
    for node, names in probes.items():
        chosen.append(
            TargetRun(
                status=node.status,
                start=node.start,
                steps=node.steps,
                probes=tuple(names),
                at=node.case.now,
            )
        )
    return tuple(sorted(chosen, key=lambda run: (run.status, run.sent())))


def _starts(run: TargetRun, status: str, steps: tuple[tuple[str, datetime], ...]) -> bool:
    return run.status == status and not run.probes and run.steps[: len(steps)] == steps


def _why(result: StepResult) -> Hashable:
    """Which rules refuse a step, without dates: a system may check one and forget
    another, so a refusal is probed once for each set of rules that refuses it."""
    if not isinstance(result, Rejected):
        return ()
    return tuple(sorted(_rules(result)))


def _rules(result: Rejected) -> list[tuple[str, str]]:
    """The rules refusing a step, without dates: a guard by its words, others by kind."""
    return [
        (refusal.kind, refusal.reason if refusal.kind == "guard" else "")
        for refusal in result.refusals
    ]


def _may_fire(executor: Executor, step: str, status: str) -> bool:
    """False for an event whose `from` leaves `status` out: it is refused in every state
    of that status, which the first state of the status has already shown."""
    event = executor.index.events.get(step)
    if event is None or not event.sources_from or ANY_STATUS in event.sources_from:
        return True
    return status in event.sources_from


def _later(
    case: Case, waits: tuple[Wait, ...], sittings: Callable[[str], Sittings | None]
) -> list[datetime]:
    """The moments the search waits to from a state: each of `waits`, then the first
    working day after each running time limit (where `overdue(...)` starts to hold)."""
    moments = [jumped(case.now, wait, sittings) for wait in waits]
    moments += [jumped(case.now, _DAY_AFTER, sittings, [day]) for day in limit_days(case)]
    return [moment for moment in moments if moment > case.now]


def limit_days(case: Case) -> list[date]:
    """The due dates of the case's running time limits (deadlines, re-referral windows,
    dispute levels and disputes), for the jumps to them."""
    days = [clock.limit.by for clock in case.deadlines]
    days += [clock.limit.by for clock in case.windows]
    for dispute in case.disputes:
        days += [limit.by for limit in (dispute.level_limit, dispute.dispute_limit) if limit]
    return days


def _closer(
    status: str,
    results: list[tuple[str, StepResult]],
    closest: dict[Hashable, list[frozenset[Hashable]]],
    first: dict[Target, _Node],
) -> int:
    """How much closer this state came to a step not yet accepted in its status: 2 when
    fewer rules refuse it than in any state before, 1 when the rules refusing it are a
    set no earlier state improved on (another guard met first), else 0.

    Successors of a closer state are expanded first, so a step behind six guards (a
    plan, consent, a form, an agreed transfer, two meetings) is reached by meeting them
    one at a time, in whichever order the protocol allows, not by luck.
    """
    closer = 0
    for step, result in results:
        goal = (step, status)
        if not isinstance(result, Rejected) or Target(step, status, True) in first:
            continue
        refused = frozenset(_rules(result))
        fewest = closest.setdefault(goal, [])
        if any(seen <= refused for seen in fewest):
            continue
        if all(len(refused) < len(seen) for seen in fewest):
            closer = 2
        fewest[:] = [seen for seen in fewest if not refused <= seen]
        fewest.append(refused)
        closer = max(closer, 1)
    return closer


def _atoms(case: Case) -> set[Hashable]:
    """What a state shows in its status, one fact at a time: its owners, each variable's
    value, each meeting held, each dispute's level and each open window."""
    facts: list[Hashable] = [
        ("owner", case.owner),
        ("co_owner", case.co_owner),
        ("previous_owner", case.previous_owner),
        *(("variable", name, value) for name, value in case.variables),
        *(("held", meeting) for meeting in case.held),
        *(("dispute", clock.ladder, clock.level) for clock in case.disputes),
        *(("window", clock.rule, clock.owner) for clock in case.windows),
    ]

    return {(case.status, fact) for fact in facts}


def _key(case: Case, enabled: tuple[str, ...]) -> Hashable:
    """A state without its dates: what the case holds, what is running, what it enables."""
    return (
        case.status,
        case.owner,
        case.co_owner,
        case.previous_owner,
        case.variables,
        case.held,
        tuple((clock.ladder, clock.level) for clock in case.disputes),
        tuple((clock.rule, clock.owner) for clock in case.windows),
        enabled,
    )
