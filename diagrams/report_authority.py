"""One authority's part of the report: verdicts with their quoted rules, case stories, findings.

`Results` (for one spec) -> here -> an HTML `<section>`. It opens with the authority's
most serious problems (`diagrams.report_problems`); the rest is detail, folded away in
`<details>` (a link to a part inside opens it). Each property's verdict is
said in plain words and followed by the paragraphs of the protocol it comes from;
each counterexample is told as a dated case story with the command that reproduces
it; findings are grouped by kind, each with the rule it quotes and a hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from stepcheck.diagrams.report_data import Finding, Problem, Result, Scene, Story
from stepcheck.diagrams.report_html import (
    anchor,
    bound_words,
    caveats,
    citation_block,
    citation_source,
    esc,
    verdict_badge,
)
from stepcheck.diagrams.report_html import quoted as quoted_html
from stepcheck.diagrams.report_problems import finding_anchor, rank_badge, top_problems
from stepcheck.spec.citations import Citation, long_date
from stepcheck.spec.model import ProtocolSpec

__all__ = ["FINDING_KINDS", "authority_section"]

FINDING_KINDS: Final = {
    "SPEC202": "Statuses no case can reach",
    "SPEC203": "Dead ends: statuses with no way out",
    "SPEC204": "Events that can never happen",
    "SPEC205": "Statuses from which a case can never close or finish",
    "SPEC206": "Holding statuses (trays, waiting lists) with no time limit",
    "SPEC207": "Deadlines with no stated consequence when missed",
    "SPEC208": "Deadlines with no duration",
    "SPEC209": "Escalations that depend on an external document",
    "SPEC210": "Escalations with no final authority",
    "SPEC211": "Escalations ending with several peers and no tie-break",
    "SPEC212": 'Durations in bare "days" (working or calendar not stated)',
    "SPEC213": "Deadlines a meeting's cadence can make impossible to meet",
    "SPEC214": "Two deadlines with different limits for the same milestone",
    "SPEC215": "A minimum wait as long as the limit: no day to act on",
    "SPEC216": "Documents referred to that no rule depends on",
    "SPEC217": "Things recorded that no rule ever uses",
    "SPEC218": "One trigger, two different escalation ladders",
    "SPEC219": "Deadlines that never start",
    "SPEC220": "Steps that wait for something only a later step brings about",
    "SPEC221": "Urgent cases that wait for a periodic meeting",
    "SPEC222": "Places with no urgent route out",
    "SPEC223": "Cases a meeting can send round again and again",
    "SPEC224": "Deadlines due before the step they need",
}
"""Plain-language headings for the finding codes (spec/README.md lists them)."""

_LOOP: Final = '<span aria-hidden="true">↻</span>'
_WARN: Final = '<span aria-hidden="true">⚠</span>'

_CHANGE_WORDS: Final = {
    "started": "clock started",
    "stopped": "clock stopped",
    "due": "due today",
    "overdue": "overdue",
    "wait_over": "wait over",
    "limit_passed": "limit passed",
}


def authority_section(
    spec: ProtocolSpec,
    results: Sequence[Result],
    findings: Sequence[Finding],
    diagrams: str,
    problems: Sequence[Problem] = (),
    *,
    focus: Mapping[str, str] | None = None,
) -> str:
    """The section for one authority; `diagrams` is its figures (or a note) as HTML,
    `problems` the checker's ranking (any authority's; this one's are shown), and
    `focus` each story's own diagram, by property."""
    focused = focus or {}
    asked = {prop.id: prop.description for prop in spec.properties if prop.description}
    authority = spec.authority.id
    verdicts = _count(len(results), "verdict")
    parts = [
        f'<section class="authority" id="{anchor("authority", authority)}" '
        f'aria-labelledby="{anchor("authority", authority, "h")}">',
        f'<h2 id="{anchor("authority", authority, "h")}">{esc(spec.authority.name)} '
        f"<small>({esc(authority)})</small></h2>",
        f"<p>Spec: <code>{esc(spec.path)}</code>. Documents: "
        + "; ".join(f"<cite>{esc(document.title)}</cite>" for document in spec.documents)
        + ".</p>",
        top_problems(spec, problems, results, findings),
        _folded(
            "Verdicts",
            f"{verdicts}, with the rules they quote and the case stories",
            "".join(
                _result_article(result, focused.get(result.property), asked.get(result.property))
                for result in results
            ),
        ),
        _folded(
            "Findings",
            f"{_count(len(findings), 'finding')} from the structural checks",
            _findings(authority, findings),
        ),
        _folded("Diagrams", "the statuses and escalation ladders, drawn", diagrams),
        "</section>",
    ]
    return "\n".join(parts)


