"""Fuzzing the loader: whatever the bytes, it returns a spec or located diagnostics.

Three sources of input: random bytes, random text (general and YAML-flavoured), and
mutations of the valid fixture specs (the inputs most likely to get past the YAML
and schema stages into the build stage). Any exception other than `SpecInvalid`, and
any diagnostic without a location, code or message, is a loader bug.
"""

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.spec.diagnostics import Diagnostic, SpecInvalid
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import ProtocolSpec

VALID_SPECS = [
    path.read_text(encoding="utf-8")
    for path in sorted(Path("tests/fixtures/specs/valid").glob("*.yaml"))
]
TOKEN = re.compile(r"[\w.-]+|[^\w\s]")
NAME = re.compile(r"\b[a-z][a-z_]*\b")
WORDS = sorted({match.group() for text in VALID_SPECS for match in TOKEN.finditer(text)})
NAMES = sorted({match.group() for text in VALID_SPECS for match in NAME.finditer(text)})
YAML_CHARACTERS = [*":-{}[],'\"#&*!|>%@`?~\t\n  abcxyz019_", "true", "1.5", "- ", ": "]
CODE = re.compile(r"^SPEC\d{3}$")

# The first load compiles the schema validator and the expression grammar.
slow_start = settings(deadline=None)

Mutation = Callable[[st.DrawFn, str], str]


def _delete_line(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    index = draw(st.integers(0, len(lines) - 1))
    return "".join(lines[:index] + lines[index + 1 :])


def _duplicate_line(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    index = draw(st.integers(0, len(lines) - 1))
    return "".join(lines[: index + 1] + lines[index:])


def _swap_lines(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    first = draw(st.integers(0, len(lines) - 1))
    second = draw(st.integers(0, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    return "".join(lines)


def _replace_token(draw: st.DrawFn, text: str) -> str:
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return text
    token = draw(st.sampled_from(tokens))
    return text[: token.start()] + draw(st.sampled_from(WORDS)) + text[token.end() :]


def _replace_name(draw: st.DrawFn, text: str) -> str:
    """Swap one name for another: mostly still YAML and schema-valid, so it reaches the build."""
    names = list(NAME.finditer(text))
    if not names:
        return text
    name = draw(st.sampled_from(names))
    return text[: name.start()] + draw(st.sampled_from(NAMES)) + text[name.end() :]


def _insert_tab(draw: st.DrawFn, text: str) -> str:
    index = draw(st.integers(0, len(text)))
    return text[:index] + "\t" + text[index:]


def _truncate(draw: st.DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


MUTATIONS: list[Mutation] = [
    _delete_line,
    _duplicate_line,
    _swap_lines,
    _replace_token,
    _replace_name,
    _replace_name,
    _insert_tab,
    _truncate,
]


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    """A valid fixture spec with one to three random edits."""
    text = draw(st.sampled_from(VALID_SPECS))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(MUTATIONS))(draw, text)
    return text


def _outcome(raw: bytes | str) -> ProtocolSpec | tuple[Diagnostic, ...]:
    try:
        return load_spec_text(raw, "fuzz.yaml")
    except SpecInvalid as invalid:
        return invalid.diagnostics


def _load_or_report(raw: bytes | str) -> None:
    outcome = _outcome(raw)
    if isinstance(outcome, ProtocolSpec):
        return
    assert outcome
    for diagnostic in outcome:
        assert diagnostic.span.file == "fuzz.yaml"
        assert diagnostic.span.line >= 1
        assert diagnostic.span.column >= 1
        assert CODE.match(diagnostic.code), diagnostic.code
        assert diagnostic.message.strip()


@slow_start
@given(raw=st.binary(max_size=300))
def test_random_bytes_load_or_give_located_diagnostics(raw):
    """Random bytes either load or raise SpecInvalid with located, coded diagnostics."""
    _load_or_report(raw)


@slow_start
@given(text=st.text(max_size=200) | st.lists(st.sampled_from(YAML_CHARACTERS)).map("".join))
def test_random_text_loads_or_gives_located_diagnostics(text):
    """Random text, YAML-flavoured or not, loads or raises located SpecInvalid only."""
    _load_or_report(text)


@slow_start
@given(text=mutated_specs())
def test_mutated_valid_spec_loads_or_gives_located_diagnostics(text):
    """A valid spec with random line and token edits loads or raises SpecInvalid only."""
    _load_or_report(text)
