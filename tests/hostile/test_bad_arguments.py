"""Hostile arguments: dates outside the calendar, timeouts that are not finite, outputs
that can never be written, and `--sut` URLs that are not URLs. Each is refused naming
the argument, with exit 2, before any long work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import TINY, assert_refused, in_process


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.mark.parametrize("day", ["1800-01-01", "0001-01-01", "9999-12-31", "2150-01-01", "x"])
@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_start_date_outside_the_calendar_is_refused(day, command, spec, tmp_path):
    args = [command, str(spec), "--start-date", day]
    if command == "report":
        args += ["-o", str(tmp_path / "r.html")]

    assert_refused(in_process(args), mentions="--start-date")


@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", "-1", "1e400", "abc"])
@pytest.mark.parametrize(
    "command", [["verify"], ["diagram", "--highlight", "no_unowned_case"], ["test", "--sut", "x"]]
)
def test_a_timeout_that_is_not_a_finite_number_of_seconds_is_refused(seconds, command, spec):
    outcome = in_process([*command, str(spec), "--timeout", seconds])

    assert_refused(outcome, mentions="--timeout")


def _under_a_file(tmp_path: Path) -> Path:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    return blocker / "out.txt"


OUTPUTS = {
    "under_a_file": (_under_a_file, "is not a folder"),
    # click's own check (dir_okay=False) says "is a directory" for some commands
    "a_folder": (lambda tmp_path: tmp_path, "folder|directory"),
    "dev_full": (lambda _: Path("/dev/full"), "not a regular file"),
    "in_proc": (lambda _: Path("/proc/stepcheck-out.txt"), "no file can be made"),
}


def _output_args(command: str, spec: Path, output: Path) -> list[str]:
    match command:
        case "validate":
            return ["validate", str(spec), "-o", str(output)]
        case "verify":
            return ["verify", "--no-cache", "--jobs", "1", str(spec), "-o", str(output)]
        case "diagram":
            return ["diagram", str(spec), "--format", "dot", "-o", str(output)]
        case "export":
            return ["export", str(spec), "-o", str(output)]
        case _:
            return ["report", str(spec), "-o", str(output)]


@pytest.mark.parametrize("command", ["validate", "verify", "diagram", "export", "report"])
@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_an_output_that_cannot_be_written_is_refused_before_the_work(kind, command, spec, tmp_path):
    make, reason = OUTPUTS[kind]
    output = make(tmp_path)
    if not output.parent.exists() and kind != "under_a_file":
        pytest.skip(f"no {output.parent} here")

    outcome = in_process(_output_args(command, spec, output))

    assert_refused(outcome, mentions=str(output))
    assert re.search(reason, outcome.output), outcome.output
    assert "VIOLATED" not in outcome.output, "the work ran before the output was checked"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:abc",
        "http://[::1",
        "http://127.0.0.1:99999",
        "ftp://127.0.0.1:8000",
        "http://",
        "http://127.0.0.1:8000/?q=1",
    ],
)
def test_a_malformed_sut_url_is_refused_naming_it(url, spec):
    outcome = in_process(["test", str(spec), "--sut", url, "--examples", "1"])

    assert_refused(outcome, mentions=url)
