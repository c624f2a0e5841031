"""Tests for `spec.schema_kept`: the schema's clean verdict on a spec, kept between runs.

A spec loads the same whether its verdict is kept or not; the schema is asked once for
an unchanged spec, every time for a spec it finds a problem in, and again when the
spec, its name, the schema, its code or jsonschema's code change.
"""

import os
from pathlib import Path

import pytest

from stepcheck.spec import schema_kept, yaml_kept
from stepcheck.spec.diagnostics import SpecInvalid
from stepcheck.spec.loader import load_spec, load_spec_text

SPEC = Path("spec/authorities/devon.yaml")


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A cache folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def schema_calls(monkeypatch):
    """The documents the schema itself was asked about."""
    calls = []
    check = schema_kept.schema.schema_problems

    def counted(document):
        calls.append(document.locations.file)
        return check(document)

    monkeypatch.setattr(schema_kept.schema, "schema_problems", counted)
    return calls


def _markers(folder: Path) -> list[Path]:
    return sorted((folder / "documents").glob("*.clean"))


def test_an_unchanged_spec_is_checked_once_and_loads_the_same(cache_folder, schema_calls):
    first = load_spec(SPEC)
    second = load_spec(SPEC)

    assert schema_calls == [str(SPEC)]
    assert first == second == load_spec_text(SPEC.read_bytes(), str(SPEC))
    assert len(_markers(cache_folder)) == 1


def test_a_spec_with_a_schema_problem_is_always_checked(cache_folder, schema_calls, tmp_path):
    """Its diagnostics always come from the schema, and no verdict is kept."""
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(SPEC.read_bytes().replace(b"\nstatuses:", b"\nstatusses:", 1))

    problems = []
    for _ in range(2):
        with pytest.raises(SpecInvalid) as raised:
            load_spec(broken)
        problems.append(raised.value.diagnostics)

    assert problems[0] == problems[1]
    assert problems[0]
    assert schema_calls == [str(broken), str(broken)]
    assert not _markers(cache_folder)


def test_the_verdict_is_asked_again_when_what_it_depends_on_changes(
    cache_folder, schema_calls, tmp_path, monkeypatch
):
    """Another byte, another name, another jsonschema, an edited schema module."""
    load_spec(SPEC)
    copy = tmp_path / "devon.yaml"
    copy.write_bytes(SPEC.read_bytes())
    load_spec(copy)  # another name
    copy.write_bytes(SPEC.read_bytes() + b"\n# an edit\n")
    load_spec(copy)  # another byte
    another = tmp_path / "jsonschema"
    another.mkdir()
    for module in schema_kept._JSONSCHEMA.glob("*.py"):
        (another / module.name).write_bytes(module.read_bytes())
    (another / "validators.py").write_bytes(b"# another release\n")
    installed = schema_kept._JSONSCHEMA
    monkeypatch.setattr(schema_kept, "_JSONSCHEMA", another)
    load_spec(SPEC)  # another jsonschema
    monkeypatch.setattr(schema_kept, "_JSONSCHEMA", installed)
    edited = tmp_path / "schema.py"
    edited.write_bytes(schema_kept._CODE[0].read_bytes() + b"# edited\n")
    monkeypatch.setattr(schema_kept, "_CODE", (edited, schema_kept._CODE[1]))
    load_spec(SPEC)  # an edited schema module

    assert len(schema_calls) == 5
    assert len(_markers(cache_folder)) == 5


def test_without_a_folder_to_write_every_load_checks(monkeypatch, schema_calls, tmp_path):
    """A cache folder that is a file: nothing is kept, every spec still loads."""
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(blocked))

    assert load_spec(SPEC) == load_spec(SPEC)
    assert len(schema_calls) == 2


def test_at_most_kept_verdicts_stay_the_newest(cache_folder, monkeypatch, tmp_path):
    monkeypatch.setattr(yaml_kept, "KEPT", 2)
    raw = SPEC.read_bytes()
    for number in range(4):
        copy = tmp_path / f"edit-{number}.yaml"
        copy.write_bytes(raw)
        load_spec(copy)
        for marker in _markers(cache_folder):  # dated apart, as edits a second apart
            if marker.stat().st_mtime_ns > 10**12:
                os.utime(marker, ns=(number * 10**9, number * 10**9))

    assert len(_markers(cache_folder)) == 2
