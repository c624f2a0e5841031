"""England & Wales bank holidays as the `holidays` package computes them.

This is the one module that imports the package, and `holiday_table` imports it only
when it has no table on disk for the installed version: importing
`holidays.countries.united_kingdom` first imports the `holidays.countries` package,
which imports every country it has (about 0.15 s of every run's start-up). The
table's key holds a digest of this file's text, so that an edit to these rules is
never answered from a table that the old rules made.
"""

from __future__ import annotations

from datetime import date

from holidays.countries.united_kingdom import UnitedKingdom

__all__ = ["EnglandAndWales", "package_holiday_names"]


class EnglandAndWales(UnitedKingdom):
    """The package's England & Wales bank holidays, projected by its rules past 2100.

    The package lists no holidays after its `end_year` (2100), which would make
    every weekday of 2101 a working day; spans that start late in the scanned years
    end there, so the regular rules carry on instead.
    """

    end_year = 9999


def package_holiday_names(first_year: int, last_year: int) -> tuple[tuple[date, str], ...]:
    """The bank holidays of `first_year` to `last_year` with their names, sorted by date.

    A holiday that falls at a weekend is listed as well as its substitute day.
    """
    years = range(first_year, last_year + 1)
    # The package's country classes leave __init__ unannotated.
    table = EnglandAndWales(subdiv="ENG", years=years, observed=True)  # type: ignore[no-untyped-call]
    return tuple(sorted((day, str(name)) for day, name in table.items() if day.year in years))
