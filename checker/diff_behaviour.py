"""What a case can observably do under one spec, decided with Z3: the behaviour half of a diff.

The observable projection of a run is what a reviewer sees of a case: the states it
can be in (status, and the kind of place that holds it) and the steps it can take
(from status, event, to status, and which of the meetings that matter to the step
were *not* held when it was taken; the owner kind after a step is the state it
enters). Two versions of a spec behave the same, for the diff, when the same
observations are reachable in both.

Each observation is a question "is a state where this was the last thing seen
reachable?", asked of the spec's own transition system (`checker.system.System`) with
an observer that remembers the last step, the status before it and the meetings held
before it. Asking a few hundred questions one by one would be slow, so they are asked
together: one bounded search (`engines.Bmc`) for a run reaching *any* observation not
yet seen; each run found marks every observation along it as reachable and retires
them, and the search resumes. After the first round, what is left is mostly out of
reach: one inductive invariant proves most of it at once (`houdini.py`, with candidate
facts about each status's owners to help the induction). What is left after that is
asked of Spacer as one disjunction (one proof covers all of it), and, failing that,
one by one (`reach.Reachability`). An answer the engines cannot settle is `unknown`, with its
reason: never silently reachable or unreachable.

Questions are asked under the must reading with people complying (`Flags()`), the
reading properties are first decided under.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

import z3
from attrs import field, frozen

from stepcheck.checker.diff_explore import Neighbourhood
from stepcheck.checker.encode import Encoding, StateTerms, StateVar
from stepcheck.checker.engines import (
    Bmc,
    Budget,
    Limits,
    Reached,
    Undecided,
    Unreachable,
    shares,
    spacer,
)
from stepcheck.checker.fold import BoolLike, as_bool, conj
from stepcheck.checker.houdini import inductive_subset
from stepcheck.checker.reach import Reachability
from stepcheck.checker.results import Strength
from stepcheck.checker.system import Flags, System
from stepcheck.checker.watched import kind_watched
from stepcheck.spec.model import Property, PropertyKind, ProtocolSpec, Tier
from stepcheck.spec.trace import State, StepKind, Trace

__all__ = [
    "Behaviour",
    "Observation",
    "Relevance",
    "behaviour_of",
    "candidates",
    "meetings_that_matter",
    "observed_in",
    "observed_system",
    "predicate",
]

STATE = "state"
STEP = "step"


@frozen(order=True)
class Observation:
    """One observable fact: a state (`kind` "state": `status` held by an `owner_kind`) or
    a step (`kind` "step": `event` from `source` to `status`, and `unmet`, the meetings
    that matter to the step and were neither held nor sitting). The owner kind after a
    step is the state observation that follows it."""

    kind: str
    status: str
    owner_kind: str = ""
    source: str = ""
    event: str = ""
    unmet: tuple[str, ...] = ()


Relevance = Callable[[str, str, str], tuple[str, ...]]
"""The meetings that matter to a step (source, event, target), sorted."""


@frozen(kw_only=True)
class Behaviour:
    """The observations reachable under one spec, those proved unreachable, and those
    the engines could not settle (with the reason)."""

    reachable: frozenset[Observation]
    unreachable: frozenset[Observation]
    unknown: Mapping[Observation, str] = field(factory=dict)


def meetings_that_matter(*specs: ProtocolSpec) -> Relevance:
    """A step's meetings: those its event's guards ask `held(...)` of, the one it is taken
    at, and those of a meeting property that watches it, in any of `specs` (by id), so
    that both versions of a spec are observed through the same meetings."""
    guarded: dict[str, set[str]] = {}
    for spec in specs:
        meetings = {meeting.id for meeting in spec.meetings}
        for event in spec.events:
            named = guarded.setdefault(event.id, set())
            named.update(_held_in(guard.text, meetings) for guard in event.guards)
            named.update(m for m in (event.at,) if m is not None)
            named.discard("")
    watchers = [
        (spec, prop)
        for spec in specs
        for prop in spec.properties
        if prop.kind in (PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING, PropertyKind.REQUIRES_MEETING)
    ]
    cache: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def relevant(source: str, event: str, target: str) -> tuple[str, ...]:
        key = (source, event, target)
        if key not in cache:
            found = set(guarded.get(event, ()))
            for spec, prop in watchers:
                if _watches(spec, prop, source, event, target):
                    found.update(prop.meetings)
            cache[key] = tuple(sorted(found))
        return cache[key]

    return relevant


def _held_in(text: str, meetings: set[str]) -> str:
    found = [m for m in re.findall(r"held\(\s*(\w+)\s*\)", text) if m in meetings]
    return found[0] if len(found) == 1 else ""


def _watches(spec: ProtocolSpec, prop: Property, source: str, event: str, target: str) -> bool:
    """Whether `prop` of `spec` watches this step (the test of `checker/watched.py`)."""
    ids = {s.id for s in spec.statuses}
    if source not in ids or target not in ids or event not in {e.id for e in spec.events}:
        return False
    taken = spec.event_by_id(event)
    before = spec.status_by_id(source).tier
    if prop.kind is PropertyKind.REQUIRES_MEETING:
        # with between_teams, a superset: whether the owner's team changes is not asked
        return kind_watched(prop, taken) and (not prop.tiers or before in prop.tiers)
    after = spec.status_by_id(target).tier
    down = after in prop.to_tiers if prop.to_tiers else after.rank < before.rank
    return before in (prop.tiers or (Tier.CP,)) and down


def candidates(spec: ProtocolSpec, relevant: Relevance) -> list[Observation]:
    """Every observation the spec's structure allows, in a fixed order."""
    kinds = sorted({owner.kind.value for owner in spec.owners})
    found: list[Observation] = []
    for status in spec.statuses:
        found += [Observation(kind=STATE, status=status.id, owner_kind=k) for k in kinds]
    every = tuple(status.id for status in spec.statuses)
    for event in spec.events:
        for source in event.sources_from or every:  # none listed: from any status
            target = event.target or source
            meetings = relevant(source, event.id, target)
            found += [
                Observation(kind=STEP, status=target, source=source, event=event.id, unmet=unmet)
                for unmet in _subsets(meetings)
            ]
    return sorted(set(found))


