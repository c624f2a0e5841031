"""Durations as protocols write them: "2 working days", "24 hours", "3 months".

`parse_duration` reads the text of a `within:` field into a `Duration`; the
calendar arithmetic lives in `spec.workdays`. A bare "10 days" is kept as
`Unit.DAYS_UNSTATED`, because the document does not say whether it means
working or calendar days and the checker must say so. The word `unspecified`
is not a duration: callers look for it before parsing.
"""

from __future__ import annotations

import re
from enum import Enum

from attrs import Attribute, field, frozen

from stepcheck.spec.diagnostics import StepcheckError, did_you_mean

__all__ = ["Duration", "DurationError", "Unit", "parse_duration"]


class Unit(Enum):
    """The unit a duration is counted in, as the protocol names it."""

    WORKING_DAYS = "working days"
    CALENDAR_DAYS = "calendar days"
    DAYS_UNSTATED = "days"
    """Bare "days": the document does not say working or calendar."""
    HOURS = "hours"
    """Clock hours, not working hours."""
    WEEKS = "weeks"
    MONTHS = "months"


_SINGULAR = {
    Unit.WORKING_DAYS: "working day",
    Unit.CALENDAR_DAYS: "calendar day",
    Unit.DAYS_UNSTATED: "day",
    Unit.HOURS: "hour",
    Unit.WEEKS: "week",
    Unit.MONTHS: "month",
}

_UNSTATED_NOTE = "(unit not stated)"

_UNIT_WORDS: dict[str, Unit] = {
    "working day": Unit.WORKING_DAYS,
    "working days": Unit.WORKING_DAYS,
    "wd": Unit.WORKING_DAYS,
    "calendar day": Unit.CALENDAR_DAYS,
    "calendar days": Unit.CALENDAR_DAYS,
    "day": Unit.DAYS_UNSTATED,
    "days": Unit.DAYS_UNSTATED,
    f"day {_UNSTATED_NOTE}": Unit.DAYS_UNSTATED,
    f"days {_UNSTATED_NOTE}": Unit.DAYS_UNSTATED,
    "hour": Unit.HOURS,
    "hours": Unit.HOURS,
    "h": Unit.HOURS,
    "hr": Unit.HOURS,
    "hrs": Unit.HOURS,
    "week": Unit.WEEKS,
    "weeks": Unit.WEEKS,
    "month": Unit.MONTHS,
    "months": Unit.MONTHS,
}

_KNOWN_UNITS = tuple(unit.value for unit in Unit)

# A number (possibly signed or fractional, so that those get a precise message)
# followed by a unit that starts with a letter; either part may be missing.
_DURATION = re.compile(
    r"""
    \s*
    (?P<number>[-+−]?\s*[0-9.,/]*[0-9][0-9.,/]*)?
    \s*
    (?P<unit>.*?)
    \s*
    """,
    re.VERBOSE | re.DOTALL,
)

_EXAMPLE = "e.g. '2 working days' or '24 hours'"


class DurationError(StepcheckError, ValueError):
    """Text that is not a duration, with a hint on how to write one."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _check_quantity(_instance: object, _attribute: Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"duration quantity must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"duration quantity must be >= 0, not {value}")


@frozen(kw_only=True)
class Duration:
    """A whole number of one unit, such as 2 working days or 3 months."""

    quantity: int = field(validator=_check_quantity)
    unit: Unit

    def __str__(self) -> str:
        words = _SINGULAR[self.unit] if self.quantity == 1 else self.unit.value
        text = f"{self.quantity} {words}"
        if self.unit is Unit.DAYS_UNSTATED:
            return f"{text} {_UNSTATED_NOTE}"
        return text


def parse_duration(text: str) -> Duration:
    """Read a duration such as "2 working days", "48h" or "3 months".

    Case and spacing do not matter; a bare "days" reads as `Unit.DAYS_UNSTATED`,
    and so does the "(unit not stated)" that `str(duration)` adds to it.

    >>> parse_duration("2 Working  Days")
    Duration(quantity=2, unit=<Unit.WORKING_DAYS: 'working days'>)
    >>> str(parse_duration("48h"))
    '48 hours'

    Raises:
        DurationError: for a missing, negative or fractional quantity, an unknown
            unit, or a duration longer than `MAX_YEARS`; its `hint` says what to write
            instead.
    """
    match = _DURATION.fullmatch(text)
    assert match is not None, "the duration pattern matches every string"
    number, words = match.group("number"), _normalised(match.group("unit"))
    if number is None:
        raise _without_quantity(text, words)
    quantity = _quantity(text, number)
    return _within_calendar(text, Duration(quantity=quantity, unit=_unit(text, words)))


def _without_quantity(text: str, words: str) -> DurationError:
    if not words:
        return DurationError(
            "duration is empty", hint=f"write a whole number and a unit, {_EXAMPLE}"
        )
    if words in _UNIT_WORDS:
        return DurationError(
            f"duration '{text.strip()}' has no quantity",
            hint=f"write a whole number in digits before the unit, {_EXAMPLE}",
        )
    units = did_you_mean(words, _KNOWN_UNITS, what="units")
    return DurationError(
        f"expected a duration, got '{text.strip()}'",
        hint=f"write a whole number in digits and a unit, {_EXAMPLE}; {units}",
    )


def _quantity(text: str, number: str) -> int:
    if number[0] in "-−":
        raise DurationError(
            f"duration '{text.strip()}' is negative",
            hint="a duration counts forward: write a whole number of 0 or more",
        )
    if number[0] == "+":
        raise DurationError(
            f"duration '{text.strip()}' has a sign",
            hint=f"write the number without a sign, {_EXAMPLE}",
        )
    if not number.isdigit():
        raise DurationError(
            f"duration '{text.strip()}' is not a whole number",
            hint=(
                "write digits only, using a smaller unit for a fraction, "
                "e.g. '36 hours' for a day and a half"
            ),
        )
    if len(number.lstrip("0")) > 9:
        raise DurationError(f"duration '{text.strip()}' is far too long", hint=_TOO_LONG_HINT)
    return int(number)


MAX_YEARS = 10
"""The longest duration a spec may state: the working-day calendar is computed this far."""
_TOO_LONG_HINT = (
    f"the longest duration stepcheck can count on the calendar is {MAX_YEARS} years; "
    "a protocol's limits are days, weeks or months"
)
_DAYS_PER = {
    "working days": 7 / 5,
    "calendar days": 1,
    "days": 7 / 5,
    "hours": 1 / 24,
    "weeks": 7,
    "months": 365.25 / 12,
}


def _within_calendar(text: str, duration: Duration) -> Duration:
    if duration.quantity * _DAYS_PER[duration.unit.value] > MAX_YEARS * 365.25:
        raise DurationError(
            f"duration '{text.strip()}' is longer than {MAX_YEARS} years", hint=_TOO_LONG_HINT
        )
    return duration


def _unit(text: str, words: str) -> Unit:
    if not words:
        raise DurationError(
            f"duration '{text.strip()}' has no unit",
            hint=did_you_mean("", _KNOWN_UNITS, what="units"),
        )
    unit = _UNIT_WORDS.get(words)
    if unit is None:
        raise DurationError(
            f"duration '{text.strip()}' has unknown unit '{words}'",
            hint=did_you_mean(words, _KNOWN_UNITS, what="units"),
        )
    return unit


def _normalised(unit_text: str) -> str:
    """Lower-case unit words with single spaces for runs of spaces and hyphens.

    >>> _normalised("  Working-  DAYS ")
    'working days'
    """
    return re.sub(r"[\s-]+", " ", unit_text).strip().lower()
