"""The hostile-input suite's tools: a tiny spec, runners and the one assertion every case makes.

Every case asserts the same promise: exit code 2 (or the documented code), a message
that locates the problem (`file:line:col` and a code) or names the offending argument,
no traceback, and an end within a bound. Cases that could hang if a fix regressed
(FIFOs, devices, a trickling server) run the CLI in a subprocess with a timeout; the
rest run in-process through click's runner, which is about a hundred times faster.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from attrs import frozen
from click.testing import CliRunner

from stepcheck.cli import cli

__all__ = [
    "LOCATED",
    "SUBPROCESS_BOUND",
    "TINY",
    "Outcome",
    "assert_refused",
    "in_process",
    "in_subprocess",
    "tiny_with",
]

SUBPROCESS_BOUND = 60.0
"""Seconds a subprocess case may take; the slowest takes about 3 on a busy machine."""
IN_PROCESS_BOUND = 20.0
"""Seconds an in-process case may take; they take well under one."""

LOCATED = re.compile(r":\d+:\d+: error\[(SPEC|CHK)\d{3}\]")

TINY = """\
stepcheck: 1
authority: {id: returnvale, name: Returnvale (test)}
documents: {doc: {title: Test protocol}}
teams: {sw: {name: Social Work}}
owners:
  worker: {kind: allocated, team: sw}
  intake_tray: {kind: system_tray}
statuses:
  open: {tier: cin, owner: worker, initial: true}
  closed: {tier: closed, owner: none, final: true}
  reopened: {tier: cin, owner: intake_tray}
events:
  close_case: {kind: close, from: open, to: closed}
  rerefer: {kind: re_referral, from: closed, to: reopened}
rereferrals:
  quick_return:
    window: 2 working days
    anchor: close_case
    event: rerefer
    route_to: previous
    modality: should
properties:
  no_unowned_case: {}
"""
"""A valid spec that verifies in well under a second (one violated property)."""


def tiny_with(old: str, new: str) -> str:
    """TINY with one piece of text replaced (which must be there)."""
    assert old in TINY, old
    return TINY.replace(old, new, 1)


@frozen
class Outcome:
    """What a command did: its exit code, both streams and how long it took."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    crashed: str | None = None
    """An exception other than SystemExit that escaped the command (in-process runs)."""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def in_process(args: Sequence[str]) -> Outcome:
    """Run `stepcheck ARGS` through click's runner, in this process."""
    started = time.monotonic()
    result = CliRunner().invoke(cli, list(args), prog_name="stepcheck")
    crashed = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crashed = f"{type(result.exception).__name__}: {result.exception}"
    return Outcome(
        code=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        seconds=time.monotonic() - started,
        crashed=crashed,
    )


def in_subprocess(
    args: Sequence[str], *, cwd: Path | None = None, timeout: float = SUBPROCESS_BOUND
) -> Outcome:
    """Run `python -m stepcheck ARGS` in a subprocess, killed after `timeout` seconds
    (then `code` is None)."""
    started = time.monotonic()
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "stepcheck", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return Outcome(
            code=None,
            stdout=_text(expired.stdout),
            stderr=_text(expired.stderr),
            seconds=time.monotonic() - started,
        )
    return Outcome(
        code=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        seconds=time.monotonic() - started,
    )


def assert_refused(
    outcome: Outcome,
    *,
    code: int = 2,
    mentions: str | None = None,
    located: bool = False,
    bound: float | None = None,
) -> None:
    """The promise: exit `code`, no traceback, within `bound` seconds, and a message
    that is located (`file:line:col: error[CODE]`) and/or names `mentions`."""
    shown = outcome.output[-2000:]
    assert outcome.code is not None, f"did not finish in {outcome.seconds:.0f}s:\n{shown}"
    assert outcome.crashed is None, f"escaped: {outcome.crashed}\n{shown}"
    assert "Traceback" not in outcome.output, shown
    assert outcome.code == code, f"exit {outcome.code}, expected {code}:\n{shown}"
    limit = bound if bound is not None else IN_PROCESS_BOUND
    assert outcome.seconds < limit, f"took {outcome.seconds:.1f}s (bound {limit}s)"
    if located:
        assert LOCATED.search(outcome.output), f"no file:line:col location:\n{shown}"
    if mentions is not None:
        assert mentions in outcome.output, f"does not mention {mentions!r}:\n{shown}"


def _text(stream: str | bytes | None) -> str:
    if stream is None:
        return ""
    return stream if isinstance(stream, str) else stream.decode("utf-8", "replace")
