"""Start an example server on a free port for a test, and always stop it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def example_server(module: str, *bugs: str) -> Iterator[str]:
    """The base URL of a fresh `python -m <module>` server with `bugs` planted."""
    command = [sys.executable, "-m", module, "--port", "0"]
    for bug in bugs:
        command += ["--bug", bug]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on "), f"server said {line!r}"
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def casework_server(*bugs: str) -> Iterator[str]:
    """The base URL of a fresh `examples.casework.server` with `bugs` planted."""
    with example_server("examples.casework.server", *bugs) as url:
        yield url
