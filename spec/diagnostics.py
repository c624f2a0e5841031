"""Located problems in a spec, and the errors that carry them to the user.

Every user mistake becomes a `Diagnostic` with a stable code and a `SourceSpan`;
the loader collects them all and raises one `SpecInvalid`. Codes: `SPEC0xx` YAML
and structure, `SPEC1xx` names and references, `SPEC2xx` graph structure,
`CHK0xx` encoding and solver limits. A code is never reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from enum import Enum
from pathlib import Path

from attrs import frozen

__all__ = [
    "Diagnostic",
    "InternalError",
    "Severity",
    "SourceSpan",
    "SpecInvalid",
    "StepcheckError",
    "did_you_mean",
    "render_diagnostic",
    "render_diagnostics",
]


class Severity(Enum):
    """How bad a diagnostic is: errors stop loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@frozen(kw_only=True)
class SourceSpan:
    """Where something was written: file, 1-based line and column, YAML path."""

    file: str
    line: int
    column: int
    path: str = ""
    length: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


UNKNOWN_SPAN = SourceSpan(file="<unknown>", line=0, column=0)


@frozen(kw_only=True)
class Diagnostic:
    """One located problem: a code, a message naming the offending id, a hint."""

    code: str
    message: str
    span: SourceSpan
    severity: Severity = Severity.ERROR
    hint: str | None = None
    rule: str | None = None
    subject: str | None = None
    """For a checker finding, the element it is about as `kind:id` (`deadline:x`)."""
    cause: str | None = None
    """For a checker finding, the element to fix (`kind:id`): findings that share it have
    one root cause. None means the subject is the cause."""
    rule_ids: tuple[str, ...] = ()
    """For a checker finding, the digest rule ids it cites, the rule it is against last."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)


class StepcheckError(Exception):
    """A problem the user can fix; the CLI prints it without a traceback."""


class SpecInvalid(StepcheckError, ValueError):
    """A spec that cannot be loaded, with every diagnostic found, not just the first."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        first = self.diagnostics[0] if self.diagnostics else None
        summary = f"{first.span}: {first.message}" if first else "invalid spec"
        super().__init__(f"{len(self.diagnostics)} problem(s); first: {summary}")


class InternalError(AssertionError):
    """A broken internal assumption: a bug in stepcheck, shown with its stack trace."""


def did_you_mean(word: str, known: Iterable[str], *, what: str = "") -> str | None:
    """A hint naming the closest known word, or listing the known ones.

    >>> did_you_mean("cpp", ["cp", "cin"], what="tiers")
    "did you mean 'cp'? known tiers: cin, cp"
    """
    options = sorted(set(known))
    if not options:
        return None
    close = get_close_matches(word, options, n=1, cutoff=0.6)
    listing = ", ".join(options) if len(options) <= 12 else ", ".join(options[:12]) + ", ..."
    label = f"known {what}: " if what else "known: "
    if close:
        return f"did you mean '{close[0]}'? {label}{listing}"
    return f"{label}{listing}"


def render_diagnostic(diagnostic: Diagnostic, *, source_lines: Sequence[str] | None = None) -> str:
    """Format one diagnostic the way a compiler would, with the line and a caret."""
    span = diagnostic.span
    lines = [f"{span}: {diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"]
    text = _line_of(span, source_lines)
    if text is not None:
        gutter = f"{span.line:>4} | "
        shown, caret_at = _window(text, max(span.column - 1, 0))
        lines.append(gutter + shown)
        carets = min(max(span.length, 1), max(len(shown) - caret_at, 1))
        lines.append(" " * (len(gutter) - 2) + "| " + " " * caret_at + "^" * carets)
    if span.path:
        lines.append(f"  at: {span.path}")
    if diagnostic.rule:
        lines.append(f"  rule: {diagnostic.rule}")
    if diagnostic.hint:
        lines.append(f"  hint: {diagnostic.hint}")
    return "\n".join(lines)


def render_diagnostics(diagnostics: Iterable[Diagnostic]) -> str:
    """Format diagnostics in order, each with its source line read from its file."""
    cache: dict[str, list[str] | None] = {}
    blocks = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        name = diagnostic.span.file
        if name not in cache:
            cache[name] = _read_lines(name)
        blocks.append(render_diagnostic(diagnostic, source_lines=cache[name]))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _read_lines(name: str) -> list[str] | None:
    # Imported here: `files` builds its error on this module's `StepcheckError`.
    from stepcheck.spec.files import FileRefused, read_input  # noqa: PLC0415

    try:
        return read_input(Path(name)).decode("utf-8").splitlines()
    except (FileRefused, UnicodeDecodeError):
        return None


_LONGEST_SHOWN = 1000
"""A source line longer than this (a minified spec, a 4,000-digit number) is shown as
a window of `_WINDOW` characters around the caret, not whole."""
_WINDOW = 160


def _window(text: str, caret_at: int) -> tuple[str, int]:
    """The part of `text` to show and where the caret falls in it."""
    if len(text) <= _LONGEST_SHOWN:
        return text, caret_at
    start = max(0, min(caret_at - _WINDOW // 3, len(text) - _WINDOW))
    end = start + _WINDOW
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(text) else ""
    return prefix + text[start:end] + suffix, caret_at - start + len(prefix)


def _line_of(span: SourceSpan, source_lines: Sequence[str] | None) -> str | None:
    if source_lines is None or not 1 <= span.line <= len(source_lines):
        return None
    text = source_lines[span.line - 1]
    if any(ord(char) < 32 and char != "\t" for char in text):
        return None
    return text.replace("\t", " ")
