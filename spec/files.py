"""Reading an input file whole, but only a regular file of a bounded size.

A FIFO given as a spec made `validate` wait for ever, and `/dev/zero` was read until
memory ran out. Every file stepcheck reads as input (specs, results, baselines) goes
through `read_input`, which looks at what the path is before opening it and never
reads more than the limit, even from a file that grows while it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from stepcheck.spec.diagnostics import StepcheckError

__all__ = ["MAX_INPUT_BYTES", "FileRefused", "read_input"]

MAX_INPUT_BYTES = 4 * 1024 * 1024
"""The largest input file read: 4 MiB (the largest shipped spec is under 100 KB)."""


class FileRefused(StepcheckError):
    """An input path that cannot be read as a file; `reason` says why, in words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot read '{path}': {reason}")
        self.path = path
        self.reason = reason


def read_input(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file at `path` (symbolic links followed).

    Raises:
        FileRefused: the path is missing, empty as a name, a folder, a FIFO, a device
            or a socket, unreadable, or longer than `limit` bytes.
    """
    if not str(path):
        raise FileRefused(path, "the path is empty")
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise FileRefused(path, _reason(error)) from None
    if not stat.S_ISREG(mode):
        raise FileRefused(path, f"it is {_kind(mode)}, not a regular file")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since `stat`, opening it does
        # not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise FileRefused(path, "it is no longer a regular file")
            raw = stream.read(limit + 1)
    except OSError as error:
        raise FileRefused(path, _reason(error)) from None
    if len(raw) > limit:
        raise FileRefused(
            path, f"it is larger than {limit:,} bytes, the most stepcheck reads from one file"
        )
    return raw


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
