"""End-to-end tests of `stepcheck diff`: fixture pairs, exit codes, formats, git revisions.

The fixtures are the small example protocol (`tests/fixtures/specs/diff/base.yaml`), a
copy that only reorders and rewords it (`reordered.yaml`), and one that drops the
meeting guard from the step-down (`no_meeting.yaml`); other edits are made here, one
line each, so each test shows the change it is about.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepcheck.cli import cli

FOLDER = Path("tests/fixtures/specs/diff")
BASE = FOLDER / "base.yaml"
START = ("--start-date", "2026-12-21")


def _diff(
    *args: str, cwd: Path | None = None, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process (Z3's choice of trace depends on the process),
    without a cache, or with `cache` (shared by this module's tests, so the base version
    is verified once; each edit is still decided afresh, as no two tests make the same)."""
    kept = ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    command = [sys.executable, "-m", "stepcheck", "diff", *START, *kept, "--jobs", "1"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=False, cwd=cwd)


@pytest.fixture(scope="module")
def base_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A decision cache shared by the tests that diff an edit against `BASE`."""
    return tmp_path_factory.mktemp("diff-cache")


def _edited(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = BASE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def test_reordering_and_rewording_is_no_change_and_exits_0():
    """Keys, lists and sections reordered, quotes and descriptions reworded, comments added."""
    result = _diff(str(BASE), str(FOLDER / "reordered.yaml"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("stepcheck diff: no semantic change")
    assert "same model: examplevale" in result.stdout


def test_dropped_meeting_guard_matches_its_golden_file(golden):
    """The text a reviewer reads, exactly: the verdict, the step now possible, the guard."""
    result = _diff(str(BASE), str(FOLDER / "no_meeting.yaml"))

    assert result.returncode == 1, result.stderr
    golden.check("tests/golden/cli/diff_no_meeting.txt", result.stdout)


def test_dropped_meeting_guard_names_the_step_and_its_line(base_cache):
    """With the shared cache; the golden file's run above is without one."""
    result = _diff(str(BASE), str(FOLDER / "no_meeting.yaml"), "--format", "json", cache=base_cache)

    report = json.loads(result.stdout)
    assert report["exit_code"] == 1
    worse = {c["headline"]: c for c in report["changes"] if c["counts"]}
    step = next(h for h in worse if h.startswith("a CP case can now step down without the"))
    line = _line_of(FOLDER / "no_meeting.yaml", "  step_down:")
    assert worse[step]["location"] == {
        "file": "tests/fixtures/specs/diff/no_meeting.yaml",
        "line": line,
        "side": "new",
    }
    assert "property 'cp_step_down_requires_meeting': proved -> violated" in worse
    guard = next(c for c in report["changes"] if c["key"].startswith("guard:step_down"))
    assert guard["location"]["side"] == "old"
    assert guard["rules"] == ["EV-06"]


def test_a_tray_that_becomes_a_system_tray_is_worse(tmp_path, base_cache):
    new = _edited(tmp_path, "sw_tray: {kind: team_tray,", "sw_tray: {kind: system_tray,")
    result = _diff(str(BASE), str(new), cache=base_cache)

    assert result.returncode == 1
    out = result.stdout
    assert "'Social Work Team Manager's tray' is now a system tray (was a team tray)" in out
    assert f"edited.yaml:{_line_of(new, 'sw_tray:')}" in out
    assert "a case in 'In tray' can now be held by a system tray" in out
    assert "property 'no_unowned_case': proved -> violated" in out


def test_a_lengthened_deadline_is_worse(tmp_path, base_cache):
    new = _edited(
        tmp_path,
        "within: 2 working days\n    anchor: tam_accepts",
        "within: 5 working days\n    anchor: tam_accepts",
    )
    result = _diff(str(BASE), str(new), "--format", "json", cache=base_cache)

    assert result.returncode == 1
    changes = {c["key"]: c for c in json.loads(result.stdout)["changes"]}
    lengthened = changes["deadline:allocate_within_two_days:within"]
    assert lengthened["worse"] is True
    assert (lengthened["old"], lengthened["new"]) == ("2 working days", "5 working days")
    assert lengthened["rules"] == ["EV-07"]
    assert lengthened["location"]["line"] == _line_of(new, "allocate_within_two_days:")


def test_a_removed_final_authority_is_worse(tmp_path, base_cache):
    new = _edited(tmp_path, "final_authority: head_decides", "final_authority: unspecified")
    result = _diff(str(BASE), str(new), "--format", "markdown", cache=base_cache)

    assert result.returncode == 1
    assert "ladder 'Allocation dispute': final authority was removed" in result.stdout
    assert f"edited.yaml:{_line_of(new, 'allocation_dispute:')}" in result.stdout
    assert "new: SPEC210" in result.stdout


def test_fail_on_leaves_out_what_it_does_not_name(tmp_path, base_cache):
    """A lengthened deadline is an element change: it counts as behaviour, not a verdict."""
    new = _edited(
        tmp_path,
        "within: 2 working days\n    anchor: tam_accepts",
        "within: 3 working days\n    anchor: tam_accepts",
    )
    result = _diff(
        str(BASE), str(new), "--fail-on", "finding", "--format", "sarif", cache=base_cache
    )

    assert result.returncode == 0, result.stdout
    log = json.loads(result.stdout)
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert levels["diff/element"] == "note"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _repo(tmp_path: Path, spec: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "authorities").mkdir(parents=True)
    shutil.copy(spec, repo / "authorities" / spec.name)
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return repo


def test_base_revision_reads_the_old_version_from_git(tmp_path):
    repo = _repo(tmp_path, BASE)
    spec = repo / "authorities" / "base.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "final_authority: head_decides", "final_authority: unspecified"
        ),
        encoding="utf-8",
    )
    result = _diff("--base", "HEAD", "authorities/base.yaml", cwd=repo)

    assert result.returncode == 1, result.stderr
    assert "HEAD:authorities/base.yaml -> authorities/base.yaml" in result.stdout
    assert "final authority was removed" in result.stdout


def test_an_unknown_revision_is_one_line_and_exit_2(tmp_path):
    repo = _repo(tmp_path, BASE)
    result = CliRunner().invoke(
        cli, ["diff", "--base", "no-such-branch", str(repo / "authorities")], prog_name="stepcheck"
    )

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "stepcheck: error: --base no-such-branch: git knows no such revision"
    ]


def test_an_invalid_spec_shows_located_diagnostics_and_exits_2(tmp_path):
    bad = _edited(tmp_path, "to: in_tray\n    at: tam", "to: in_trya\n    at: tam")
    result = CliRunner().invoke(cli, ["diff", str(BASE), str(bad)], prog_name="stepcheck")

    assert result.exit_code == 2
    assert f"{bad}:{_line_of(bad, 'in_trya')}" in result.output
    assert "Traceback" not in result.output


def test_fail_on_refuses_an_unknown_area():
    result = CliRunner().invoke(
        cli, ["diff", "--fail-on", "verdicts", str(BASE), str(BASE)], prog_name="stepcheck"
    )

    assert result.exit_code == 2
    assert "'verdicts': choose from verdict, behaviour, finding" in result.output


@pytest.mark.parametrize("args", [(), ("only-one.yaml",)])
def test_old_and_new_are_both_needed_without_base(args):
    result = CliRunner().invoke(cli, ["diff", *args], prog_name="stepcheck")

    assert result.exit_code == 2
