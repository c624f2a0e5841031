"""Generated hostile input: spec bytes mutated at random, arbitrary option values, and
results files that are not what `verify` writes. Whatever is generated, loading gives
located diagnostics (never another exception) and the CLI exits 2 naming the input."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from corpus import TINY, assert_refused, in_process
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stepcheck.cli_types import FIRST_START, LAST_START
from stepcheck.spec.loader import spec_problems

_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """TINY with a few random edits: bytes replaced, inserted or deleted, or lines repeated."""
    raw = bytearray(TINY.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        match draw(st.sampled_from(["replace", "insert", "delete", "repeat"])):
            case "replace" if at < len(raw):
                raw[at] = draw(st.integers(0, 255))
            case "insert":
                raw[at:at] = draw(
                    st.one_of(
                        st.binary(min_size=1, max_size=8),
                        st.sampled_from(
                            [b"&a ", b"*a", b"!!python/object ", b"[", b"{", b"\n\t", b"9" * 50]
                        ),
                    )
                )
            case "delete":
                del raw[at : at + draw(st.integers(1, 20))]
            case _:
                raw[at:at] = raw[max(0, at - 40) : at] * draw(st.integers(1, 5))
    return bytes(raw)


@_SETTINGS
@given(raw=_mutated())
def test_a_mutated_spec_gives_located_diagnostics_or_loads(raw):
    problems = spec_problems(raw, "mutated.yaml")

    lines = raw.count(b"\n") + 2
    for problem in problems:
        assert problem.code.startswith("SPEC"), problem
        assert problem.span.file == "mutated.yaml", problem
        assert 1 <= problem.span.line <= lines, problem
        assert problem.span.column >= 1, problem


def _calendar_date(text: str) -> bool:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return False
    return FIRST_START <= day <= LAST_START


@_SETTINGS
@given(
    text=st.one_of(
        st.text(max_size=20),
        st.dates().map(date.isoformat),
        st.sampled_from(["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2026-02-30"]),
    )
)
def test_a_start_date_is_a_calendar_date_or_refused(text, tmp_path):
    assume(text and "\x00" not in text and not _calendar_date(text.strip()))
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")

    outcome = in_process(["verify", str(spec), "--start-date", text])

    assert_refused(outcome, mentions="--start-date")


@_SETTINGS
@given(
    text=st.one_of(
        st.text(max_size=12),
        st.floats().map(repr),
        st.sampled_from(["nan", "inf", "-inf", "1e309", "0", "-0.0", "1e7.5"]),
    )
)
def test_a_timeout_is_a_finite_number_of_seconds_or_refused(text, tmp_path):
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    assume(text and "\x00" not in text and not (math.isfinite(number) and 0.001 <= number <= 1e7))
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")

    outcome = in_process(["verify", str(spec), "--timeout", text])

    assert_refused(outcome, mentions="--timeout")


RESULTS = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep_but_parsable": '{"results": ' + "[" * 500 + "]" * 500 + "}",
    "big_number": '{"exit_code": ' + "9" * 5000 + "}",
    "not_json": "<html>",
    "nan": '{"exit_code": NaN}',
    "binary": "\x00\x01",
}


@pytest.mark.parametrize("case", sorted(RESULTS))
@pytest.mark.parametrize("command", ["report", "baseline"])
def test_a_hostile_json_input_is_refused_naming_the_file(case, command, tmp_path: Path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    data = tmp_path / f"{case}.json"
    data.write_text(RESULTS[case], encoding="utf-8")
    if command == "report":
        args = ["report", str(spec), "--results", str(data), "-o", str(tmp_path / "r.html")]
    else:
        args = ["verify", "--no-cache", "--jobs", "1", str(spec), "--baseline", str(data)]

    assert_refused(in_process(args), mentions=str(data))
