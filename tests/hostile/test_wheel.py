"""The package as a user gets it: the wheel builds without setuptools' warnings about
data folders, carries its data, `py.typed` and the licence, and, installed into a fresh
virtual environment, validates a shipped authority and verifies one property of Devon.

Slow (a wheel build and an install from the package index, a minute or two), so marked
`slow`; `make test` runs slow tests."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], *, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", str(ROOT), "-w", str(folder)],
        cwd=folder,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "would be ignored" not in built.stdout + built.stderr
    (found,) = folder.glob("stepcheck-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_carries_its_data_types_marker_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    for needed in [
        "stepcheck/py.typed",
        "stepcheck/spec/stepcheck.schema.json",
        "stepcheck/spec/authorities/devon.yaml",
        "stepcheck/spec/authorities/notes/devon.md",
        "stepcheck/spec/digest/rules.json",
        "stepcheck/spec/expr/grammar.lark",
        "stepcheck/oracle/wire.schema.json",
        "stepcheck/diagrams/report.css",
        "stepcheck/checker/writers/verify-output.schema.json",
    ]:
        assert needed in names, needed
    assert any(name.endswith("/licenses/LICENSE") for name in names)


@pytest.mark.slow
def test_the_installed_wheel_validates_and_verifies_a_shipped_authority(wheel, tmp_path):
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    pip = _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path
    )
    if pip.returncode != 0 and "connection" in (pip.stdout + pip.stderr).lower():
        pytest.skip("the package index cannot be reached")
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    stepcheck = str(venv / "bin" / "stepcheck")
    devon = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from stepcheck.cli_common import shipped_authorities as s; print(s() / 'devon.yaml')",
        ],
        cwd=tmp_path,
    ).stdout.strip()
    assert str(ROOT) not in devon, "the installed package must not read the source tree"

    validated = _run([stepcheck, "validate", devon], cwd=tmp_path)
    verified = _run(
        [stepcheck, "verify", devon, "--property", "no_unowned_case", "--no-cache"], cwd=tmp_path
    )

    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "ok " in validated.stdout
    assert verified.returncode in (0, 1, 3), verified.stdout[-2000:] + verified.stderr[-2000:]
    assert "no_unowned_case" in verified.stdout
    assert "Traceback" not in verified.stderr
