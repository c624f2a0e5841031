"""Tests for `spec.workdays`: the England & Wales working-day calendar and its worst cases."""

import doctest
from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.spec import workdays as workdays_module
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.workdays import (
    SCAN_YEARS,
    add_duration,
    add_working_days,
    bank_holidays,
    is_working_day,
    max_calendar_days_spanned,
    max_working_days_within,
    min_calendar_days_spanned,
    min_working_days_within,
    next_working_day,
    previous_working_day,
    working_days_between,
    working_days_bound,
    working_flags,
)

FIRST_SCANNED = date(SCAN_YEARS.start, 1, 1)
LAST_SCANNED = date(SCAN_YEARS.stop - 1, 12, 31)
EVERY_SCANNED_DAY = [
    FIRST_SCANNED + timedelta(days=i) for i in range((LAST_SCANNED - FIRST_SCANNED).days + 1)
]

# The first call to a worst-case function scans a century; later calls hit the cache.
first_calls_may_be_slow = settings(deadline=None)

scanned_days = st.dates(min_value=FIRST_SCANNED, max_value=LAST_SCANNED)
any_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2130, 12, 31))

HOLIDAYS = [
    (date(2026, 4, 3), "Good Friday"),
    (date(2026, 4, 6), "Easter Monday"),
    (date(2026, 5, 4), "early May bank holiday"),
    (date(2026, 12, 25), "Christmas Day, a Friday"),
    (date(2026, 12, 28), "substitute for Boxing Day, Saturday 26th"),
    (date(2027, 12, 27), "substitute for Christmas Day, Saturday 25th"),
    (date(2027, 12, 28), "substitute for Boxing Day, Sunday 26th"),
    (date(2020, 5, 8), "early May bank holiday moved for VE Day"),
    (date(2022, 6, 2), "spring bank holiday moved for the Platinum Jubilee"),
    (date(2022, 6, 3), "Platinum Jubilee"),
    (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
    (date(2023, 5, 8), "Coronation of King Charles III"),
    (date(1999, 12, 31), "Millennium, before the scanned years"),
    (date(2000, 1, 3), "substitute for New Year's Day 2000, a Saturday"),
]

WORKING_DAYS = [
    (date(2026, 4, 2), "Maundy Thursday"),
    (date(2026, 4, 7), "Tuesday after Easter"),
    (date(2020, 5, 4), "first Monday of May 2020, when the holiday moved"),
    (date(2022, 5, 30), "last Monday of May 2022, when the holiday moved"),
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 29), "Tuesday after Christmas 2026"),
    (date(2027, 12, 29), "Wednesday after Christmas 2027"),
    (date(2026, 12, 31), "New Year's Eve"),
]

ADDITIONS = [
    (date(2026, 12, 24), 2, date(2026, 12, 30), "Christmas 2026"),
    (date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas 2026, one day"),
    (date(2027, 12, 24), 1, date(2027, 12, 29), "Christmas 2027, two substitutes"),
    (date(2026, 4, 2), 1, date(2026, 4, 7), "over Easter 2026"),
    (date(2026, 12, 5), 1, date(2026, 12, 7), "from a Saturday"),
    (date(2026, 12, 6), 1, date(2026, 12, 7), "from a Sunday"),
    (date(2026, 12, 25), 1, date(2026, 12, 29), "from a bank holiday"),
    (date(2026, 12, 7), 5, date(2026, 12, 14), "a plain week"),
    (date(2022, 9, 16), 1, date(2022, 9, 20), "over the State Funeral"),
    (date(1999, 12, 30), 1, date(2000, 1, 4), "from 1999 into the scanned years"),
]

DURATIONS = st.one_of(
    st.builds(
        Duration,
        quantity=st.integers(min_value=0, max_value=400),
        unit=st.sampled_from(
            [Unit.WORKING_DAYS, Unit.CALENDAR_DAYS, Unit.DAYS_UNSTATED, Unit.HOURS]
        ),
    ),
    st.builds(Duration, quantity=st.integers(min_value=0, max_value=60), unit=st.just(Unit.WEEKS)),
    st.builds(Duration, quantity=st.sampled_from([0, 1, 2, 3, 6, 12]), unit=st.just(Unit.MONTHS)),
)


@cache
def package_holidays(year):
    """The `holidays` package's own England table for one year."""
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def naive_add_working_days(start, n):
    """Step one day at a time, counting working days."""
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def naive_working_days_between(start, end):
    """Count working days in (start, end] one at a time."""
    days = (end - start).days
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, days + 1))


