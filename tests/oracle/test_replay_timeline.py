"""The clean cases' timelines by Numba (`replay_timeline.timeline`) against the numpy
passes the report made before (`timeline_reference`), on random cases and states."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_timeline import timeline, timeline_reference


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(min_value=1, max_value=8), max_size=30),
    n_states=st.integers(min_value=1, max_value=6),
    n_pairs=st.integers(min_value=1, max_value=4),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_the_compiled_timeline_matches_numpy(lengths, n_states, n_pairs, seed):
    """Same entries, first entry per clean case and cases to walk for stretches, with
    few pairs and states (so changes and repeats both occur) and some unclean cases."""
    rng = np.random.default_rng(seed)
    length = np.array(lengths, np.int64)
    first = np.zeros(len(length), np.int64)
    if len(length):
        first[1:] = np.cumsum(length)[:-1]
    clean = rng.random(len(length)) < 0.7
    opened = rng.integers(0, n_states, len(length))
    state = rng.integers(0, n_states, int(length.sum()))
    pair = rng.integers(0, n_pairs, n_states)
    responsible = rng.random(n_states) < 0.6
    cases, states = (first, length, clean, opened), (pair, responsible)
    got = timeline(cases, state, states)
    expected = timeline_reference(cases, state, states)
    for name, a, b in zip(("change_at", "bounds", "needs"), got, expected, strict=True):
        assert np.array_equal(a, b), name
        assert a.dtype == b.dtype, name
