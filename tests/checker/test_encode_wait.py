"""Waits of several working days against ticks one at a time, by brute force."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from stepcheck.checker.encode_wait import gap_sums, phase_after, sittings

# (least gap, period) of the shipped cadences and a few odd ones
CADENCES = [(3, 5), (1, 9), (16, 23), (1, 5), (5, 5), (2, 3), (16, 44)]


def _reachable(phase: int, days: int, least: int, period: int) -> set[int]:
    """Every phase `days` single ticks can lead to (SEMANTICS, "Meetings")."""
    phases = {phase}
    for _ in range(days):
        phases = {p + 1 for p in phases if p + 1 <= period - 1} | {
            0 for p in phases if p + 1 >= least
        }
    return phases


def _valid(phase: int, schedule: list[int], least: int, period: int) -> bool:
    current = phase
    for following in schedule:
        if following == 0 and current + 1 < least:
            return False
        if following != 0 and (following != current + 1 or following > period - 1):
            return False
        current = following
    return True


@pytest.mark.parametrize(("least", "period"), CADENCES)
def test_a_wait_ends_at_exactly_the_phases_single_ticks_reach(least, period):
    phase, after, days = z3.Ints("phase after days")
    solver = z3.Solver()
    longest = min(2 * period + 2, 30)
    bound = period - 1 + longest  # as the encoding sets it: no span is longer
    solver.add(phase_after(phase, after, days, least=least, period=period, bound=bound))
    for start in range(period):
        for length in range(2, longest + 1):
            expected = _reachable(start, length, least, period)
            for end in range(period):
                found = solver.check(phase == start, after == end, days == length) == z3.sat
                assert found == (end in expected), (start, length, end)


@given(data=st.data())
def test_the_ticks_shown_for_a_wait_are_ticks_of_the_model(data):
    least, period = data.draw(st.sampled_from(CADENCES))
    start = data.draw(st.integers(0, period - 1))
    length = data.draw(st.integers(2, 60))
    end = data.draw(st.sampled_from(sorted(_reachable(start, length, least, period))))

    schedule = sittings(start, end, length, least, period)

    assert len(schedule) == length
    assert schedule[-1] == end
    assert _valid(start, schedule, least, period)


def test_gap_sums_merge_touching_intervals():
    assert gap_sums(3, 3, 5, 12) == [(3, 12)]
    assert gap_sums(5, 3, 5, 12) == [(5, 5), (8, 12)]
