"""End-to-end tests of `stepcheck verify`: verdicts, exit codes, every format, forced limits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from stepcheck.cli import cli

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
ALL_PROVED = "tests/fixtures/specs/verify/gaps_closed.yaml"
FORMATS = ("text", "json", "junit", "sarif", "markdown", "summary")
OUTPUT_SCHEMA = json.loads(
    Path("checker/writers/verify-output.schema.json").read_text(encoding="utf-8")
)


def _verify(*args: str):
    return CliRunner().invoke(
        cli, ["verify", "--no-timings", "--start-date", "2026-12-21", *args], prog_name="stepcheck"
    )


@pytest.mark.parametrize("output_format", FORMATS)
def test_example_output_in_every_format_matches_its_golden_file(output_format, golden):
    """The example protocol's verdicts and stories, exactly, in each format; a violation exits 1.

    Run as a real process: Z3's choice among equally short traces depends on what the
    process built before, so a fresh process is what makes output reproducible.
    """
    command = [sys.executable, "-m", "stepcheck", "verify", "--no-timings", "--start-date"]
    command += ["2026-12-21", "--format", output_format, EXAMPLE]
    result = subprocess.run(command, capture_output=True, text=True, check=False)

    assert result.returncode == 1, result.stderr
    suffixes = {"text": "txt", "markdown": "md", "junit": "xml", "summary": "summary.md"}
    suffix = suffixes.get(output_format, output_format)
    golden.check(f"tests/golden/cli/verify_example.{suffix}", result.stdout)


def test_json_output_follows_the_contract_and_its_schema():
    """JSON has format_version, one result per property with the contract's keys, and findings."""
    report = json.loads(_verify("--format", "json", EXAMPLE).output)

    jsonschema.validate(report, OUTPUT_SCHEMA)
    assert report["format_version"] == 1
    by_property = {result["property"]: result for result in report["results"]}
    assert by_property["no_unowned_case"]["verdict"] == "proved"
    assert by_property["no_unowned_case"]["strength"] == "unbounded"
    dispute = by_property["escalation_terminates"]
    assert dispute["verdict"] == "violated"
    assert dispute["trace"]["loop_start"] is not None
    assert by_property["allocated_soon"]["bound"]["working_days"] == 2
    assert by_property["cp_step_down_requires_meeting"]["should_only"] is True
    assert {"authority", "spec", "seconds", "citations"} <= dispute.keys()


def test_gaps_closed_exits_zero_and_states_the_escalation_bound():
    """With the gaps closed, every property is proved; the dispute bound is the ladder's 3 days."""
    result = _verify(ALL_PROVED)

    assert result.exit_code == 0, result.output
    assert "Every dispute reaches a final decision within 3 working days." in result.output


@pytest.mark.parametrize("output_format", FORMATS)
def test_solver_out_of_resources_is_unknown_and_exits_three(output_format):
    """A solver limit forced to its minimum gives 'unknown', never 'proved', in every format."""
    result = _verify(
        "--rlimit", "1", "--explicit-states", "0", "--format", output_format, ALL_PROVED
    )

    assert result.exit_code == 3, result.output
    match output_format:
        case "json":
            verdicts = {r["verdict"] for r in json.loads(result.output)["results"]}
            assert verdicts == {"unknown"}
        case "sarif":
            (run,) = json.loads(result.output)["runs"]
            property_results = [r for r in run["results"] if not r["ruleId"].startswith("SPEC")]
            assert {r["level"] for r in property_results} == {"warning"}
        case "junit":
            assert result.output.count("<skipped") == 5
        case _:
            assert "0 proved, 0 violated, 5 unknown" in result.output


def test_a_property_can_be_chosen():
    """--property checks only the named property."""
    report = json.loads(
        _verify("--format", "json", "--property", "no_unowned_case", EXAMPLE).output
    )

    assert [result["property"] for result in report["results"]] == ["no_unowned_case"]


def test_an_unknown_property_is_bad_input():
    result = _verify("--property", "no_such_property", EXAMPLE)

    assert result.exit_code == 2
    assert "no_such_property" in result.output


def test_an_invalid_spec_exits_two_with_located_diagnostics():
    result = _verify("tests/fixtures/specs/invalid/spec102_unknown_status.yaml")

    assert result.exit_code == 2
    assert "error[SPEC102]" in result.output


def test_output_file_is_written(tmp_path):
    target = tmp_path / "out" / "example.sarif"
    result = _verify("--format", "sarif", "--output", str(target), EXAMPLE)

    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_out_dir_gets_every_format(tmp_path):
    """--out-dir writes the one verification in all five formats (what `make run` uses)."""
    result = _verify("--out-dir", str(tmp_path), EXAMPLE)

    assert result.exit_code == 1
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "verify.json",
        "verify.md",
        "verify.pr.md",
        "verify.sarif",
        "verify.txt",
        "verify.xml",
    ]
    assert (tmp_path / "verify.txt").read_text(encoding="utf-8") == result.output


def test_the_terminal_ends_with_the_summary_and_quiet_keeps_only_it():
    """Stories and findings first, the verdicts and the problems to raise last (what stays
    on the screen); `-q` leaves out the details, `-v` shows every working day."""
    normal = _verify(EXAMPLE).output
    quiet = _verify("-q", EXAMPLE).output
    verbose = _verify("-v", EXAMPLE).output

    assert normal.index("what happens, working day by working day") < normal.index("\nverdicts\n")
    assert normal.index("\nverdicts\n") < normal.index("most serious problems")
    assert normal.rstrip().splitlines()[-1].startswith("5 properties:")
    assert "what happens" not in quiet
    assert "findings, by root cause" not in quiet
    assert quiet.split("\nverdicts\n")[1] == normal.split("\nverdicts\n")[1]
    assert "working days pass" in normal
    assert "working days pass" not in verbose
    assert len(verbose.splitlines()) > len(normal.splitlines())
    assert _verify("-q", "-v", EXAMPLE).exit_code == 2


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),
        (("--color", "always"), {}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        (("--color", "always", "--format", "json"), {}, False),
    ],
)
def test_colour_only_on_request_or_a_terminal_and_never_in_other_formats(args, env, coloured):
    """A pipe gets plain text; NO_COLOR wins over FORCE_COLOR; --color wins over both;
    JSON is never coloured."""
    result = CliRunner(env={"NO_COLOR": None, "FORCE_COLOR": None, **env}).invoke(
        cli,
        ["verify", "--no-timings", "--start-date", "2026-12-21", *args, EXAMPLE],
        prog_name="stepcheck",
    )

    assert result.exit_code == 1
    assert ("\x1b[" in result.output) is coloured
    if coloured:
        assert "\x1b[1;31mVIOLATED\x1b[0m" in result.output


def test_a_proof_that_relies_on_a_precedence_says_so_end_to_end(golden):
    """The precedence fixture: the step-down gives way to the urgent step-up, so a case
    never reaches early help with concerns recorded, and the verdict says that holds
    only because of the precedence, quoting it; exit 0 (everything proved)."""
    command = [sys.executable, "-m", "stepcheck", "verify", "--no-timings", "--start-date"]
    command += ["2026-12-21", "--no-cache", "tests/fixtures/specs/valid/precedence.yaml"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    assert "Holds only because the document gives some routes precedence" in result.stdout
    golden.check("tests/golden/cli/verify_precedence.txt", result.stdout)