@pytest.mark.parametrize(("day", "why"), HOLIDAYS, ids=[why for _, why in HOLIDAYS])
def test_bank_holidays_are_not_working_days(day, why):
    """Bank holidays, substitute days and one-off holidays are not working days."""
    working = is_working_day(day)

    assert not working


@pytest.mark.parametrize(("day", "why"), WORKING_DAYS, ids=[why for _, why in WORKING_DAYS])
def test_ordinary_weekdays_are_working_days(day, why):
    """Weekdays next to holidays, and days a holiday moved away from, are working days."""
    working = is_working_day(day)

    assert working


def test_weekends_are_not_working_days():
    """Every Saturday and Sunday in a year is a non-working day."""
    weekend = [d for d in EVERY_SCANNED_DAY if d.year == 2026 and d.weekday() >= 5]

    assert not any(is_working_day(day) for day in weekend)


def test_bank_holidays_carry_on_after_the_package_stops_in_2100():
    """New Year's Day 2101, a Saturday, still has its Monday substitute after the package ends."""
    listed = dict(bank_holidays(2101))

    assert listed[date(2101, 1, 3)] == "New Year's Day (observed)"
    assert not is_working_day(date(2101, 1, 3))
    assert len(listed) == 10


def test_working_day_of_a_datetime_is_that_of_its_date():
    """A datetime on a bank holiday is not a working day, whatever the time."""
    moment = datetime(2026, 12, 28, 9, 30)

    assert not is_working_day(moment)


def test_bank_holidays_2026_are_listed_in_order_with_names():
    """The 2026 list holds the nine England entries, Boxing Day and its substitute included."""
    listed = bank_holidays(2026)

    assert [day for day, _ in listed] == [
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 28),
    ]
    assert dict(listed)[date(2026, 12, 28)] == "Boxing Day (observed)"


def test_bank_holidays_2022_include_the_one_off_holidays():
    """The Platinum Jubilee and the State Funeral are listed for 2022."""
    listed = dict(bank_holidays(2022))

    assert listed[date(2022, 6, 3)] == "Platinum Jubilee of Elizabeth II"
    assert listed[date(2022, 9, 19)] == "State Funeral of Queen Elizabeth II"


@pytest.mark.parametrize("year", [1995, 2026, 2150])
def test_bank_holidays_stay_inside_their_year(year):
    """Every listed holiday falls in the year asked for."""
    listed = bank_holidays(year)

    assert listed
    assert all(day.year == year for day, _ in listed)


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"), ADDITIONS, ids=[why for *_, why in ADDITIONS]
)
def test_adding_working_days_skips_weekends_and_holidays(start, n, expected, why):
    """The n-th working day after the start skips weekends and bank holidays."""
    result = add_working_days(start, n)

    assert result == expected


def test_adding_working_days_keeps_the_time_of_day():
    """A datetime moves to the target date at the same time, in the same time zone."""
    plus_one = timezone(timedelta(hours=1))
    start = datetime(2026, 12, 24, 16, 45, tzinfo=plus_one)

    assert add_working_days(start, 2) == datetime(2026, 12, 30, 16, 45, tzinfo=plus_one)


@pytest.mark.parametrize("start", [date(2026, 12, 25), datetime(2026, 12, 26, 10)])
def test_adding_zero_working_days_returns_the_start(start):
    """0 working days leaves the start unchanged, even on a non-working day."""
    result = add_working_days(start, 0)

    assert result == start
    assert type(result) is type(start)


def test_adding_negative_working_days_is_refused():
    """A negative count of working days raises `ValueError`."""
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 5), -1)


def test_working_days_between_counts_the_end_but_not_the_start():
    """From Christmas Eve to 30 December 2026, two working days pass."""
    counted = working_days_between(date(2026, 12, 24), date(2026, 12, 30))

    assert counted == 2


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 12, 30), date(2026, 12, 24)), (date(2026, 12, 24), date(2026, 12, 24))],
)
def test_no_working_days_pass_when_end_is_not_after_start(start, end):
    """An empty or backwards interval holds no working days."""
    counted = working_days_between(start, end)

    assert counted == 0


