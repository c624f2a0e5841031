"""Many unreachability questions proved at once by one inductive invariant (`houdini.py`).

What it proves must be unreachable by the explicit explorer's count, what is reachable
is never proved, and a budget too small to finish proves nothing at all (the question
goes to the other engines, never settled by a half-done fixpoint). The diff's random
spec test (`test_diff_behaviour.py`) checks the same on the whole behaviour.
"""

from __future__ import annotations

from pathlib import Path

import z3
from strategies.explored import explored_observations

from stepcheck.checker.diff_behaviour import (
    candidates,
    meetings_that_matter,
    observed_system,
    predicate,
)
from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Budget, Limits
from stepcheck.checker.houdini import inductive_subset
from stepcheck.checker.system import Flags
from stepcheck.spec.loader import load_spec

SPEC = Path("tests/fixtures/specs/diff/base.yaml")


def _asked(limits: Limits):
    spec = load_spec(SPEC)
    relevant = meetings_that_matter(spec)
    encoding = Encoding(spec)
    system = observed_system(encoding)
    asked = candidates(spec, relevant)
    frame = system.frame(*(z3.Not(predicate(encoding, system.s, o, relevant)) for o in asked))
    facts = {i: fact for i, fact in enumerate(frame.extra) if isinstance(fact, z3.BoolRef)}
    proved = inductive_subset(frame, facts, Flags(), Budget(limits), rlimit=limits.rlimit)
    reached = explored_observations(spec, relevant)
    assert reached is not None
    return asked, proved, reached


def test_what_it_proves_no_run_reaches_and_it_proves_most_of_that():
    asked, proved, reached = _asked(Limits())
    unreachable = {i for i, obs in enumerate(asked) if obs not in reached}
    assert unreachable, "the fixture has observations no run reaches"

    assert proved <= unreachable, "proved unreachable what the explorer reaches"
    assert len(proved) * 2 >= len(unreachable), (len(proved), len(unreachable))


def test_running_out_proves_nothing():
    starved = Limits(rlimit=1_000, total_rlimit=1_000, first_rlimit=1_000)
    _, proved, _ = _asked(starved)

    assert proved == frozenset()
