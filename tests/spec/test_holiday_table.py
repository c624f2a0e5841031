"""Tests for `spec.holiday_table`: the bank-holiday table kept on disk between runs.

The table must always be the `holidays` package's own answer: written on the first
run, read back on the next, and made again when the package's version or our rules
change, or when the file is damaged.
"""

import json
from pathlib import Path

import pytest

from stepcheck.spec import holiday_rules, holiday_table
from stepcheck.spec.holiday_table import TABLE_YEARS, holiday_names


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A cache folder of the test's own, and no table held in memory before or after."""
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(tmp_path))
    holiday_table._table.cache_clear()
    yield tmp_path
    holiday_table._table.cache_clear()


@pytest.fixture
def package_calls(monkeypatch):
    """The spans the package is asked for, in order."""
    calls = []
    real = holiday_rules.package_holiday_names

    def counted(first_year, last_year):
        calls.append((first_year, last_year))
        return real(first_year, last_year)

    monkeypatch.setattr(holiday_rules, "package_holiday_names", counted)
    return calls


def fresh_names(first_year, last_year):
    """`holiday_names` as a new process would answer: the table read from the folder."""
    holiday_table._table.cache_clear()
    return holiday_names(first_year, last_year)


def test_the_first_run_writes_the_table_and_the_next_reads_it(cache_folder, package_calls):
    """One file is written; a later run reads it without asking the package again."""
    first = holiday_names(2026, 2026)
    second = fresh_names(2026, 2026)

    assert [path.name.startswith("bank-holidays-") for path in cache_folder.iterdir()] == [True]
    assert package_calls == [(TABLE_YEARS.start, TABLE_YEARS.stop - 1)]
    assert first == second


def test_the_table_read_back_is_the_packages_for_every_year(cache_folder):
    """Read from disk, every year of the table, and a long span, are the package's own."""
    holiday_names(2000, 2000)

    for year in TABLE_YEARS:
        assert fresh_names(year, year) == holiday_rules.package_holiday_names(year, year)
    assert holiday_names(2000, 2110) == holiday_rules.package_holiday_names(2000, 2110)


def test_years_outside_the_table_are_asked_of_the_package(cache_folder, package_calls):
    """A span reaching past the table is the package's answer for that span."""
    names = holiday_names(2290, 2310)

    assert names == holiday_rules.package_holiday_names(2290, 2310)
    assert (2290, 2310) in package_calls


def test_a_new_package_version_makes_a_new_table(cache_folder, package_calls, monkeypatch):
    """The key holds the package's version: another version does not read the old file."""
    holiday_names(2026, 2026)
    monkeypatch.setattr(holiday_table, "version", lambda _package: "0.0-another")

    names = fresh_names(2026, 2026)

    assert len(package_calls) == 2
    assert len(list(cache_folder.iterdir())) == 2
    assert names == holiday_rules.package_holiday_names(2026, 2026)


def test_edited_rules_make_a_new_table(cache_folder, package_calls, tmp_path, monkeypatch):
    """The key holds a digest of the rules' text: an edit there does not read the old file."""
    holiday_names(2026, 2026)
    edited = tmp_path / "edited" / "holiday_rules.py"
    edited.parent.mkdir()
    edited.write_bytes(holiday_table._RULES.read_bytes() + b"# edited\n")
    monkeypatch.setattr(holiday_table, "_RULES", edited)

    fresh_names(2026, 2026)

    assert len(package_calls) == 2


def test_a_file_for_another_key_under_this_name_is_not_read(cache_folder, package_calls):
    """The file names its key; one whose key differs is recomputed and rewritten."""
    holiday_names(2026, 2026)
    (path,) = cache_folder.iterdir()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["key"]["holidays"] = "0.0-another"
    data["days"] = []
    path.write_text(json.dumps(data), encoding="utf-8")

    names = fresh_names(2026, 2026)

    assert len(package_calls) == 2
    assert names == holiday_rules.package_holiday_names(2026, 2026)
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == holiday_table.table_key()


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda _text: "[]",
        lambda text: text.replace('"names": [', '"names": [7, ', 1),
        lambda text: text.replace('"days": [[', '"days": [[1, -1], [', 1),
    ],
    ids=["cut short", "not an object", "a name not text", "an index out of range"],
)
def test_a_damaged_file_is_recomputed(cache_folder, package_calls, damage):
    """A file that cannot be read as a whole table is ignored, and the package asked."""
    expected = holiday_names(2026, 2026)
    (path,) = cache_folder.iterdir()
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")

    names = fresh_names(2026, 2026)

    assert len(package_calls) == 2
    assert names == expected


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch, package_calls):
    """When the cache folder is a file, the table is computed each time and still right."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(blocker / "below"))
    holiday_table._table.cache_clear()
    try:
        names = holiday_names(2026, 2026)
        again = fresh_names(2026, 2026)
    finally:
        holiday_table._table.cache_clear()

    assert package_calls == [(TABLE_YEARS.start, TABLE_YEARS.stop - 1)] * 2
    assert names == again == holiday_rules.package_holiday_names(2026, 2026)


def test_without_a_home_folder_the_table_is_computed(monkeypatch, package_calls):
    """No cache folder can be named (no $STEPCHECK_CACHE_DIR, $XDG_CACHE_HOME or home):
    the table is the package's, and nothing is written."""

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("STEPCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    holiday_table._table.cache_clear()
    try:
        names = holiday_names(2026, 2026)
    finally:
        holiday_table._table.cache_clear()

    assert package_calls == [(TABLE_YEARS.start, TABLE_YEARS.stop - 1)]
    assert names == holiday_rules.package_holiday_names(2026, 2026)
