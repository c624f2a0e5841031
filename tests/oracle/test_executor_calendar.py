"""The oracle's calendar against the checker's abstraction: intervals and meeting periods hold.

The checker lets a timer start anywhere in `working_days_bound(duration)` and assumes
sittings at most `meeting_period` working days apart; these tests check that every
real start date and every sitting the executor uses lies inside those numbers.
"""

from __future__ import annotations

import doctest
from datetime import date, datetime, time
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle import abstract, calendar_rules, executor
from stepcheck.oracle.calendar_rules import countdown, limit_from, passed, sittings_of
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Cadence, CadenceKind
from stepcheck.spec.timing import meeting_period
from stepcheck.spec.workdays import is_working_day, working_days_between, working_days_bound

AUTHORITIES = sorted(Path("spec/authorities").glob("*.yaml"))


def _shipped_durations() -> list[Duration]:
    found: set[Duration] = set()
    for path in AUTHORITIES:
        spec = load_spec(path)
        candidates = [d.within for d in spec.deadlines] + [r.window for r in spec.rereferrals]
        for ladder in spec.escalations:
            candidates += [ladder.within, *(level.within for level in ladder.levels)]
        found |= {d for d in candidates if isinstance(d, Duration)}
    return sorted(found, key=str)


DURATIONS = _shipped_durations()
_STARTS = st.datetimes(datetime(2000, 1, 1), datetime(2100, 12, 31, 23, 59))


def test_the_shipped_specs_have_durations_to_check():
    """The scan finds the shipped specs' durations, bare days and hours among them."""
    units = {duration.unit for duration in DURATIONS}

    assert {Unit.WORKING_DAYS, Unit.HOURS, Unit.MONTHS, Unit.DAYS_UNSTATED} <= units


@pytest.mark.parametrize("duration", DURATIONS, ids=str)
@pytest.mark.parametrize("reading", [Unit.WORKING_DAYS, Unit.CALENDAR_DAYS], ids=lambda u: u.name)
@settings(max_examples=40, deadline=None)
@given(start=_STARTS)
def test_working_days_to_a_due_date_lie_in_the_checkers_interval(duration, reading, start):
    """From any start, the countdown a clock starts at is inside `working_days_bound`."""
    lo, hi = working_days_bound(duration)

    started_at = countdown(limit_from(start, duration, unstated_days_as=reading).by, start)

    assert lo <= started_at <= hi


@settings(max_examples=200, deadline=None)
@given(
    start=_STARTS,
    duration=st.sampled_from(DURATIONS),
    later=st.integers(0, 400),
)
def test_countdown_falls_by_one_per_working_day_and_stops_at_minus_one(start, duration, later):
    """The countdown seen later is the start value less the working days passed, at least -1."""
    limit = limit_from(start, duration, unstated_days_as=Unit.WORKING_DAYS)
    now = datetime.combine(date.fromordinal(start.toordinal() + later), time())
    now = max(now, start)

    expected = countdown(limit.by, start) - working_days_between(start, now)

    assert countdown(limit.by, now) == max(expected, -1)
    assert passed(limit.by, now) == (expected < 0)


CADENCES = [
    Cadence(kind=kind, weekday=weekday)
    for kind in (CadenceKind.WEEKLY, CadenceKind.FORTNIGHTLY, CadenceKind.MONTHLY)
    for weekday in (None, 0, 2, 4)
]
ANCHORS = [None, date(2026, 12, 2), date(2027, 1, 29), date(2026, 6, 30), date(2026, 12, 31)]


def _anchored(cadence: Cadence, anchor: date | None) -> bool:
    try:
        sittings_of(cadence, anchor)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("cadence", "anchor"),
    [(c, a) for c in CADENCES for a in ANCHORS if _anchored(c, a)],
    ids=str,
)
def test_sittings_are_never_further_apart_than_the_checkers_period(cadence, anchor):
    """Consecutive sittings in 2000-2100 are at most `meeting_period` working days apart."""
    sittings = sittings_of(cadence, anchor)
    assert sittings is not None
    days = [
        date.fromordinal(o) for o in sittings.ordinals if 2000 <= date.fromordinal(o).year <= 2100
    ]
    period = meeting_period(cadence)

    gaps = [working_days_between(a, b) for a, b in pairwise(days)]

    assert period is not None
    assert max(gaps) <= period
    assert all(is_working_day(day) for day in days)


def test_a_meeting_cannot_be_anchored_on_a_day_it_does_not_sit():
    """The anchor date must be a sitting: a Wednesday meeting cannot sit on a Thursday."""
    with pytest.raises(ValueError, match="cannot sit"):
        sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2), date(2026, 12, 3))


def test_default_sittings_without_a_weekday():
    """By default: weekly on Mondays, monthly on the 1st (or the next working day)."""
    weekly = sittings_of(Cadence(kind=CadenceKind.WEEKLY))
    monthly = sittings_of(Cadence(kind=CadenceKind.MONTHLY))
    assert weekly is not None
    assert monthly is not None

    assert weekly.sits(date(2026, 12, 7))
    assert weekly.sits(date(2026, 12, 29))
    assert monthly.next_on_or_after(date(2026, 12, 2)) == date(2027, 1, 4)


def test_phase_counts_working_days_since_the_last_sitting():
    """A Wednesday meeting's phase on the Tuesday after Easter 2027: 2 working days (Thu, Tue)."""
    sittings = sittings_of(Cadence(kind=CadenceKind.WEEKLY, weekday=2))
    assert sittings is not None

    assert sittings.phase(datetime(2027, 3, 30, 12)) == 2


@pytest.mark.parametrize("module", [calendar_rules, executor, abstract], ids=lambda m: m.__name__)
def test_module_doctests_pass(module):
    """The examples in the oracle modules' docstrings are correct."""
    results = doctest.testmod(module)

    assert results.failed == 0
    assert results.attempted > 0
