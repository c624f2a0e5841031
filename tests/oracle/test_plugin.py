"""The pytest plugin: a developer tests their system against a spec in a few lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEVON = Path("spec/authorities/devon.yaml").resolve()

TEST_FILE = """
import functools

import pytest

from examples.casework.app import factory


@pytest.mark.stepcheck(spec={spec!r}, reading="should", examples={examples})
def test_casework_follows_devon(stepcheck_check):
    stepcheck_check(functools.partial(factory, {bugs!r}))
"""


def _pytest(tmp_path: Path, bugs: list[str], examples: int) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_my_system.py"
    test.write_text(TEST_FILE.format(spec=str(DEVON), bugs=bugs, examples=examples), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)]
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )


def test_marker_and_fixture_pass_a_clean_system(tmp_path):
    """A marked test using `stepcheck_check` passes when the system agrees."""
    result = _pytest(tmp_path, [], examples=10)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "stepcheck coverage" in result.stdout
    assert "transitions: 119 of 119 reachable exercised (100%)" in result.stdout


def test_fixture_fails_with_the_reproduction(tmp_path):
    """A disagreement fails the test with the reproduction as its message, no traceback."""
    result = _pytest(tmp_path, ["calendar_day_deadline"], examples=30)

    assert result.returncode == 1
    assert "DISAGREEMENT after" in result.stdout
    assert "replay these steps in Python:" in result.stdout
    assert "Traceback" not in result.stdout


def test_plugin_registers_its_marker(pytestconfig):
    """The `stepcheck` marker is known, so --strict-markers accepts it."""
    markers = pytestconfig.getini("markers")

    assert any(line.startswith("stepcheck(") for line in markers)
