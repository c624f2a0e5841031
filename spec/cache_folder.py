"""Where stepcheck keeps what it worked out once and may read again: `default_folder`.

`verify` keeps its decisions there (`checker.cache`) and the working-day calendar its
table of bank holidays (`spec.holiday_table`). The function has a module of its own
so that the spec package can find the folder without importing the checker (and z3).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_folder"]


def default_folder() -> Path:
    """`$STEPCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/stepcheck`, else `~/.cache/stepcheck`."""
    explicit = os.environ.get("STEPCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepcheck"
