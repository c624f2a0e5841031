"""Small HTML pieces the report's sections share: escaping, anchors, verdict badges, quotes.

`diagrams.report*` -> here -> strings of HTML. Everything taken from a spec or a results
file goes through `esc` (html.escape), so a quote with `<` or `&` in it stays text.
A verdict is always shown as a symbol and a word as well as a colour, so it reads
in print, in grey and to a screen reader.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Final

from stepcheck.diagrams.report_data import Bound, Result
from stepcheck.spec.citations import Citation

__all__ = [
    "anchor",
    "bound_words",
    "caveats",
    "citation_block",
    "citation_source",
    "esc",
    "quoted",
    "verdict_badge",
]

_SYMBOLS: Final = {"proved": "✔", "violated": "✘", "unknown": "?"}
_WORDS: Final = {"proved": "proved", "violated": "violated", "unknown": "unknown: not proved"}


def esc(text: str) -> str:
    """Text as HTML, quotes included.

    >>> esc('a <b> & "c"')
    'a &lt;b&gt; &amp; &quot;c&quot;'
    """
    return html.escape(text, quote=True)


_BOLD = re.compile(r"&lt;(b|strong)&gt;(.*?)&lt;/\1&gt;|\*\*(.+?)\*\*", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"&lt;/?(?:b|i|u|em|strong|br)\s*/?&gt;", re.IGNORECASE)


def quoted(text: str) -> str:
    """A quote from a document as HTML: escaped, its bold (`<b>`, `**`) shown as bold,
    and any other formatting tag the digest kept left out.

    >>> quoted("within <b>one working day</b> & **no later**")
    'within <strong>one working day</strong> &amp; <strong>no later</strong>'
    """
    bolded = _BOLD.sub(lambda m: f"<strong>{m.group(2) or m.group(3)}</strong>", esc(text))
    return _TAGS.sub("", bolded)


def anchor(*parts: str) -> str:
    """An id for an in-page link, from ids that may hold any character.

    >>> anchor("result", "devon", "no_unowned_case")
    'result-devon-no_unowned_case'
    """
    return "-".join(re.sub(r"[^A-Za-z0-9_]+", "_", part) for part in parts)


def verdict_badge(verdict: str) -> str:
    """The verdict as a symbol and a word, coloured by a class (never by colour alone)."""
    symbol = _SYMBOLS.get(verdict, "?")
    word = _WORDS.get(verdict, verdict)
    return (
        f'<span class="verdict verdict-{esc(verdict)}">'
        f'<span aria-hidden="true">{symbol}</span> {esc(word)}</span>'
    )


def bound_words(result: Result) -> list[str]:
    """How strong a proof is and the worst case it found, in words; empty for no proof."""
    if result.verdict != "proved":
        return []
    found = []
    bound = result.bound or Bound(working_days=None, steps=None, depth=None)
    if result.strength == "bounded":
        depth = (
            f", no violation in runs of up to {_count(bound.depth, 'step')}" if bound.depth else ""
        )
        found.append(f"bounded proof{depth}")
    elif result.strength == "unbounded":
        found.append("unbounded proof (every reachable state)")
    if bound.working_days is not None:
        found.append(f"worst case: {_count(bound.working_days, 'working day')}")
    if bound.steps is not None:
        found.append(f"at most {_count(bound.steps, 'step')}")
    return found


def caveats(result: Result) -> list[str]:
    """What a reader must know besides the verdict: why unknown, should-only, vacuous."""
    found = []
    if result.verdict == "unknown":
        found.append(f"not proved, not a pass: {result.reason or 'no reason given'}")
    if result.should_only:
        found.append("holds only if should-rules are followed")
    elif result.reading == "should":
        found.append("under the should reading (must- and should-rules enforced)")
    if result.vacuous:
        found.append("vacuous: what it is about can never happen")
    return found


def citation_source(citation: Citation) -> str:
    """Where a quote comes from: document title, section, rule id (escaped HTML).

    >>> citation_source(Citation(doc="ev", title="P & Q", section="3", rule="EV-07"))
    'P &amp; Q, section 3 (rule EV-07)'
    """
    text = esc(citation.title)
    if citation.section:
        section = citation.section
        text += f", section {esc(section)}" if section[0].isdigit() else f", {esc(section)}"
    if citation.rule:
        text += f" (rule {esc(citation.rule)})"
    return text


def citation_block(citations: Iterable[Citation]) -> str:
    """Each cited paragraph quoted, with its document, section and rule id."""
    parts = []
    for citation in citations:
        quote = (
            f"<blockquote><p>{quoted(citation.quote)}</p></blockquote>"
            if citation.quote
            else "<p>(the spec gives no quote)</p>"
        )
        parts.append(
            f'<figure class="citation">{quote}'
            f"<figcaption>{citation_source(citation)}</figcaption></figure>"
        )
    return "".join(parts)


def _count(n: int, word: str) -> str:
    """
    >>> _count(1, "step"), _count(2, "working day")
    ('1 step', '2 working days')
    """
    return f"{n} {word}" + ("" if n == 1 else "s")
