"""The report's diagrams: each authority's status diagram and escalation ladders, inline SVG.

`ProtocolSpec` (+ a counterexample `Trace`) -> `diagrams.dot` / `diagrams.ladders` ->
`diagrams.render` -> here -> `<figure>`s of inline SVG. The SVG is cleaned for pasting
into one page: no XML prologue or comments, ids prefixed so two diagrams cannot
collide, and a label for screen readers. Without Graphviz's `dot` the report says so
once and still shows everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import graphviz
from attrs import frozen

from stepcheck.diagrams.dot import status_diagram
from stepcheck.diagrams.ladders import ladder_diagram
from stepcheck.diagrams.legend import legend_diagram
from stepcheck.diagrams.parts import Arrow, Part, tier_map, tier_parts
from stepcheck.diagrams.render import GraphvizMissing, render
from stepcheck.diagrams.report_html import anchor, esc
from stepcheck.diagrams.style import (
    deadline_notes,
    gives_way_note,
    guard_text,
    rule_ids,
    tier_label,
)
from stepcheck.spec.model import Event, ProtocolSpec, Tier
from stepcheck.spec.trace import Trace

__all__ = [
    "GRAPHVIZ_NOTE",
    "Highlight",
    "SvgRenderer",
    "draw_authority",
    "draw_focus",
    "draw_parts",
    "svg_figure",
    "svg_renderer",
]

GRAPHVIZ_NOTE = (
    "The diagrams need Graphviz's dot program, which is not installed here; install "
    "the graphviz package (scripts/system-deps.sh does it on Debian) and write the "
    "report again to see them. Everything else in this report is complete."
)

SvgRenderer = Callable[[graphviz.Digraph], bytes]


@frozen(kw_only=True)
class Highlight:
    """The counterexample a status diagram shows: which property, and its run."""

    property: str
    trace: Trace


def svg_renderer() -> SvgRenderer:
    """The real renderer: Graphviz's `dot`, to SVG."""
    return lambda graph: render(graph, "svg")


def draw_authority(spec: ProtocolSpec, renderer: SvgRenderer) -> str | None:
    """The status diagram as a tier map and one part per tier (each with the table of
    its numbered arrows), then every escalation ladder, as figures.

    None when Graphviz's `dot` is not installed.
    """
    authority = spec.authority.id
    try:
        figures = [draw_parts(spec, renderer)]
        for ladder in spec.escalations:
            svg = renderer(ladder_diagram(spec, ladder.id))
            label = f"Escalation ladder '{ladder.id}' of {spec.authority.name}"
            figures.append(
                svg_figure(svg, anchor("ladder", authority, ladder.id), label, esc(label) + ".")
            )
    except GraphvizMissing:
        return None
    return "".join(figures)


def draw_parts(spec: ProtocolSpec, renderer: SvgRenderer) -> str:
    """The tier map, then each tier's part with the table of its numbered arrows.

    Raises:
        GraphvizMissing: when `dot` is not installed.
    """
    authority = spec.authority.id

    def link(tier: Tier) -> str:
        return "#" + anchor("part", authority, tier.value)

    name = spec.authority.name
    figures = [
        svg_figure(
            renderer(tier_map(spec, link)),
            anchor("status", authority),
            f"How a case moves between the tiers of {name}",
            f"How a case moves between the tiers of {esc(name)}: each arrow says how many "
            "events move a case that way; its colour and arrowhead say what kind of step "
            "(see the legend). Each tier is drawn on its own below; select a tier to go "
            "to it.",
        ),
        svg_figure(
            renderer(legend_diagram(undefined=bool(spec.undefined_routes))),
            anchor("legend", authority),
            "Legend of the status diagrams",
            "Legend: what the arrows' colours, lines and arrowheads and the boxes' marks mean.",
        ),
    ]
    for part in tier_parts(spec):
        label = f"The {tier_label(part.tier)} tier of {name}"
        caption = (
            f"The {esc(tier_label(part.tier))} tier: its statuses, boxed by owner team, "
            "and the steps into, out of and within it; a dashed box stands for the "
            "statuses of another tier. The table says which events each numbered arrow "
            "stands for."
        )
        figure = svg_figure(
            _narrowest(part.graph, renderer),
            anchor("part", authority, part.tier.value),
            label,
            caption,
        )
        figures.append(figure + _arrow_table(spec, part))
    return "".join(figures)


