"""End-to-end tests of `stepcheck test`: exit codes 0, 1 and 2, and what the user reads."""

from __future__ import annotations

import json

from casework_server import casework_server
from click.testing import CliRunner

from stepcheck.cli import cli

DEVON = "spec/authorities/devon.yaml"
IN_PROCESS = "python:examples.casework.app:factory"


def _test(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["test", DEVON, *args], prog_name="stepcheck", env=env)


def test_clean_system_exits_0_and_prints_the_seed():
    """A system that agrees exits 0 with a one-line summary naming the seed."""
    result = _test("--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "20")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("AGREES: ")
    assert "seed 7" in result.output


def test_disagreement_exits_1_with_a_reproduction():
    """A planted bug exits 1 and prints the steps and a command that repeats the search."""
    result = _test(
        "--sut",
        IN_PROCESS,
        "--reading",
        "should",
        "--seed",
        "7",
        env={"CASEWORK_BUGS": "rereferral_not_returned"},
    )

    assert result.exit_code == 1, result.output
    assert "owner: the system says" in result.output
    assert f"stepcheck test {DEVON} --sut {IN_PROCESS} --reading should --seed 7" in result.output


def test_disagreement_over_http_exits_1():
    """The same over HTTP, against the example server with a bug planted."""
    with casework_server("calendar_day_deadline") as url:
        result = _test("--sut", url, "--reading", "should", "--seed", "7", "--examples", "30")

    assert result.exit_code == 1, result.output
    assert "first_contact_after_allocation" in result.output


def test_unreachable_url_exits_2_with_one_line():
    """Nothing listening at the URL: exit 2, one clear line, no traceback."""
    with casework_server() as url:
        pass  # stopped: nothing listens there now

    result = _test("--sut", url, "--examples", "1")

    assert result.exit_code == 2
    assert "cannot reach the system" in result.output
    assert "Traceback" not in result.output


def test_bad_python_target_exits_2():
    """A python: target that cannot be imported exits 2 with a hint."""
    result = _test("--sut", "python:no_such_module_anywhere:factory")

    assert result.exit_code == 2
    assert "cannot import 'no_such_module_anywhere'" in result.output


def test_unknown_sut_kind_exits_2():
    """--sut that is neither a URL nor python:module:factory is a usage error."""
    result = _test("--sut", "examples/casework")

    assert result.exit_code == 2
    assert "neither an http(s):// URL nor python:module:factory" in result.output


def test_bad_meeting_anchor_exits_2():
    """A --meeting day the meeting cannot sit on is a usage error."""
    result = _test(
        "--sut", IN_PROCESS, "--meeting", "tam=2026-01-06", "--meeting", "tam=2026-01-10"
    )

    assert result.exit_code == 2
    assert "--meeting" in result.output


def test_invalid_spec_exits_2(tmp_path):
    """A spec that does not load exits 2 with its diagnostics."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("stepcheck: 1\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["test", str(bad), "--sut", IN_PROCESS], prog_name="stepcheck")

    assert result.exit_code == 2
    assert "error[" in result.output


def test_clean_system_reports_full_coverage_and_meets_min_coverage_100():
    """The directed cases exercise every reachable transition and refusal: 100% of each,
    so --min-coverage 100 passes."""
    result = _test("--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "5")
    strict = _test(
        "--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "5",
        "--min-coverage", "100",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "transitions: 119 of 119 reachable exercised (100%)" in result.output
    assert "refusals: 684 of 684 reachable exercised (100%)" in result.output
    assert strict.exit_code == 0, strict.output


def test_too_little_coverage_exits_1_with_a_clear_message():
    """Random cases alone, a few of them, fall short of --min-coverage: exit 1, and the
    reproduction repeats every non-default option."""
    result = _test(
        "--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "3",
        "--no-directed", "--min-coverage", "90",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    assert result.output.startswith("AGREES: 3 random case(s)")
    assert "COVERAGE TOO LOW:" in result.output
    assert "below --min-coverage 90" in result.output
    assert "never exercised:" in result.output


def test_json_format_carries_the_verdict_and_coverage():
    """--format json: one object with the verdict, the counts and the coverage."""
    result = _test(
        "--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "3",
        "--format", "json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agrees"] is True
    assert data["seed"] == 7
    assert data["random_cases"] == 3
    assert data["coverage"]["transitions"]["percent"] == 100.0
    assert data["coverage"]["transitions"]["never_exercised"] == []


def test_examples_0_runs_the_directed_cases_only():
    """--examples 0: every reachable step is still exercised, and no random case runs."""
    result = _test("--sut", IN_PROCESS, "--reading", "should", "--seed", "7", "--examples", "0")

    assert result.exit_code == 0, result.output
    assert " and 0 random case(s)" in result.output
    assert "transitions: 119 of 119 reachable exercised (100%)" in result.output
