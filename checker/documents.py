"""Findings about documents that apply conditionally, are superseded, or were assumed.

The readings themselves (`spec/readings.py`, `spec/assume.py`) decide every verdict with
each conditional document present and absent; what a reader must also be told is which
rules hang on each such document, since a verdict that does not change may still rest
on rules that exist only sometimes:

- SPEC250: a conditional document still undecided: its rules are checked both ways;
- SPEC251: a superseded document left out (by default): its rules are not checked;
- SPEC252: a conditional or superseded document no rule depends on: marking it
  changes nothing, so probably a citation is missing;
- SPEC253: a document `verify --assume` decided: which rules that kept or left out.
"""

from __future__ import annotations

from stepcheck.checker.structure_common import finding
from stepcheck.spec.assume import dropped_by
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import Document, ProtocolSpec

__all__ = ["document_findings"]

_SHOWN = 6


def document_findings(spec: ProtocolSpec) -> list[Diagnostic]:
    """One finding per conditional, superseded or assumed document, in spec order."""
    return [found for doc in spec.documents if (found := _finding(spec, doc)) is not None]


def _finding(spec: ProtocolSpec, document: Document) -> Diagnostic | None:
    if not document.optional and document.assumed is None:
        return None
    rules = dropped_by(spec, document.id)
    subject = f"document:{document.id}"
    what = _what(document)
    if not rules and document.optional:
        return finding(
            "SPEC252",
            f"document '{document.id}' {what}, but no rule depends on it alone: "
            "marking it changes nothing",
            document.span,
            document.sources,
            f"cite '{document.id}' in the rules that come from it (`source: {{doc: "
            f"{document.id}}}`), or drop the mark",
            subject=subject,
        )
    listed = _listing(rules)
    if document.assumed is not None and not (
        document.superseded_by is not None and document.assumed is False
    ):
        state = "present" if document.assumed else "absent"
        effect = "checked" if document.assumed else "left out"
        return finding(
            "SPEC253",
            f"document '{document.id}' {what}; it is assumed {state} (--assume), so the "
            f"rules only it gives are {effect}: {listed}",
            document.span,
            document.sources,
            "leave out --assume to check every verdict both ways",
            subject=subject,
        )
    if document.superseded_by is not None:
        return finding(
            "SPEC251",
            f"document '{document.id}' {what}: the rules only it gives are left out: {listed}",
            document.span,
            document.sources,
            f"`stepcheck verify --assume {document.id}=present` checks them too",
            subject=subject,
        )
    return finding(
        "SPEC250",
        f"document '{document.id}' {what}: every verdict is decided with it present and "
        f"absent, and says so where they differ; the rules only it gives: {listed}",
        document.span,
        document.sources,
        f"`stepcheck verify --assume {document.id}=present` (or =absent) checks one case",
        subject=subject,
    )


def _what(document: Document) -> str:
    if document.superseded_by is not None:
        return f"is superseded by '{document.superseded_by}'"
    return f'applies only conditionally ("{document.condition}")'


def _listing(rules: tuple[str, ...]) -> str:
    shown = ", ".join(f"'{rule}'" for rule in rules[:_SHOWN])
    more = len(rules) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
