"""The England & Wales bank holidays of 1900-2300, kept on disk between runs.

Every run that counts working days needs the bank holidays, and asking the
`holidays` package for them costs about 0.2 s of start-up, nearly all of it in
importing the package (`holiday_rules` says why). The answer depends only on the
package's version and on our rules, so the first run writes the table for
`TABLE_YEARS` to the cache folder (`cache_folder.default_folder`) and later runs read
it back. The file is named by a digest of its key, and holds the key itself:

- the `holidays` package's installed version, so an upgrade (new or moved
  holidays) makes a new table;
- a digest of `holiday_rules.py`'s text, so an edit to the rules does too;
- the years and the file's format.

A file whose key differs, or that cannot be read or parsed, is ignored and the
table computed again; a folder that cannot be written to only costs the time. A
year outside `TABLE_YEARS` is asked of the package, as before. Either way the
answer is the package's own (tests/spec/test_holiday_table.py compares them).
Entries are JSON, never pickle: a cache folder must not be able to run code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

from stepcheck.spec.cache_folder import default_folder, write_whole

__all__ = ["TABLE_YEARS", "holiday_names"]

TABLE_YEARS: Final = range(1900, 2301)
"""The years the table on disk holds; other years are asked of the package."""

_FORMAT: Final = 1
_RULES: Final = Path(__file__).with_name("holiday_rules.py")

Holidays = tuple[tuple[date, str], ...]
"""Bank holidays with their names, sorted by date."""


def holiday_names(first_year: int, last_year: int) -> Holidays:
    """The bank holidays of `first_year` to `last_year` with their names, sorted by date.

    The same as `holiday_rules.package_holiday_names(first_year, last_year)`.
    """
    if TABLE_YEARS.start <= first_year and last_year < TABLE_YEARS.stop:
        by_year = _table()
        return tuple(entry for year in range(first_year, last_year + 1) for entry in by_year[year])
    return _from_package(first_year, last_year)


@cache
def _table() -> dict[int, Holidays]:
    """`TABLE_YEARS`' holidays by year: read from the cache folder, or computed and kept."""
    key = table_key()
    path = None if key is None else table_path(key)
    entries = None if key is None or path is None else _read(path, key)
    if entries is None:
        entries = _from_package(TABLE_YEARS.start, TABLE_YEARS.stop - 1)
        if key is not None and path is not None:
            _write(path, key, entries)
    by_year: dict[int, list[tuple[date, str]]] = {year: [] for year in TABLE_YEARS}
    for day, name in entries:
        by_year[day.year].append((day, name))
    return {year: tuple(listed) for year, listed in by_year.items()}


def table_key() -> dict[str, object] | None:
    """What the table depends on, or None when that cannot be known (then no file is
    read or written): the package's version and the rules' text are missing."""
    try:
        package = version("holidays")
        rules = hashlib.sha256(_RULES.read_bytes()).hexdigest()
    except (PackageNotFoundError, OSError):
        return None
    years = [TABLE_YEARS.start, TABLE_YEARS.stop - 1]
    return {"format": _FORMAT, "holidays": package, "rules": rules, "years": years}


def table_path(key: dict[str, object]) -> Path | None:
    """The table's file in the cache folder, named by a digest of its key; None when
    there is no cache folder (no home folder to put it in)."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()
    try:
        return default_folder() / f"bank-holidays-{digest[:24]}.json"
    except RuntimeError:  # Path.home(): no home folder known for this user
        return None


def _from_package(first_year: int, last_year: int) -> Holidays:
    # imported here: it imports the `holidays` package, which this module exists to avoid
    from stepcheck.spec.holiday_rules import package_holiday_names  # noqa: PLC0415

    return package_holiday_names(first_year, last_year)


def _read(path: Path, key: dict[str, object]) -> Holidays | None:
    """The table in `path` if it was written for `key` and is whole, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] != key:
            return None
        names = data["names"]
        days = data["days"]
        if not all(isinstance(name, str) for name in names) or not all(
            0 <= index < len(names) for _ordinal, index in days
        ):
            return None
        entries = tuple((date.fromordinal(ordinal), names[index]) for ordinal, index in days)
    except (OSError, ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None
    years = {day.year for day, _name in entries}
    if not years <= set(TABLE_YEARS) or list(entries) != sorted(entries):
        return None
    return entries


def _write(path: Path, key: dict[str, object], entries: Holidays) -> None:
    """Keep the table at `path`, whole or not at all (written aside, then renamed)."""
    names = sorted({name for _day, name in entries})
    index = {name: position for position, name in enumerate(names)}
    days = [[day.toordinal(), index[name]] for day, name in entries]
    write_whole(path, json.dumps({"key": key, "names": names, "days": days}, sort_keys=True))
