"""Citations of the documents a rule comes from, and dates as people read them.

Shared by the checker's case stories, the oracle's rejections and obligations, and the
report, so that all three quote a rule the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from attrs import frozen

from stepcheck.spec.model import ProtocolSpec, Source

__all__ = ["Citation", "citations_of", "long_date", "unique_citations"]

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


@frozen(kw_only=True)
class Citation:
    """A rule a step involves: the document (id and title), where, the digest rule, its words."""

    doc: str
    title: str
    section: str | None = None
    rule: str | None = None
    quote: str | None = None


def long_date(day: date) -> str:
    """A date as people read it in a story.

    >>> long_date(date(2026, 12, 4))
    'Fri 4 Dec 2026'
    """
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def citations_of(spec: ProtocolSpec, sources: Iterable[Source]) -> tuple[Citation, ...]:
    """Citations for `sources`, with each document's title, in order and without repeats."""
    titles = {document.id: document.title for document in spec.documents}
    return unique_citations(
        Citation(
            doc=source.doc,
            title=titles.get(source.doc, source.doc),
            section=source.section,
            rule=source.rule,
            quote=source.quote,
        )
        for source in sources
    )


def unique_citations(citations: Iterable[Citation]) -> tuple[Citation, ...]:
    found: list[Citation] = []
    for citation in citations:
        if citation not in found:
            found.append(citation)
    return tuple(found)
