"""Tests for `spec.duration`: reading durations as protocols write them."""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepcheck.spec import duration as duration_module
from stepcheck.spec.duration import Duration, DurationError, Unit, parse_duration

ACCEPTED = [
    ("2 working days", 2, Unit.WORKING_DAYS),
    ("1 working day", 1, Unit.WORKING_DAYS),
    ("2 wd", 2, Unit.WORKING_DAYS),
    ("2wd", 2, Unit.WORKING_DAYS),
    ("5 calendar days", 5, Unit.CALENDAR_DAYS),
    ("10 days", 10, Unit.DAYS_UNSTATED),
    ("1 day", 1, Unit.DAYS_UNSTATED),
    ("24 hours", 24, Unit.HOURS),
    ("48h", 48, Unit.HOURS),
    ("1 hour", 1, Unit.HOURS),
    ("1 week", 1, Unit.WEEKS),
    ("2 weeks", 2, Unit.WEEKS),
    ("1 month", 1, Unit.MONTHS),
    ("3 months", 3, Unit.MONTHS),
    ("0 working days", 0, Unit.WORKING_DAYS),
    ("  2   Working   DAYS  ", 2, Unit.WORKING_DAYS),
    ("2 working-days", 2, Unit.WORKING_DAYS),
    ("\t3\nMonths", 3, Unit.MONTHS),
    ("48 H", 48, Unit.HOURS),
    ("10 days (unit not stated)", 10, Unit.DAYS_UNSTATED),
]

REJECTED = [
    ("-2 working days", "is negative"),
    ("−2 working days", "is negative"),
    ("+2 working days", "has a sign"),
    ("1.5 working days", "is not a whole number"),
    ("1/2 day", "is not a whole number"),
    ("0 blah", "has unknown unit 'blah'"),
    ("2 working dyas", "has unknown unit 'working dyas'"),
    ("working days", "has no quantity"),
    ("two working days", "expected a duration, got 'two working days'"),
    ("unspecified", "expected a duration, got 'unspecified'"),
    ("5", "has no unit"),
    ("", "is empty"),
    ("   ", "is empty"),
]

NAMES = [
    (Duration(quantity=2, unit=Unit.WORKING_DAYS), "2 working days"),
    (Duration(quantity=1, unit=Unit.WORKING_DAYS), "1 working day"),
    (Duration(quantity=1, unit=Unit.CALENDAR_DAYS), "1 calendar day"),
    (Duration(quantity=1, unit=Unit.WEEKS), "1 week"),
    (Duration(quantity=24, unit=Unit.HOURS), "24 hours"),
    (Duration(quantity=3, unit=Unit.MONTHS), "3 months"),
    (Duration(quantity=10, unit=Unit.DAYS_UNSTATED), "10 days (unit not stated)"),
    (Duration(quantity=0, unit=Unit.HOURS), "0 hours"),
]


def durations() -> st.SearchStrategy[Duration]:
    """Any duration a spec may state, of every unit (up to 10 years)."""
    return st.builds(
        Duration, quantity=st.integers(min_value=0, max_value=120), unit=st.sampled_from(Unit)
    )


@pytest.mark.parametrize(
    "text",
    [
        "121 months",
        "522 weeks",
        "3653 calendar days",
        "2609 working days",
        "87673 hours",
        "1000000000 months",
        "9" * 5000 + " hours",
    ],
)
def test_a_duration_beyond_the_calendar_is_refused_with_a_hint(text):
    """Durations are bounded at 10 years; longer durations would hang or crash it."""
    with pytest.raises(DurationError) as refused:
        parse_duration(text)

    assert "10 years" in (refused.value.hint or "")


@pytest.mark.parametrize(
    ("text", "quantity", "unit"),
    [
        ("120 months", 120, Unit.MONTHS),
        ("521 weeks", 521, Unit.WEEKS),
        ("3652 calendar days", 3652, Unit.CALENDAR_DAYS),
        ("2608 working days", 2608, Unit.WORKING_DAYS),
        ("87660 hours", 87660, Unit.HOURS),
    ],
)
def test_ten_years_in_any_unit_is_still_a_duration(text, quantity, unit):
    assert parse_duration(text) == Duration(quantity=quantity, unit=unit)


