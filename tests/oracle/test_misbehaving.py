"""A system that misbehaves is reported as such, exit 1, and never as a traceback.

Each test runs the default search on a system that breaks part way, answers
differently on replay (in the directed cases, and in Hypothesis's random cases,
where Hypothesis itself would raise `Flaky*`), times out over HTTP, or calls
`sys.exit()`.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from misbehaving import breaks_after, exits_on, wrong_every

from examples.casework.server import make_server
from stepcheck.cli import cli
from stepcheck.oracle.search import reach_of
from stepcheck.oracle.targets import DEFAULT_MAX_STATES
from stepcheck.oracle.testing import check_system
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
UNREPRODUCED = "this did not reproduce on replay"


def test_a_system_that_breaks_part_way_is_a_fault_that_did_not_reproduce():
    """Every step fails after the 200th: the first fault is shown, marked unreproduced."""
    outcome = check_system(DEVON, breaks_after(200), seed=1, reading=Reading.SHOULD)

    assert outcome.exit_code == 1
    assert outcome.finding is not None
    assert outcome.finding.fault == "the system raised ConnectionError: connection reset by peer"
    assert not outcome.finding.reproduced
    assert UNREPRODUCED in outcome.report
    assert "Traceback" not in outcome.report


def test_a_non_deterministic_system_is_reported_not_shrunk():
    """A wrong status on every 97th step, counted over the run: seen once, not on replay."""
    outcome = check_system(DEVON, wrong_every(97), seed=1, reading=Reading.SHOULD)

    assert outcome.exit_code == 1
    assert outcome.finding is not None
    assert outcome.finding.differences[0].startswith("status: the system says 'nowhere'")
    assert UNREPRODUCED in outcome.report


def test_flakiness_in_the_random_cases_never_escapes_from_hypothesis():
    """The same system, wrong only once the directed cases are done: Hypothesis cannot
    replay what it saw (it would raise Flaky*); the report shows the first thing seen."""
    directed = len(reach_of(DEVON, Reading.SHOULD, (), DEFAULT_MAX_STATES).runs)
    after_cases = directed + 1  # and the one case opened to see that the system answers
    outcome = check_system(
        DEVON, wrong_every(7, after_cases=after_cases), seed=3, reading=Reading.SHOULD, examples=50
    )

    assert outcome.exit_code == 1
    assert outcome.runs > 0  # found by the random cases, not the directed ones
    assert outcome.finding is not None
    assert "nowhere" in outcome.finding.differences[0]
    assert UNREPRODUCED in outcome.report


def test_sys_exit_during_a_step_is_a_fault_not_a_pass():
    """A system that calls sys.exit() on 'allocate' is a finding at that step, exit 1."""
    outcome = check_system(DEVON, exits_on("allocate"), seed=1, reading=Reading.SHOULD)

    assert outcome.exit_code == 1
    assert outcome.finding is not None
    assert outcome.finding.steps[-1][0] == "allocate"
    assert outcome.finding.fault == "the system tried to exit the process (sys.exit(3))"
    assert outcome.finding.reproduced


def test_sys_exit_from_the_command_line_exits_1_with_a_report():
    """`stepcheck test` on the same system prints the report and exits 1, not 0."""
    result = CliRunner().invoke(
        cli,
        [
            "test",
            "spec/authorities/devon.yaml",
            "--sut",
            "python:misbehaving:exits",
            "--reading",
            "should",
        ],
        prog_name="stepcheck",
    )

    assert result.exit_code == 1, result.output
    assert "DISAGREEMENT" in result.output
    assert "sys.exit(3)" in result.output
    assert "Traceback" not in result.output


@contextmanager
def _slow_server(after: int, delay: float) -> Iterator[str]:
    """The clean example server, answering every request after the first `after` late."""
    server = make_server(0, [])
    handler: Any = server.RequestHandlerClass
    calls = itertools.count()

    class Slow(handler):  # type: ignore[misc, valid-type]
        def do_POST(self) -> None:
            if next(calls) >= after:
                time.sleep(delay)
            super().do_POST()

    server.RequestHandlerClass = Slow
    server.handle_error = lambda *_: None  # type: ignore[method-assign]  # a client gave up
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_starts_timing_out_is_reported_with_its_timeout():
    """Answers stop arriving within --timeout part way: a clean report, exit 1, and the
    reproduction carries --timeout."""
    with _slow_server(after=60, delay=0.6) as url:
        result = CliRunner().invoke(
            cli,
            [
                "test",
                "spec/authorities/devon.yaml",
                "--sut",
                url,
                "--reading",
                "should",
                "--timeout",
                "0.2",
            ],
            prog_name="stepcheck",
        )

    assert result.exit_code == 1, result.output
    assert "timed out after 0.2s" in result.output
    assert "--timeout 0.2" in result.output
    assert "timeout=0.2)" in result.output
    assert "Traceback" not in result.output
