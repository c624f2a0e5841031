"""The pytest plugin: a developer tests their system against a spec in a few lines."""

from __future__ import annotations

import os
import shutil
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


README_TEST = """
import pytest
from myservice.adapter import make_system


@pytest.mark.stepcheck(spec="specs/devon.yaml", reading="should")
def test_service_follows_the_protocol(stepcheck_check):
    stepcheck_check(make_system)
"""


def _fresh_project(tmp_path: Path, spec: str) -> Path:
    """A project as the README shows it: its service package at the root, a spec under
    specs/, the README's test under tests/ (no __init__.py, no conftest, no ini)."""
    project = tmp_path / "project"
    shutil.copytree(Path("examples"), project / "examples")
    (project / "myservice").mkdir()
    (project / "myservice" / "__init__.py").write_text("", "utf-8")
    (project / "myservice" / "adapter.py").write_text(
        "from examples.casework.app import factory as make_system\n", "utf-8"
    )
    (project / "specs").mkdir()
    (project / "specs" / "devon.yaml").write_text(spec, "utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_protocol.py").write_text(README_TEST, "utf-8")
    return project


def _plain_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    """Plain `pytest` (not `python -m pytest`), from the project, with no PYTHONPATH."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    pytest_exe = Path(sys.executable).with_name("pytest")
    command = [str(pytest_exe), "-q", "-p", "no:cacheprovider", "--stepcheck-examples", "3"]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )


def test_readme_snippet_runs_as_written_in_a_fresh_project(tmp_path):
    """The README's snippet passes under plain pytest: the spec path is found under the
    rootdir though the test lives in tests/, and `myservice` imports from the root."""
    project = _fresh_project(tmp_path, DEVON.read_text("utf-8"))

    result = _plain_pytest(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "stepcheck coverage" in result.stdout


def test_a_spec_that_does_not_load_fails_with_its_diagnostic(tmp_path):
    """A broken spec fails the test with file:line:col and a code, never a traceback."""
    project = _fresh_project(tmp_path, "stepcheck: 1\nauthority: [\n")

    result = _plain_pytest(project)

    assert result.returncode == 1
    assert "cannot load the spec" in result.stdout
    assert "devon.yaml:" in result.stdout
    assert "Traceback" not in result.stdout
