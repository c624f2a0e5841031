"""What the report opens with: each authority's most serious problems, and an overview.

`Results.problems` (the checker's ranking: severity, then violated before unknown before
findings only) -> here -> HTML. Each problem is one plain-English sentence (the
checker's headline), the paragraph of the protocol it comes from, quoted, and a link to
its case story or finding further down. Nothing is ranked here: the order and the
severity are the checker's (`checker/triage.py`), so the report, the terminal and the
JSON always agree on what matters most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from stepcheck.diagrams.report_data import Finding, Problem, Result
from stepcheck.diagrams.report_html import anchor, citation_source, esc, quoted
from stepcheck.spec.citations import Citation, citations_of
from stepcheck.spec.model import ProtocolSpec, Source

__all__ = ["SHOWN", "finding_anchor", "overview", "rank_badge", "top_problems"]

SHOWN: Final = 10
"""How many problems each authority's list shows; the rest are in the details."""
_IN_OVERVIEW: Final = 3
_SAID: Final = 140

_RANK_WORDS: Final = {"high": "high", "medium": "medium", "low": "low", "none": "none"}
_RANK_MEANS: Final = (
    "<strong>High</strong>: a child's case can be left with nobody responsible, a "
    "disagreement can go on for ever, a step down from child protection can skip its "
    "meeting, or an urgent limit can be missed. <strong>Medium</strong>: another limit "
    "can be missed, a case can wait without limit, or a question the spec's author asked "
    "fails. <strong>Low</strong>: wording, references and parts no case reaches."
)


def rank_badge(rank: str) -> str:
    """A severity as a word in a box, coloured by a class (never by colour alone)."""
    word = _RANK_WORDS.get(rank, rank)
    return f'<span class="rank rank-{esc(rank)}">{esc(word)}</span>'


def finding_anchor(authority: str, finding: Finding, code_index: int) -> str:
    """A finding's in-page id: by its fingerprint, so a problem can link to it."""
    if finding.fingerprint is not None:
        return anchor("finding", authority, finding.fingerprint)
    return anchor("finding", authority, finding.code, str(code_index))


def top_problems(
    spec: ProtocolSpec,
    problems: Sequence[Problem],
    results: Sequence[Result],
    findings: Sequence[Finding],
) -> str:
    """The authority's most serious problems (up to `SHOWN`), each quoted and linked."""
    authority = spec.authority.id
    mine = [problem for problem in problems if problem.authority == authority]
    heading = f'<h3 id="{anchor("top", authority, "h")}">Most serious problems</h3>'
    if not mine:
        return (
            f'<section class="top" aria-labelledby="{anchor("top", authority, "h")}">'
            f"{heading}<p>None: every property holds and the structural checks found "
            "nothing to report.</p></section>"
        )
    items = [_problem_item(spec, problem, results, findings) for problem in mine[:SHOWN]]
    rest = len(mine) - SHOWN
    more = (
        f'<p class="more">{rest} more {"problem" if rest == 1 else "problems"}, '
        "less serious, are in the verdicts and findings below.</p>"
        if rest > 0
        else ""
    )
    return (
        f'<section class="top" id="{anchor("top", authority)}" '
        f'aria-labelledby="{anchor("top", authority, "h")}">{heading}'
        f'<ol class="problems">{"".join(items)}</ol>{more}</section>'
    )


def overview(
    specs: Sequence[ProtocolSpec],
    problems: Sequence[Problem],
    results: Sequence[Result],
    *,
    several: bool,
) -> str:
    """Across the authorities: how many problems of each severity, and the first few of
    each with the words of the protocol they come from, linked; only when there are
    several authorities (`several`)."""
    if not several:
        return ""
    cards = []
    for spec in specs:
        authority = spec.authority.id
        mine = [problem for problem in problems if problem.authority == authority]
        theirs = [result for result in results if result.authority == authority]
        counts = ", ".join(
            f"{sum(problem.severity == rank for problem in mine)} {rank}"
            for rank in ("high", "medium", "low")
        )
        first = "".join(
            f"<li>{rank_badge(problem.severity)} {esc(problem.headline)}"
            f"{_said(_quote(spec, problem, theirs))}</li>"
            for problem in mine[:_IN_OVERVIEW]
        )
        cards.append(
            f'<li class="card"><h3><a href="#{anchor("top", authority)}">'
            f"{esc(spec.authority.name)}</a></h3>"
            f'<p class="counts">{len(mine)} problems: {counts}. The first to raise:</p>'
            f'<ul class="first">{first or "<li>none</li>"}</ul></li>'
        )
    return (
        '<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2>'
        f'<p class="means">{_RANK_MEANS}</p>'
        f'<ul class="overview">{"".join(cards)}</ul></section>'
    )


