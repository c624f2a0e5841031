"""Both versions' behaviour for one pair of specs, asking each question once.

`diff_behaviour.behaviour_of` decides one version's observations. Deciding the two
versions of a diff on their own asks most questions twice, since most of what a case
can do is the same in both. So their relations are compared first (`diff_relation`):

- the same relation both ways: no observation can differ, and none is asked (`same`);
- every run of one version (the narrower) is a run of the other (a guard dropped or
  added, a step newly allowed or forbidden): the narrower is decided in full, and the
  wider is asked only what the narrower did not reach, since all the narrower reaches
  the wider reaches too;
- otherwise, or when the two cannot be compared, each version is decided on its own.

The answers are the same sets `behaviour_of` gives for each version on its own; only
questions whose answer is already implied are skipped. Behaviours kept on disk
(`diff_cache`) are used for either side, and the one computed is kept.
"""

from __future__ import annotations

from attrs import frozen

from stepcheck.checker.diff_behaviour import (
    Behaviour,
    Observation,
    Relevance,
    behaviour_of,
    candidates,
    observed_system,
    predicate,
)
from stepcheck.checker.diff_cache import BehaviourCache, behaviour_key
from stepcheck.checker.diff_relation import Relation, compare
from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Limits
from stepcheck.spec.model import ProtocolSpec

__all__ = ["PairBehaviour", "pair_behaviour", "relation_of"]


@frozen(kw_only=True)
class PairBehaviour:
    """The two versions' behaviours, or `same` when their relations are proved equal
    (then no behaviour is computed: none can differ)."""

    old: Behaviour | None
    new: Behaviour | None
    same: bool = False


def relation_of(
    old: ProtocolSpec, new: ProtocolSpec, relevant: Relevance
) -> tuple[Relation | None, Encoding, Encoding]:
    """The two versions' relation (None: not comparable), and their encodings."""
    old_encoding, new_encoding = Encoding(old), Encoding(new)
    asked = candidates(old, relevant)
    if asked != candidates(new, relevant):
        return None, old_encoding, new_encoding
    old_system, new_system = observed_system(old_encoding), observed_system(new_encoding)
    relation = compare(
        old_system,
        new_system,
        [predicate(old_encoding, old_system.s, obs, relevant) for obs in asked],
        [predicate(new_encoding, new_system.s, obs, relevant) for obs in asked],
    )
    return relation, old_encoding, new_encoding


def pair_behaviour(
    old: ProtocolSpec,
    new: ProtocolSpec,
    limits: Limits,
    relevant: Relevance,
    store: BehaviourCache | None = None,
) -> PairBehaviour:
    """Both versions' behaviour (see the module's docstring)."""
    relation, old_encoding, new_encoding = relation_of(old, new, relevant)
    if relation is not None and relation.same:
        return PairBehaviour(old=None, new=None, same=True)
    order = [0, 1]
    if relation is not None and relation.new_in_old and not relation.old_in_new:
        order.reverse()  # the new version is the narrower: decide it first
    narrower_first = relation is not None and (relation.old_in_new or relation.new_in_old)
    specs, encodings = (old, new), (old_encoding, new_encoding)
    found: dict[int, Behaviour] = {}
    for side in order:
        known: frozenset[Observation] = frozenset()
        if narrower_first and found:
            (first,) = found.values()
            known = first.reachable - frozenset(first.unknown)
        found[side] = _decided(
            specs[side], encodings[side], limits, relevant, store=store, known=known
        )
    return PairBehaviour(old=found[0], new=found[1])


def _decided(
    spec: ProtocolSpec,
    encoding: Encoding,
    limits: Limits,
    relevant: Relevance,
    *,
    store: BehaviourCache | None,
    known: frozenset[Observation],
) -> Behaviour:
    key = behaviour_key(spec, candidates(spec, relevant), limits) if store else ""
    found = store.get(key) if store is not None else None
    if found is None:
        found = behaviour_of(spec, limits, relevant, encoding, known=known)
        if store is not None:
            store.put(key, found)
    return found
