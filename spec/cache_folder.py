"""Where stepcheck keeps what it worked out once and may read again: `default_folder`.

`verify` keeps its decisions there (`checker.cache`) and the working-day calendar its
table of bank holidays (`spec.holiday_table`). The function has a module of its own
so that the spec package can find the folder without importing the checker (and z3).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["default_folder", "write_whole"]


def default_folder() -> Path:
    """`$STEPCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/stepcheck`, else `~/.cache/stepcheck`."""
    explicit = os.environ.get("STEPCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepcheck"


def write_whole(path: Path, text: str) -> bool:
    """Write `text` to `path` whole or not at all (written aside, then renamed, so a
    reader never sees half a file); False when the folder cannot be written to."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True
