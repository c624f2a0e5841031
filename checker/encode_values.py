"""The two values the encoding gives parts that are not there: a timer not running, and
a closed dispute's level or a window's forgotten owner (indexes start at 0)."""

from __future__ import annotations

from typing import Final

__all__ = ["NONE", "OFF"]

OFF: Final = -2
"""A timer that is not running."""
NONE: Final = -1
"""A closed dispute's level, and a window's forgotten owner."""