def _subsets(items: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for mask in range(1 << len(items)):
        yield tuple(item for i, item in enumerate(items) if mask >> i & 1)


def observed_in(spec: ProtocolSpec, trace: Trace, relevant: Relevance) -> set[Observation]:
    """Every observation a trace shows: each state it passes, each event step it takes."""
    kind_of = {owner.id: owner.kind.value for owner in spec.owners}
    at_of = {event.id: event.at for event in spec.events}

    def state(now: State) -> Observation:
        return Observation(
            kind=STATE, status=str(now["status"]), owner_kind=kind_of[str(now["owner"])]
        )

    seen = {state(trace.initial)}
    before: State = trace.initial
    for step in trace.steps:
        seen.add(state(step.state))
        if step.kind is StepKind.EVENT and step.name is not None:
            source, target = str(before["status"]), str(step.state["status"])
            held = {str(m) for m in _held(before)} | {at_of[step.name] or ""}
            unmet = tuple(m for m in relevant(source, step.name, target) if m not in held)
            seen.add(
                Observation(kind=STEP, status=target, source=source, event=step.name, unmet=unmet)
            )
        before = step.state
    return seen


def _held(state: State) -> tuple[str, ...]:
    held = state.get("held") or ()
    return held if isinstance(held, tuple) else ()


def behaviour_of(
    spec: ProtocolSpec,
    limits: Limits,
    relevant: Relevance,
    encoding: Encoding | None = None,
    *,
    known: frozenset[Observation] = frozenset(),
) -> Behaviour:
    """Decide every candidate observation of `spec` (see the module's docstring).

    Runs found are extended by the explorer's walks (`checker/diff_explore.py`), which
    retire many observations for one solver call.

    `known` are observations already known to be reachable in `spec` (those of a
    version whose runs are all runs of this one, `diff_relation`): they are not asked
    again."""
    encoding = encoding if encoding is not None else Encoding(spec)
    system = observed_system(encoding)
    wanted = [obs for obs in candidates(spec, relevant) if obs not in known]
    if not wanted:
        return Behaviour(reachable=known, unreachable=frozenset())
    predicates = [predicate(encoding, system.s, obs, relevant) for obs in wanted]
    ctx = encoding.ctx
    switches = [z3.Bool(f"diff:ask:{i}", ctx) for i in range(len(wanted))]
    anything = z3.Or([z3.And(on, p) for on, p in zip(switches, predicates, strict=True)])
    frame = system.frame(anything, *switches)
    bad, on = frame.extra[0], list(frame.extra[1:])
    assert isinstance(bad, z3.BoolRef)
    budget = Budget(limits)
    search = Bmc(frame, bad, budget)
    flags = Flags()
    left = dict(enumerate(wanted))
    reachable: set[Observation] = set(known)
    unreachable: set[Observation] = set()
    nearby = Neighbourhood(spec, lambda trace: observed_in(spec, trace, relevant))

    def retire(shown: set[Observation]) -> list[int]:
        retired = [i for i, obs in left.items() if obs in shown]
        for i in retired:
            reachable.add(left.pop(i))
            search.solver.add(z3.Not(on[i]))
        return retired

    retire(nearby.from_start())
    inducted = False
    for share in shares(limits):
        while left:
            answer = search.search(flags, limits.max_depth, allowance=share)
            if not isinstance(answer, Reached):
                break
            retired = retire(observed_in(spec, answer.trace, relevant))
            assert retired, "a run the search found shows no observation it asked for"
            retire(nearby.around(answer.trace))
        if left and not inducted:
            # After the first round's runs, what is left is mostly out of reach.
            inducted = True
            for i in sorted(_proved_inductively(system, predicates, left, flags, budget)):
                unreachable.add(left.pop(i))
                search.solver.add(z3.Not(on[i]))
        if not left:
            break
        rest = z3.substitute(
            bad, *[(on[i], z3.BoolVal(i in left, frame.ctx)) for i in range(len(on))]
        )
        if spacer(frame, rest, flags, budget, rlimit=share) == "unreachable":
            unreachable.update(left.values())
            left = {}
            break
        if share >= limits.rlimit or budget.left <= 0:
            break
    unknown: dict[Observation, str] = {}
    for i, obs in sorted(left.items()):
        answer1 = Reachability(system, predicates[i], Budget(limits), name=str(obs)).ask(flags)
        _settle(obs, answer1, reachable, unreachable, unknown)
    return Behaviour(
        reachable=frozenset(reachable),
        unreachable=frozenset(unreachable),
        unknown=dict(sorted(unknown.items())),
    )


def _proved_inductively(
    system: System,
    predicates: list[z3.BoolRef],
    left: Mapping[int, Observation],
    flags: Flags,
    budget: Budget,
) -> frozenset[int]:
    """The questions left that one inductive invariant proves unreachable (`houdini`).

    Most observations no run reaches are kept out by simple facts that hold step by
    step (a status no step enters with a team tray's owner, say), which one invariant
    over all of them proves in a few solver calls; Spacer on their disjunction, or one
    by one, costs far more."""
    asked = sorted(left)
    support = _owner_facts(system)
    frame = system.frame(*(z3.Not(predicates[i]) for i in asked), *support)
    facts = dict(zip(asked, frame.extra[: len(asked)], strict=True))
    ranges = [as_bool(v.within(frame.s[v.name]), frame.ctx) for v in system.vars]
    return inductive_subset(
        frame,
        {i: fact for i, fact in facts.items() if isinstance(fact, z3.BoolRef)},
        flags,
        budget,
        rlimit=budget.limits.rlimit,
        support=tuple(
            fact
            for fact in [*ranges, *frame.extra[len(asked) :]]
            if isinstance(fact, z3.BoolRef) and not z3.is_true(fact)
        ),
    )


def _owner_facts(system: System) -> list[BoolLike]:
    """Candidate facts that help the induction: for each status, each variable holding
    an owner (the previous owner a step can give the case back to, a co-owner, a
    window's owner) and each owner kind, "not this kind in this status"."""
    encoding = system.encoding
    spec, terms, s = encoding.spec, encoding.terms, system.s
    owner_names = next(v.names for v in encoding.vars if v.name == "owner")
    kinds: dict[str, list[str]] = {}
    for owner in spec.owners:
        kinds.setdefault(owner.kind.value, []).append(owner.id)
    found: list[BoolLike] = []
    for var in encoding.vars:
        if var.name == "owner" or var.names != owner_names:
            continue
        for status in spec.statuses:
            for kind in sorted(kinds):
                found.append(
                    z3.Not(
                        as_bool(
                            conj(
                                terms.is_status(s, [status.id]),
                                terms.owner_kind_in(s, var.name, kinds[kind]),
                            ),
                            encoding.ctx,
                        )
                    )
                )
    return found


def _settle(
    obs: Observation,
    answer: Reached | Unreachable | Undecided,
    reachable: set[Observation],
    unreachable: set[Observation],
    unknown: dict[Observation, str],
) -> None:
    """File one observation's own answer."""
    if isinstance(answer, Reached):
        reachable.add(obs)
    elif isinstance(answer, Unreachable) and answer.strength is Strength.UNBOUNDED:
        unreachable.add(obs)
    elif isinstance(answer, Unreachable):
        unknown[obs] = f"no run of at most {answer.depth} steps, but not proved unreachable"
    else:
        unknown[obs] = answer.reason


def observed_system(encoding: Encoding) -> System:
    """The spec's system with the observer every observation is a predicate over."""
    return System(encoding, _LastStep(encoding.spec))


def predicate(
    encoding: Encoding, s: StateTerms, obs: Observation, relevant: Relevance
) -> z3.BoolRef:
    """The states whose last observation is `obs`, over the observed system's `s`."""
    spec, terms = encoding.spec, encoding.terms
    owners = [owner.id for owner in spec.owners if owner.kind.value == obs.owner_kind]
    parts: list[BoolLike] = [terms.is_status(s, [obs.status])]
    if obs.kind == STATE:
        parts.append(terms.owner_kind_in(s, "owner", owners))
    if obs.kind == STEP:
        event = spec.event_by_id(obs.event)
        meetings = {meeting.id for meeting in spec.meetings}
        parts.append(s[_LABEL] == encoding.labels.index((StepKind.EVENT, obs.event)))
        parts.append(terms.is_status({"status": s[_SOURCE]}, [obs.source]))
        for meeting in relevant(obs.source, obs.event, obs.status):
            met: BoolLike = event.at == meeting or (
                s[f"{_HELD}{meeting}"] if meeting in meetings else False
            )
            parts.append(z3.Not(as_bool(met, encoding.ctx)) if meeting in obs.unmet else met)
    return as_bool(conj(parts), encoding.ctx)


_LABEL = "watch:diff_step"
_SOURCE = "watch:diff_from"
_HELD = "watch:diff_held:"


@frozen
class _LastStep:
    """Observer: the last step's label (-1 before any), the status before it, and which
    meetings were held before it."""

    spec: ProtocolSpec

    @property
    def vars(self) -> tuple[StateVar, ...]:
        statuses = len(self.spec.statuses)
        labels = len(self.spec.events)
        return (
            StateVar(name=_LABEL, lo=-1, hi=labels + 4 + 2 * len(self.spec.escalations)),
            StateVar(name=_SOURCE, hi=statuses - 1),
            *(StateVar(name=f"{_HELD}{m.id}", is_bool=True) for m in self.spec.meetings),
        )

    def init(self, encoding: Encoding, s: StateTerms) -> BoolLike:
        del encoding
        return conj(s[_LABEL] == -1, s[_SOURCE] == s["status"])

    def updates(self, encoding: Encoding, s: StateTerms, t: StateTerms) -> dict[str, z3.ExprRef]:
        del t
        new: dict[str, z3.ExprRef] = {_LABEL: encoding.terms.step, _SOURCE: s["status"]}
        for meeting in self.spec.meetings:
            new[f"{_HELD}{meeting.id}"] = s[f"held:{meeting.id}"]
        return new
