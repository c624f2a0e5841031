"""Colour goes to terminals only (stepcheck/colour.py)."""

from __future__ import annotations

import doctest
import io

import pytest

from stepcheck import colour
from stepcheck.colour import colourise, wants_colour


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "env", "terminal", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
        ("always", {"NO_COLOR": "1"}, False, True),
    ],
)
def test_who_gets_colour(choice, env, terminal, expected):
    stream = _Terminal() if terminal else io.StringIO()
    assert wants_colour(choice, stream, env) is expected


def test_only_a_verdict_or_severity_opening_a_line_is_coloured():
    text = "  VIOLATED  p\n    rule: 'a case PROVED wrong'\nHIGH x\nHIGHLY y\n"
    coloured = colourise(text)

    assert coloured.count("\x1b[0m") == 2
    assert "'a case PROVED wrong'" in coloured
    assert "HIGHLY y" in coloured
    assert coloured.replace("\x1b[1;31m", "").replace("\x1b[0m", "") == text


def test_the_module_examples_hold():
    assert doctest.testmod(colour).failed == 0
