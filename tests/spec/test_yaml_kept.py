"""Tests for `spec.yaml_kept`: parsed spec documents kept on disk between runs.

A kept document must be exactly what `read_yaml` gives, every value of the same
type; it must be read again when the bytes, the name, ruamel.yaml's version or the
reader's code change, or when the file is damaged; a spec with a problem is never
kept.
"""

import os
from pathlib import Path

import pytest

from stepcheck.spec import yaml_kept
from stepcheck.spec.yaml_kept import document_path, read_yaml_kept
from stepcheck.spec.yamlread import read_yaml

SPECS = sorted(
    path
    for path in [*Path("spec/authorities").glob("*.yaml"), *Path("tests/fixtures").rglob("*.yaml")]
    if path.is_file()
)


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A cache folder of the test's own."""
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def fresh_reads(monkeypatch):
    """How many times the YAML parser itself ran."""
    calls = []

    def counted(raw, file):
        calls.append(file)
        return read_yaml(raw, file)

    monkeypatch.setattr(yaml_kept, "read_yaml", counted)
    return calls


def assert_same(kept, fresh):
    """Both reads give the same document (each value of the same type) and problems."""
    (document, problems), (expected, expected_problems) = kept, fresh
    assert problems == expected_problems
    assert (document is None) == (expected is None)
    if document is not None:
        assert yaml_kept._same(document, expected)


@pytest.mark.parametrize("path", SPECS, ids=str)
def test_a_kept_document_is_what_the_reader_gives(cache_folder, path):
    """Written on the first read and read back on the second, every spec and fixture
    gives `read_yaml`'s document and problems."""
    raw = path.read_bytes()
    fresh = read_yaml(raw, str(path))

    first = read_yaml_kept(raw, str(path))
    second = read_yaml_kept(raw, str(path))

    assert_same(first, fresh)
    assert_same(second, fresh)
    kept = document_path(raw, str(path))
    assert kept is not None
    assert kept.exists() == (fresh[0] is not None and not fresh[1])


def test_the_second_read_does_not_parse(cache_folder, fresh_reads):
    """An unchanged spec is parsed once."""
    path = Path("spec/authorities/devon.yaml")
    raw = path.read_bytes()

    read_yaml_kept(raw, str(path))
    read_yaml_kept(raw, str(path))

    assert fresh_reads == [str(path)]


def test_every_value_keeps_its_type(cache_folder):
    """Whole numbers, numbers, true, null, text that looks like a number, block text."""
    raw = (
        b'a: 1\nb: 1.0\nc: true\nd: null\ne: "1"\nf: [1, 2.5, -0.0, .inf, 1e3]\n'
        b"g: |\n  two\n  lines\nh: {x: [], z: {}}\n"
    )
    fresh = read_yaml(raw, "types.yaml")

    read_yaml_kept(raw, "types.yaml")
    kept = read_yaml_kept(raw, "types.yaml")

    assert_same(kept, fresh)
    assert [type(value) for value in kept[0].data["f"]] == [int, float, float, float, float]


def test_a_spec_with_a_problem_is_never_kept(cache_folder, fresh_reads):
    """Its diagnostics always come from the reader itself."""
    raw = b"stepcheck: 1\nname: [unclosed\n"

    first = read_yaml_kept(raw, "broken.yaml")
    second = read_yaml_kept(raw, "broken.yaml")

    assert first[1]
    assert first == second
    assert len(fresh_reads) == 2
    assert not (cache_folder / "documents").exists()


def test_the_key_holds_the_bytes_the_name_the_version_and_the_code(
    cache_folder, tmp_path, monkeypatch
):
    """Another byte, another name, another ruamel.yaml or an edited reader: another file."""
    raw = b"a: 1\n"
    base = document_path(raw, "a.yaml")
    others = {document_path(b"a: 2\n", "a.yaml"), document_path(raw, "b.yaml")}
    monkeypatch.setattr(yaml_kept.ruamel.yaml, "__version__", "0.0-another")
    others.add(document_path(raw, "a.yaml"))
    monkeypatch.undo()
    monkeypatch.setenv("STEPCHECK_CACHE_DIR", str(cache_folder))
    edited = tmp_path / "yamlread.py"
    edited.write_bytes(yaml_kept._CODE[0].read_bytes() + b"# edited\n")
    monkeypatch.setattr(yaml_kept, "_CODE", (edited, yaml_kept._CODE[1]))
    others.add(document_path(raw, "a.yaml"))

    assert base is not None
    assert base not in others
    assert len(others) == 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda _text: "[]",
        lambda text: text.replace('"key": "', '"key": "x', 1),
        lambda text: text.replace('"values": [[', '"values": [[1, ', 1),
    ],
    ids=["cut short", "not an object", "another key", "a location of the wrong shape"],
)
def test_a_damaged_file_is_read_again(cache_folder, fresh_reads, damage):
    """A kept file that does not give back a document is ignored: the spec is parsed."""
    path = Path("spec/authorities/devon.yaml")
    raw = path.read_bytes()
    fresh = read_yaml(raw, str(path))
    read_yaml_kept(raw, str(path))
    kept = document_path(raw, str(path))
    assert kept is not None
    kept.write_text(damage(kept.read_text(encoding="utf-8")), encoding="utf-8")

    again = read_yaml_kept(raw, str(path))

    assert len(fresh_reads) == 2
    assert_same(again, fresh)


def test_without_a_home_folder_the_spec_is_read(monkeypatch, fresh_reads):
    """No cache folder can be named: every read parses, and gives the same document."""

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("STEPCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    path = Path("spec/authorities/devon.yaml")
    raw = path.read_bytes()

    first = read_yaml_kept(raw, str(path))
    second = read_yaml_kept(raw, str(path))

    assert document_path(raw, str(path)) is None
    assert len(fresh_reads) == 2
    assert_same(first, second)


def test_at_most_kept_documents_stay_the_newest(cache_folder, monkeypatch):
    """Each edit of a spec keeps a new document: past `KEPT`, the oldest written go."""
    monkeypatch.setattr(yaml_kept, "KEPT", 3)
    raw = SPECS[0].read_bytes()
    written = []
    for number in range(5):
        name = f"edit-{number}.yaml"
        read_yaml_kept(raw, name)
        kept = document_path(raw, name)
        assert kept is not None
        if kept.exists():  # dated apart, as edits a second apart would be
            os.utime(kept, ns=(number * 10**9, number * 10**9))
        written.append(kept)

    assert [path.exists() for path in written] == [False, False, True, True, True]
