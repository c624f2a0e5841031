"""The package as a user gets it: the sdist (with the tests) and the wheel build from an
isolated copy of the tree without setuptools warnings (`scripts/build_dist.sh`, as
`make dist`), the wheel carries its data, `py.typed` and the licence, and, installed
into a fresh virtual environment without extras, verifies Devon by name, draws its
diagram and runs the README's Python example.

Slow (a build and an install from the package index, a minute or two), so marked
`slow`; `make test` runs slow tests."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from corpus import TINY, tiny_with
from test_public_api import readme_api_example

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], *, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    built = _run(
        ["bash", str(ROOT / "scripts" / "build_dist.sh"), str(folder), sys.executable], cwd=folder
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("stepcheck-*.whl")
    return found


@pytest.mark.slow
def test_the_sdist_carries_the_tests_and_what_they_read(dist):
    (sdist,) = dist.glob("stepcheck-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    for needed in [
        "tests/hostile/test_wheel.py",
        "tests/conftest.py",
        "tests/fixtures/specs/valid/example.yaml",
        "examples/casework/service.py",
        "scripts/lower_bounds.py",
        "LICENSE",
        "pyproject.toml",
    ]:
        assert needed in names, needed


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
        [stepcheck, "verify", "devon", "--property", "no_unowned_case", "--no-cache"], cwd=tmp_path
    )
    drawn = _run([stepcheck, "diagram", "devon", "--out-dir", str(tmp_path / "d")], cwd=tmp_path)
    (tmp_path / "my_specs").mkdir()
    (tmp_path / "last_year").mkdir()
    (tmp_path / "my_specs" / "returnvale.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "last_year" / "returnvale.yaml").write_text(
        tiny_with("window: 2 working days", "window: 5 working days"), encoding="utf-8"
    )
    example = _run([str(venv / "bin" / "python"), "-c", readme_api_example()], cwd=tmp_path)

    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "ok " in validated.stdout
    assert verified.returncode in (0, 1, 3), verified.stdout[-2000:] + verified.stderr[-2000:]
    assert "no_unowned_case" in verified.stdout
    assert "Traceback" not in verified.stderr
    assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    assert list((tmp_path / "d").iterdir())
    assert example.returncode == 0, example.stdout[-2000:] + example.stderr[-2000:]
    assert example.stdout.rstrip().endswith("True closed")
