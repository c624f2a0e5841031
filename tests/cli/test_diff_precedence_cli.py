"""`stepcheck diff` reports a precedence rule that changed, with its line and quote, as a
reviewer reads it (golden file), and a narrower rule as worse (exit 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SPEC = Path("tests/fixtures/specs/valid/precedence.yaml")


def _diff(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, as `test_diff_cli.py` runs it."""
    command = [sys.executable, "-m", "stepcheck", "diff", "--start-date", "2026-12-21"]
    command += ["--no-cache", "--jobs", "1", str(old), str(new), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_a_step_that_no_longer_gives_way_is_a_worse_change(tmp_path, golden):
    text = SPEC.read_text(encoding="utf-8")
    narrower = tmp_path / "precedence.yaml"
    narrower.write_text(
        text.replace("over: [step_down, propose_step_down]", "over: [step_down]"),
        encoding="utf-8",
    )

    result = _diff(SPEC, narrower)

    assert result.returncode == 1, result.stderr
    assert "precedence 'safeguarding_first' changed: 'Propose step down' no longer gives way" in (
        result.stdout
    )
    shown = result.stdout.replace(str(tmp_path), "NEW")
    golden.check("tests/golden/cli/diff_precedence.txt", shown)
