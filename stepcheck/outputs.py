"""Writing a command's output files: checked before the work starts, written whole.

A path that can never be written (under a file, a folder itself, a folder without
write permission, a device such as `/dev/full`, a folder such as `/proc` where no file
can be made) is reported before a long verification runs, not after: the check makes
and removes a scratch file where the output will go, since permissions alone do not
say (root passes every permission check). A write that fails anyway (a full disk) is
a clear error with the path, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from stepcheck.spec.diagnostics import StepcheckError

__all__ = ["check_writable", "write_file"]


def check_writable(files: Iterable[Path], folder: Path | None = None) -> None:
    """Raise `StepcheckError` if a file or the folder of outputs cannot be written."""
    if folder is not None:
        _folder_ok(folder, folder)
    for path in files:
        if path.is_dir():
            raise StepcheckError(f"cannot write output '{path}': it is a folder")
        if path.exists() and not path.is_file() and str(path) != os.devnull:
            raise StepcheckError(
                f"cannot write output '{path}': it is not a regular file (a device or FIFO)"
            )
        if path.is_file() and not os.access(path, os.W_OK):
            raise StepcheckError(f"cannot write output '{path}': it is not writable")
        _folder_ok(path.parent if str(path.parent) else Path("."), path)


def write_file(path: Path, text: str | bytes) -> None:
    """Write `text` (or bytes) to `path` (making its folder), or raise `StepcheckError`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stream:
            stream.write(data)
    except OSError as error:
        raise StepcheckError(f"cannot write output '{path}': {error.strerror or error}") from None


def _folder_ok(folder: Path, target: Path) -> None:
    """The folder exists and is writable, or can be made under a writable one."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise StepcheckError(f"cannot write output '{target}': '{existing}' is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StepcheckError(f"cannot write output '{target}': '{existing}' is not writable")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise StepcheckError(
            f"cannot write output '{target}': no file can be made in '{existing}' ({reason})"
        ) from None
