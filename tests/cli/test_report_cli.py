"""`stepcheck report` and `stepcheck compare` end to end, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
RESULTS = "tests/golden/cli/verify_example.json"
GOLDEN = Path("tests/golden/diagrams/compare")


def _stepcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepcheck", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_report_from_results_file_writes_the_page(tmp_path):
    """With --results, the report is written from that file and exits as verify did (1)."""
    out = tmp_path / "nested" / "report.html"

    run = _stepcheck("report", EXAMPLE, "--results", RESULTS, "-o", str(out))

    assert run.returncode == 1, run.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "escalation_terminates" in page
    assert f"wrote {out}" in run.stdout


def test_compare_prints_the_golden_text_and_markdown():
    """`compare` on the shipped authorities prints exactly the golden comparison."""
    for fmt, suffix in (("text", "txt"), ("markdown", "md")):
        run = _stepcheck("compare", "--format", fmt, "spec/authorities")

        assert run.returncode == 0, run.stderr
        assert run.stdout == (GOLDEN / f"shipped.{suffix}").read_text(encoding="utf-8")


def test_bad_results_file_is_one_line_and_exit_2(tmp_path):
    """A results file that is not verify's JSON gives one clear line and exit 2."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": 1, "results": "no"}', encoding="utf-8")

    run = _stepcheck("report", EXAMPLE, "--results", str(bad), "-o", str(tmp_path / "r.html"))

    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"stepcheck: error: {bad}: ")
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "r.html").exists()


def test_results_that_miss_a_spec_name_it_and_exit_2(tmp_path):
    """A results file that does not cover a given spec says which, and exits 2."""
    run = _stepcheck(
        "report",
        "spec/authorities/devon.yaml",
        "--results",
        RESULTS,
        "-o",
        str(tmp_path / "r.html"),
    )

    assert run.returncode == 2
    assert "has no results for spec/authorities/devon.yaml" in run.stderr


def test_missing_results_file_exits_2(tmp_path):
    """A results path that does not exist is a user error, not a traceback."""
    run = _stepcheck("report", EXAMPLE, "--results", str(tmp_path / "none.json"))

    assert run.returncode == 2
    assert "cannot read the results file" in run.stderr


def test_a_results_file_larger_than_a_spec_is_read_up_to_its_own_limit(tmp_path):
    """verify's JSON with every derived story runs past a spec's 4 MiB (the shipped
    authorities with --derived write about 5 MB): it is read up to 64 MiB, and past
    that refused in one line."""
    text = Path(RESULTS).read_text(encoding="utf-8")
    large = tmp_path / "large.json"
    large.write_text(text + " " * (5 * 1024 * 1024), encoding="utf-8")

    run = _stepcheck("report", EXAMPLE, "--results", str(large), "-o", str(tmp_path / "r.html"))
    assert run.returncode == 1, run.stderr
    assert (tmp_path / "r.html").exists()

    huge = tmp_path / "huge.json"
    huge.write_text(text + " " * (64 * 1024 * 1024), encoding="utf-8")
    run = _stepcheck("report", EXAMPLE, "--results", str(huge), "-o", str(tmp_path / "h.html"))
    assert run.returncode == 2
    assert "larger than 67,108,864 bytes" in run.stderr
    assert "Traceback" not in run.stderr
