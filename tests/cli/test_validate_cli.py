"""End-to-end tests of `stepcheck validate`: exit codes, located errors, golden transcripts."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stepcheck.cli import cli

INVALID = Path("tests/fixtures/specs/invalid")
VALID = Path("tests/fixtures/specs/valid")
EXAMPLE = VALID / "example.yaml"
GOLDEN = Path("tests/golden/cli")
STEPCHECK_SCRIPT = Path(sys.executable).with_name("stepcheck")

# The broken specs from the validate issue, by golden-file name.
BROKEN = {
    "syntax_error": INVALID / "spec001_syntax_error.yaml",
    "tab_indentation": INVALID / "spec001_tab_indentation.yaml",
    "empty_file": INVALID / "spec002_empty.yaml",
    "duplicate_key": INVALID / "spec006_duplicate_key.yaml",
    "list_instead_of_mapping": INVALID / "spec010_list_instead_of_mapping.yaml",
    "binary_garbage": INVALID / "spec003_binary.yaml",
    "unknown_status": INVALID / "spec102_unknown_status.yaml",
}
LOCATED_ERROR = re.compile(
    r"^tests/fixtures/specs/invalid/\S+\.yaml:\d+:\d+: error\[SPEC\d{3}\]: \S"
)


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="stepcheck")


def _transcript(args: list[str], result: Result) -> str:
    """What a person sees in the terminal: the command, both streams and the exit code."""
    parts = [f"$ stepcheck {' '.join(args)}\n", result.stdout]
    if result.stderr:
        parts.append(f"--- stderr\n{result.stderr}")
    parts.append(f"--- exit code {result.exit_code}\n")
    return "".join(parts)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_spec_prints_located_errors_and_exits_2(case, golden):
    """Each broken spec from the issue gets file:line:col errors, exit 2 and no traceback."""
    args = ["validate", str(BROKEN[case])]

    result = _run(*args)

    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert LOCATED_ERROR.match(result.stdout)
    golden.check(GOLDEN / f"{case}.txt", _transcript(args, result))


def test_valid_spec_exits_0_with_a_summary(golden):
    """A valid spec exits 0 and says what it holds."""
    args = ["validate", str(EXAMPLE)]

    result = _run(*args)

    assert result.exit_code == 0
    golden.check(GOLDEN / "valid_example.txt", _transcript(args, result))


def test_folder_argument_validates_every_spec_in_it(golden):
    """A folder expands to the specs inside it, each reported, sorted."""
    args = ["validate", str(VALID)]

    result = _run(*args)

    assert result.exit_code == 0
    reported = [line for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert len(reported) == len(list(VALID.glob("*.yaml")))
    golden.check(GOLDEN / "valid_folder.txt", _transcript(args, result))


def test_one_broken_spec_among_good_ones_exits_2_and_reports_all(golden):
    """Good and bad specs in one run: every file is reported, and the run exits 2."""
    args = ["validate", str(EXAMPLE), str(BROKEN["unknown_status"])]

    result = _run(*args)

    assert result.exit_code == 2
    assert "1 valid, 1 invalid" in result.stdout
    golden.check(GOLDEN / "mixed.txt", _transcript(args, result))


def test_missing_path_is_reported_like_an_invalid_spec(golden):
    """A path that does not exist is a located problem of its own, the other paths are
    still validated, and the run exits 2."""
    args = ["validate", "tests/fixtures/specs/no_such_spec.yaml", str(EXAMPLE)]

    result = _run(*args)

    assert result.exit_code == 2
    assert "no_such_spec.yaml:1:1: error[SPEC009]: no such file or folder" in result.stdout
    assert "2 spec(s) checked: 1 valid, 1 invalid" in result.stdout
    golden.check(GOLDEN / "missing_path.txt", _transcript(args, result))


def test_json_format_lists_every_diagnostic_with_its_location():
    """--format json parses and carries each diagnostic's code, file, line and column."""
    result = _run("validate", "--format", "json", str(INVALID / "spec102_several_problems.yaml"))

    payload = json.loads(result.stdout)

    assert result.exit_code == 2
    assert payload["format_version"] == 1
    (report,) = payload["files"]
    assert report["valid"] is False
    assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]] == [
        ("SPEC105", 9, 38),
        ("SPEC104", 11, 56),
        ("SPEC102", 14, 48),
        ("SPEC102", 14, 61),
        ("SPEC103", 16, 75),
    ]


def test_json_format_marks_valid_specs_with_their_authority(golden):
    """--format json on valid specs lists each with its authority and no diagnostics."""
    args = ["validate", "--format", "json", str(VALID)]

    result = _run(*args)

    assert result.exit_code == 0
    assert {f["authority"] for f in json.loads(result.stdout)["files"]} >= {"examplevale"}
    golden.check(GOLDEN / "valid_folder_json.txt", _transcript(args, result))


def test_python_m_stepcheck_matches_the_in_process_run():
    """`python -m stepcheck` in a real process prints what the in-process CLI prints."""
    args = ["validate", *(str(path) for path in BROKEN.values())]

    process = subprocess.run(
        [sys.executable, "-m", "stepcheck", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    in_process = _run(*args)

    assert process.returncode == 2
    assert "Traceback" not in process.stdout + process.stderr
    assert process.stdout == in_process.stdout
    assert process.stdout.count("error[SPEC") == len(BROKEN)


def test_installed_script_validates_and_reports_missing_paths():
    """The installed `stepcheck` script exits 0 on a valid spec and 2 on a missing path."""
    good = subprocess.run(
        [str(STEPCHECK_SCRIPT), "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    missing = subprocess.run(
        [str(STEPCHECK_SCRIPT), "validate", "no_such_spec.yaml"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert (good.returncode, missing.returncode) == (0, 2)
    assert "no_such_spec.yaml:1:1: error[SPEC009]: no such file or folder" in missing.stdout
    assert "Traceback" not in good.stderr + missing.stderr


def test_structural_findings_are_warnings_that_no_findings_hides():
    """A valid spec's dead ends and unbounded waits are shown as warnings, in text and in
    the machine formats; the exit code stays 0; --no-findings hides them."""
    shown = _run("validate", "spec/authorities/devon.yaml")
    hidden = _run("validate", "--no-findings", "spec/authorities/devon.yaml")
    sarif = json.loads(_run("validate", "--format", "sarif", "spec/authorities/devon.yaml").stdout)

    assert (shown.exit_code, hidden.exit_code) == (0, 0)
    assert "warning[SPEC203]: status 'cp' is a dead end" in shown.stdout
    assert "finding" not in hidden.stdout
    codes = {result["ruleId"] for result in sarif["runs"][0]["results"]}
    assert {"SPEC203", "SPEC206", "SPEC210"} <= codes
