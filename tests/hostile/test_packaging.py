"""What the package declares (issue 17, item 4), without building it: every dependency
has a lower bound, Hypothesis and pytest are the `oracle` extra, not the core's, and
every command but `test` runs without them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from lower_bounds import lower_bounds  # noqa: E402

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_has_a_lower_bound():
    pins = lower_bounds(ROOT / "pyproject.toml")

    assert len(pins) == len(PROJECT["dependencies"]) + len(
        PROJECT["optional-dependencies"]["oracle"]
    )
    assert all("==" in pin and pin.split("==")[1][0].isdigit() for pin in pins)
    assert "z3-solver==5.4.1" in pins


def test_hypothesis_and_pytest_are_the_oracle_extra_not_the_core():
    core = " ".join(PROJECT["dependencies"])

    assert "hypothesis" not in core
    assert "pytest" not in core
    assert any(r.startswith("hypothesis") for r in PROJECT["optional-dependencies"]["oracle"])


_WITHOUT_ORACLE = """
import sys
sys.modules["hypothesis"] = None  # as if not installed
sys.modules["pytest"] = None
from click.testing import CliRunner
from stepcheck.cli import cli
spec = sys.argv[1]
for args in (["validate", spec], ["verify", "--no-cache", spec], ["diagram", spec],
             ["test", spec, "--sut", "http://127.0.0.1:9"]):
    result = CliRunner().invoke(cli, args)
    print(args[0], result.exit_code, type(result.exception).__name__)
    print(result.output.strip().splitlines()[-1] if result.output.strip() else "")
"""


def test_the_commands_run_without_the_oracle_extra_and_test_says_what_to_install(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "tests/fixtures/specs/explore/rereferral.yaml").read_text())

    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_ORACLE, str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )

    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines[0] == "validate 0 NoneType"
    assert lines[2] == "verify 1 SystemExit"
    assert lines[4].startswith("diagram 0")
    assert lines[6] == "test 2 SystemExit"
    assert "pip install 'stepcheck[oracle]'" in lines[7]
