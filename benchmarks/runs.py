"""Run `stepcheck validate` and `stepcheck verify` on one spec text as a user would.

Each command is a fresh subprocess timed by the wall clock, so a row measures
everything a user waits for (interpreter start, imports, loading the spec, deciding,
writing the JSON), and a checker that overruns its budget is seen overrunning it
rather than hidden by an in-process cap.

`verify` gets a whole-run budget with `--max-seconds S` when this checkout's CLI has
that option; otherwise `--timeout S`, which only bounds each solver call, so a run is
also killed (its process group) a little after S and its row says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

from attrs import frozen

__all__ = ["SpecRun", "Verdict", "budget_option", "run_spec"]

STARTUP_SLACK = 2.0
"""Seconds allowed on top of validate's time for verify's own start: importing the
checker and Z3 (about 1.3 s for `stepcheck verify --help` on the 2-core machine)."""

KILL_GRACE = 5.0
"""Seconds past the allowance before verify is killed: long enough to see an overrun
and its JSON, short enough to keep the whole run bounded without `--max-seconds`."""

VALIDATE_CAP = 600.0
"""Validation has no budget option; a spec that takes this long to load is a finding."""


@frozen(kw_only=True)
class Verdict:
    """One property's answer, as `stepcheck verify --format json` gives it."""

    prop: str
    verdict: str
    should_only: bool = False
    strength: str | None = None
    reason: str | None = None

    def cell(self) -> str:
        """Short enough for a table cell: the verdict, with its strength or reading."""
        if self.verdict == "violated" and self.should_only:
            return "violated (holds under should)"
        if self.verdict == "proved" and self.strength not in (None, "unbounded"):
            return f"proved ({self.strength})"
        return self.verdict


@frozen(kw_only=True)
class SpecRun:
    """One spec through both commands."""

    lines: int
    validate_seconds: float
    validate_ok: bool
    verify_seconds: float
    allowance: float
    """verify's allowed wall clock: budget × 1.1 + validate's time + STARTUP_SLACK."""
    verdicts: tuple[Verdict, ...]
    problem: str | None = None
    """Why verify gave no JSON (killed, crashed, bad input), else None."""

    @property
    def killed(self) -> bool:
        """Whether verify was stopped from outside, so its time is a lower bound."""
        return self.problem is not None and self.problem.startswith("killed")

    @property
    def within_budget(self) -> bool:
        return self.problem is None and self.verify_seconds <= self.allowance


@cache
def budget_option() -> str:
    """`--max-seconds` if `stepcheck verify` has it in this checkout, else `--timeout`."""
    shown = subprocess.run(
        [sys.executable, "-m", "stepcheck", "verify", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "--max-seconds" if "--max-seconds" in shown else "--timeout"


def run_spec(text: str, name: str, budget: float) -> SpecRun:
    """Validate, then verify, `text` written to a temporary file `name.yaml`."""
    with tempfile.TemporaryDirectory(prefix="stepcheck-scaling-") as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        validate_seconds, validate_ok = _validate(path)
        allowance = budget * 1.1 + validate_seconds + STARTUP_SLACK
        command = [
            sys.executable,
            "-m",
            "stepcheck",
            "verify",
            str(path),
            "--format",
            "json",
            "--no-timings",
            budget_option(),
            f"{budget:g}",
        ]
        cap = allowance + KILL_GRACE
        finished = _run_killing_after(command, cap)
    verdicts, problem = _verdicts(finished, cap)
    return SpecRun(
        lines=text.count("\n"),
        validate_seconds=validate_seconds,
        validate_ok=validate_ok,
        verify_seconds=finished.seconds,
        allowance=allowance,
        verdicts=verdicts,
        problem=problem,
    )


def _validate(path: Path) -> tuple[float, bool]:
    command = [sys.executable, "-m", "stepcheck", "validate", str(path)]
    finished = _run_killing_after(command, VALIDATE_CAP)
    return finished.seconds, finished.returncode == 0


@frozen
class _Finished:
    seconds: float
    returncode: int | None
    """None when the process was killed."""
    stdout: str
    stderr: str


def _run_killing_after(command: list[str], cap: float) -> _Finished:
    """Run `command`, killing it after `cap` wall seconds.

    The child gets its own session, so on overrun the whole group it started is
    killed by that group's id, and nothing else is touched."""
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=cap)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return _Finished(time.perf_counter() - started, None, "", "")
    return _Finished(time.perf_counter() - started, child.returncode, stdout, stderr)


def _verdicts(finished: _Finished, cap: float) -> tuple[tuple[Verdict, ...], str | None]:
    """The verdicts in verify's JSON report, or why there are none.

    Exit 0, 1 and 3 come with a report; 2 is bad input, and a crash (a traceback) also
    exits 1 but prints no JSON."""
    if finished.returncode is None:
        return (), f"killed after {cap:.0f} s"
    last_line = (finished.stderr.strip().splitlines() or ["no message"])[-1][:200]
    try:
        results = json.loads(finished.stdout)["results"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return (), f"exit {finished.returncode}, no JSON report: {last_line}"
    verdicts = tuple(
        Verdict(
            prop=r["property"],
            verdict=r["verdict"],
            should_only=bool(r.get("should_only")),
            strength=r.get("strength"),
            reason=r.get("reason"),
        )
        for r in results
    )
    return verdicts, None