def test_next_and_previous_working_days_around_christmas_2026():
    """The working day after Christmas Eve is the 29th, and the one before the 29th is the 24th."""
    after, before = next_working_day(date(2026, 12, 24)), previous_working_day(date(2026, 12, 29))

    assert (after, before) == (date(2026, 12, 29), date(2026, 12, 24))


def test_previous_working_day_before_easter_tuesday_is_maundy_thursday():
    """Stepping back from the Tuesday after Easter 2026 skips four non-working days."""
    before = previous_working_day(date(2026, 4, 7))

    assert before == date(2026, 4, 2)


def test_previous_working_day_before_the_scanned_years():
    """Stepping back from 4 January 2000 crosses the substitute day and the Millennium holiday."""
    before = previous_working_day(date(2000, 1, 4))

    assert before == date(1999, 12, 30)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),
        (datetime(2026, 1, 31, 14, 0), 1, datetime(2026, 2, 28, 14, 0)),
    ],
)
def test_months_at_month_ends_take_the_last_day_of_the_month(start, months, expected):
    """Adding months keeps the day of the month, or takes the month's last day."""
    result = add_duration(start, Duration(quantity=months, unit=Unit.MONTHS))

    assert result == expected


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (date(2026, 12, 24), Duration(quantity=2, unit=Unit.WORKING_DAYS), date(2026, 12, 30)),
        (date(2026, 12, 24), Duration(quantity=2, unit=Unit.CALENDAR_DAYS), date(2026, 12, 26)),
        (date(2026, 12, 24), Duration(quantity=2, unit=Unit.WEEKS), date(2027, 1, 7)),
        (date(2026, 12, 24), Duration(quantity=24, unit=Unit.HOURS), datetime(2026, 12, 25)),
        (
            datetime(2026, 12, 24, 9),
            Duration(quantity=48, unit=Unit.HOURS),
            datetime(2026, 12, 26, 9),
        ),
        (
            datetime(2026, 12, 24, 23, 30),
            Duration(quantity=1, unit=Unit.HOURS),
            datetime(2026, 12, 25, 0, 30),
        ),
    ],
    ids=str,
)
def test_adding_a_duration_counts_in_its_unit(start, duration, expected):
    """Working days skip holidays; calendar days, weeks and clock hours do not."""
    result = add_duration(start, duration)

    assert result == expected
    assert type(result) is type(expected)


def test_clock_hours_follow_the_wall_clock_across_a_summer_time_change():
    """24 hours after 09:00 on the day before the clocks go forward is 09:00 the next day."""
    try:
        london = ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    start = datetime(2026, 3, 28, 9, tzinfo=london)

    result = add_duration(start, Duration(quantity=24, unit=Unit.HOURS))

    assert result == datetime(2026, 3, 29, 9, tzinfo=london)


def test_unstated_days_need_an_explicit_reading():
    """Bare "days" raise `ValueError` unless the caller says how to read them."""
    with pytest.raises(ValueError, match="working or calendar"):
        add_duration(date(2026, 12, 24), Duration(quantity=2, unit=Unit.DAYS_UNSTATED))


@pytest.mark.parametrize(
    ("reading", "expected"),
    [(Unit.WORKING_DAYS, date(2026, 12, 30)), (Unit.CALENDAR_DAYS, date(2026, 12, 26))],
)
def test_unstated_days_follow_the_chosen_reading(reading, expected):
    """Bare "days" count as working or calendar days, as the caller chooses."""
    duration = Duration(quantity=2, unit=Unit.DAYS_UNSTATED)

    assert add_duration(date(2026, 12, 24), duration, unstated_days_as=reading) == expected


def test_unstated_days_cannot_be_read_as_hours():
    """Only working or calendar days are readings of bare "days"."""
    duration = Duration(quantity=2, unit=Unit.DAYS_UNSTATED)

    with pytest.raises(ValueError, match="unstated_days_as must be"):
        add_duration(date(2026, 12, 24), duration, unstated_days_as=Unit.HOURS)


def test_worst_cases_for_one_working_day():
    """One working day spans 1 to 5 calendar days (Thursday before Easter to the Tuesday after)."""
    fewest, most = min_calendar_days_spanned(1), max_calendar_days_spanned(1)

    assert (fewest, most) == (1, 5)
    assert add_working_days(date(2026, 4, 2), 1) - date(2026, 4, 2) == timedelta(days=5)


