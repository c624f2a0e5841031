"""Tests for `spec/stepcheck.schema.json`: a valid draft-07 schema that agrees with the loader."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from stepcheck.spec.loader import spec_problems
from stepcheck.spec.schema import schema
from stepcheck.spec.yamlread import YAML11_BOOLEANS, read_yaml

SCHEMA_FILE = Path("spec/stepcheck.schema.json")
FIXTURES = Path("tests/fixtures/specs")
VALID_SPECS = sorted((FIXTURES / "valid").glob("*.yaml"))
INVALID_FILES = sorted(p for p in (FIXTURES / "invalid").glob("*.yaml") if p.is_file())
AUTHORITIES = Path("spec/authorities")
SHIPPED_SPECS = sorted(AUTHORITIES.glob("*.yaml"))
EVERY_KEY = FIXTURES / "valid" / "every_key.yaml"
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")

STRUCTURAL = {f"SPEC0{n}" for n in range(10, 18)}

# Fixtures the loader rejects with a structural code although the schema accepts them:
# rules that depend on another value, which the shipped schema does not express.
LOADER_STRICTER = {
    "spec011_key_not_for_property_kind": "which keys a property takes depends on its kind",
    "spec012_property_without_kind": "'kind' may only be left out when the id names a kind",
    "spec015_rereferral_without_window": "a re-referral window cannot be 'unspecified'",
}


def _yaml_data(path: Path) -> Any:
    document, problems = read_yaml(path.read_bytes(), str(path))
    assert document is not None, problems
    return document.data


def _codes(path: Path) -> set[str]:
    return {d.code for d in spec_problems(path.read_bytes(), str(path))}


def _readable_invalid_fixtures() -> list[Path]:
    """Invalid fixtures that are YAML documents (the schema has nothing to say otherwise)."""
    return [p for p in INVALID_FILES if read_yaml(p.read_bytes(), str(p))[0] is not None]


def _schema_keys(node: Any, pointer: str = "#") -> Iterator[tuple[str, str]]:
    """Every (object schema, key) pair the schema allows, objects named by JSON pointer."""
    if not isinstance(node, dict):
        return
    for mapping in ("properties", "definitions"):
        for name, child in node.get(mapping, {}).items():
            if mapping == "properties":
                yield pointer, name
            yield from _schema_keys(child, f"{pointer}/{mapping}/{name}")
    for keyword in ("additionalProperties", "items", "propertyNames"):
        yield from _schema_keys(node.get(keyword), f"{pointer}/{keyword}")
    for index, branch in enumerate(node.get("anyOf", ())):
        yield from _schema_keys(branch, f"{pointer}/anyOf/{index}")


def _used_keys(node: Any, data: Any, pointer: str = "#") -> Iterator[tuple[str, str]]:
    """The (object schema, key) pairs that `data` uses, following $ref and matching anyOf."""
    if "$ref" in node:
        reference = node["$ref"]
        yield from _used_keys(_resolve(reference), data, reference)
        return
    for index, branch in enumerate(node.get("anyOf", ())):
        if Draft7Validator({**branch, "definitions": schema()["definitions"]}).is_valid(data):
            yield from _used_keys(branch, data, f"{pointer}/anyOf/{index}")
    if isinstance(data, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key, value in data.items():
            if key in properties:
                yield pointer, key
                yield from _used_keys(properties[key], value, f"{pointer}/properties/{key}")
            elif isinstance(extra, dict):
                yield from _used_keys(extra, value, f"{pointer}/additionalProperties")
    elif isinstance(data, list) and isinstance(node.get("items"), dict):
        for item in data:
            yield from _used_keys(node["items"], item, f"{pointer}/items")


def _resolve(reference: str) -> Any:
    node: Any = schema()
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_schema_is_valid_draft_07():
    """The shipped schema is itself a valid JSON Schema draft-07 document."""
    Draft7Validator.check_schema(schema())

    assert schema()["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_schema_loaded_by_the_package_is_the_file_in_the_repository():
    """The loader validates against spec/stepcheck.schema.json, the file editors see."""
    assert schema() == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_schema_ids_reject_the_yaml_1_1_booleans():
    """An id may not be a word that YAML 1.1 tools read as a boolean or null."""
    id_pattern = re.compile(schema()["definitions"]["id"]["pattern"])

    assert [word for word in sorted(YAML11_BOOLEANS) if id_pattern.match(word)] == []
    assert [word for word in ("true", "false", "null") if id_pattern.match(word)] == []


@pytest.mark.parametrize("path", VALID_SPECS, ids=lambda p: p.stem)
def test_schema_accepts_every_valid_fixture(path):
    """Whatever the loader accepts, the schema accepts too."""
    errors = list(Draft7Validator(schema()).iter_errors(_yaml_data(path)))

    assert [error.message for error in errors] == []


@pytest.mark.parametrize("path", _readable_invalid_fixtures(), ids=lambda p: p.stem)
def test_schema_agrees_with_the_loader_on_invalid_fixtures(path):
    """The schema rejects a fixture exactly when the loader reports a structural problem.

    The rule: a fixture whose diagnostics include a structural code (SPEC010 to SPEC017)
    is rejected by the schema; a fixture whose codes are all from the build stage
    (SPEC020 expression syntax, SPEC1xx names, references and expression types, SPEC2xx
    graph structure) is accepted by it, because a JSON Schema cannot follow references
    between sections or parse expressions. The fixtures in LOADER_STRICTER are the known
    exceptions: structural rules that depend on another value, which the shipped schema
    does not (yet) express.
    """
    codes = _codes(path)
    errors = list(Draft7Validator(schema()).iter_errors(_yaml_data(path)))
    structural = bool(codes & STRUCTURAL) and path.stem not in LOADER_STRICTER

    assert codes
    assert bool(errors) == structural, (sorted(codes), [e.message for e in errors])


def test_loader_stricter_list_names_real_fixtures():
    """Every listed exception to schema/loader agreement is an existing fixture."""
    stems = {path.stem for path in INVALID_FILES}

    assert set(LOADER_STRICTER) <= stems


def test_every_key_fixture_uses_every_key_the_schema_allows():
    """every_key.yaml uses each key of each object in the schema at least once."""
    allowed = set(_schema_keys(schema()))

    used = set(_used_keys(schema(), _yaml_data(EVERY_KEY)))

    assert len(allowed) > 100
    assert sorted(allowed - used) == []


def test_every_key_fixture_loads_without_dropping_a_key():
    """The loader reads every key of every_key.yaml (it raises InternalError otherwise)."""
    problems = spec_problems(EVERY_KEY.read_bytes(), str(EVERY_KEY))

    assert problems == []


@pytest.mark.parametrize("path", SHIPPED_SPECS + VALID_SPECS, ids=str)
def test_spec_files_point_editors_at_the_schema(path):
    """Shipped specs (and example fixtures) start with a yaml-language-server schema comment."""
    found = SCHEMA_COMMENT.match(path.read_text(encoding="utf-8"))

    assert found, f"{path} does not start with '# yaml-language-server: $schema=...'"
    assert (path.parent / found.group(1)).resolve() == SCHEMA_FILE.resolve()


def test_shipped_specs_live_where_the_schema_comment_test_looks():
    """The authorities folder exists, so the schema-comment test sees every shipped spec."""
    assert AUTHORITIES.is_dir()
