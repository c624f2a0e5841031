"""Structural validation against the shipped JSON Schema, as located diagnostics.

The second stage of `loader`: the schema in `stepcheck.schema.json` is the one
description of which keys and value shapes a spec may have; editors use it through
the `yaml-language-server` comment, and the loader uses it here, translating each
jsonschema error into a `Diagnostic` with a code, a location and a hint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from difflib import get_close_matches
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from stepcheck.spec.diagnostics import Diagnostic, SourceSpan, did_you_mean
from stepcheck.spec.yamlread import MAX_INT, YAML11_BOOLEANS, Document, Path

if TYPE_CHECKING:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

__all__ = ["SCHEMA_FILE", "schema", "schema_errors", "schema_problems"]

SCHEMA_FILE = "stepcheck.schema.json"

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "boolean": "true or false",
    "number": "a number",
    "null": "nothing",
}


@cache
def schema() -> dict[str, Any]:
    """The spec JSON Schema (draft-07) shipped with stepcheck."""
    text = resources.files("stepcheck.spec").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Draft7Validator:
    # jsonschema loads here, when a spec is first checked (about 0.04 s): a spec whose
    # clean verdict is kept (`schema_kept`) never needs it
    from jsonschema import Draft7Validator, validators  # noqa: PLC0415

    strict = validators.extend(  # type: ignore[no-untyped-call]
        Draft7Validator, {"pattern": _whole_pattern}
    )
    validator: Draft7Validator = strict(schema())
    return validator


def _whole_pattern(
    _validator: Draft7Validator, pattern: str, instance: Any, _schema: dict[str, Any]
) -> Iterator[ValidationError]:
    r"""The `pattern` keyword as JSON Schema (ECMA 262) reads it: `$` is the end of the
    text. Python's `$` also matches before a final newline, so `"closed\n"` passed as
    an id and became a second status; `\Z` is the end in Python (editors still read
    the schema's `$`, which already means this to them)."""
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415 - as `_validator`

    if isinstance(instance, str) and not _python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _python_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def schema_problems(document: Document) -> list[Diagnostic]:
    """Every place where `document` does not have the shape the schema requires."""
    problems = [_diagnose(error, document) for error in _leaf_errors(document.data)]
    unique = {(p.span.line, p.span.column, p.code, p.message): p for p in problems}
    return list(unique.values())


def schema_errors(data: Any) -> Iterator[ValidationError]:
    """The schema's own errors for `data`, unlocated (`partial` sets their elements aside)."""
    return _validator().iter_errors(data)


def _leaf_errors(data: Any) -> Iterator[ValidationError]:
    for error in schema_errors(data):
        narrowest = _narrowest(error)
        if not _misspelled(narrowest):
            yield narrowest


def _misspelled(error: ValidationError) -> bool:
    """A missing key that an unknown key beside it misspells: one mistake, reported once.

    The unknown key's diagnostic already says "did you mean ...".
    """
    if error.validator != "required" or not isinstance(error.instance, dict):
        return False
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    unknown = [key for key in error.instance if key not in known]
    return bool(get_close_matches(_quoted_word(error.message), unknown, n=1, cutoff=0.6))


def _narrowest(error: ValidationError) -> ValidationError:
    """For an anyOf failure, the error from the branch that fits the value's shape best."""
    from jsonschema.exceptions import best_match  # noqa: PLC0415 - as `_validator`

    while error.validator == "anyOf" and error.context:
        fitting = [
            e
            for e in error.context
            if e.validator not in ("type", "const", "enum") or len(e.relative_path) > 0
        ]
        chosen = best_match(fitting or error.context)
        if chosen is None or chosen is error:
            break
        error = chosen
    return error


def _diagnose(error: ValidationError, document: Document) -> Diagnostic:
    path: Path = tuple(error.absolute_path)
    rule: Any = error.validator_value
    subschema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    match error.validator:
        case "additionalProperties":
            return _unknown_key(error.instance, subschema, path, document)
        case "required":
            missing = _quoted_word(error.message)
            return Diagnostic(
                code="SPEC012",
                message=f"{_describe(path)} is missing the required key '{missing}'",
                span=_entry_span(path, document),
                hint=_required_hint(missing),
            )
        case "type":
            names = [rule] if isinstance(rule, str) else list(rule)
            expected = " or ".join(_TYPE_WORDS.get(name, name) for name in names)
            return Diagnostic(
                code="SPEC010",
                message=f"{_describe(path)} should be {expected}, not {_shape(error.instance)}",
                span=_value_span(path, error.instance, document),
                hint=_type_hint(names, error.instance, subschema),
            )
        case "enum" | "const":
            shown = [str(value) for value in (rule if error.validator == "enum" else [rule])]
            return Diagnostic(
                code="SPEC013",
                message=f"{_describe(path)} is {_repr(error.instance)}, "
                "which is not one of the allowed values",
                span=_value_span(path, error.instance, document),
                hint=did_you_mean(str(error.instance), shown, what="values"),
            )
        case "minimum" | "maximum":
            return Diagnostic(
                code="SPEC017",
                message=f"{_describe(path)} is {error.instance}, outside the whole numbers "
                f"a spec may use ({-MAX_INT:,} to {MAX_INT:,})",
                span=_value_span(path, error.instance, document),
                hint="a protocol counts small things (referrals, reviews); choose a smaller bound",
            )
        case "pattern" if "propertyNames" in error.schema_path:
            return _bad_key(str(error.instance), str(rule), path, document)
        case "pattern":
            return _bad_value(error.instance, str(rule), path, document)
        case _:
            return Diagnostic(
                code="SPEC016",
                message=f"{_describe(path)} {_plain(error)}",
                span=_value_span(path, error.instance, document),
                hint=_OPEN_TIER_HINT if path[-1:] == ("tier",) else None,
            )


def _unknown_key(
    instance: Any, subschema: dict[str, Any], path: Path, document: Document
) -> Diagnostic:
    known = subschema.get("properties", {})
    extra = sorted(set(instance) - set(known)) if isinstance(instance, dict) else []
    key = extra[0] if extra else "?"
    return Diagnostic(
        code="SPEC011",
        message=f"unknown key '{key}' in {_describe(path)}",
        span=document.locations.span((*path, key), key=True, length=len(key)),
        hint=did_you_mean(key, known, what="keys"),
    )


def _bad_key(key: str, pattern: str, path: Path, document: Document) -> Diagnostic:
    """A key of an id-keyed mapping (`statuses`, `out_of_scope`, ...) that is not an id."""
    kind = _name_kind(pattern, path)
    return Diagnostic(
        code="SPEC014",
        message=f"{_repr(key)} is not a valid {kind} in {_describe(path)}",
        span=document.locations.span((*path, key), key=True, length=len(key)),
        hint=_name_hint(key, kind),
    )


def _bad_value(instance: Any, pattern: str, path: Path, document: Document) -> Diagnostic:
    span = _value_span(path, instance, document)
    if "working" in pattern:
        return Diagnostic(
            code="SPEC015",
            message=f"{_describe(path)} is {_repr(instance)}, which is not a duration",
            span=span,
            hint=_DURATION_HINT,
        )
    if path and path[-1] == "time":
        return Diagnostic(
            code="SPEC016",
            message=f"{_describe(path)} is {_repr(instance)}, which is not a time of day",
            span=span,
            hint="write a 24-hour time as HH:MM, such as '14:00'",
        )
    kind = _name_kind(pattern, path)
    return Diagnostic(
        code="SPEC014",
        message=f"{_describe(path)} is {_repr(instance)}, which is not a valid {kind}",
        span=span,
        hint=_name_hint(instance, kind),
    )


def _name_kind(pattern: str, path: Path) -> str:
    if "a-z" in pattern:
        return "id"
    return "rule prefix" if path and path[-1] == "rule_prefix" else "rule id"


def _name_hint(name: Any, kind: str) -> str:
    if kind == "rule id":
        return "rule ids are the seed digest's, such as 'ST-04' or 'HT-81'"
    if kind == "rule prefix":
        return "a rule prefix is two or three capital letters, such as 'ST'"
    if isinstance(name, str) and name.lower() in YAML11_BOOLEANS | {"true", "false", "null"}:
        return f"'{name}' reads as a boolean or null in YAML 1.1 tools; choose another name"
    return "ids are snake_case: lower-case letters, digits and '_', starting with a letter"


def _entry_span(path: Path, document: Document) -> SourceSpan:
    """Where a whole entry is named: its key when it has one, else its value."""
    if path and isinstance(path[-1], str) and path in document.locations.keys:
        return document.locations.span(path, key=True, length=len(path[-1]))
    return document.locations.span(path)


def _value_span(path: Path, value: Any, document: Document) -> SourceSpan:
    """The span of a value, as long as the value when it is one line of text."""
    one_line = isinstance(value, str) and value and "\n" not in value
    return document.locations.span(path, length=len(value) if one_line else 1)


def _describe(path: Path) -> str:
    if not path:
        return "the spec"
    parts = [str(part) if isinstance(part, str) else f"[{part}]" for part in path]
    text = parts[0]
    for part in parts[1:]:
        text += part if part.startswith("[") else f".{part}"
    return f"'{text}'"


def _shape(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return f"the text {_repr(value)}"


def _repr(value: Any) -> str:
    if isinstance(value, str):
        # A newline or other invisible character is shown escaped, or it is not seen.
        return f"'{value}'" if value.isprintable() else json.dumps(value)
    return (
        json.dumps(value)
        if isinstance(value, (bool, int, float)) or value is None
        else _shape(value)
    )


def _quoted_word(message: str) -> str:
    found = re.match(r"'([^']*)'", message)
    return found.group(1) if found else message


_OPEN_TIER_HINT = (
    "a tier the document leaves open lists two or more different tiers, e.g. "
    "tier: [targeted, cp]; a single tier is written alone, e.g. tier: cp"
)


def _plain(error: ValidationError) -> str:
    if error.validator in ("minItems", "minProperties"):
        least = error.validator_value
        if isinstance(least, int) and least > 1:
            return f"needs at least {least} items"
        return "must not be empty"
    if error.validator == "uniqueItems":
        return "has repeated values"
    if error.validator == "minLength":
        return "must not be empty text"
    return f"is not valid: {error.message}"


def _type_hint(names: list[str], instance: Any, subschema: dict[str, Any]) -> str | None:
    if "working" in str(subschema.get("pattern", "")):
        return _DURATION_HINT
    if names == ["string"] and isinstance(instance, (bool, int, float)):
        return f'put the value in quotes to make it text: "{json.dumps(instance)}"'
    if "object" in names and isinstance(instance, list):
        return "write 'key: value' lines here, not '- item' lines"
    if "array" in names and isinstance(instance, dict):
        return "write '- item' lines (or [a, b]) here"
    if "object" in names and instance is None:
        return "give the mapping some keys, or remove the empty key"
    return None


_DURATION_HINT = (
    "write a number and a unit: '2 working days', '5 calendar days', '24 hours', "
    "'1 week', '3 months', '10 days' (unit not stated), or 'unspecified'"
)


def _required_hint(missing: str) -> str | None:
    return {
        "stepcheck": "start the spec with 'stepcheck: 1'",
        "consequence": "say what happens when the deadline is missed, or "
        "'consequence: unspecified' "
        "if the document does not say",
        "final_authority": "name the level that decides, or 'final_authority: unspecified' "
        "if the document does not say",
        "tie_break": "name who breaks a tie, 'tie_break: not_needed' if one person decides, or "
        "'tie_break: unspecified' if the document does not say",
        "within": "give a duration such as '2 working days', or 'within: unspecified' "
        "if the document gives none",
    }.get(missing)
