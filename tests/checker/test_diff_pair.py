"""Two versions compared by their relations before any search (`checker/diff_relation.py`,
`checker/diff_pair.py`).

The relation's claims are checked against the explicit explorer: where it says every
run of one version is a run of the other, the explorer's observations of the first
are among the second's, and where it says the relations are the same, the explorer
sees the same observations. The pair's answers are each version's own: every
observation said reachable is reached by the explorer, and every one the explorer
reaches is said reachable or unknown, never unreachable.
"""

from __future__ import annotations

import os
from pathlib import Path

from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies.explored import explored_observations
from strategies.specs import small_specs

from stepcheck.checker.diff_behaviour import behaviour_of, meetings_that_matter
from stepcheck.checker.diff_cache import BehaviourCache
from stepcheck.checker.diff_pair import pair_behaviour, relation_of
from stepcheck.checker.engines import Limits
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import StepKind

_EXAMPLES = int(os.environ.get("STEPCHECK_DIFF_EXAMPLES", "20"))
_LIMITS = Limits(timeout_ms=300_000, max_depth=40)
FOLDER = Path("tests/fixtures/specs/diff")


def _load(name: str) -> ProtocolSpec:
    return load_spec(FOLDER / name)


def _equivalent_guard(tmp_path: Path) -> ProtocolSpec:
    """base.yaml with its meeting guard written another way that means the same."""
    text = (FOLDER / "base.yaml").read_text(encoding="utf-8")
    assert text.count('condition: "held(handover)"') == 1
    changed = text.replace('condition: "held(handover)"', 'condition: "not not held(handover)"')
    path = tmp_path / "equivalent.yaml"
    path.write_text(changed, encoding="utf-8")
    return load_spec(path)


def test_an_equivalent_guard_is_the_same_relation_and_asks_nothing(tmp_path):
    old, new = _load("base.yaml"), _equivalent_guard(tmp_path)
    relevant = meetings_that_matter(old, new)
    relation, _, _ = relation_of(old, new, relevant)

    assert relation is not None
    assert relation.same
    assert relation.changed == ()
    both = pair_behaviour(old, new, _LIMITS, relevant)
    assert both.same
    assert both.old is None
    assert both.new is None


def test_a_dropped_guard_widens_only_its_own_step():
    old, new = _load("base.yaml"), _load("no_meeting.yaml")
    relevant = meetings_that_matter(old, new)
    relation, encoding, _ = relation_of(old, new, relevant)

    assert relation is not None
    assert relation.old_in_new
    assert not relation.new_in_old
    assert [encoding.labels[i] for i in relation.changed] == [(StepKind.EVENT, "step_down")]
    backwards, _, _ = relation_of(new, old, relevant)
    assert backwards is not None
    assert backwards.new_in_old
    assert not backwards.old_in_new


def test_reordered_events_are_not_compared_but_still_decided():
    old, new = _load("base.yaml"), _load("reordered.yaml")
    relevant = meetings_that_matter(old, new)
    relation, _, _ = relation_of(old, new, relevant)
    both = pair_behaviour(old, new, _LIMITS, relevant)

    assert relation is None
    assert not both.same
    assert both.old is not None
    assert both.new is not None
    assert both.old.reachable == both.new.reachable


def test_the_pair_gives_each_versions_own_answers_both_ways(tmp_path):
    """Narrower first or second, the wider version's answers are those it gives alone."""
    base, dropped = _load("base.yaml"), _load("no_meeting.yaml")
    relevant = meetings_that_matter(base, dropped)
    alone = {
        "base": behaviour_of(base, _LIMITS, relevant),
        "dropped": behaviour_of(dropped, _LIMITS, relevant),
    }
    forwards = pair_behaviour(base, dropped, _LIMITS, relevant, BehaviourCache(tmp_path))
    backwards = pair_behaviour(dropped, base, _LIMITS, relevant)

    for found, name in [
        (forwards.old, "base"),
        (forwards.new, "dropped"),
        (backwards.old, "dropped"),
        (backwards.new, "base"),
    ]:
        assert found is not None
        assert found.reachable == alone[name].reachable
        assert found.unreachable == alone[name].unreachable
    assert alone["dropped"].reachable > alone["base"].reachable
    again = pair_behaviour(base, dropped, _LIMITS, relevant, BehaviourCache(tmp_path))
    assert again == forwards, "kept on disk, both sides come back the same"


@st.composite
def _versions(draw):
    """A random spec and a second version: the same, or with one event's guards dropped."""
    old = load_spec_text(draw(small_specs()), "<random>")
    guarded = [i for i, event in enumerate(old.events) if event.guards]
    if not guarded or draw(st.booleans()) is False:
        return old, old
    chosen = draw(st.sampled_from(guarded))
    events = tuple(
        evolve(event, guards=()) if i == chosen else event for i, event in enumerate(old.events)
    )
    return old, evolve(old, events=events)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions=_versions(), forwards=st.booleans())
def test_the_relation_and_the_pair_agree_with_the_explorer(versions, forwards):
    old, new = versions if forwards else versions[::-1]
    relevant = meetings_that_matter(old, new)
    before = explored_observations(old, relevant)
    after = explored_observations(new, relevant)
    if before is None or after is None:
        return
    relation, _, _ = relation_of(old, new, relevant)
    if relation is not None and relation.old_in_new:
        assert before <= after, "the old version's runs are not all the new one's"
    if relation is not None and relation.new_in_old:
        assert after <= before, "the new version's runs are not all the old one's"

    both = pair_behaviour(old, new, _LIMITS, relevant)

    if both.same:
        assert before == after
        return
    for found, explored in [(both.old, before), (both.new, after)]:
        assert found is not None
        assert found.reachable <= explored, "Z3 reached what the explorer cannot"
        assert not explored - found.reachable - set(found.unknown), "said unreachable"
        assert not found.unreachable & explored