def _arrow_table(spec: ProtocolSpec, part: Part) -> str:
    if not part.arrows:
        return ""
    rows = []
    for arrow in part.arrows:
        for index, event in enumerate(arrow.events):
            number = (
                f'<th scope="row" rowspan="{len(arrow.events)}">{arrow.number}</th>'
                if index == 0
                else ""
            )
            rows.append(
                f"<tr>{number}<td>{_steps(arrow, event.id)}</td>"
                f"<td>{_event_cell(spec, arrow, event)}</td></tr>"
            )
    return (
        '<div class="scroll"><table class="arrows">'
        f"<caption>The numbered arrows of the {esc(tier_label(part.tier))} tier</caption>"
        '<thead><tr><th scope="col">arrow</th><th scope="col">from → to</th>'
        '<th scope="col">event, and what it needs</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _steps(arrow: Arrow, event: str) -> str:
    """`event`'s steps along the arrow, one line per status it leads to."""
    sources: dict[str, list[str]] = {}
    for taken, source, target in arrow.steps:
        if taken == event:
            sources.setdefault(target, []).append(source)
    return "<br>".join(
        f"{', '.join(esc(s) for s in before)} → {esc(target)}" for target, before in sources.items()
    )


def _event_cell(spec: ProtocolSpec, arrow: Arrow, event: Event) -> str:
    parts = [f"<code>{esc(event.id)}</code> ({esc(arrow.kind)}; {esc(event.modality.value)})"]
    condition = guard_text(event)
    if condition is not None:
        parts.append(f"if <code>{esc(condition)}</code>")
    if event.at is not None:
        meeting = spec.meeting_by_id(event.at)
        parts.append(f"at {esc(meeting.name or meeting.id)}")
    target = event.target or ""
    parts += [f"due: {esc(note)}" for note in deadline_notes(spec, event, target)]
    ahead = gives_way_note(spec, event)
    if ahead is not None:
        parts.append(esc(ahead))
    rules = rule_ids(event)
    if rules:
        parts.append(f'<small class="origin">{esc(", ".join(rules))}</small>')
    return "<br>".join(parts)


def draw_focus(spec: ProtocolSpec, highlight: Highlight, renderer: SvgRenderer) -> str | None:
    """The statuses one story visits and the steps it takes, numbered, laid out across
    or down the page, whichever is narrower. None without `dot`."""
    try:
        svg = _narrowest(status_diagram(spec, highlight=highlight.trace, focus=True), renderer)
    except GraphvizMissing:
        return None
    prefix = anchor("focus", spec.authority.id, highlight.property)
    label = f"The statuses the story of '{highlight.property}' visits"
    caption = (
        "The statuses this story visits and the steps it takes, numbered as in the "
        "story; the steps that repeat for ever in purple. The whole protocol is drawn "
        "under Diagrams."
    )
    return svg_figure(svg, prefix, label, caption)


def svg_figure(svg: bytes, prefix: str, label: str, caption: str) -> str:
    """A `<figure>` of cleaned inline SVG, shrunk to the page's width but never below
    `_LEAST_SCALE` of its size, where its box scrolls instead (the text stays legible)."""
    return (
        f'<figure class="diagram" id="{prefix}">'
        f'<div class="svg">{_clean(svg.decode("utf-8"), prefix, label)}</div>'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _narrowest(graph: graphviz.Digraph, renderer: SvgRenderer) -> bytes:
    """`graph` drawn left to right and top to bottom: the narrower drawing (the first
    on a tie), so fewer diagrams need scrolling."""
    drawings = []
    for rankdir in ("LR", "TB"):
        copy = graph.copy()
        copy.graph_attr["rankdir"] = rankdir
        drawings.append(renderer(copy))
    return min(drawings, key=lambda svg: _width_pt(svg.decode("utf-8")))


def _width_pt(svg: str) -> float:
    found = _WIDTH.search(svg)
    return float(found.group(1)) if found else 0.0


_LEAST_SCALE = 0.7
_WIDTH = re.compile(r'<svg width="([0-9.]+)pt"')
_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_REF = re.compile(r'(href|xlink:href)="#([^"]*)"|url\(#([^)]*)\)')


def _clean(svg: str, prefix: str, label: str) -> str:
    """SVG text ready to paste into the page: its own ids and the links to them prefixed,
    links to the rest of the page kept.

    >>> _clean('<?xml v?><!-- x --><svg id="g"><use href="#g"/><a href="#x"/></svg>', "p", "a <b>")
    '<svg role="img" aria-label="a &lt;b&gt;" id="p-g"><use href="#p-g"/><a href="#x"/></svg>'
    """
    svg = _PROLOGUE.sub("", svg).strip()
    own = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF.sub(_prefixed_ref(prefix, own), svg)
    width = _width_pt(svg)
    least = f' style="min-width: {round(width * 4 / 3 * _LEAST_SCALE)}px"' if width else ""
    return svg.replace("<svg", f'<svg role="img" aria-label="{esc(label)}"{least}', 1)


def _prefixed_ref(prefix: str, own: set[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            target = match.group(2)
            if target not in own:
                return match.group(0)
            return f'{match.group(1)}="#{prefix}-{target}"'
        return f"url(#{prefix}-{match.group(3)})"

    return replace