@pytest.mark.parametrize(("text", "quantity", "unit"), ACCEPTED, ids=[t for t, *_ in ACCEPTED])
def test_accepted_spellings_parse_to_their_duration(text, quantity, unit):
    """Each accepted spelling reads as its quantity and unit, whatever the case and spacing."""
    parsed = parse_duration(text)

    assert parsed == Duration(quantity=quantity, unit=unit)


@pytest.mark.parametrize(("text", "message"), REJECTED, ids=[t or "empty" for t, _ in REJECTED])
def test_malformed_durations_are_rejected_with_a_hint(text, message):
    """Each malformed duration raises a lower-case message without a final period, and a hint."""
    with pytest.raises(DurationError) as caught:
        parse_duration(text)

    assert message in caught.value.message
    assert caught.value.message[0].islower()
    assert not caught.value.message.endswith(".")
    assert caught.value.hint


def test_misspelt_unit_hint_suggests_the_closest_unit():
    """A near miss such as 'working dyas' is answered with 'did you mean' and the known units."""
    with pytest.raises(DurationError) as caught:
        parse_duration("2 working dyas")

    assert caught.value.hint == (
        "did you mean 'working days'? known units: "
        "calendar days, days, hours, months, weeks, working days"
    )


def test_misspelt_unit_without_quantity_still_suggests_a_unit():
    """Text with no number and a misspelt unit still names the closest unit."""
    with pytest.raises(DurationError) as caught:
        parse_duration("working dyas")

    assert "did you mean 'working days'?" in (caught.value.hint or "")


def test_duration_error_is_a_value_error():
    """Callers that catch `ValueError` also catch a bad duration."""
    with pytest.raises(ValueError, match="is negative"):
        parse_duration("-1 week")


@pytest.mark.parametrize(("duration", "text"), NAMES, ids=[t for _, t in NAMES])
def test_duration_reads_as_protocol_text(duration, text):
    """`str` gives the protocol's wording, singular for 1 and flagged for bare days."""
    shown = str(duration)

    assert shown == text


@pytest.mark.parametrize("quantity", [-1, -100])
def test_negative_quantity_is_refused(quantity):
    """A `Duration` cannot be built with a negative quantity."""
    with pytest.raises(ValueError, match=">= 0"):
        Duration(quantity=quantity, unit=Unit.HOURS)


@pytest.mark.parametrize("quantity", [1.5, True, "2"])
def test_non_integer_quantity_is_refused(quantity):
    """A `Duration` quantity must be a plain int, not a float, bool or string."""
    with pytest.raises(TypeError, match="must be an int"):
        Duration(quantity=quantity, unit=Unit.HOURS)


@given(duration=durations())
def test_parsing_the_text_of_a_duration_gives_it_back(duration):
    """Every duration round-trips through `str` and `parse_duration`."""
    text = str(duration)

    assert parse_duration(text) == duration


@given(text=st.text(max_size=30))
def test_parsing_arbitrary_text_gives_a_duration_or_a_duration_error(text):
    """Any text either parses or raises `DurationError`, never anything else."""
    try:
        outcome: Duration | DurationError = parse_duration(text)
    except DurationError as error:
        outcome = error

    assert isinstance(outcome, Duration) or outcome.hint


@given(
    quantity=st.integers(min_value=0, max_value=120),
    unit=st.sampled_from(["working days", "calendar days", "hours", "weeks", "months"]),
    gap=st.sampled_from(["", " ", "  ", "\t"]),
    upper=st.booleans(),
)
def test_spacing_and_case_do_not_matter(quantity, unit, gap, upper):
    """The same duration is read whatever the spacing between number and unit and the case."""
    text = f"{quantity}{gap}{unit.upper() if upper else unit}"

    assert parse_duration(text) == parse_duration(f"{quantity} {unit}")


def test_module_doctests_pass():
    """The examples in the module's docstrings are correct."""
    results = doctest.testmod(duration_module)

    assert results.failed == 0
    assert results.attempted > 0
