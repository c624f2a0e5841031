"""Option types every command shares: finite numbers, and dates the calendar covers.

click's `FloatRange` lets "nan" through (no comparison with NaN is true) and its
`DateTime` accepts any year, while the working-day calendar covers 2000 to 2100; both
then failed deep inside a run. These types refuse such values at the command line,
naming the option, with exit code 2.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime
from typing import Any

import click

from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.workdays import SCAN_YEARS

__all__ = ["FIRST_START", "LAST_START", "Seconds", "StartDate", "default_start"]

FIRST_START = date(SCAN_YEARS.start, 1, 1)
LAST_START = date(SCAN_YEARS.stop - 1, 12, 31)


class Seconds(click.ParamType[float, Any]):
    """A finite number of seconds within `[least, most]`."""

    name = "seconds"

    def __init__(self, least: float, most: float = 10**7) -> None:
        self.least, self.most = least, most

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float) and math.isfinite(value):
            number = value
        else:
            try:
                number = float(str(value))
            except ValueError:
                self.fail(f"'{value}' is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not self.least <= number <= self.most:
            self.fail(
                f"{value} is not a number of seconds from {self.least:g} to {self.most:g}",
                param,
                ctx,
            )
        return number


class StartDate(click.ParamType[date, Any]):
    """A date (YYYY-MM-DD) that the working-day calendar covers."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = datetime.strptime(str(value), "%Y-%m-%d").date()
            except ValueError:
                self.fail(f"'{value}' is not a date written YYYY-MM-DD", param, ctx)
        if not FIRST_START <= day <= LAST_START:
            self.fail(
                f"{day.isoformat()} is outside the calendar stepcheck counts working days on "
                f"({FIRST_START.isoformat()} to {LAST_START.isoformat()})",
                param,
                ctx,
            )
        return day


def default_start() -> date:
    """The start date when `--start-date` is not given: the date of `SOURCE_DATE_EPOCH`
    (seconds since 1970, UTC; the reproducible-builds convention, so a CI job can pin
    its outputs) when it is set, otherwise today.

    Raises:
        StepcheckError: `SOURCE_DATE_EPOCH` is not a whole number of seconds, or its date
            is outside the years the working-day calendar covers.
    """
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not given:
        return date.today()
    if not given.isdigit() or len(given) > 12:
        raise StepcheckError(
            f"SOURCE_DATE_EPOCH={given[:40]!r} is not a whole number of seconds since 1970"
        )
    day = datetime.fromtimestamp(int(given), tz=UTC).date()
    if not FIRST_START <= day <= LAST_START:
        raise StepcheckError(
            f"SOURCE_DATE_EPOCH gives {day.isoformat()}, outside the calendar "
            f"({FIRST_START.isoformat()} to {LAST_START.isoformat()})"
        )
    return day
