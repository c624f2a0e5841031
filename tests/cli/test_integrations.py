"""The GitHub Action and the pre-commit hooks, run as a CI runner and pre-commit would.

The Action's shell steps are run in order by bash, with its inputs, `GITHUB_OUTPUT`,
`GITHUB_STEP_SUMMARY` and the step outputs wired as the runner wires them; steps that
`uses:` another action (setting up Python, uploading SARIF) are checked for the files
they are given. The hooks' `entry` is run on the files their `files:` pattern selects.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests/fixtures/specs/valid/example.yaml"
ALL_PROVED = ROOT / "tests/fixtures/specs/verify/gaps_closed.yaml"
BROKEN = ROOT / "tests/fixtures/specs/invalid/spec102_several_problems.yaml"
BIN = Path(sys.executable).parent
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _load(name: str):
    return YAML(typ="safe").load((ROOT / name).read_text(encoding="utf-8"))


def _value(expression: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """The few expressions the Action uses: inputs, step outputs, the action's path."""
    if expression.startswith("inputs."):
        return inputs[expression.removeprefix("inputs.")]
    if expression == "github.action_path":
        return str(ROOT)
    found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
    if found:
        return outputs.get(found[1], {}).get(found[2], "")
    raise AssertionError(f"the test does not know the expression {expression!r}")


def _run_action(work: Path, **given: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Run the Action's shell steps in `work`; its step outputs, and each step's stdout."""
    action = _load("action.yml")
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    outputs: dict[str, dict[str, str]] = {}
    printed = []
    summary = work / "summary.md"
    for number, step in enumerate(action["runs"]["steps"]):
        if "uses" in step or step.get("id") == "install":
            continue  # set up by the test's own environment
        assert step["shell"] == "bash"
        out_file = work / f"output-{number}"
        out_file.touch()
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(out_file),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        for name, text in step.get("env", {}).items():
            env[name] = _EXPRESSION.sub(lambda m: _value(m[1], inputs, outputs), str(text))
        assert "${{" not in step["run"], "expressions go through env, never into the script"
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", step["run"]],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        printed.append(done.stdout)
        lines = out_file.read_text(encoding="utf-8").splitlines()
        outputs[step.get("id", str(number))] = dict(line.split("=", 1) for line in lines)
        if done.returncode != 0:
            outputs["failed"] = {"step": step["name"], "code": str(done.returncode)}
            break
    return outputs, printed


@pytest.fixture
def work(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(EXAMPLE, specs / "example.yaml")
    return tmp_path


def test_the_action_gates_on_new_problems_with_a_baseline(work):
    """Without a baseline the example's violations fail the job; with one written from
    today's run it passes; the job summary and SARIF are written either way."""
    outputs, printed = _run_action(work, paths="specs", args="--start-date 2026-12-21")

    assert outputs["verify"]["exit-code"] == "1"
    assert outputs["failed"]["step"] == "Gate on the verdicts"
    assert "::error file=specs/example.yaml,line=" in printed[1]
    sarif = work / outputs["verify"]["sarif-file"]
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "## stepcheck verify" in (work / "summary.md").read_text(encoding="utf-8")

    baseline = work / "baseline.json"
    subprocess.run(
        [BIN / "stepcheck", "verify", "--write-baseline", str(baseline), "specs", "-q"],
        cwd=work,
        capture_output=True,
        check=False,
        timeout=300,
    )
    outputs, printed = _run_action(
        work, paths="specs", baseline="baseline.json", args="--start-date 2026-12-21"
    )

    assert outputs["verify"]["exit-code"] == "0"
    assert "failed" not in outputs
    assert "no new problem" in printed[-1]


def test_the_action_reports_a_broken_spec_and_still_writes_sarif(work):
    shutil.copy(BROKEN, work / "specs" / "broken.yaml")

    outputs, printed = _run_action(work, paths="specs")

    assert outputs["failed"]["step"] == "Validate the specs"
    assert "::error file=specs/broken.yaml,line=9" in printed[0]


def test_the_actions_other_actions_are_pinned_to_a_major_version():
    action = _load("action.yml")
    used = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]

    assert used == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]


@pytest.mark.parametrize("hook_id", ["stepcheck-validate", "stepcheck-verify"])
def test_each_hook_runs_on_the_spec_files_it_selects(hook_id, tmp_path):
    """The hook's pattern picks spec files and leaves workflow YAML alone; its entry
    passes a good spec and fails a broken (or violated) one, as pre-commit would run it."""
    (hook,) = [h for h in _load(".pre-commit-hooks.yaml") if h["id"] == hook_id]
    pattern = re.compile(hook["files"])
    assert pattern.search("spec/authorities/devon.yaml")
    assert pattern.search("specs/new-authority.yml")
    assert not pattern.search(".github/workflows/ci.yml")
    assert hook["language"] == "python"
    command = shlex.split(hook["entry"])
    command[0] = str(BIN / command[0])
    bad = BROKEN if hook_id == "stepcheck-validate" else EXAMPLE

    good = subprocess.run([*command, str(ALL_PROVED)], capture_output=True, check=False)
    failed = subprocess.run([*command, str(bad)], capture_output=True, check=False)

    assert good.returncode == 0, good.stdout
    assert failed.returncode in {1, 2}
    assert b"Traceback" not in good.stderr + failed.stderr
