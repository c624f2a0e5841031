"""Parsing JSON that someone else wrote (results files, baselines, a system's answers).

`json.loads` on hostile text raised `RecursionError` for deeply nested arrays and a
bare `ValueError` for a number past 4,300 digits, and a schema check of text nested
hundreds deep could exhaust the stack afterwards. `load_json` turns each of these
into one `JsonRefused` whose message says where or why, and bounds how deep the
accepted data is, so whatever reads it next is safe.
"""

from __future__ import annotations

import json
from typing import Any

from stepcheck.spec.diagnostics import StepcheckError

__all__ = ["MAX_JSON_DEPTH", "MAX_NUMBER_DIGITS", "JsonRefused", "load_json"]

MAX_JSON_DEPTH = 64
"""The deepest nesting accepted; stepcheck's own formats are under 10 levels deep."""
MAX_NUMBER_DIGITS = 40
"""The longest whole number accepted, in characters."""


class JsonRefused(StepcheckError):
    """Text that is not JSON stepcheck will read; the message locates the problem."""


class _TooLong(Exception):
    pass


def load_json(text: str | bytes, *, name: str) -> Any:
    """The data in `text`; `name` is how messages refer to it.

    Raises:
        JsonRefused: not JSON (with line and column), a number longer than
            `MAX_NUMBER_DIGITS`, or nesting deeper than `MAX_JSON_DEPTH`.
    """
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise JsonRefused(f"{name}:{error.lineno}:{error.colno}: not JSON ({error.msg})") from None
    except UnicodeDecodeError:
        raise JsonRefused(f"{name}: not JSON (the bytes are not UTF-8 text)") from None
    except _TooLong as error:
        raise JsonRefused(f"{name}: not JSON stepcheck reads: {error}") from None
    except RecursionError:
        raise JsonRefused(_too_deep(name)) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise JsonRefused(_too_deep(name))
    return data


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _TooLong(f"a number of {len(text):,} digits (at most {MAX_NUMBER_DIGITS})")
    return int(text)


def _no_constant(text: str) -> float:
    raise _TooLong(f"'{text}' is not a JSON number")


def _too_deep(name: str) -> str:
    return f"{name}: not JSON stepcheck reads: nested more than {MAX_JSON_DEPTH} levels deep"


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in `data`, found without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: list[Any] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