def _said(citation: Citation | None) -> str:
    """A short quote under an overview line: the protocol's words, cut at a word near
    `_SAID` characters (the whole paragraph is in the authority's section)."""
    if citation is None or not citation.quote:
        return ""
    text = citation.quote
    if len(text) > _SAID:
        text = text[:_SAID].rsplit(" ", 1)[0] + " …"
    rule = f" ({esc(citation.rule)})" if citation.rule else ""
    return f'<br><q class="said">{quoted(text)}</q><small>{rule}</small>'


def _problem_item(
    spec: ProtocolSpec,
    problem: Problem,
    results: Sequence[Result],
    findings: Sequence[Finding],
) -> str:
    target, label = _target(spec.authority.id, problem, results, findings)
    quote = _quote(spec, problem, results)
    parts = [
        f'<li class="problem">{rank_badge(problem.severity)} ',
        f'<span class="headline">{esc(problem.headline)}</span>',
    ]
    if quote is not None:
        parts.append(
            f"<blockquote><p>{quoted(quote.quote or '')}</p></blockquote>"
            f'<p class="source">{citation_source(quote)}</p>'
        )
    else:
        parts.append('<p class="source">The spec cites no paragraph of the protocol here.</p>')
    if target is not None:
        parts.append(f'<p class="go"><a href="#{target}">{esc(label)}</a></p>')
    parts.append("</li>")
    return "".join(parts)


def _target(
    authority: str,
    problem: Problem,
    results: Sequence[Result],
    findings: Sequence[Finding],
) -> tuple[str | None, str]:
    """Where the problem is told in full: its case story, else its verdict, else its finding."""
    for prop in problem.properties:
        result = next((r for r in results if r.property == prop), None)
        if result is not None:
            words = "Read the case story" if result.story is not None else "Read the verdict"
            return anchor("result", authority, prop), words
    counts: dict[str, int] = {}
    for finding in sorted(findings, key=lambda f: (f.code, f.file, f.line, f.message)):
        counts[finding.code] = counts.get(finding.code, 0) + 1
        if finding.fingerprint in problem.findings:
            return finding_anchor(authority, finding, counts[finding.code]), "Read the finding"
    return None, ""


def _quote(spec: ProtocolSpec, problem: Problem, results: Sequence[Result]) -> Citation | None:
    """The paragraph to quote: that of the element the problem is about (the ladder that
    never ends, the status nobody owns, the property the author wrote), else the first
    quoted citation of its worst result, else the first quoted source of a rule it names."""
    own = next(
        (source for source in _element_sources(spec, problem.root_cause) if source.quote), None
    )
    if own is not None:
        return citations_of(spec, [own])[0]
    for prop in problem.properties:
        result = next((r for r in results if r.property == prop), None)
        if result is not None:
            quoted = next((c for c in result.citations if c.quote), None)
            if quoted is not None:
                return quoted
    sources = [source for source in spec.all_sources() if source.quote and source.rule]
    for rule in problem.rules:
        found = next((source for source in sources if source.rule == rule), None)
        if found is not None:
            return citations_of(spec, [found])[0]
    return None


def _element_sources(spec: ProtocolSpec, root_cause: str) -> tuple[Source, ...]:
    """The citations of the element a root cause names (`kind:id`), its ladder's levels
    after the ladder itself; none for a kind or id the spec does not have."""
    kind, _, ident = root_cause.partition(":")
    groups: dict[str, Sequence[Any]] = {
        "status": spec.statuses,
        "deadline": spec.deadlines,
        "event": spec.events,
        "property": spec.properties,
        "escalation": spec.escalations,
    }
    element = next((item for item in groups.get(kind, ()) if item.id == ident), None)
    if element is None:
        return ()
    sources: tuple[Source, ...] = element.sources
    if kind == "escalation":
        sources += tuple(source for level in element.levels for source in level.sources)
    return sources