def _folded(title: str, what: str, body: str) -> str:
    """A part of the details: its heading always shown, its body folded away."""
    return (
        f'<details class="part"><summary><h3>{esc(title)}</h3> '
        f"<span>{esc(what)}</span></summary>\n{body}\n</details>"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _result_article(
    result: Result, figure: str | None = None, description: str | None = None
) -> str:
    """One verdict: the sentence, the author's own words for the question (`description`),
    the facts, the quoted rules, and the story with its drawing (`figure`)."""
    ident = anchor("result", result.authority, result.property)
    title = f"<code>{esc(result.property)}</code>"
    facts = [*bound_words(result), *caveats(result)]
    parts = [
        f'<article class="result" id="{ident}" aria-labelledby="{ident}-h">',
        f'<h4 id="{ident}-h">{title}: {verdict_badge(result.verdict)}</h4>',
        f"<p>{esc(result.summary)}</p>",
    ]
    if description:
        parts.append(f'<p class="asked">The question, in the spec\'s words: {esc(description)}</p>')
    if facts:
        parts.append("<ul>" + "".join(f"<li>{esc(fact)}</li>" for fact in facts) + "</ul>")
    if result.formula:
        formula = f"<code>{esc(result.formula)}</code>"
        parts.append(f'<p class="formula">As the spec states it: {formula}</p>')
    if result.citations:
        parts.append("<p>The protocol says:</p>" + citation_block(result.citations))
    else:
        parts.append("<p>The spec cites no paragraph of the protocol for this property.</p>")
    if result.location is not None:
        parts.append(
            f'<p class="where">Written in the spec at <code>{esc(result.location)}</code>.</p>'
        )
    if result.story is not None:
        parts.append(_story(result, result.story))
        if figure is not None:
            parts.append(figure)
    else:
        parts.append(
            f'<p class="reproduce">Check it again: <code>{esc(result.reproduce)}</code></p>'
        )
    parts.append("</article>")
    return "\n".join(parts)


def _story(result: Result, story: Story) -> str:
    caption = f"How the case can go, day by day: a run that breaks '{esc(result.property)}'."
    quoted: set[Citation] = set()
    rows = "".join(
        _scene_row(scene, index == story.loop_start, quoted)
        for index, scene in enumerate(story.scenes)
    )
    parts = [
        '<div class="scroll"><table class="story">',
        f"<caption>{caption}</caption>",
        '<thead><tr><th scope="col">step</th><th scope="col">day</th>'
        '<th scope="col">date</th><th scope="col">what happens</th>'
        '<th scope="col">status</th><th scope="col">held by</th>'
        '<th scope="col">clocks</th><th scope="col">rules</th></tr></thead>',
        f"<tbody>{rows}</tbody></table></div>",
    ]
    if story.loop_start is not None:
        back = story.scenes[story.loop_start].label
        parts.append(
            f'<p class="loop">{_LOOP} After the last step the case '
            f"is back where it was at {esc(back)}, and the steps from there repeat for ever.</p>"
        )
    parts.append(f'<p class="reproduce">Reproduce: <code>{esc(result.reproduce)}</code></p>')
    return "\n".join(parts)


def _scene_row(scene: Scene, loop_start: bool, quoted: set[Citation]) -> str:
    """One scene as a table row; a rule already quoted in the story is only named."""
    label = esc(scene.label)
    if loop_start:
        label += f' <span class="loop">{_LOOP} from here the case repeats for ever</span>'
    date_cell = esc(long_date(scene.date))
    for day, name in scene.holidays:
        date_cell += (
            f'<br><span class="holiday">bank holiday {esc(long_date(day))}: {esc(name)}</span>'
        )
    happenings = "".join(f"<br>{esc(note)}" for note in scene.notes)
    holder = esc(scene.holder.name)
    if not scene.holder.responsible:
        holder += f' <strong class="unowned">{_WARN} nobody is responsible</strong>'
    clocks = "<br>".join(
        f"<strong>{esc(_CHANGE_WORDS.get(clock.change, clock.change))}</strong>: {esc(clock.text)}"
        + "".join(f"<br><small>{citation_source(c)}</small>" for c in clock.citations)
        for clock in scene.clocks
    )
    rules = "".join(
        f"<small>{citation_source(c)}, quoted above</small><br>"
        if c in quoted
        else f"<q>{quoted_html(c.quote)}</q> <small>({citation_source(c)})</small><br>"
        if c.quote
        else f"<small>{citation_source(c)}</small><br>"
        for c in scene.citations
    )
    quoted.update(scene.citations)
    row_class = ' class="loop-start"' if loop_start else ""
    cells = [
        f'<th scope="row">{label}</th>',
        f"<td>{scene.day}</td>",
        f"<td>{date_cell}</td>",
        f"<td>{esc(scene.what)}{happenings}</td>",
        f'<td title="{esc(scene.status)}">{esc(scene.place)}</td>',
        f"<td>{holder}</td>",
        f"<td>{clocks or '-'}</td>",
        f"<td>{rules.removesuffix('<br>') or '-'}</td>",
    ]
    return f"<tr{row_class}>{''.join(cells)}</tr>"


def _findings(authority: str, findings: Sequence[Finding]) -> str:
    if not findings:
        return "<p>No findings: the structural checks found nothing to report.</p>"
    return _finding_groups(authority, findings)


def _finding_groups(authority: str, findings: Sequence[Finding]) -> str:
    """Findings grouped by kind (code), each with its message, quoted rule and hint."""
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (f.code, f.file, f.line, f.message)):
        groups.setdefault(finding.code, []).append(finding)
    parts = []
    for code, found in sorted(groups.items()):
        heading = FINDING_KINDS.get(code, "Other findings")
        parts.append(
            f'<h4 data-code="{esc(code)}">{esc(heading)} <small>({len(found)})</small></h4>'
            '<ul class="findings">'
        )
        for index, finding in enumerate(found, start=1):
            ident = finding_anchor(authority, finding, index)
            severity = (
                rank_badge(finding.rank)
                if finding.rank is not None
                else f'<span class="severity severity-{esc(finding.severity)}">'
                f"{esc(finding.severity)}</span>"
            )
            item = [
                f'<li id="{ident}">{severity} ',
                f"{esc(finding.message)} <small>(<code>{esc(finding.location)}</code>)</small>",
            ]
            if finding.rule:
                item.append(
                    f'<blockquote class="rule"><p>{quoted_html(finding.rule)}</p></blockquote>'
                )
            if finding.hint:
                item.append(f'<p class="hint">What to do: {esc(finding.hint)}</p>')
            parts.append("".join(item) + "</li>")
        parts.append("</ul>")
    return "\n".join(parts)
