"""Writing a command's output files: checked before the work starts, written whole.

A path that can never be written (under a file, a folder itself, a folder without
write permission) is reported before a long verification runs, not after; a write
that fails anyway (a full disk) is a clear error with the path, never a traceback.
"""

from __future__ import annotations

import os
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
        _folder_ok(path.parent if str(path.parent) else Path("."), path)


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` (making its folder), or raise `StepcheckError`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)
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