def test_four_calendar_days_can_pass_without_a_working_day():
    """Christmas 2027 gives four non-working days in a row, Saturday to Tuesday."""
    fewest = min_working_days_within(4)

    assert fewest == 0
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 28)) == 0


def test_a_week_holds_at_most_five_working_days():
    """Seven calendar days hold at most five working days, and as few as three over Christmas."""
    bounds = (min_working_days_within(7), max_working_days_within(7))

    assert bounds == (3, 5)
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3


def test_worst_cases_of_nothing_are_nothing():
    """Zero working days span no calendar days, and zero calendar days hold no working days."""
    bounds = [
        min_calendar_days_spanned(0),
        max_calendar_days_spanned(0),
        min_working_days_within(0),
        max_working_days_within(0),
    ]

    assert bounds == [0, 0, 0, 0]


@pytest.mark.parametrize(
    "worst_case",
    [
        min_calendar_days_spanned,
        max_calendar_days_spanned,
        min_working_days_within,
        max_working_days_within,
    ],
)
def test_worst_cases_of_negative_counts_are_refused(worst_case):
    """A negative count raises `ValueError`."""
    with pytest.raises(ValueError, match="negative"):
        worst_case(-1)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 20])
def test_calendar_span_extremes_are_attained_by_some_start(n):
    """The worst cases equal the extremes found by adding working days from every scanned date."""
    spans = [(add_working_days(day, n) - day).days for day in EVERY_SCANNED_DAY]

    assert (min(spans), max(spans)) == (min_calendar_days_spanned(n), max_calendar_days_spanned(n))


@pytest.mark.parametrize("n", [1, 2, 4, 7, 14, 28])
def test_working_days_within_extremes_are_attained_by_some_start(n):
    """The within-bounds equal the extremes of counting from every scanned date."""
    counts = [working_days_between(day, day + timedelta(days=n)) for day in EVERY_SCANNED_DAY]

    assert (min(counts), max(counts)) == (min_working_days_within(n), max_working_days_within(n))


def test_one_month_bound_is_attained_by_some_start():
    """The bound for one month equals the extremes over every scanned start date."""
    month = Duration(quantity=1, unit=Unit.MONTHS)
    counts = [working_days_between(day, add_duration(day, month)) for day in EVERY_SCANNED_DAY]

    assert working_days_bound(month) == (min(counts), max(counts))


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (Duration(quantity=5, unit=Unit.WORKING_DAYS), (5, 5)),
        (Duration(quantity=0, unit=Unit.HOURS), (0, 0)),
        (Duration(quantity=1, unit=Unit.HOURS), (0, 1)),
        (Duration(quantity=24, unit=Unit.HOURS), (0, 1)),
        (Duration(quantity=48, unit=Unit.HOURS), (0, 2)),
        (Duration(quantity=1, unit=Unit.WEEKS), (3, 5)),
        (Duration(quantity=4, unit=Unit.DAYS_UNSTATED), (0, 4)),
    ],
    ids=str,
)
def test_working_days_bound_of_simple_durations(duration, expected):
    """Hours give at most one working day per started 24 hours; bare days span both readings."""
    bound = working_days_bound(duration)

    assert bound == expected


@given(start=any_days, n=st.integers(min_value=0, max_value=120))
def test_adding_working_days_agrees_with_stepping_day_by_day(start, n):
    """The table lookup gives the same day as stepping one day at a time."""
    expected = naive_add_working_days(start, n)

    assert add_working_days(start, n) == expected


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_is_working_day_agrees_with_the_holidays_package(day):
    """A working day is a weekday that the package does not list for England."""
    expected = day.weekday() < 5 and day not in package_holidays(day.year)

    assert is_working_day(day) == expected


@given(start=any_days, span=st.integers(min_value=0, max_value=400))
def test_working_days_between_agrees_with_counting_day_by_day(start, span):
    """The prefix-sum count equals counting each day of (start, end]."""
    end = start + timedelta(days=span)

    assert working_days_between(start, end) == naive_working_days_between(start, end)


@given(start=any_days, n=st.integers(min_value=0, max_value=300))
def test_counting_working_days_undoes_adding_them(start, n):
    """n working days after the start, exactly n working days have passed."""
    end = add_working_days(start, n)

    assert working_days_between(start, end) == n


