"""The `diff` command's work: what changed in meaning between two versions of some specs.

For each authority in either version (`sources_git.paired`):

- verdicts: every property decided on both versions with the `verify` machinery
  (`verification.run_verify`: same limits, same decision cache, so an unchanged
  version costs nothing the second time), compared in `checker/diff_verdicts.py`;
- findings: the catalogue's findings on both, new and fixed by fingerprint;
- elements: deadlines, meetings, ladders, windows, owners, guards (`checker/diff_elements.py`);
- behaviour: the observable projection of each version's runs decided with Z3
  (`checker/diff_behaviour.py`), compared in `checker/diff_behaviour_words.py`; the
  two versions' relations are compared first (`checker/diff_pair.py`), so a proved
  equal relation asks nothing and a narrower version's answers are not asked again.

A pair whose two models are the same once wording, citations and order are set aside
(`same_model`) is not checked at all: its verdicts, findings (fingerprints name ids,
not words) and behaviour cannot differ, so none is reported, and a change that only
rewords or reorders a spec costs no solver time.

Behaviour questions for different pairs run in forked workers (`jobs`), and results
are put back in a fixed order, so the report never depends on which finished first.
Behaviours are kept in the decision cache's folder (`checker/diff_cache.py`), so the
base version a CI job diffs against is decided once.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import attrs

from stepcheck.checker.diff_behaviour import Behaviour, Relevance, behaviour_of, candidates
from stepcheck.checker.diff_behaviour import meetings_that_matter as _meetings
from stepcheck.checker.diff_behaviour_words import behaviour_changes
from stepcheck.checker.diff_cache import BehaviourCache, behaviour_key
from stepcheck.checker.diff_elements import element_changes
from stepcheck.checker.diff_model import Area, Change, DiffReport, Pair
from stepcheck.checker.diff_pair import PairBehaviour, pair_behaviour
from stepcheck.checker.diff_verdicts import finding_changes, verdict_changes
from stepcheck.checker.engines import Limits
from stepcheck.sources_git import Pairing
from stepcheck.spec.assume import cited_rules
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.readings import tier_readings
from stepcheck.verification import Budget, run_verify, without_timings

__all__ = ["diff_specs", "same_model"]


def diff_specs(
    pairs: Pairing,
    *,
    limits: Limits,
    start: date,
    jobs: int,
    cache: Path | None,
    progress: bool = False,
    budget: Budget | None = None,
) -> DiffReport:
    """Compare every pair (authority, old, new) and collect the changes, sorted.

    With a `budget` (`--max-seconds`), verdicts and behaviour not decided within it are
    `unknown`, and behaviour decided under it is not kept on disk."""
    same = {authority for authority, old, new in pairs if old and new and same_model(old, new)}
    olds = [old for a, old, _ in pairs if old is not None and a not in same]
    news = [new for a, _, new in pairs if new is not None and a not in same]
    reports = [
        without_timings(
            run_verify(
                specs,
                properties=(),
                limits=limits,
                progress=progress,
                start=start,
                jobs=jobs,
                cache=cache,
                budget=budget,
            )
        )
        for specs in (olds, news)
    ]
    old_report, new_report = reports
    old_specs = {spec.path: spec for spec in olds}
    new_specs = {spec.path: spec for spec in news}
    changes: list[Change] = []
    changes += verdict_changes(old_report, new_report, new_specs=new_specs, start=start)
    changes += finding_changes(old_report, new_report, old_specs=old_specs, new_specs=new_specs)
    changed = [(a, o, n) for a, o, n in pairs if o and n and a not in same]
    if budget is not None:
        limits = attrs.evolve(limits, deadline=budget.at(_BEHAVIOUR_SHARE))
    behaviours = _behaviours(changed, limits, jobs, cache)
    for (_, old, new), both in zip(changed, behaviours, strict=True):
        changes += element_changes(old, new)
        if not both.same:  # the same relation: no behaviour can differ (proved)
            assert both.old is not None
            assert both.new is not None
            changes += behaviour_changes(old, new, both.old, both.new)
    changes += [_whole(authority, old, new) for authority, old, new in pairs if not (old and new)]
    return DiffReport(
        pairs=tuple(
            Pair(
                authority=authority,
                old=old.path if old is not None else None,
                new=new.path if new is not None else None,
                same_model=authority in same,
            )
            for authority, old, new in pairs
        ),
        changes=tuple(sorted(changes, key=Change.sort_key)),
    )


def _whole(authority: str, old: ProtocolSpec | None, new: ProtocolSpec | None) -> Change:
    """A spec only in one version."""
    spec = new if new is not None else old
    assert spec is not None
    added = new is not None
    return Change(
        area=Area.ELEMENT,
        authority=authority,
        headline=f"the spec of '{spec.authority.name}' was " + ("added" if added else "removed"),
        worse=not added,
        key="spec",
        old=None if added else spec.path,
        new=spec.path if added else None,
        side="new" if added else "old",
    )


def same_model(old: ProtocolSpec, new: ProtocolSpec) -> bool:
    """Whether the two versions mean the same: equal once descriptions, names, quotes,
    citations and the order of each section are set aside."""
    return _digest(old) == _digest(new)


_WORDING = frozenset(
    {"description", "sources", "name", "title", "text", "quote", "note", "path", "reason"}
)


def _digest(spec: ProtocolSpec) -> str:
    said = (_canonical(spec), _conditional_citations(spec))
    return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()


def _conditional_citations(spec: ProtocolSpec) -> tuple[object, ...]:
    """Which documents each rule cites, where a document applies only sometimes: a rule
    moved from the main text to a conditional annex exists only sometimes, so that
    citation is meaning, not wording (`spec/assume.py`)."""
    if not any(document.optional for document in spec.documents):
        return ()
    cited = [
        (item.id, tuple(sorted({source.doc for source in item.sources})))
        for item in cited_rules(spec)
    ]
    cited += [
        (f"{event.id}:{guard.text}", tuple(sorted({source.doc for source in guard.sources})))
        for event in (*spec.events, *spec.undefined_routes)
        for guard in event.guards
    ]
    return tuple(sorted(cited))


def _canonical(value: object) -> object:
    """A value without its wording, with the elements of a section sorted by id."""
    if attrs.has(type(value)):
        kind: Any = type(value)
        return (
            kind.__name__,
            tuple(
                (field.name, _canonical(_unordered(value, field.name)))
                for field in attrs.fields(kind)
                if field.eq and field.name not in _WORDING
            ),
        )
    if isinstance(value, tuple):
        items = [_canonical(item) for item in value]
        if value and all(attrs.has(type(item)) and hasattr(item, "id") for item in value):
            order = sorted(range(len(value)), key=lambda i: str(value[i].id))
            if not any(hasattr(item, "next") for item in value):  # ladder levels keep order
                items = [items[i] for i in order]
        return tuple(items)
    if isinstance(value, Enum):
        return value.value
    return value


def _unordered(value: object, name: str) -> object:
    """A field's value, sorted where its order means nothing: the values of an enum type
    (the statuses, in the order the spec lists them) and the statuses an event leaves."""
    found = getattr(value, name)
    if name in ("values", "sources_from") and isinstance(found, tuple):
        return tuple(sorted(found, key=str))
    return found


def _behaviours(
    changed: Sequence[tuple[str, ProtocolSpec, ProtocolSpec]],
    limits: Limits,
    jobs: int,
    cache: Path | None,
) -> list[PairBehaviour]:
    """Both versions' behaviour for each changed pair, observed through the same meetings
    (from the cache when it holds them); one task per pair (`checker/diff_pair.py`)."""
    tasks = list(range(len(changed)))
    _SHARED["work"] = (changed, limits, cache)
    try:
        if jobs <= 1 or len(tasks) <= 1:
            done = [_behaviour(task) for task in tasks]
        else:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                done = pool.map(_behaviour, tasks)
    finally:
        _SHARED.clear()
    return done


_BEHAVIOUR_SHARE = 0.9
"""Behaviour's solver calls stop when this share of the run's budget is used; the rest
is for the report."""

_SHARED: dict[str, Any] = {}
"""The work, set before workers are forked (they inherit it)."""


def _behaviour(index: int) -> PairBehaviour:
    changed, limits, folder = _SHARED["work"]
    _, old, new = changed[index]
    relevant: Relevance = _meetings(old, new)
    # an answer cut short by the run's deadline is not kept
    store = BehaviourCache(folder) if folder is not None and limits.deadline is None else None
    if tier_readings(old) or tier_readings(new):
        # tiers the document leaves open: each version in every reading, no pairing
        return PairBehaviour(
            old=_in_every_reading(old, limits, relevant, store),
            new=_in_every_reading(new, limits, relevant, store),
        )
    return pair_behaviour(old, new, limits, relevant, store)


def _in_every_reading(
    spec: ProtocolSpec, limits: Limits, relevant: Relevance, store: BehaviourCache | None
) -> Behaviour:
    readings = [reading.spec for reading in tier_readings(spec)] or [spec]
    seen = []
    for each in readings:
        key = behaviour_key(each, candidates(each, relevant), limits) if store else ""
        found = store.get(key) if store is not None else None
        if found is None:
            found = behaviour_of(each, limits, relevant)
            if store is not None:
                store.put(key, found)
        seen.append(found)
    return _in_some_reading(seen)


def _in_some_reading(seen: Sequence[Behaviour]) -> Behaviour:
    """Where the document leaves tiers open, what some reading allows is possible: an
    observation is reachable in some reading, unreachable in every one, else unknown."""
    if len(seen) == 1:
        return seen[0]
    reachable = frozenset().union(*(found.reachable for found in seen))
    unreachable = frozenset.intersection(*(found.unreachable for found in seen))
    unknown = {
        observation: reason
        for found in seen
        for observation, reason in sorted(found.unknown.items(), key=lambda kv: repr(kv[0]))
        if observation not in reachable
    }
    return Behaviour(reachable=reachable, unreachable=unreachable, unknown=unknown)
