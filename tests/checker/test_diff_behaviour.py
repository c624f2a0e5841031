"""The behaviour half of `stepcheck diff`: Z3's observations against the explicit explorer's.

`checker/diff_behaviour.py` decides, with Z3, which observations (a status and the kind
of its owner; a step from status to status by an event, and the meetings it was taken
without) a spec can reach. Here the explorer enumerates every reachable state of random
small specs and collects the same observations from each step; the two sets must be
equal, except for what Z3 reports as unknown (never silently settled).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from strategies.explored import explored_observations
from strategies.specs import small_specs

from stepcheck.checker.diff_behaviour import (
    STATE,
    Observation,
    behaviour_of,
    candidates,
    meetings_that_matter,
    observed_in,
)
from stepcheck.checker.diff_behaviour_words import behaviour_changes
from stepcheck.checker.diff_cache import BehaviourCache, behaviour_key
from stepcheck.checker.diff_model import DiffReport, Gate
from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import Trace

_EXAMPLES = int(os.environ.get("STEPCHECK_DIFF_EXAMPLES", "30"))
_LIMITS = Limits(timeout_ms=300_000, max_depth=40)
_MOST_STATES = 20_000
FOLDER = Path("tests/fixtures/specs/diff")


def _explored(spec: ProtocolSpec) -> set[Observation] | None:
    return explored_observations(spec, meetings_that_matter(spec), _MOST_STATES)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs())
def test_z3_observations_are_the_explorers(text):
    spec = load_spec_text(text, "<random>")
    explored = _explored(spec)
    if explored is None:
        return
    decided = behaviour_of(spec, _LIMITS, meetings_that_matter(spec))

    assert decided.reachable <= explored, "Z3 reached what the explorer cannot"
    missed = explored - decided.reachable - set(decided.unknown)
    assert not missed, "the explorer reached what Z3 says is unreachable"
    assert decided.reachable | decided.unreachable | set(decided.unknown) == set(
        candidates(spec, meetings_that_matter(spec))
    )


def test_reordering_a_spec_changes_no_observation():
    """Observations are by id: statuses, events and keys in another order observe the same."""
    old, new = load_spec(FOLDER / "base.yaml"), load_spec(FOLDER / "reordered.yaml")
    relevant = meetings_that_matter(old, new)
    before, after = behaviour_of(old, _LIMITS, relevant), behaviour_of(new, _LIMITS, relevant)

    assert before.reachable == after.reachable
    assert not before.unknown
    assert not after.unknown
    assert behaviour_changes(old, new, before, after) == []


def test_a_dropped_meeting_guard_is_a_step_newly_taken_without_the_meeting():
    old, new = load_spec(FOLDER / "base.yaml"), load_spec(FOLDER / "no_meeting.yaml")
    relevant = meetings_that_matter(old, new)
    changes = behaviour_changes(
        old, new, behaviour_of(old, _LIMITS, relevant), behaviour_of(new, _LIMITS, relevant)
    )

    worse = {change.key: change for change in changes if change.worse}
    cp = worse["step:child_protection:step_down:early_help:without:handover"]
    assert cp.headline.startswith("a CP case can now step down without the three-way handover")
    assert cp.span is not None
    assert cp.span.file.endswith("no_meeting.yaml")


def test_running_out_is_unknown_never_settled():
    """With too small a resource limit, what is left is unknown, with its reason, and a
    diff with nothing worse but something unknown exits 3."""
    spec = load_spec(FOLDER / "base.yaml")
    starved = Limits(rlimit=2_000, total_rlimit=2_000, first_rlimit=1_000)
    decided = behaviour_of(spec, starved, meetings_that_matter(spec))

    assert decided.unknown
    assert all(reason for reason in decided.unknown.values())
    changes = behaviour_changes(spec, spec, decided, decided)
    assert changes
    assert all(change.unknown and not change.worse for change in changes)
    report = DiffReport(pairs=(), changes=tuple(changes))
    assert report.exit_code(frozenset(Gate)) == 3


def test_states_are_observed_with_their_owners_kind():
    spec = load_spec(FOLDER / "base.yaml")
    relevant = meetings_that_matter(spec)
    initial = ExplicitModel(spec).initial_states()[0]

    assert observed_in(spec, Trace(initial=initial), relevant) == {
        Observation(kind=STATE, status="early_help", owner_kind="allocated")
    }


def test_a_behaviour_kept_on_disk_comes_back_the_same(tmp_path):
    spec = load_spec(FOLDER / "base.yaml")
    relevant = meetings_that_matter(spec)
    decided = behaviour_of(spec, _LIMITS, relevant)
    store = BehaviourCache(tmp_path)
    key = behaviour_key(spec, candidates(spec, relevant), _LIMITS)

    assert store.get(key) is None
    store.put(key, decided)
    assert store.get(key) == decided
    assert behaviour_key(spec, candidates(spec, relevant), Limits(max_depth=3)) != key
