"""`stepcheck verify` as a run: deterministic whatever the load, the workers or the cache;
within its time budget; outputs checked before the work and always written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Verdict
from stepcheck.spec.loader import load_spec
from stepcheck.verification import run_verify

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
ALL_PROVED = "tests/fixtures/specs/verify/gaps_closed.yaml"
SOMERSET = "spec/authorities/somerset.yaml"


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
    command = [sys.executable, "-m", "stepcheck", "verify", "--no-timings"]
    command += ["--start-date", "2026-12-21", *args]
    merged = {**os.environ, **(env or {})}
    return subprocess.run(
        command, capture_output=True, text=True, check=False, env=merged, timeout=timeout
    )


def _busy_loops(count: int) -> list[subprocess.Popen[bytes]]:
    """Processes that keep every core busy, as a loaded CI machine would."""
    loop = "while True: pass"
    return [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]


@pytest.mark.slow
def test_the_same_bytes_whatever_the_load_workers_cache_and_hash_seed(tmp_path):
    """Two busy loops running, one worker or two, a warm cache or none, other hash seeds:
    every run gives the same bytes."""
    specs = [EXAMPLE, ALL_PROVED]
    calm = _run("--format", "json", "--no-cache", "-j", "1", *specs)
    assert calm.returncode == 1, calm.stderr
    busy = _busy_loops(2)
    try:
        loaded = _run(
            "--format", "json", "--no-cache", "-j", "2", *specs, env={"PYTHONHASHSEED": "7"}
        )
    finally:
        for process in busy:
            process.kill()
            process.wait()
    cache = {"STEPCHECK_CACHE_DIR": str(tmp_path / "cache"), "PYTHONHASHSEED": "123"}
    cold = _run("--format", "json", *specs, env=cache)
    warm = _run("--format", "json", *specs, env=cache)
    assert any((tmp_path / "cache").iterdir()), "the first run kept its decisions"
    assert loaded.stdout == calm.stdout
    assert cold.stdout == calm.stdout
    assert warm.stdout == calm.stdout


def test_the_order_of_the_specs_given_does_not_change_a_result():
    one = json.loads(_run("--format", "json", "--no-cache", EXAMPLE, ALL_PROVED).stdout)
    other = json.loads(_run("--format", "json", "--no-cache", ALL_PROVED, EXAMPLE).stdout)

    def by_key(report: dict[str, list[dict[str, object]]]) -> dict[tuple[object, ...], object]:
        return {(r["spec"], r["property"]): r for r in report["results"]}

    assert by_key(one) == by_key(other)


@pytest.mark.slow
def test_the_run_budget_is_honoured_and_what_is_left_is_unknown(tmp_path):
    """Somerset takes far longer than 6 s: the run stops in time, says which properties
    the budget stopped and how to raise it, and still writes every output."""
    started = time.monotonic()
    result = _run(
        "--format", "json", "--no-cache", "--max-seconds", "6", "--out-dir", str(tmp_path), SOMERSET
    )
    elapsed = time.monotonic() - started

    # Within 10%, plus the interpreter's start-up, which happens before the run's clock.
    assert elapsed < 6 * 1.1 + 1.5, elapsed
    report = json.loads(result.stdout)
    unknown = [r for r in report["results"] if r["verdict"] == "unknown"]
    assert unknown, "something was left undecided"
    assert all("--max-seconds" in r["reason"] for r in unknown)
    assert {p.name for p in tmp_path.iterdir()} >= {"verify.json", "verify.sarif", "verify.xml"}


def test_an_output_that_cannot_be_written_is_refused_before_the_work(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    started = time.monotonic()
    result = _run("-o", str(blocker / "verify.json"), SOMERSET)

    assert result.returncode == 2
    assert "cannot write output" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 20, "refused before verifying"


def test_a_full_disk_is_a_clear_error_not_a_traceback():
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    result = _run("-o", "/dev/full", EXAMPLE)

    assert result.returncode == 2
    assert "cannot write output '/dev/full'" in result.stderr
    assert "Traceback" not in result.stderr


def test_runs_in_one_process_do_not_share_what_they_worked_out():
    """Two runs in one process (a library user, a test suite): each spec's timing and
    models belong to its own run, though both specs sit first in their run. Before the
    fix, the second run read the first spec's timing and failed with a KeyError."""

    def verified(path: str):
        return run_verify(
            [load_spec(path)],
            properties=(),
            limits=Limits(),
            progress=False,
            start=date(2026, 12, 21),
            jobs=1,
        )

    verified(EXAMPLE)
    second = verified(ALL_PROVED)

    assert {result.verdict for result in second.results} == {Verdict.PROVED}