@given(start=any_days, span=st.integers(min_value=0, max_value=300))
def test_adding_the_count_reaches_the_last_working_day_by_the_end(start, span):
    """Adding the count of working days up to an end lands on or before it, one more lands after."""
    end = start + timedelta(days=span)
    k = working_days_between(start, end)

    assert add_working_days(start, k) <= end < add_working_days(start, k + 1)


@given(day=any_days)
def test_next_and_previous_working_days_are_the_nearest_ones(day):
    """No working day lies strictly between a day and its next or previous working day."""
    after, before = next_working_day(day), previous_working_day(day)

    assert before < day < after
    assert is_working_day(after)
    assert is_working_day(before)
    assert naive_working_days_between(day, after - timedelta(days=1)) == 0
    assert naive_working_days_between(before, day - timedelta(days=1)) == 0


@first_calls_may_be_slow
@given(start=scanned_days, n=st.integers(min_value=0, max_value=400))
def test_calendar_span_of_working_days_lies_within_the_worst_cases(start, n):
    """From any scanned start, n working days span between the least and the most calendar days."""
    span = (add_working_days(start, n) - start).days

    assert min_calendar_days_spanned(n) <= span <= max_calendar_days_spanned(n)


@first_calls_may_be_slow
@given(start=scanned_days, n=st.integers(min_value=0, max_value=800))
def test_working_days_in_a_calendar_span_lie_within_the_worst_cases(start, n):
    """From any scanned start, n calendar days hold between the least and the most working days."""
    count = working_days_between(start, start + timedelta(days=n))

    assert min_working_days_within(n) <= count <= max_working_days_within(n)


@first_calls_may_be_slow
@given(n=st.integers(min_value=0, max_value=300))
def test_worst_cases_grow_with_the_count(n):
    """Each extra working day spans at least one more calendar day, and vice versa at most one."""
    spans = (min_calendar_days_spanned(n), max_calendar_days_spanned(n))
    longer = (min_calendar_days_spanned(n + 1), max_calendar_days_spanned(n + 1))
    within = (min_working_days_within(n), max_working_days_within(n))
    within_longer = (min_working_days_within(n + 1), max_working_days_within(n + 1))

    assert longer[0] >= spans[0] + 1
    assert longer[1] >= spans[1] + 1
    assert within_longer[0] - within[0] in (0, 1)
    assert within_longer[1] - within[1] in (0, 1)


@first_calls_may_be_slow
@given(
    day=scanned_days,
    clock=st.times(),
    duration=DURATIONS,
    reading=st.sampled_from([Unit.WORKING_DAYS, Unit.CALENDAR_DAYS]),
)
def test_working_days_bound_contains_the_working_days_that_pass(day, clock, duration, reading):
    """From any scanned start at any time of day, the working days that pass lie in the bound."""
    start = datetime.combine(day, clock)
    end = add_duration(start, duration, unstated_days_as=reading)
    fewest, most = working_days_bound(duration)

    assert fewest <= working_days_between(start, end) <= most


@first_calls_may_be_slow
@given(duration=DURATIONS)
def test_working_days_bound_is_an_interval_of_whole_days(duration):
    """The bound is a non-empty interval of non-negative whole numbers."""
    fewest, most = working_days_bound(duration)

    assert 0 <= fewest <= most


def test_module_doctests_pass():
    """The examples in the module's docstrings are correct."""
    results = doctest.testmod(workdays_module)

    assert results.failed == 0
    assert results.attempted > 0


def test_whole_scan_window_is_covered():
    """The scan window is every day of the years 2000 to 2100, as the docstrings promise."""
    years = (SCAN_YEARS.start, SCAN_YEARS.stop - 1)

    assert years == (2000, 2100)
    assert len(EVERY_SCANNED_DAY) == 36_890


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(1998, 12, 25), date(2000, 1, 10)),  # into the calendar
        (date(2110, 12, 20), date(2111, 1, 10)),  # out of it
        (date(1999, 1, 1), date(2102, 12, 31)),  # what the compiled replay asks
        (date(1995, 1, 1), date(1995, 2, 1)),  # before it
        (date(2026, 5, 5), date(2026, 5, 4)),  # no days
    ],
)
def test_working_flags_are_is_working_day_of_each_day(first, last):
    """The flags of a span are `is_working_day` of each of its days, inside or outside
    the precomputed calendar."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    assert working_flags(first, last) == [is_working_day(day) for day in days]
