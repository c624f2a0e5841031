"""The acceptance check of `stepcheck diff`, on a copy of a shipped spec in a temporary git repo.

Hertfordshire guards both CP step-downs with "status == cp -> held(final_review)"
(HT-20, "Send the step down request after the final review on EHM"). Dropping that
guard from one of them must be reported in plain words, with the line, and exit 1;
rewording its quotes and comments and reordering its events must be no change, exit 0.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SHIPPED = Path("spec/authorities/hertfordshire.yaml")
SPEC = Path("spec/authorities/hertfordshire.yaml")  # the same place in the temporary repo
GUARD = (
    '      - condition: "status == cp -> held(final_review)"\n'
    "        source: {doc: ht, section: Step down from Family Safeguarding Services and "
    "Specialist Services including 0-25 Together, rule: HT-20, quote: "
    '"Send the step down request after the final review on EHM"}\n'
    "  finalise_step_down_form:"
)
"""The second guard, on `initiate_step_down_via_action_and_impact` (the next event)."""

pytestmark = pytest.mark.slow


def _git(repo: Path, *args: str) -> None:
    who = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "-C", str(repo), *who, *args], check=True, capture_output=True)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / SPEC.parent).mkdir(parents=True)
    shutil.copy(SHIPPED, repo / SPEC)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "the shipped spec")
    return repo


def _diff(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stepcheck", "diff", "--base", "HEAD", str(SPEC.parent)]
    command += ["--start-date", "2026-12-21", "--jobs", "1", "--cache-dir", str(cache)]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=repo)


def test_a_dropped_cp_meeting_guard_is_reported_in_words_with_its_line(tmp_path):
    repo = _repo(tmp_path)
    spec = repo / SPEC
    text = spec.read_text(encoding="utf-8")
    assert text.count(GUARD) == 1
    spec.write_text(text.replace(GUARD, "  finalise_step_down_form:"), encoding="utf-8")
    line = next(
        n
        for n, row in enumerate(spec.read_text(encoding="utf-8").splitlines(), start=1)
        if row == "  initiate_step_down_via_action_and_impact:"
    )

    result = _diff(repo, tmp_path / "cache")

    assert result.returncode == 1, result.stdout + result.stderr
    headline = "a CP case can now initiate step down via action and impact without the final review"
    assert headline.lower() in result.stdout.lower()
    block = result.stdout[result.stdout.lower().index(headline.lower()) :]
    assert f"at {SPEC.as_posix()}:{line}" in block.splitlines()[1]
    assert "held(" not in block.splitlines()[0], "headlines are words, never formulas"


def test_reworded_quotes_comments_and_reordered_events_are_no_change(tmp_path):
    repo = _repo(tmp_path)
    spec = repo / SPEC
    text = spec.read_text(encoding="utf-8")
    text = re.sub(r'quote: "([^"]*)"', r'quote: "\1 (reworded)"', text)
    text = re.sub(r"^(\s*)# ", r"\1# note: ", text, flags=re.MULTILINE)
    lines = text.splitlines(keepends=True)
    start = lines.index("  identify_key_worker:\n")
    moved = lines[start : start + 4]  # a four-line event, moved to the end of `events`
    del lines[start : start + 4]
    end = lines.index("deadlines:\n")
    lines[end:end] = moved
    spec.write_text("# reworded and reordered\n" + "".join(lines), encoding="utf-8")

    result = _diff(repo, tmp_path / "cache")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("stepcheck diff: no semantic change"), result.stdout
