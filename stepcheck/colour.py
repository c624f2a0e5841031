"""Colour on a terminal: verdicts and severities stand out; files and pipes stay plain.

The writers never colour: their text is the same bytes everywhere (golden files, CI
logs, `-o`). Colour is added here, only to text going to a terminal, and only to the
words that carry the verdict ("VIOLATED", "HIGH", ...) at the head of a line, so a
quote or a name that happens to contain such a word stays as it is. `NO_COLOR`
(https://no-color.org) and `TERM=dumb` turn it off, `FORCE_COLOR` on; `--color`
decides over both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Final, TextIO

__all__ = ["CHOICES", "colourise", "wants_colour"]

CHOICES: Final = ("auto", "always", "never")

_RESET: Final = "\x1b[0m"
_STYLES: Final = {
    "VIOLATED": "\x1b[1;31m",
    "UNKNOWN": "\x1b[1;33m",
    "PROVED": "\x1b[32m",
    "HIGH": "\x1b[1;31m",
    "MEDIUM": "\x1b[33m",
    "LOW": "\x1b[2m",
}
_HEAD: Final = re.compile(r"^(\s*)(VIOLATED|UNKNOWN|PROVED|HIGH|MEDIUM|LOW)\b", re.MULTILINE)


def wants_colour(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream`, for `--color` `choice`."""
    env = os.environ if environ is None else environ
    if choice != "auto":
        return choice == "always"
    if "NO_COLOR" in env and env["NO_COLOR"] != "":
        return False
    if env.get("FORCE_COLOR", "") != "":
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def colourise(text: str) -> str:
    """`text` with each verdict or severity word that opens a line in colour.

    >>> colourise("  VIOLATED  x\\n  a PROVED b") == (
    ...     "  \\x1b[1;31mVIOLATED\\x1b[0m  x\\n  a PROVED b"
    ... )
    True
    """
    return _HEAD.sub(lambda m: f"{m.group(1)}{_STYLES[m.group(2)]}{m.group(2)}{_RESET}", text)
